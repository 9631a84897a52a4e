"""Filesystem, system, application and configuration checks on a real bench folder and database."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

from helpers import run_one

from frappe_diagnostics.engine.result import Status


def test_site_folders_are_writable(bench):
	result = run_one(bench.context(), "filesystem.writable")
	assert result.status is Status.OK
	assert result.metric("private/files") == "writable"


def test_missing_public_files_folder_is_critical(bench):
	shutil.rmtree(bench.site_path / "public" / "files")
	result = run_one(bench.context(), "filesystem.writable")
	assert result.status is Status.CRITICAL
	assert "public/files (missing)" in result.summary


def test_logs_folder_that_is_a_file_is_a_warning(bench):
	shutil.rmtree(bench.root / "logs")
	(bench.root / "logs").write_text("oops")
	result = run_one(bench.context(), "filesystem.writable")
	assert result.status is Status.WARNING
	assert "logs (not a folder)" in result.summary


def test_disk_space_reports_units_and_grades_by_threshold(bench):
	result = run_one(
		bench.context(),
		"filesystem.disk_space",
		free_warning_pct=0,
		free_critical_pct=-1,
		free_critical_gb=0,
		inodes_warning_pct=0,
	)
	assert result.status is Status.OK, result.summary
	assert result.metric("total") > 0 and 0 <= result.metric("free_pct") <= 100
	assert "GiB free" in result.summary
	low = run_one(
		bench.context(),
		"filesystem.disk_space",
		free_warning_pct=101,
		free_critical_pct=0,
		free_critical_gb=0,
	)
	assert low.status is Status.WARNING
	assert run_one(bench.context(), "filesystem.disk_space", free_critical_gb=10**6).status is Status.CRITICAL


def test_cpu_and_memory_report_numbers_and_grade_by_every_threshold(bench):
	"""Every threshold the outcome depends on is forced, so a busy machine cannot change it."""
	calm_cpu = {"cpu_warning_pct": 101, "cpu_critical_pct": 102}
	cpu = run_one(
		bench.context(), "system.cpu", **calm_cpu, load_warning_per_core=10**6, load_critical_per_core=10**7
	)
	assert cpu.status is Status.OK, cpu.summary
	assert 0 <= cpu.metric("cpu") <= 100 and cpu.metric("cores") >= 1
	loaded = run_one(
		bench.context(), "system.cpu", **calm_cpu, load_warning_per_core=-1, load_critical_per_core=10**6
	)
	assert loaded.status is Status.WARNING, loaded.summary
	calm_memory = {"swap_warning_pct": 101}
	mem = run_one(
		bench.context(), "system.memory", **calm_memory, available_warning_pct=0, available_critical_pct=-1
	)
	assert mem.status is Status.OK, mem.summary
	assert mem.metric("total") > 0 and 0 < mem.metric("available_pct") <= 100
	low = run_one(
		bench.context(), "system.memory", **calm_memory, available_warning_pct=101, available_critical_pct=0
	)
	assert low.status is Status.WARNING, low.summary


def test_active_sessions_counts_the_last_30_minutes(bench, site_sql):
	now = datetime.now()
	for user, age in (("a@x.com", 1), ("a@x.com", 5), ("b@x.com", 10), ("c@x.com", 90)):
		site_sql(
			"INSERT INTO `tabSessions` (user, sid, lastupdate) VALUES (%s, %s, %s)",
			(user, f"s{age}", now - timedelta(minutes=age)),
		)
	result = run_one(bench.context(), "application.sessions")
	assert result.metric("active_sessions") == 3
	assert result.metric("active_users") == 2


def log_error(site_sql, name, creation, method="x", modified=None):
	"""An Error Log row as Frappe writes it: modified = creation unless touched later."""
	site_sql(
		"INSERT INTO `tabError Log` (name, creation, modified, method) VALUES (%s, %s, %s, %s)",
		(name, creation, modified or creation, method),
	)


def test_error_log_rate_grades_and_names_the_top_source(bench, site_sql):
	now = datetime.now()
	for i in range(12):
		log_error(
			site_sql,
			f"e{i}",
			now - timedelta(minutes=i),
			"erpnext.stock.make_entry" if i < 9 else "frappe.email.pull",
		)
	log_error(site_sql, "old", now - timedelta(hours=3))
	log_error(site_sql, "old-but-seen", now - timedelta(hours=3), modified=now)  # read since: not new
	result = run_one(bench.context(), "application.error_log")
	assert result.metric("errors_last_hour") == 12
	assert result.status is Status.WARNING
	assert result.findings[0].evidence["top_sources"]["erpnext.stock.make_entry"] == 9
	assert result.fixes[0].link == "/app/error-group?status=Open"  # each kind of error once, on the desk
	assert [m.name for m in result.headline_metrics] == ["errors_last_hour"]


def test_site_time_zone_is_used_for_the_window(bench, site_sql):
	site_sql("INSERT INTO `tabSingles` VALUES ('System Settings', 'time_zone', 'Pacific/Kiritimati')")
	log_error(site_sql, "tz", datetime.now() + timedelta(hours=13, minutes=50))
	ctx = bench.context()
	assert run_one(ctx, "application.error_log").metric("errors_last_hour") == 1


def test_invalid_site_config_json_names_line_and_column(bench):
	(bench.site_path / "site_config.json").write_text('{\n "db_name": "x",\n "db_password": "y",,\n}')
	result = run_one(bench.context(), "configuration.site_config")
	assert result.status is Status.CRITICAL
	assert "invalid JSON" in result.summary and "line 3" in result.summary


def test_missing_required_keys(bench):
	bench.conf.pop("db_password")
	bench.write()
	result = run_one(bench.context(), "configuration.site_config")
	assert result.status is Status.CRITICAL
	assert result.findings[0].evidence == {"missing": ["db_password"]}
