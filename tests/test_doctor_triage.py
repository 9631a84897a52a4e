"""The doctor (triage) against broken sites made for real: it names the likely cause first and its fix."""

from __future__ import annotations

import json

import pytest
from conftest import free_port

from frappe_diagnostics.engine.registry import registry
from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.troubleshooters.triage import SIGNALS, diagnose_site

# signals that need the bench's processes running (web, workers, scheduler, socket.io): this bench folder
# runs none, so they are disabled here unless a test plants their state
NEEDS_PROCESSES = frozenset(
	(
		"web.http",
		"web.processes",
		"web.realtime",
		"jobs.workers",
		"scheduler.alive",
		"system.cpu",
		"system.memory",
	)
)


def diagnose(bench, keep=()):
	ctx = bench.context()
	ctx.settings.disabled = NEEDS_PROCESSES - set(keep)
	return diagnose_site(ctx)


def steps(diagnosis):
	return {s.check_id: s for s in diagnosis.steps}


def test_every_signal_runs_once_and_passing_steps_keep_dependency_order(bench):
	d = diagnose(bench)
	ids = [s.check_id for s in d.steps]
	assert sorted(ids) == sorted(s.check_id for s in SIGNALS)
	passing = [s.check_id for s in d.steps if s.status in (Status.OK, Status.SKIPPED)]
	assert passing == [s.check_id for s in SIGNALS if s.check_id in passing]
	by_id = steps(d)
	for check_id in (
		"database.core_tables",
		"apps.consistency",
		"migrations.pending_patches",
		"assets.built",
		"configuration.encryption_key",
		"filesystem.permissions",
	):
		assert by_id[check_id].status is Status.OK, by_id[check_id].summary


def test_bad_json_in_site_config_is_the_likely_cause_with_line_and_column(bench):
	(bench.site_path / "site_config.json").write_text('{\n "db_name": "x"\n "db_password": "y"\n}')
	d = diagnose(bench)
	assert d.likely_cause.check_id == "configuration.site_config"
	assert "line 3, column 2" in d.likely_cause.summary
	assert steps(d)["database.core_tables"].status is Status.SKIPPED
	assert d.status is Status.CRITICAL


def test_wrong_password_names_the_user_and_host(bench, site_db):
	bench.conf["db_password"] = "wrong"
	bench.write()
	cause = diagnose(bench).likely_cause
	assert cause.check_id == "database.connectivity"
	assert "access denied" in cause.summary and f"'{site_db['name']}'@" in cause.summary
	assert "db_password" in cause.fixes[0].description


def test_stopped_redis_queue_port_says_what_breaks(bench):
	bench.common["redis_queue"] = f"redis://127.0.0.1:{free_port()}"
	bench.write()
	cause = diagnose(bench).likely_cause
	assert cause.check_id == "redis.queue"
	assert "connection refused" in cause.summary
	assert "background job" in cause.findings[0].message


@pytest.mark.parametrize(
	"table", ["tabInstalled Application", "tabSingles", "tabDefaultValue", "tabHas Role"]
)
def test_a_missing_core_table_is_named_first_with_migrate_then_restore(bench, site_sql, table):
	site_sql(f"RENAME TABLE `{table}` TO `diag_hidden_core`")
	try:
		d = diagnose(bench)
	finally:
		site_sql(f"RENAME TABLE `diag_hidden_core` TO `{table}`")
	cause = d.likely_cause
	assert cause.check_id == "database.core_tables"
	assert cause.summary == f"Core table {table} is missing: Frappe cannot boot without it."
	assert [f.command for f in cause.fixes] == [
		f"bench --site {bench.site} migrate",
		f"bench --site {bench.site} restore '<path/to/database.sql.gz>'",
	]


def test_pending_patch_asks_for_migrate(bench):
	patches = bench.root / "apps" / "frappe" / "frappe" / "patches.txt"
	patches.write_text(
		patches.read_text().replace(
			"[post_model_sync]\n", "[post_model_sync]\nfrappe.patches.v15_0.new_one\n"
		)
	)
	step = steps(diagnose(bench))["migrations.pending_patches"]
	assert step.status is Status.WARNING
	assert step.findings[0].evidence == {"frappe": ["frappe.patches.v15_0.new_one"]}
	assert "migrate" in step.fixes[0].command


