"""Checks whose source is empty or unreadable say they could not decide (or warn), never OK."""

from __future__ import annotations

import os
from types import SimpleNamespace

from helpers import run_one

from frappe_diagnostics.checks import system
from frappe_diagnostics.engine.context import StandaloneContext
from frappe_diagnostics.engine.result import Status


def test_a_scheduler_setting_that_was_never_stored_is_disabled_as_frappe_reads_it(bench, site_sql):
	site_sql("DELETE FROM `tabSingles` WHERE field = 'enable_scheduler'")
	result = run_one(bench.context(), "configuration.maintenance")
	assert result.status is Status.WARNING
	assert [(f.message, f.evidence) for f in result.findings] == [
		("The scheduler is disabled in System Settings", {"enable_scheduler": "not set"})
	]
	site_sql("INSERT INTO `tabSingles` VALUES ('System Settings', 'enable_scheduler', '1')")
	assert run_one(bench.context(), "configuration.maintenance").status is Status.OK


def test_disable_scheduler_in_the_site_config_is_a_warning(bench):
	bench.conf["disable_scheduler"] = 1
	bench.write()
	result = run_one(bench.context(), "configuration.maintenance")
	assert result.status is Status.WARNING
	assert result.fixes[0].command == f"bench --site {bench.site} set-config disable_scheduler 0"


def test_file_ownership_of_a_site_folder_that_does_not_exist_is_undecided(bench):
	result = run_one(StandaloneContext(bench.root, "no-such-site.local"), "filesystem.permissions")
	assert result.status is Status.ERROR
	assert result.summary.startswith("Could not decide: the site folder ")


def test_assets_without_sites_apps_txt_are_undecided(bench):
	assert run_one(bench.context(), "assets.built").status is Status.OK
	(bench.root / "sites" / "apps.txt").unlink()
	result = run_one(bench.context(), "assets.built")
	assert result.status is Status.ERROR
	assert result.summary.startswith("Could not decide: sites/apps.txt is missing or empty")


def test_cpu_counters_that_do_not_advance_are_undecided(bench, monkeypatch):
	frozen = (0.0, 1000.0, 10.0)  # (monotonic time, total CPU seconds, busy seconds): nothing moves
	monkeypatch.setattr(system, "_sample", lambda: frozen)
	monkeypatch.setattr(system, "_last", frozen)
	result = run_one(bench.context(), "system.cpu")
	assert result.status is Status.ERROR
	assert result.summary.startswith("Could not decide: the CPU time counters did not advance")


def test_a_filesystem_without_inode_counts_is_judged_on_free_space_alone(bench, monkeypatch):
	real = os.statvfs

	def no_inodes(path):  # as btrfs, overlay or NFS report: blocks, but no inode counts
		found = real(path)
		fields = {name: getattr(found, name) for name in dir(found) if name.startswith("f_")}
		return SimpleNamespace(**{**fields, "f_files": 0, "f_ffree": 0, "f_favail": 0})

	monkeypatch.setattr(os, "statvfs", no_inodes)
	result = run_one(
		bench.context(), "filesystem.disk_space", free_warning_pct=0, free_critical_pct=0, free_critical_gb=0
	)
	assert result.status is Status.OK
	assert result.metric("free_inodes_pct") == "not reported by this filesystem"
