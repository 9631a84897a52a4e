"""Error Groups: one per failing code path with its message variants, readable titles, every Error Log
linked, one lookup per batch, and the patches that index Error Log and re-key old groups."""

import json
from contextlib import contextmanager

import frappe

from frappe_diagnostics.frappe_diagnostics.doctype.error_group_log.error_group_log import ErrorGroupLog
from frappe_diagnostics.patches.v1_0 import index_error_log_creation, regroup_error_groups
from frappe_diagnostics.site.errorlog import link_grouped_error_logs, process_error_logs, set_watermark
from frappe_diagnostics.tests.utils import TestCase

NOT_FOUND = """Traceback (most recent call last):
  File "apps/frappe/frappe/app.py", line 95, in application
    response = frappe.api.handle(request)
  File "apps/myapp/myapp/api.py", line 12, in get_rate
    return frappe.get_doc(doctype, name)
  File "apps/frappe/frappe/model/document.py", line 172, in load_from_db
    frappe.throw(
  File "apps/frappe/frappe/__init__.py", line 603, in throw
    msgprint(
frappe.exceptions.DoesNotExistError: {doctype} {name} not found
"""
GONE = """Traceback (most recent call last):
  File "apps/erpnext/erpnext/stock/stock_ledger.py", line 40, in make_sl_entries
    frappe.db.sql(query)
  File "apps/frappe/frappe/database/database.py", line 230, in sql
    self._cursor.execute(query, values)
pymysql.err.OperationalError: (2006, "MySQL server has gone away{reason}")
"""
LONG = "Row #{n}: " + "the quantity of this item is not available in the warehouse at posting time " * 3


class ErrorGroupTestCase(TestCase):
	def setUp(self):
		for doctype in ("Error Group Log", "Error Group", "Error Log"):
			frappe.db.delete(doctype)
		set_watermark("1970-01-01 00:00:00", "")

	def log(self, text):
		return frappe.log_error(title="test", message=text).name

	def group(self, **filters):
		return frappe.get_doc("Error Group", frappe.db.get_value("Error Group", filters))


class TestGroupsByCodePath(ErrorGroupTestCase):
	def test_messages_naming_other_doctypes_and_records_are_variants_of_one_group(self):
		for doctype, name in (
			("Item", "ITEM-1"),
			("Item", "ITEM-2"),
			("Sales Invoice", "SINV-1"),
			("Item", "ITEM-3"),
		):
			self.log(NOT_FOUND.format(doctype=doctype, name=name))
		self.assertEqual(process_error_logs(), 4)
		self.assertEqual(frappe.db.count("Error Group"), 1)
		group = self.group()
		self.assertEqual(group.count, 4)
		self.assertEqual(group.title, "DoesNotExistError: Item ITEM-1 not found")  # a real message, no "?"
		self.assertEqual(group.normalized_message, "Item ? not found")
		variants = json.loads(group.message_variants)
		self.assertEqual(
			[(v["example"], v["normalized"], v["count"]) for v in variants],
			[
				("Item ITEM-1 not found", "Item ? not found", 3),
				("Sales Invoice SINV-1 not found", "Sales Invoice ? not found", 1),
			],
		)

	def test_one_database_error_code_with_different_os_reasons_is_one_group(self):
		for reason in ("", " (BrokenPipeError(32, 'Broken pipe'))", " (ConnectionResetError(104, 'reset'))"):
			self.log(GONE.format(reason=reason))
		process_error_logs()
		self.assertEqual(frappe.db.count("Error Group"), 1)
		self.assertEqual(len(json.loads(self.group().message_variants)), 3)

	def test_long_titles_end_at_a_word_with_an_ellipsis(self):
		self.log(NOT_FOUND.replace("{doctype} {name} not found", LONG.format(n=3)))
		process_error_logs()
		title, full = self.group().title, "DoesNotExistError: " + LONG.format(n=3).strip()
		self.assertLessEqual(len(title), 140)
		self.assertTrue(title.endswith("…") and full.startswith(title[:-1]), title)
		self.assertEqual(full[len(title) - 1], " ")  # cut between two words

	def test_every_error_log_of_a_group_is_linked_to_it(self):
		names = [self.log(NOT_FOUND.format(doctype="Item", name=f"n{i}")) for i in range(3)]
		other = self.log(GONE.format(reason=""))
		process_error_logs(batch_size=2)
		group = self.group(exception_type="frappe.exceptions.DoesNotExistError")
		linked = frappe.get_all("Error Group Log", filters={"error_group": group.name}, pluck="error_log")
		self.assertEqual(sorted(linked), sorted(names))
		self.assertNotIn(other, linked)
		frappe.db.delete("Error Log", {"name": names[0]})  # cleared, e.g. by "Clear Error Logs"
		ErrorGroupLog.clear_old_logs(days=14)
		self.assertEqual(frappe.db.count("Error Group Log", {"error_group": group.name}), 2)

	def test_existing_groups_are_read_with_one_query_per_batch(self):
		for i in range(3):
			self.log(NOT_FOUND.format(doctype="Item", name=f"a{i}"))
			self.log(GONE.format(reason=""))
		process_error_logs()
		for i in range(3):
			self.log(NOT_FOUND.format(doctype="Item", name=f"b{i}"))
			self.log(GONE.format(reason=f" (x{i})"))
		with recorded_queries() as queries:
			process_error_logs()
		lookups = [q for q in queries if "from `tabError Group`" in q and "fingerprint" in q]
		self.assertEqual(len(lookups), 1, lookups)
		self.assertEqual(frappe.db.count("Error Group"), 2)