def set_installed_apps(site_sql, apps):
	site_sql(
		"UPDATE `tabDefaultValue` SET defvalue = %s WHERE parent = '__global' AND defkey = 'installed_apps'",
		(json.dumps(apps) if isinstance(apps, list) else apps,),
	)


def test_app_missing_from_the_bench_and_version_drift(bench, site_sql):
	set_installed_apps(site_sql, ["frappe", "erpnext"])
	site_sql("INSERT INTO `tabInstalled Application` VALUES ('a2', 'erpnext', '15.40.0', 2)")
	site_sql("UPDATE `tabInstalled Application` SET app_version = '15.50.0' WHERE app_name = 'frappe'")
	try:
		step = steps(diagnose(bench))["apps.consistency"]
	finally:
		set_installed_apps(site_sql, ["frappe"])
		site_sql("DELETE FROM `tabInstalled Application` WHERE app_name = 'erpnext'")
		site_sql("UPDATE `tabInstalled Application` SET app_version = '15.55.1' WHERE app_name = 'frappe'")
	assert step.status is Status.CRITICAL
	evidence = {f.message: f.evidence for f in step.findings}
	assert evidence["Apps installed on the site are missing from the bench"] == {"apps": ["erpnext"]}
	assert evidence["App code was updated but the site was not migrated"] == {
		"frappe": {"recorded at the last migrate": "15.50.0", "code now": "15.55.1"}
	}


def test_a_site_never_migrated_lists_its_apps_from_installed_apps_not_installed_application(bench, site_sql):
	site_sql("DELETE FROM `tabInstalled Application`")
	try:
		apps = steps(diagnose(bench))["apps.consistency"]
	finally:
		site_sql("INSERT INTO `tabInstalled Application` VALUES ('a1', 'frappe', '15.55.1', 1)")
	assert apps.status is Status.OK
	assert apps.summary.startswith(
		"The 1 installed apps (frappe) are present; their versions are not recorded"
	)


def test_an_unreadable_installed_apps_list_is_undecided_not_ok(bench, site_sql):
	set_installed_apps(site_sql, "not json")
	try:
		found = steps(diagnose(bench))
	finally:
		set_installed_apps(site_sql, ["frappe"])
	for check_id in ("apps.consistency", "migrations.pending_patches"):
		assert found[check_id].status is Status.ERROR, found[check_id]
		assert found[check_id].summary.startswith("Could not decide:")


def test_a_develop_checkout_compares_as_frappe_records_it(bench, site_sql):
	"""Frappe records `<branch>_version (<commit>)` for a branch its hooks name: no drift right after a migrate."""
	app = bench.root / "apps" / "frappe"
	(app / ".git" / "refs" / "heads").mkdir(parents=True)
	(app / ".git" / "HEAD").write_text("ref: refs/heads/develop\n")
	(app / ".git" / "refs" / "heads" / "develop").write_text("d658e68abcdef0123456789abcdef0123456789a\n")
	hooks = app / "frappe" / "hooks.py"
	hooks.write_text(hooks.read_text() + 'develop_version = "15.x.x-develop"\n')
	site_sql("UPDATE `tabInstalled Application` SET app_version = '15.x.x-develop (d658e68)'")
	try:
		after_migrate = steps(diagnose(bench))["apps.consistency"]
		(app / ".git" / "refs" / "heads" / "develop").write_text("0123456789abcdef0123456789abcdef01234567\n")
		after_pull = steps(diagnose(bench))["apps.consistency"]
	finally:
		site_sql("UPDATE `tabInstalled Application` SET app_version = '15.55.1'")
	assert after_migrate.status is Status.OK, after_migrate.summary
	assert after_pull.status is Status.WARNING
	assert after_pull.findings[0].evidence == {
		"frappe": {
			"recorded at the last migrate": "15.x.x-develop (d658e68)",
			"code now": "15.x.x-develop (0123456)",
		}
	}


def test_assets_missing_bundle(bench):
	(bench.root / "sites" / "assets" / "assets.json").write_text(
		json.dumps({"desk.bundle.js": "/assets/frappe/dist/js/desk.bundle.X.js"})
	)
	step = steps(diagnose(bench))["assets.built"]
	assert step.status is Status.CRITICAL
	assert "bench build" in step.fixes[0].command


