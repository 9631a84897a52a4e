"""Error Solutions seeded without overwriting edits; Error Logs grouped incrementally into Error Groups."""

import json

import frappe

from frappe_diagnostics.site.errorlog import pending_count, process_error_logs, set_watermark
from frappe_diagnostics.site.seed import seed_solutions
from frappe_diagnostics.tests.utils import TestCase, call, http_client, make_user

DEADLOCK = """Traceback (most recent call last):
  File "apps/frappe/frappe/app.py", line {line}, in application
    response = frappe.api.handle(request)
  File "apps/erpnext/erpnext/stock/stock_ledger.py", line {line2}, in make_sl_entries
    sle_doc = make_entry(sle, allow_negative_stock, via_landed_cost_voucher)
  File "env/lib/python3.11/site-packages/pymysql/err.py", line 150, in raise_mysql_exception
    raise errorclass(errno, errval)
pymysql.err.OperationalError: (1213, 'Deadlock found when trying to get lock; try restarting transaction')
"""
MISSING = """Traceback (most recent call last):
  File "apps/frappe/frappe/app.py", line 95, in application
    response = frappe.api.handle(request)
  File "apps/myapp/myapp/api.py", line {line}, in get_rate
    return frappe.get_doc("Item", item_code)
frappe.exceptions.DoesNotExistError: Item ITEM-{n} not found
"""


class TestErrorGrouping(TestCase):
	def setUp(self):
		frappe.db.delete("Error Group")
		frappe.db.delete("Error Log")
		set_watermark("1970-01-01 00:00:00", "")

	def log(self, text):
		frappe.log_error(title="test", message=text)

	def groups(self):
		return {g.exception_type: g for g in frappe.get_all("Error Group", fields=["*"])}

	def test_logs_are_grouped_by_fingerprint_and_matched_to_a_solution(self):
		for i in range(5):
			self.log(DEADLOCK.format(line=100 + i, line2=400 + i))
		for i in range(3):
			self.log(MISSING.format(line=10 + i, n=i))
		self.assertEqual(pending_count(), 8)
		self.assertEqual(process_error_logs(batch_size=3), 8)
		self.assertEqual(pending_count(), 0)
		groups = self.groups()
		deadlock = groups["pymysql.err.OperationalError"]
		self.assertEqual(deadlock.count, 5)
		self.assertEqual(
			frappe.db.get_value("Error Solution", deadlock.solution, "solution_id"), "mariadb-deadlock"
		)
		self.assertIn("1213", deadlock.match_reason)
		self.assertEqual(groups["frappe.exceptions.DoesNotExistError"].count, 3)
		self.assertEqual(deadlock.last_7_days, 5)
		self.assertEqual(sum(json.loads(deadlock.daily_counts).values()), 5)
		self.assertNotIn("ITEM-1", groups["frappe.exceptions.DoesNotExistError"].title)

	def test_incremental_and_a_resolved_group_reopens(self):
		self.log(DEADLOCK.format(line=1, line2=2))
		process_error_logs()
		name = frappe.db.get_value("Error Group", {})
		frappe.db.set_value("Error Group", name, "status", "Resolved")
		self.assertEqual(process_error_logs(), 0)  # nothing new: nothing touched
		self.assertEqual(frappe.db.get_value("Error Group", name, "status"), "Resolved")
		self.log(DEADLOCK.format(line=7, line2=8))
		self.assertEqual(process_error_logs(), 1)
		group = frappe.get_doc("Error Group", name)
		self.assertEqual((group.status, group.count, group.reopened), ("Open", 2, 1))

	def test_samples_never_carry_reset_keys(self):
		self.log(
			MISSING.format(line=1, n=1) + "\n      link = 'http://x/update-password?key=abcdef0123456789'\n"
		)
		process_error_logs()
		sample = frappe.db.get_value("Error Group", {}, "sample")
		self.assertNotIn("abcdef0123456789", sample)


class TestSolutionSeeding(TestCase):
	def test_seeding_is_idempotent_and_keeps_operator_edits(self):
		seed_solutions()
		counts = seed_solutions()
		self.assertEqual(counts["inserted"], 0)
		self.assertGreaterEqual(frappe.db.count("Error Solution", {"is_standard": 1}), 48)
		doc = frappe.get_doc("Error Solution", {"solution_id": "mariadb-deadlock"})
		doc.prevention = "Our own runbook: page the DBA."
		doc.save()
		self.assertEqual(doc.user_modified, 1)
		frappe.db.set_value("Error Solution", doc.name, "seed_hash", "stale")  # as after an upgrade
		self.assertGreaterEqual(seed_solutions()["kept_user_edits"], 1)
		self.assertEqual(
			frappe.db.get_value("Error Solution", doc.name, "prevention"), "Our own runbook: page the DBA."
		)

	def test_invalid_patterns_are_refused(self):
		doc = frappe.get_doc(
			{
				"doctype": "Error Solution",
				"solution_id": "bad-one",
				"title": "Bad",
				"message_patterns": "(unclosed",
			}
		)
		with self.assertRaisesRegex(frappe.ValidationError, "not a valid regular expression"):
			doc.insert()


class TestErrorsAPI(TestCase):
	def test_permissions_and_match(self):
		manager = make_user("diag-manager@example.com", ("System Manager",))
		plain = make_user("diag-plain@example.com", ("Blogger",))
		frappe.db.commit()
		for who in (None, plain):
			client = http_client(who)
			for method, http in (
				("groups", "GET"),
				("set_status", "POST"),
				("match", "POST"),
				("group_now", "POST"),
			):
				self.assertEqual(
					call(client, f"frappe_diagnostics.api.errors.{method}", http).status_code, 403
				)
		client = http_client(manager)
		found = call(
			client,
			"frappe_diagnostics.api.errors.match",
			"POST",
			{"text": "(1205, 'Lock wait timeout exceeded')"},
		)
		self.assertEqual(found.status_code, 200)
		self.assertEqual(
			found.json["message"][0]["solution"],
			frappe.db.get_value("Error Solution", {"solution_id": "mariadb-lock-wait-timeout"}),
		)
		bad = call(
			client, "frappe_diagnostics.api.errors.set_status", "POST", {"name": "nope", "status": "Closed"}
		)
		self.assertEqual(bad.status_code, 417)