class TestPatches(ErrorGroupTestCase):
	def test_the_creation_index_is_added_once(self):
		index_error_log_creation.execute()
		index_error_log_creation.execute()
		columns = frappe.db.sql(
			"show index from `tabError Log` where Key_name = %s", index_error_log_creation.INDEX, as_dict=True
		)
		self.assertEqual([c.Column_name for c in columns], ["creation", "name"])

	def test_old_groups_split_by_message_are_merged_and_their_error_logs_linked(self):
		old = []
		for n, (doctype, status) in enumerate((("Item", "Ignored"), ("Sales Invoice", "Open"))):
			text = NOT_FOUND.format(doctype=doctype, name=f"X-{n}")
			old.append(self.old_style_group(f"{n}" * 40, text, status, count=n + 2))
			self.log(text)
		set_watermark(
			*frappe.db.get_value("Error Log", {}, ["creation", "name"], order_by="creation desc, name desc")
		)
		self.assertEqual(
			regroup_error_groups.regroup(), 1
		)  # what the patch runs before it enqueues the linking
		self.assertEqual(frappe.db.count("Error Group"), 1)
		group = self.group()
		self.assertEqual((group.count, group.status), (5, "Open"))
		self.assertEqual(len(group.fingerprint), 16)
		self.assertNotIn("?", group.title)
		self.assertEqual(link_grouped_error_logs(), 2)
		self.assertEqual(link_grouped_error_logs(), 0)  # idempotent
		self.assertEqual(frappe.db.count("Error Group Log", {"error_group": group.name}), 2)

	def old_style_group(self, fingerprint, sample, status, count):
		doc = frappe.get_doc(
			{
				"doctype": "Error Group",
				"fingerprint": fingerprint,
				"title": "frappe.exceptions.DoesNotExistError: ? ? not found",
				"exception_type": "frappe.exceptions.DoesNotExistError",
				"status": status,
				"count": count,
				"sample": sample,
				"first_occurrence": frappe.utils.now_datetime(),
				"last_occurrence": frappe.utils.now_datetime(),
			}
		).insert(ignore_permissions=True)
		return doc.name


@contextmanager
def recorded_queries():
	queries, original = [], frappe.db.__class__.sql

	def sql(db, query, *args, **kwargs):
		queries.append(str(query))
		return original(db, query, *args, **kwargs)

	frappe.db.__class__.sql = sql
	try:
		yield queries
	finally:
		frappe.db.__class__.sql = original
