"""Recovery Runs: started on the desk's API and the command line, automatic steps run for real, manual
steps marked done with a note, the report's figures; post-recovery validation stored as a run; the desk's
verification starts a background job."""

from __future__ import annotations

import frappe
from frappe.utils import add_to_date, get_datetime, now_datetime

from frappe_diagnostics.site.recovery import report, runs, service, steps
from frappe_diagnostics.tests.recovery_utils import take_backup
from frappe_diagnostics.tests.utils import (
	TestCase,
	bench_command,
	call,
	http_client,
	make_user,
	parse_json_output,
)

MANAGER = "diag-recovery-manager@example.com"
API = "frappe_diagnostics.api.recovery"


class TestRecoveryRuns(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.stamp = take_backup()
		make_user(MANAGER, ("System Manager",))

	def test_a_server_failure_run_over_http_with_manual_steps_and_its_report(self):
		client = http_client(MANAGER)
		incident = add_to_date(now_datetime(), hours=-1)
		started = call(
			client,
			f"{API}.start_run",
			"POST",
			{"procedure": "server-failure", "incident_at": str(incident), "set": self.stamp},
		)
		self.assertEqual(started.status_code, 200, started.get_data(as_text=True))
		data = started.get_json()["message"]
		self.assertEqual(
			[s["step"] for s in data["steps"]],
			["provision", "copy_backup", "verify", "restore", "dns", "load_balancer", "tls", "validate"],
		)
		name = data["name"]
		restore = call(client, f"{API}.run_step", "POST", {"run": name, "step": "restore"})
		self.assertEqual(restore.status_code, 417)
		self.assertIn(
			f"bench --site {frappe.local.site} diagnostics restore {self.stamp}",
			restore.get_data(as_text=True),
		)
		unnoted = call(client, f"{API}.mark_done", "POST", {"run": name, "step": "provision"})
		self.assertEqual(unnoted.status_code, 417)
		done = call(
			client,
			f"{API}.mark_done",
			"POST",
			{"run": name, "step": "provision", "note": "new VM db2, bench 5.31"},
		)
		figures = done.get_json()["message"]
		provision = figures["steps"][0]
		self.assertEqual(
			(provision["status"], provision["by"], provision["note"]),
			("Done", MANAGER, "new VM db2, bench 5.31"),
		)
		self.assertGreaterEqual(figures["downtime_s"], 3600)
		frappe.db.rollback()
		taken = get_datetime(report.report(runs.load(name))["backup_taken_at"])
		self.assertAlmostEqual(
			figures["data_window_lost_s"], (get_datetime(incident) - taken).total_seconds(), delta=1
		)
		self.assertEqual(
			frappe.db.get_value("Diagnostic Run", name, ["kind", "recovery_state"]), ("Recovery", "Open")
		)

	def test_automatic_steps_of_a_corruption_run_run_for_real(self):
		doc = runs.start("database-corruption", tables=["tabToDo", "tabNo Such Table"], set_spec=self.stamp)
		doc = steps.run_next(doc.name)
		assess = doc.recovery_steps[0]
		self.assertEqual(assess.status, "Done")
		self.assertIn("1 table(s) check OK; 1 not found.", assess.summary)
		doc = steps.run_next(doc.name)
		self.assertEqual(doc.recovery_steps[1].status, "Done", doc.recovery_steps[1].summary)
		self.assertEqual(
			frappe.db.get_value("Diagnostic Run", doc.recovery_steps[1].result_run, "kind"),
			"Backup Verification",
		)
		with self.assertRaisesRegex(ValueError, "is command line: run it from the command line"):
			steps.run_next(doc.name, "restore")

	def test_commands_start_mark_and_report_a_data_loss_run(self):
		started = bench_command("diagnostics", "recovery", "start", "data-loss", "--set", self.stamp)
		self.assertEqual(started.returncode, 0, started.stderr)
		name = started.stdout.split("Recovery Run ", 1)[1].split(" ", 1)[0]
		done = bench_command(
			"diagnostics", "recovery", "done", name, "recover_documents", "--note", "ToDo put back"
		)
		self.assertEqual(done.returncode, 0, done.stderr)
		self.assertIn("note: ToDo put back", done.stdout)
		missing = bench_command("diagnostics", "recovery", "done", name, "nope", "--note", "x")
		self.assertEqual(missing.returncode, 64)
		self.assertIn("has no step 'nope'", missing.stderr)
		shown = parse_json_output(bench_command("diagnostics", "recovery", "report", name, "--json").stdout)
		self.assertEqual(shown["state"], "Open")
		self.assertEqual(shown["done_by"], ["Administrator"])

	def test_validate_command_stores_a_run_and_the_job_step_completes(self):
		done = bench_command("diagnostics", "validate", "--json", "--job-timeout", "60", "--fail-on", "never")
		self.assertEqual(done.returncode, 0, done.stderr)
		data = parse_json_output(done.stdout)
		by_id = {r["check_id"]: r for r in data["results"]}
		self.assertEqual(
			set(by_id),
			{
				"recovery.health",
				"recovery.core_tables",
				"recovery.files",
				"recovery.scheduler",
				"recovery.login",
				"recovery.jobs",
			},
		)
		self.assertEqual(by_id["recovery.files"]["status"], "ok")
		self.assertEqual(by_id["recovery.login"]["status"], "ok")
		self.assertEqual(by_id["recovery.jobs"]["status"], "ok", by_id["recovery.jobs"]["summary"])
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Diagnostic Run", data["name"], "kind"), "Recovery Validation")

	def test_the_desk_verification_is_one_deduplicated_job_in_the_long_queue(self):
		from frappe.utils.background_jobs import get_queue

		job_id = service.enqueue_verification(self.stamp, "Desk")
		frappe.db.commit()  # enqueue_after_commit
		job = get_queue("long").fetch_job(
			f"{frappe.local.site}::{job_id}"
		)  # Frappe prefixes job ids with the site
		self.assertIsNotNone(job)
		self.assertEqual(job.kwargs["method"], "frappe_diagnostics.site.recovery.service.verification_job")
		job.cancel()
		name = service.verification_job(self.stamp, "Desk")
		self.assertEqual(
			frappe.db.get_value("Diagnostic Run", name, ["kind", "trigger"]), ("Backup Verification", "Desk")
		)
