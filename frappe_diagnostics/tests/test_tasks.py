"""Scheduled health runs and retention clean-up."""

import os

import frappe
from filelock import FileLock
from frappe.utils import add_to_date, now_datetime

from frappe_diagnostics.site import tasks
from frappe_diagnostics.tests.utils import TestCase


class TestScheduledRuns(TestCase):
	def setUp(self):
		frappe.db.delete("Diagnostic Run", {"trigger": "Scheduler"})
		settings = frappe.get_single("Diagnostics Settings")
		settings.enable_scheduled_runs = 1
		settings.frequency = "Hourly"
		settings.save()

	def scheduled_runs(self):
		return frappe.get_all("Diagnostic Run", filters={"trigger": "Scheduler"}, pluck="name")

	def test_scheduled_job_creates_a_run_and_then_waits_for_the_frequency(self):
		self.assertEqual(tasks.scheduled_health_run(), "ran")
		runs = self.scheduled_runs()
		self.assertEqual(len(runs), 1)
		doc = frappe.get_doc("Diagnostic Run", runs[0])
		self.assertGreater(len(doc.results), 8)
		self.assertEqual(tasks.scheduled_health_run(), "not due")
		self.assertEqual(len(self.scheduled_runs()), 1)

	def test_disabled_schedule_runs_nothing(self):
		frappe.db.set_single_value("Diagnostics Settings", "enable_scheduled_runs", 0)
		self.assertEqual(tasks.scheduled_health_run(), "disabled")
		self.assertEqual(self.scheduled_runs(), [])

	def test_never_two_runs_at_once(self):
		path = frappe.get_site_path("locks", f"{tasks.LOCK_NAME}.lock")
		os.makedirs(os.path.dirname(path), exist_ok=True)
		with FileLock(path):
			self.assertEqual(tasks.run_exclusively(), "already running")
		self.assertEqual(self.scheduled_runs(), [])

	def test_cleanup_deletes_runs_older_than_retention(self):
		tasks.run_exclusively()
		old = self.scheduled_runs()[0]
		frappe.db.set_value(
			"Diagnostic Run", old, "creation", add_to_date(now_datetime(), days=-40), update_modified=False
		)
		frappe.db.set_single_value("Diagnostics Settings", "retention_days", 30)
		self.assertGreaterEqual(tasks.cleanup_old_runs(), 1)
		self.assertFalse(frappe.db.exists("Diagnostic Run", old))
		self.assertFalse(frappe.db.exists("Diagnostic Result", {"parent": old}))


class TestStatusAlerts(TestCase):
	def setUp(self):
		frappe.db.delete("Diagnostic Run", {"trigger": "Scheduler"})
		frappe.db.delete("Email Queue", {"message": ("like", "%health%")})

	def test_alert_is_queued_when_the_status_changes_and_only_then(self):
		settings = frappe.get_single("Diagnostics Settings")
		settings.alert_recipients = "ops@example.com"
		settings.threshold_overrides = (
			'{"system.memory": {"available_warning_pct": 101, "available_critical_pct": 0}}'
		)
		settings.disabled_checks = ""
		settings.save()
		try:
			from frappe_diagnostics.site.service import run_health

			_run, first = run_health(checks=["system.memory"], trigger="Scheduler")
			self.assertEqual(first.status, "Warning")
			self.assertFalse(tasks.notify_status_change(None, first))  # nothing to compare with yet
			self.assertFalse(tasks.notify_status_change("Warning", first))  # unchanged
			if not frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}):
				self.assertFalse(tasks.notify_status_change("OK", first))
				self.assertTrue(
					frappe.db.exists(
						"Comment", {"reference_name": first.name, "content": ("like", "%not sent%")}
					)
				)
				make_outgoing_account()
			self.assertTrue(tasks.notify_status_change("OK", first))
			queued = frappe.get_all(
				"Email Queue", filters={"creation": (">=", first.creation)}, fields=["name", "message"]
			)
			self.assertTrue(
				any("health OK" in (q.message or "") and "Warning" in (q.message or "") for q in queued)
			)
		finally:
			settings.reload()
			settings.alert_recipients = ""
			settings.threshold_overrides = ""
			settings.save()

	def test_recipients_must_be_email_addresses(self):
		settings = frappe.get_single("Diagnostics Settings")
		settings.alert_recipients = "not-an-email"
		with self.assertRaisesRegex(frappe.ValidationError, "not-an-email is not an email address"):
			settings.save()


def make_outgoing_account():
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
