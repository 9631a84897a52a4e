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
