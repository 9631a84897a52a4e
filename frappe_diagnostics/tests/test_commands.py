"""`bench --site S diagnostics …`, run as bench runs it."""

import json

import frappe

from frappe_diagnostics.tests.utils import TestCase, bench_command, forced, parse_json_output, set_thresholds

MEMORY_LOW = {"system__memory": {"available_warning_pct": 101, "available_critical_pct": 0}}
DISK_LOW = {"filesystem__disk_space": {"free_warning_pct": 101}}


class TestDiagnosticsCommand(TestCase):
	def tearDown(self):
		set_thresholds(None)

	def test_run_json_stores_the_run_and_exits_by_its_forced_status(self):
		set_thresholds(forced(**MEMORY_LOW))
		done = bench_command("diagnostics", "run", "--tag", "system", "--json")
		data = parse_json_output(done.stdout)
		statuses = {r["check_id"]: r["status"] for r in data["results"]}
		self.assertEqual(
			statuses, {"system.cpu": "ok", "system.memory": "warning", "filesystem.disk_space": "ok"}
		)
		self.assertEqual(data["status"], "warning")
		self.assertEqual(done.returncode, 0, done.stderr)  # below the default --fail-on critical
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Diagnostic Run", data["name"], "trigger"), "CLI")

	def test_fail_on_decides_the_exit_code_of_a_forced_warning(self):
		set_thresholds(forced(**MEMORY_LOW))
		args = ("diagnostics", "run", "--check", "system.memory", "--no-store")
		self.assertEqual(bench_command(*args, "--fail-on", "warning").returncode, 1)
		self.assertEqual(bench_command(*args, "--fail-on", "critical").returncode, 0)
		self.assertEqual(bench_command(*args, "--fail-on", "never").returncode, 0)

	def test_unknown_check_exits_64_with_a_message(self):
		done = bench_command("diagnostics", "run", "--check", "nope.nothing")
		self.assertEqual(done.returncode, 64)
		self.assertIn("No check with id 'nope.nothing'", done.stderr + done.stdout)
		self.assertNotIn("Traceback", done.stderr)

	def test_checks_lists_the_registry(self):
		done = bench_command("diagnostics", "checks")
		self.assertEqual(done.returncode, 0, done.stderr)
		self.assertIn("database.connectivity", done.stdout)
		self.assertIn("jobs.workers", done.stdout)

	def test_bench_execute_runs_the_api(self):
		done = bench_command(
			"execute", "frappe_diagnostics.api.health.run", "--kwargs", '{"checks": ["system.memory"]}'
		)
		self.assertEqual(done.returncode, 0, done.stderr)
		self.assertIn("system.memory", done.stdout)


class TestTroubleshooterCommands(TestCase):
	def tearDown(self):
		set_thresholds(None)

	def test_doctor_json_names_the_forced_cause_first_and_stores_a_triage_run(self):
		set_thresholds(forced(filesystem__disk_space={"free_critical_pct": 101}))
		done = bench_command("diagnostics", "doctor", "--json")
		data = parse_json_output(done.stdout)
		self.assertEqual(data["kind"], "Triage")
		self.assertEqual(data["question"], f"What's wrong with {frappe.local.site}?")
		self.assertEqual(data["likely_cause"], "filesystem.disk_space")
		self.assertEqual(data["results"][0]["check_id"], "filesystem.disk_space")
		self.assertEqual(data["status"], "critical")
		self.assertEqual(done.returncode, 2)
		self.assertEqual(
			bench_command("diagnostics", "doctor", "--no-store", "--fail-on", "never").returncode, 0
		)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Diagnostic Run", data["name"], "kind"), "Triage")

	def test_database_and_performance_commands(self):
		done = bench_command("diagnostics", "database", "--doctype", "ToDo", "--no-store")
		self.assertIn("What is wrong with", done.stdout)
		data = parse_json_output(
			bench_command("diagnostics", "database", "--doctype", "ToDo", "--json", "--no-store").stdout
		)
		links = next(r for r in data["results"] if r["check_id"] == "database.links")
		self.assertEqual(links["summary"], "All 5 Link fields of ToDo point at existing records.")
		done = bench_command("diagnostics", "performance", "--hours", "2", "--json", "--no-store")
		data = parse_json_output(done.stdout)
		self.assertEqual(data["kind"], "Performance")
		self.assertEqual(data["inputs"], {"hours": 2.0})


class TestErrorsCommand(TestCase):
	def test_backfill_then_list_with_since_and_json(self):
		frappe.log_error(
			title="t",
			message='Traceback (most recent call last):\n  File "apps/x/x/y.py", line 1, in f\n    g()\nValueError: bad thing 42\n',
		)
		frappe.db.commit()
		done = bench_command("diagnostics", "errors", "--backfill", "--since", "1h", "--json")
		self.assertEqual(done.returncode, 0, done.stderr)
		rows = json.loads(done.stdout[done.stdout.index("[") :])
		self.assertTrue(any(r["title"].startswith("ValueError") for r in rows))
		bad = bench_command("diagnostics", "errors", "--since", "whenever")
		self.assertEqual(bad.returncode, 64)
