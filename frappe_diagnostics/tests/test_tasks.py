"""Scheduled health runs, and run retention through Frappe's Log Settings."""

import os

import frappe
from filelock import FileLock
from frappe.core.doctype.log_settings.log_settings import run_log_clean_up
from frappe.utils import add_to_date, now_datetime

from frappe_diagnostics.site import retention, tasks
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

	def age(self, name: str, days: int) -> None:
		when = add_to_date(now_datetime(), days=-days)
		frappe.db.set_value("Diagnostic Run", name, "creation", when, update_modified=False)

	def test_log_settings_deletes_runs_older_than_the_retention_days(self):
		settings = frappe.get_single("Diagnostics Settings")
		settings.retention_days = 30
		settings.save()
		self.assertEqual(retention.log_settings_days(), 30)  # the Log Settings row follows the setting
		tasks.run_exclusively()
		old = self.scheduled_runs()[0]
		frappe.db.set_value("Diagnostic Run", old, "trigger", "API")  # out of the scheduler's way
		self.assertEqual(tasks.run_exclusively(), "ran")
		kept = self.scheduled_runs()[0]
		self.age(old, 31)
		self.age(kept, 29)
		run_log_clean_up()  # Frappe's own daily job
		self.assertFalse(frappe.db.exists("Diagnostic Run", old))
		self.assertFalse(frappe.db.exists("Diagnostic Result", {"parent": old}))
		self.assertTrue(frappe.db.exists("Diagnostic Run", kept))

	def test_a_change_in_log_settings_is_the_new_retention(self):
		log_settings = frappe.get_single("Log Settings")
		row = next(r for r in log_settings.logs_to_clear if r.ref_doctype == "Diagnostic Run")
		row.days = 45
		log_settings.save()
		self.assertEqual(frappe.get_cached_doc("Diagnostics Settings").retention_days, 45)
		settings = frappe.get_single("Diagnostics Settings")
		settings.retention_days = 30
		settings.save()
		self.assertEqual(retention.log_settings_days(), 30)
