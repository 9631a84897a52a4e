"""One key for an Error Group, read as it is written: the debug-session report links a failed job's Error
Log to the group that the Error Log grouping stored it under."""

import time

import frappe

from frappe_diagnostics.observe.debugsession import DebugSession
from frappe_diagnostics.site.debug.report import errors_in_window
from frappe_diagnostics.site.errorlog import process_error_logs
from frappe_diagnostics.tests.utils import TestCase

TRACEBACK = """Traceback (most recent call last):
  File "apps/frappe/frappe/utils/background_jobs.py", line 200, in execute_job
    retval = method(**kwargs)
  File "apps/diag_key_app/diag_key_app/tasks.py", line 7, in nightly
    return totals[site] / 0
ZeroDivisionError: no invoices to total on {site}
"""


class TestErrorGroupKey(TestCase):
	def test_the_debug_report_names_the_group_the_error_log_was_stored_under(self):
		# the site's name in the message: the grouping normalises it out, so must the readers
		started = time.time() - 5
		log = frappe.log_error(title="nightly failed", message=TRACEBACK.format(site=frappe.local.site))
		process_error_logs()
		group = frappe.db.get_value("Error Group Log", {"error_log": log.name}, "error_group")
		self.assertTrue(group, "the grouping stored no group for the Error Log")
		session = DebugSession(log="", started=started, expires=time.time() + 60)
		found = [e for e in errors_in_window(session, time.time() + 1) if "ZeroDivisionError" in e["title"]]
		self.assertEqual([(e["group"], e["count"]) for e in found], [(group, 1)])
