"""Alerts after scheduled runs: consecutive-run hysteresis, repeats, recovery, per check, and every channel
for real (the Email Queue, Notification Log, and a local HTTP server receiving the webhook)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import frappe
from frappe.utils import add_to_date, now_datetime

from frappe_diagnostics.engine.result import CheckResult, RunResult, Status
from frappe_diagnostics.site.alerts import after_scheduled_run
from frappe_diagnostics.site.store import save_run
from frappe_diagnostics.tests.utils import TestCase, make_user

RECIPIENT = "diag-oncall@example.com"


RECEIVED: list[dict] = []


class Receiver(BaseHTTPRequestHandler):
	def do_POST(self):
		length = int(self.headers.get("Content-Length") or 0)
		RECEIVED.append(json.loads(self.rfile.read(length)))
		self.send_response(200)
		self.end_headers()

	def log_message(self, *args):
		pass


def scheduled(statuses: dict[str, Status]):
	"""A scheduled full health run with these check statuses, stored by the one writer."""
	results = [CheckResult(c, s, f"{c} says {s.value}") for c, s in statuses.items()]
	doc = save_run(RunResult(results, 1.0, 2.0, frappe.local.site), trigger="Scheduler")
	return doc, after_scheduled_run(doc)


def alerts(names: list[str]) -> list[tuple]:
	return [
		tuple(frappe.db.get_value("Diagnostic Alert", n, ["subject", "event", "status", "previous_status"]))
		for n in names
	]


class TestAlerts(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(RECIPIENT, ("System Manager",))
		make_outgoing_account()
		cls.server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
		threading.Thread(target=cls.server.serve_forever, daemon=True).start()

	@classmethod
	def tearDownClass(cls):
		cls.server.shutdown()
		cls.server.server_close()
		super().tearDownClass()

	def setUp(self):
		frappe.db.delete("Diagnostic Alert")
		frappe.db.delete("Diagnostic Run", {"trigger": "Scheduler"})
		RECEIVED.clear()
		settings = frappe.get_single("Diagnostics Settings")
		settings.update(
			{
				"alert_recipients": RECIPIENT,
				"alert_consecutive_runs": 2,
				"alert_repeat_minutes": 60,
				"alert_per_check": 1,
				"alert_desk_notification": 1,
				"alert_webhook_url": f"http://127.0.0.1:{self.server.server_port}/hook",
				"alert_webhook_format": "Slack",
			}
		)
		settings.save()

	def tearDown(self):
		settings = frappe.get_single("Diagnostics Settings")
		settings.update({"alert_recipients": "", "alert_webhook_url": ""})
		settings.save()

	def test_a_status_alerts_after_holding_for_two_runs_and_recovers_once(self):
		ok, warn = Status.OK, Status.WARNING
		self.assertEqual(scheduled({"system.memory": ok, "redis.cache": ok})[1], [])
		self.assertEqual(scheduled({"system.memory": warn, "redis.cache": ok})[1], [])  # held once
		doc, fired = scheduled({"system.memory": warn, "redis.cache": ok})
		self.assertEqual(
			alerts(fired), [("site", "Firing", "Warning", "OK"), ("system.memory", "Firing", "Warning", "OK")]
		)
		self.assertEqual(scheduled({"system.memory": warn, "redis.cache": ok})[1], [])  # no repeat yet
		self.assertEqual(scheduled({"system.memory": ok, "redis.cache": ok})[1], [])  # recovery held once
		_doc, recovered = scheduled({"system.memory": ok, "redis.cache": ok})
		self.assertEqual(
			alerts(recovered),
			[("site", "Resolved", "OK", "Warning"), ("system.memory", "Resolved", "OK", "Warning")],
		)
		self.assertEqual(scheduled({"system.memory": ok, "redis.cache": ok})[1], [])  # announced once
		self.assertEqual(len(RECEIVED), 2)
		self.assertIn("system.memory WARNING (was OK): system.memory says warning", RECEIVED[0]["text"])
		self.assertIn("recovered", RECEIVED[1]["text"])
		delivery = json.loads(frappe.db.get_value("Diagnostic Alert", fired[0], "channels"))
		self.assertEqual(delivery["webhook"], "Slack: HTTP 200")
		self.assertEqual(delivery["desk"], "1 user(s)")
		self.assertTrue(
			frappe.db.exists(
				"Notification Log", {"for_user": RECIPIENT, "document_name": doc.name, "type": "Alert"}
			)
		)

	def test_a_flapping_check_never_alerts(self):
		for status in (Status.OK, Status.WARNING) * 4:
			self.assertEqual(scheduled({"system.cpu": status})[1], [])
		self.assertEqual(RECEIVED, [])

	def test_a_bad_status_is_repeated_after_the_interval_and_only_what_changed_is_listed(self):
		crit = {"redis.queue": Status.CRITICAL, "system.cpu": Status.OK}
		scheduled(crit)
		_doc, fired = scheduled(crit)
		self.assertEqual(len(fired), 2)
		earlier = add_to_date(now_datetime(), minutes=-61)
		frappe.db.set_value("Diagnostic Alert", {"name": ("in", fired)}, "sent_on", earlier)
		_doc, repeated = scheduled(crit)
		self.assertEqual(
			alerts(repeated),
			[("site", "Repeat", "Critical", "Critical"), ("redis.queue", "Repeat", "Critical", "Critical")],
		)
		self.assertNotIn("system.cpu", RECEIVED[-1]["text"])

	def test_teams_and_json_formats(self):
		for fmt, key in (("Teams", "@type"), ("JSON", "alerts")):
			frappe.db.delete("Diagnostic Alert")
			frappe.db.set_single_value("Diagnostics Settings", "alert_webhook_format", fmt)
			scheduled({"system.memory": Status.WARNING})
			scheduled({"system.memory": Status.WARNING})
			self.assertIn(key, RECEIVED[-1], fmt)
		self.assertEqual(RECEIVED[-1]["alerts"][1]["subject"], "system.memory")
		self.assertEqual(RECEIVED[-2]["@type"], "MessageCard")

	def test_an_unreachable_webhook_is_recorded_and_email_still_goes(self):
		frappe.db.set_single_value("Diagnostics Settings", "alert_per_check", 0)
		settings = frappe.get_single("Diagnostics Settings")
		settings.alert_webhook_url = "http://127.0.0.1:9/hook"  # discard port: nothing listens
		settings.save()
		scheduled({"system.memory": Status.CRITICAL})
		_doc, fired = scheduled({"system.memory": Status.CRITICAL})
		self.assertEqual(alerts(fired), [("site", "Firing", "Critical", "OK")])
		delivery = json.loads(frappe.db.get_value("Diagnostic Alert", fired[0], "channels"))
		self.assertEqual(delivery["webhook"], "Slack: failed: ConnectionRefusedError")
		self.assertEqual(delivery["email"], "queued for 1")
		queued = frappe.get_all(
			"Email Queue Recipient", filters={"recipient": RECIPIENT, "creation": (">=", _doc.creation)}
		)
		self.assertEqual(len(queued), 1)

	def test_recipients_must_be_email_addresses(self):
		settings = frappe.get_single("Diagnostics Settings")
		settings.alert_recipients = "not-an-email"
		with self.assertRaisesRegex(frappe.ValidationError, "not-an-email is not an email address"):
			settings.save()


def make_outgoing_account():
	"""A default outgoing account, so alert emails are queued (nothing sends them in the tests)."""
	if frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}):
		return
	account = frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": "Diagnostics Test Outgoing",
			"email_id": "alerts@example.com",
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"password": "not-used",
		}
	)
	account.flags.ignore_validate = True
	account.insert(ignore_permissions=True)


class TestRecentAlertsAPI(TestCase):
	def test_managers_read_the_latest_alerts_and_others_are_refused(self):
		from frappe_diagnostics.tests.utils import call, http_client

		manager = make_user("diag-manager@example.com", ("System Manager",))
		alert = frappe.get_doc(
			{"doctype": "Diagnostic Alert", "subject": "redis.queue", "event": "Firing", "status": "Critical"}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		response = call(http_client(manager), "frappe_diagnostics.api.alerts.recent", data={"limit": 5})
		self.assertEqual(response.status_code, 200)
		self.assertEqual(response.json["message"][0]["name"], alert.name)
		self.assertEqual(response.json["message"][0]["status"], "Critical")
		self.assertEqual(call(http_client(), "frappe_diagnostics.api.alerts.recent").status_code, 403)