def test_no_key_is_fine_until_something_is_encrypted(bench, site_sql):
	bench.conf.pop("encryption_key")
	bench.write()
	assert steps(diagnose(bench))["configuration.encryption_key"].status is Status.OK
	site_sql("INSERT INTO `__Auth` VALUES ('Email Account', 'Support', 'password', 'gAAAA...', 1)")
	try:
		step = steps(diagnose(bench))["configuration.encryption_key"]
	finally:
		site_sql("DELETE FROM `__Auth`")
	assert step.status is Status.CRITICAL
	assert "1 stored secret(s) cannot be decrypted" in step.summary


def test_missing_encryption_key_and_maintenance_mode(bench, site_sql):
	site_sql("INSERT INTO `__Auth` VALUES ('Email Account', 'Support', 'password', 'gAAAA...', 1)")
	bench.conf.pop("encryption_key")
	bench.conf["maintenance_mode"] = 1
	bench.conf["pause_scheduler"] = 1
	bench.write()
	by_id = steps(diagnose(bench))
	site_sql("DELETE FROM `__Auth`")
	assert by_id["configuration.encryption_key"].status is Status.CRITICAL
	maintenance = by_id["configuration.maintenance"]
	assert maintenance.status is Status.CRITICAL
	assert [f.command for f in maintenance.fixes] == [
		f"bench --site {bench.site} set-maintenance-mode off",
		f"bench --site {bench.site} set-config pause_scheduler 0",
	]


def test_wrong_types_in_config(bench):
	bench.conf["db_port"] = "three-three-oh-six"
	bench.common["redis_cache"] = "127.0.0.1:6379"
	bench.write()
	step = steps(diagnose(bench))["configuration.site_config"]
	assert step.status is Status.CRITICAL
	messages = [f.message for f in step.findings]
	assert "db_port must be a whole number, not 'three-three-oh-six'" in messages
	assert "redis_cache must be a redis://host:port URL" in messages


def test_standalone_doctor_prints_the_likely_cause_and_exits_2(bench):
	bench.conf["db_password"] = "wrong"
	bench.write()
	done = bench.cli("doctor", "--site", bench.site)
	assert done.returncode == 2
	assert "LIKELY CAUSE (database.connectivity): Cannot connect" in done.stdout
	data = json.loads(bench.cli("doctor", "--site", bench.site, "--json").stdout)
	assert data["doctor"]["likely_cause"] == "database.connectivity"
	assert data["doctor"]["kind"] == "Triage"


def test_a_changed_encryption_key_that_no_longer_decrypts_stored_secrets_is_critical(bench, site_sql):
	from cryptography.fernet import Fernet

	old_key = Fernet.generate_key()
	token = Fernet(old_key).encrypt(b"smtp-secret").decode()
	site_sql("INSERT INTO `__Auth` VALUES ('Email Account', 'Support', 'password', %s, 1)", (token,))
	try:
		before = steps(diagnose(bench))["configuration.encryption_key"]
		bench.conf["encryption_key"] = old_key.decode()
		bench.write()
		after_restore = steps(diagnose(bench))["configuration.encryption_key"]
	finally:
		site_sql("DELETE FROM `__Auth`")
	assert before.status is Status.CRITICAL
	assert before.summary == (
		"The encryption_key no longer decrypts stored secrets (1 of 1 tried fail, e.g. Email Account Support "
		"(password)): it was changed or replaced, so email accounts and integrations cannot log in."
	)
	assert "smtp-secret" not in json.dumps(before.to_dict()) and token not in json.dumps(before.to_dict())
	assert after_restore.status is Status.OK
	assert after_restore.summary == "The encryption_key decrypts the stored secrets (1 tried)."


def test_an_encryption_key_frappe_cannot_use_is_critical_once_secrets_are_stored(bench, site_sql):
	bench.conf["encryption_key"] = "not-a-fernet-key"
	bench.write()
	empty = steps(diagnose(bench))["configuration.encryption_key"]
	site_sql("INSERT INTO `__Auth` VALUES ('Email Account', 'Support', 'password', 'gAAAA-x', 1)")
	try:
		stored = steps(diagnose(bench))["configuration.encryption_key"]
	finally:
		site_sql("DELETE FROM `__Auth`")
	assert empty.status is Status.WARNING
	assert stored.status is Status.CRITICAL
	assert stored.summary.endswith("stored secrets cannot be decrypted.")


