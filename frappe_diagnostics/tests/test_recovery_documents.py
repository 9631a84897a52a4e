"""Document-level recovery on this site with a real backup: a changed and a deleted ToDo (with Frappe's
Deleted Document), recover-doc's diagnosis, the restore_document and restore_deleted_document fixes through
dry run → confirmation → Diagnostic Fix Log → revert; and data-loss's view of the same window."""

from __future__ import annotations

import frappe

from frappe_diagnostics.engine.steps import action
from frappe_diagnostics.site import fixes
from frappe_diagnostics.site.service import troubleshoot
from frappe_diagnostics.tests.recovery_utils import take_backup
from frappe_diagnostics.tests.utils import TestCase
from frappe_diagnostics.troubleshooters.catalog import BENCH


def steps(diagnosis):
	return {s.check_id: s for s in diagnosis.steps}


class TestDocumentRecovery(TestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.todo = frappe.get_doc(
			{"doctype": "ToDo", "description": "before the backup", "priority": "High"}
		).insert()
		frappe.db.commit()
		self.stamp = take_backup()

	def tearDown(self):
		frappe.db.rollback()
		frappe.db.delete("ToDo", {"name": self.todo.name})
		frappe.db.delete("Deleted Document", {"deleted_name": self.todo.name})
		frappe.db.commit()

	def apply(self, fix: str) -> dict:
		plan = fixes.dry_run(fix)
		return fixes.apply(fix, plan["confirmation"], trigger="CLI")

	def test_a_changed_document_is_shown_and_put_back_and_the_fix_reverts(self):
		frappe.db.set_value(
			"ToDo", self.todo.name, {"description": "changed after the backup", "priority": "Low"}
		)
		frappe.db.commit()  # the troubleshooter reads the live site with a connection of its own
		diagnosis, _doc = troubleshoot("recover_doc", BENCH, store=False, doctype="ToDo", name=self.todo.name)
		diff = steps(diagnosis)["document.diff"]
		self.assertEqual(diff.summary, f"3 field(s) differ between set {self.stamp} and the live record.")
		fields = diff.findings[0].evidence["fields"]
		self.assertEqual(set(fields), {"description", "priority", "modified"})
		self.assertEqual(
			fields["description"], {"backup": "before the backup", "live": "changed after the backup"}
		)
		fix = action("restore_document", doctype="ToDo", name=self.todo.name, set=self.stamp)
		self.assertEqual(diff.fixes[0].action, fix)
		log = self.apply(fix)
		self.assertEqual(
			frappe.db.get_value("ToDo", self.todo.name, ["description", "priority"]),
			("before the backup", "High"),
		)
		self.assertEqual((log["action"], log["status"]), ("restore_document", "Applied"))
		self.apply(action("revert", log=log["name"]))
		self.assertEqual(
			frappe.db.get_value("ToDo", self.todo.name, "description"), "changed after the backup"
		)
		self.assertEqual(frappe.db.get_value("Diagnostic Fix Log", log["name"], "status"), "Reverted")

	def test_a_deleted_document_comes_back_from_the_backup_or_from_deleted_document(self):
		frappe.delete_doc("ToDo", self.todo.name)
		frappe.db.commit()
		diagnosis, _doc = troubleshoot("recover_doc", BENCH, store=False, doctype="ToDo", name=self.todo.name)
		by_id = steps(diagnosis)
		self.assertEqual(
			by_id["document.live"].summary,
			f"ToDo {self.todo.name} does not exist on the live site (deleted or never created).",
		)
		deleted = by_id["document.deleted"]
		self.assertTrue(deleted.summary.startswith("Deleted on "), deleted.summary)
		from_deleted = deleted.fixes[0].action
		self.assertTrue(from_deleted.startswith("restore_deleted_document?name="))
		log = self.apply(from_deleted)
		entry = from_deleted.partition("name=")[2]
		restored_as = frappe.db.get_value("Deleted Document", entry, "new_name")
		self.assertEqual(frappe.db.get_value("ToDo", restored_as, "description"), "before the backup")
		self.apply(action("revert", log=log["name"]))
		self.assertFalse(frappe.db.exists("ToDo", restored_as))
		self.assertEqual(frappe.db.get_value("Deleted Document", entry, "restored"), 0)
		log = self.apply(action("restore_document", doctype="ToDo", name=self.todo.name, set=self.stamp))
		self.assertEqual(frappe.db.get_value("ToDo", self.todo.name, "priority"), "High")
		self.assertEqual(log["before"], {"exists": False, "row": None, "children": {}})

	def test_a_stale_confirmation_is_refused_after_the_record_changed(self):
		fix = action("restore_document", doctype="ToDo", name=self.todo.name, set=self.stamp)
		frappe.db.set_value("ToDo", self.todo.name, "description", "one change")
		plan = fixes.dry_run(fix)
		frappe.db.set_value("ToDo", self.todo.name, "description", "another change")
		with self.assertRaisesRegex(fixes.FixRefused, "does not match this plan"):
			fixes.apply(fix, plan["confirmation"], trigger="CLI")
		self.assertEqual(frappe.db.get_value("ToDo", self.todo.name, "description"), "another change")

	def test_data_loss_names_the_deletion_and_the_table_that_lost_rows(self):
		frappe.delete_doc("ToDo", self.todo.name)
		frappe.db.commit()
		diagnosis, _doc = troubleshoot("data_loss", BENCH, store=False, since="1h")
		by_id = steps(diagnosis)
		latest = by_id["dataloss.deleted"].findings[1].evidence["documents"]
		self.assertEqual([d["doctype"] for d in latest if d["deleted_name"] == self.todo.name], ["ToDo"])
		self.assertIn("recover-doc", by_id["dataloss.deleted"].fixes[0].command)
		lost = by_id["dataloss.tables"].findings[0].evidence
		self.assertEqual(lost["tabToDo"]["backup"] - lost["tabToDo"]["live"], 1)
