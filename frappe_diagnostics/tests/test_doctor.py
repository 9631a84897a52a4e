"""The doctor on a real site: the triage over REST, and `diagnostics doctor|run` on a site that cannot boot
(each breakage planted in this site's own config or database, then undone)."""

import json
from contextlib import contextmanager
from pathlib import Path

import frappe

from frappe_diagnostics.tests.utils import (
	TestCase,
	bench_command,
	call,
	forced,
	http_client,
	make_user,
	parse_json_output,
	set_thresholds,
)

MANAGER = "diag-manager@example.com"


@contextmanager
def site_config(**changes):
	"""This site's site_config.json with `changes` (None removes a key), restored afterwards."""
	path = Path(frappe.get_site_path("site_config.json"))
	original = path.read_text()
	conf = json.loads(original)
	conf.update(changes)
	path.write_text(json.dumps({k: v for k, v in conf.items() if v is not None}, indent=1))
	try:
		yield
	finally:
		path.write_text(original)


@contextmanager
def broken_json():
	path = Path(frappe.get_site_path("site_config.json"))
	original = path.read_text()
	path.write_text(original.rstrip().rstrip("}") + ',\n "oops": }')
	try:
		yield
	finally:
		path.write_text(original)


@contextmanager
def hidden_table(table: str):
	frappe.db.commit()
	frappe.db.sql_ddl(f"RENAME TABLE `{table}` TO `diag17_hidden`")
	try:
		yield
	finally:
		frappe.db.sql_ddl(f"RENAME TABLE `diag17_hidden` TO `{table}`")


def free_port() -> int:
	import socket

	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


class TestDoctorWhenTheSiteCannotBoot(TestCase):
	def cases(self):
		return (
			("wrong db password", lambda: site_config(db_password="wrong-17"), "database.connectivity"),
			("database unreachable", lambda: site_config(db_port=free_port()), "database.connectivity"),
			("database missing", lambda: site_config(db_name="diag17_no_such_db"), "database.connectivity"),
			("bad site_config JSON", broken_json, "configuration.site_config"),
			("missing core table", lambda: hidden_table("tabSingles"), "database.core_tables"),
		)

	def test_doctor_falls_back_to_the_bench_folder_and_names_the_cause(self):
		for label, plant, cause in self.cases():
			with self.subTest(label), plant():
				done = bench_command("diagnostics", "doctor", "--json")
				self.assertNotIn("Traceback", done.stderr + done.stdout)
				data = parse_json_output(done.stdout)
				self.assertEqual(data["likely_cause"], cause)
				self.assertEqual(data["kind"], "Triage")
				self.assertIn("diagnosing it from the bench folder instead", done.stderr)
				self.assertEqual(data["results"][-1]["check_id"], "site.boot")
				self.assertEqual(done.returncode, 2)

	def test_run_falls_back_too_and_says_it_was_not_stored(self):
		for label, plant, cause in self.cases():
			with self.subTest(label), plant():
				done = bench_command("diagnostics", "run", "--json")
				self.assertNotIn("Traceback", done.stderr + done.stdout)
				data = parse_json_output(done.stdout)
				statuses = {r["check_id"]: r["status"] for r in data["results"]}
				self.assertEqual(statuses[cause], "critical")
				self.assertEqual(statuses["site.boot"], "skipped")
				self.assertIn("fallback", data)
				self.assertEqual(done.returncode, 2)


class TestDoctorOverREST(TestCase):
	def setUp(self):
		make_user(MANAGER, ("System Manager",))
		frappe.db.commit()

	def tearDown(self):
		set_thresholds(None)

	def test_whats_wrong_names_one_cause_first_and_where_to_go_deeper(self):
		slow = {"database.connectivity": {"latency_warning_ms": 0, "latency_critical_ms": 0}}
		set_thresholds({**forced(), **slow})
		response = call(http_client(MANAGER), "frappe_diagnostics.api.troubleshoot.doctor", "POST", {})
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		run = response.json["message"]
		self.assertEqual(run["kind"], "Triage")
		self.assertEqual(run["likely_cause"], "database.connectivity")
		self.assertEqual(run["results"][0]["check_id"], "database.connectivity")
		site = frappe.local.site
		self.assertEqual(
			run["deeper"],
			{"troubleshooter": "database", "command": f"bench --site {site} diagnostics database"},
		)


# what a bench without `bench start` always shows (no web, worker, scheduler or socket.io process):
# disabled while a test plants one breakage, so the breakage is the only thing wrong
NEEDS_PROCESSES = "web.processes\nweb.http\nweb.realtime\njobs.workers\nscheduler.alive\njobs.queues"


@contextmanager
def only_the_planted_breakage():
	settings = frappe.get_single("Diagnostics Settings")
	settings.disabled_checks = NEEDS_PROCESSES
	settings.threshold_overrides = json.dumps(forced())
	settings.save(ignore_permissions=True)
	frappe.db.commit()
	try:
		yield
	finally:
		settings.reload()
		settings.disabled_checks = None
		settings.threshold_overrides = None
		settings.save(ignore_permissions=True)
		frappe.db.commit()


class TestEncryptionKeyOnARealSite(TestCase):
	ACCOUNT = "Diag17 Key Account"

	def setUp(self):
		if not frappe.db.exists("Email Account", self.ACCOUNT):
			frappe.get_doc(
				{
					"doctype": "Email Account",
					"email_account_name": self.ACCOUNT,
					"email_id": "diag17-key@example.com",
					"password": "diag17-secret",
				}
			).insert(ignore_permissions=True)
		frappe.db.commit()
		self.assertTrue(frappe.conf.encryption_key)

	def test_a_changed_key_is_the_answer_of_email_and_doctor_not_a_crash(self):
		from cryptography.fernet import Fernet

		with site_config(encryption_key=Fernet.generate_key().decode()), only_the_planted_breakage():
			email = bench_command("diagnostics", "email", "--json", "--no-store", "--timeout", "1")
			doctor = bench_command("diagnostics", "doctor", "--json", "--no-store")
		for done in (email, doctor):
			self.assertNotIn("Traceback", done.stderr + done.stdout)
			data = parse_json_output(done.stdout)
			self.assertEqual(data["likely_cause"], "configuration.encryption_key")
			cause = next(r for r in data["results"] if r["check_id"] == "configuration.encryption_key")
			self.assertTrue(
				cause["summary"].startswith("The encryption_key no longer decrypts stored secrets")
			)
			self.assertNotIn("diag17-secret", done.stdout)

	def test_a_missing_key_is_reported_and_no_new_key_is_written(self):
		with site_config(encryption_key=None):
			done = bench_command("diagnostics", "email", "--json", "--no-store", "--timeout", "1")
			config = json.loads(Path(frappe.get_site_path("site_config.json")).read_text())
		self.assertNotIn("Traceback", done.stderr + done.stdout)
		self.assertNotIn("encryption_key", config)
		data = parse_json_output(done.stdout)
		self.assertEqual(data["likely_cause"], "configuration.encryption_key")
		smtp = next(r for r in data["results"] if r["check_id"] == "email.smtp")
		self.assertEqual(smtp["status"], "skipped")