def test_without_a_time_zone_the_site_clock_is_frappes_default_zone(bench, site_sql):
	from datetime import datetime, timedelta
	from zoneinfo import ZoneInfo

	from tests.helpers import run_one

	site_sql("DELETE FROM `tabSingles` WHERE field = 'time_zone'")  # as on a site where nobody set it
	kolkata = datetime.now(ZoneInfo("Asia/Kolkata")).replace(tzinfo=None, microsecond=0)
	utc = datetime.now(ZoneInfo("UTC")).replace(tzinfo=None, microsecond=0)
	for name, stamp in (("as-frappe-writes-it", kolkata), ("five-hours-earlier", utc)):
		t = stamp - timedelta(minutes=10)
		site_sql("INSERT INTO `tabError Log` (name, creation, modified) VALUES (%s, %s, %s)", (name, t, t))
	result = run_one(bench.context(), "application.error_log")
	assert result.metric("errors_last_hour") == 1


def test_the_cause_comes_with_its_impact_and_the_troubleshooter_to_go_deeper(bench):
	from frappe_diagnostics.engine.render import render_diagnosis

	bench.common["redis_queue"] = f"redis://127.0.0.1:{free_port()}"
	bench.write()
	d = diagnose(bench)
	assert d.likely_cause.check_id == "redis.queue"
	assert d.impact == "background jobs, emails and scheduled events stop"
	assert d.deeper == {"troubleshooter": "jobs", "command": f"bench --site {bench.site} diagnostics jobs"}
	text = render_diagnosis(d)
	assert "  Impact: background jobs, emails and scheduled events stop." in text
	assert text.endswith(f"  Go deeper: bench --site {bench.site} diagnostics jobs")


def test_a_failing_step_of_more_impact_outranks_a_more_severe_one_of_less(bench, site_sql):
	from datetime import datetime, timedelta

	bench.conf["pause_scheduler"] = 1  # a warning: background work stops
	bench.write()
	t = datetime.utcnow() - timedelta(minutes=5)
	for i in range(150):  # an Error Log spike over the critical threshold: one feature's errors
		site_sql("INSERT INTO `tabError Log` (name, creation, modified) VALUES (%s, %s, %s)", (f"e{i}", t, t))
	d = diagnose(bench)
	by_id = steps(d)
	assert by_id["application.error_log"].status is Status.CRITICAL
	assert by_id["configuration.maintenance"].status is Status.WARNING
	assert d.likely_cause.check_id == "configuration.maintenance"
	assert [s.check_id for s in d.steps[:2]] == ["configuration.maintenance", "application.error_log"]


def test_a_broken_hooked_check_module_is_an_error_step_not_a_traceback(bench):
	ctx = bench.context()
	ctx.hook_entries = [*ctx.hook_entries, "diag17_no_such_module.checks"]
	ctx.settings.disabled = NEEDS_PROCESSES
	try:
		d = diagnose_site(ctx)
	finally:
		registry.load_errors.pop("diag17_no_such_module.checks", None)
	broken = steps(d)["hooks.diag17_no_such_module_checks"]
	assert broken.status is Status.ERROR
	assert broken.summary.startswith(
		"The diagnostics_checks hook entry 'diag17_no_such_module.checks' could not be imported: "
		"ModuleNotFoundError"
	)


def test_maintenance_mode_is_the_cause_with_its_own_fix_and_nothing_deeper(bench):
	bench.conf["maintenance_mode"] = 1
	bench.write()
	d = diagnose(bench)
	assert d.likely_cause.check_id == "configuration.maintenance"
	assert d.impact == "the site cannot serve anyone"
	assert d.deeper is None
	assert d.likely_cause.fixes[0].command == f"bench --site {bench.site} set-maintenance-mode off"


OTHER_APP_SIGNAL = """
from frappe_diagnostics.engine.registry import check

@check("otherapp.sync", title="Sync", tags=("otherapp", "triage"))
def sync(probe):
	return probe.result(probe.graded(1, 1, 2), "The nightly sync is behind.")
"""


def test_another_apps_check_tagged_triage_joins_the_doctor(bench):
	bench.add_app(
		"otherapp",
		'app_name = "otherapp"\ndiagnostics_checks = ["otherapp.triage"]\n',
		{"triage": OTHER_APP_SIGNAL},
	)
	try:
		d = diagnose(bench)
	finally:
		registry.unregister("otherapp.sync")
	assert d.likely_cause.check_id == "otherapp.sync"
	assert d.likely_cause.summary == "The nightly sync is behind."
	assert d.impact == ""
