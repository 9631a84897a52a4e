"""A plain `bench install-app` on a new site, as a new user does it: the stored Diagnostics Settings are the
defaults of the one table (engine/settings.py), and the every-minute job stores a health run when due."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import tempfile

import frappe
from frappe.utils import get_bench_path

from frappe_diagnostics.engine.settings import DEFAULTS
from frappe_diagnostics.tests.recovery_utils import root_account
from frappe_diagnostics.tests.utils import TestCase

EXPECTED = {name: str(default.value) for name, default in DEFAULTS.items()}


def bench(*args: str, timeout: int = 1200) -> subprocess.CompletedProcess:
	"""`bench <args>` as bench runs it (its helper, from sites/); PYTHONPATH and the rest pass through."""
	cmd = [sys.executable, "-m", "frappe.utils.bench_helper", "frappe", *args]
	done = subprocess.run(
		cmd, cwd=f"{get_bench_path()}/sites", capture_output=True, text=True, timeout=timeout
	)
	assert done.returncode == 0, f"bench {' '.join(args[:3])}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
	return done


class TestFreshInstall(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.site = f"{frappe.local.site}-fresh-{secrets.token_hex(3)}"
		account = root_account()
		cls.root = ["--db-root-username", account.user, "--db-root-password", account.password]
		bench("new-site", cls.site, *cls.root, "--admin-password", "admin")
		bench("--site", cls.site, "install-app", "frappe_diagnostics")

	@classmethod
	def tearDownClass(cls):
		with tempfile.TemporaryDirectory() as archive:  # drop-site keeps the folder there: removed with it
			bench(
				"drop-site", cls.site, *cls.root, "--force", "--no-backup", "--archived-sites-path", archive
			)
		super().tearDownClass()

	def execute(self, method: str, *args, **kwargs) -> object:
		"""`bench --site <fresh site> execute method`: what it returns, as JSON."""
		options = (["--args", json.dumps(list(args))] if args else []) + (
			["--kwargs", json.dumps(kwargs)] if kwargs else []
		)
		out = bench("--site", self.site, "execute", method, *options).stdout
		return json.loads(out[min(i for i in (out.find("{"), out.find("[")) if i >= 0) :])

	def test_stored_settings_are_the_defaults_of_the_one_table(self):
		stored = self.execute("frappe.db.get_singles_dict", "Diagnostics Settings")
		self.assertEqual({name: str(stored.get(name)) for name in DEFAULTS}, EXPECTED)

	def test_the_every_minute_job_stores_a_scheduled_run_when_one_is_due(self):
		# a fresh site has no scheduled run yet, so the first tick is due (fleet/stagger.py)
		self.assertEqual(self.execute("frappe_diagnostics.site.tasks.every_minute")["health_run"], "ran")
		runs = self.execute(
			"frappe.get_all", "Diagnostic Run", filters={"trigger": "Scheduler"}, fields=["kind", "status"]
		)
		self.assertEqual([run["kind"] for run in runs], ["Health Check"])


class TestInstallBeforeTheFix(TestCase):
	def test_migrate_repairs_settings_that_frappes_init_of_singles_left_blank(self):
		# what install-app stored before the DocType held its defaults: blanks, never saved by anyone
		from frappe_diagnostics.site.install import fill_unset_defaults

		blank = {"enable_scheduled_runs": 0, "frequency": "Every 5 Minutes", "readiness_checks": ""}
		frappe.db.set_single_value("Diagnostics Settings", {**blank, "drill_frequency": "Off"})
		fill_unset_defaults()
		stored = frappe.db.get_singles_dict("Diagnostics Settings")
		self.assertEqual({name: str(stored.get(name)) for name in DEFAULTS}, EXPECTED)
