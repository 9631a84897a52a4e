"""Permission troubleshooter: each blocking situation built for real, the verdict names it, the fix lifts it."""

from __future__ import annotations

import json
from unittest.mock import patch

import frappe
from frappe.permissions import reset_perms

from frappe_diagnostics.site import fixes
from frappe_diagnostics.site.access.permissions import diagnose_permission
from frappe_diagnostics.tests.utils import TestCase, make_user

DOCTYPE = "Diag Access Note"
ROLE = "Diag Access Role"
USER = "diag-access-user@example.com"
OWNER = "diag-access-owner@example.com"
REVIEWER = "diag-access-reviewer@example.com"
SECRET = "TOP-SECRET-VALUE-4711"
RIGHTS = "read write create delete submit cancel amend print email report share".split()


def make_doctype() -> None:
	"""A small submittable DocType: a permlevel-1 field, an allow-on-submit field, a Link to User."""
	if not frappe.db.exists("Role", ROLE):
		frappe.get_doc({"doctype": "Role", "role_name": ROLE, "desk_access": 1}).insert(
			ignore_permissions=True
		)
	if frappe.db.exists("DocType", DOCTYPE):
		return
	fields = [
		{"fieldname": "title", "fieldtype": "Data", "label": "Title"},
		{"fieldname": "secret_note", "fieldtype": "Data", "label": "Secret Note", "permlevel": 1},
		{"fieldname": "remarks", "fieldtype": "Small Text", "label": "Remarks", "allow_on_submit": 1},
		{"fieldname": "reviewer", "fieldtype": "Link", "label": "Reviewer", "options": "User"},
	]
	perm = dict.fromkeys(RIGHTS[:7], 1)
	frappe.get_doc(
		{
			"doctype": "DocType",
			"name": DOCTYPE,
			"module": "Frappe Diagnostics",
			"custom": 1,
			"is_submittable": 1,
			"autoname": "hash",
			"fields": fields,
			"permissions": [{"role": "System Manager", **perm}],
		}
	).insert(ignore_permissions=True)


def setup_world() -> None:
	make_doctype()
	make_user(USER, (ROLE,))
	make_user(OWNER, (ROLE,))
	make_user(REVIEWER, ("Blogger",))
	clean_world()


def clean_world() -> None:
	"""Back to the standard rules (System Manager only), no shares or User Permissions for the test users."""
	reset_perms(DOCTYPE)
	frappe.clear_cache(doctype=DOCTYPE)
	for user in (USER, OWNER):
		frappe.db.delete("User Permission", {"user": user})
		frappe.db.delete("DocShare", {"user": user})
		frappe.cache.hdel("user_permissions", user)
	frappe.db.commit()


def set_rules(*rules: dict) -> None:
	"""Replace the rules in effect (Custom DocPerm) with these, e.g. {"role": ROLE, "read": 1, "if_owner": 1}."""
	frappe.db.delete("Custom DocPerm", {"parent": DOCTYPE})
	for rule in ({"role": "System Manager", **dict.fromkeys(RIGHTS, 1)}, *rules):
		doc = frappe.new_doc("Custom DocPerm")
		doc.update({"parent": DOCTYPE, "parenttype": "DocType", "parentfield": "permissions", **rule})
		doc.insert(ignore_permissions=True)
	frappe.clear_cache(doctype=DOCTYPE)
	frappe.db.commit()


def make_note(owner: str = OWNER, docstatus: int = 0, **values) -> str:
	doc = frappe.get_doc({"doctype": DOCTYPE, "title": "note", "secret_note": SECRET, **values})
	doc.insert(ignore_permissions=True)
	frappe.db.set_value(
		DOCTYPE, doc.name, "owner", owner, update_modified=False
	)  # insert sets the session user
	doc = frappe.get_doc(DOCTYPE, doc.name)
	if docstatus >= 1:
		doc.submit()
	if docstatus == 2:
		doc.cancel()
	frappe.db.commit()
	return doc.name


def ask(user=USER, name=None, ptype="read", doctype=DOCTYPE):
	return diagnose_permission(None, user, doctype, name=name, ptype=ptype)


def by_id(diagnosis) -> dict:
	return {s.check_id: s for s in diagnosis.steps}


def apply_offered(testcase, diagnosis, check_id: str, fix_name: str) -> dict:
	"""Take the fix the diagnosis offers on `check_id`, dry-run it, confirm it, apply it; return the log."""
	offered = [
		f.action for f in by_id(diagnosis)[check_id].fixes if f.action and f.action.startswith(fix_name)
	]
	testcase.assertTrue(offered, f"{check_id} offers no {fix_name}: {by_id(diagnosis)[check_id].fixes}")
	plan = fixes.dry_run(offered[0])
	testcase.assertTrue(plan["changes"], plan)
	log = fixes.apply(offered[0], plan["confirmation"], trigger="API")
	testcase.assertEqual(log["status"], "Applied")
	frappe.db.commit()
	return log


class TestWhyDenied(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		setup_world()

	def setUp(self):
		frappe.set_user("Administrator")
		clean_world()

	def tearDown(self):
		frappe.set_user("Administrator")
		clean_world()

	def test_role_without_read_is_the_cause_and_granting_it_lifts_it(self):
		name = make_note()
		denied = ask(name=name)
		self.assertEqual(denied.likely_cause.check_id, "permission.role_permissions")
		self.assertTrue(denied.verdict.startswith("Denied"))
		self.assertIn(ROLE, denied.likely_cause.summary)
		self.assertEqual(by_id(denied)["permission.cross_check"].status.value, "ok")
		log = apply_offered(self, denied, "permission.role_permissions", "grant_permission")
		self.assertEqual(log["before"]["custom_rules"], False)
		allowed = ask(name=name)
		self.assertTrue(allowed.verdict.startswith("Allowed"), allowed.summary)
		self.assertIsNone(allowed.likely_cause)
		self.assertTrue(frappe.has_permission(DOCTYPE, "read", name, user=USER))

	def test_permlevel_field_names_are_reported_never_values(self):
		set_rules({"role": ROLE, "read": 1, "write": 1})
		name = make_note(reviewer=REVIEWER)
		diagnosis = ask(name=name)
		levels = by_id(diagnosis)["permission.permlevels"]
		self.assertEqual(levels.status.value, "warning")
		self.assertIn("cannot see secret_note", levels.summary)
		self.assertTrue(diagnosis.verdict.startswith("Allowed"))
		text = json.dumps(diagnosis.to_dict(), default=str)
		self.assertNotIn(SECRET, text)
		self.assertNotIn(REVIEWER, text)
		apply_offered(self, diagnosis, "permission.permlevels", "grant_permission")
		self.assertEqual(by_id(ask(name=name))["permission.permlevels"].status.value, "ok")

	def test_if_owner_rule_denies_others_and_a_share_lets_them_in(self):
		set_rules({"role": ROLE, "read": 1, "write": 1, "if_owner": 1})
		name = make_note(owner=OWNER)
		self.assertTrue(ask(user=OWNER, name=name).verdict.startswith("Allowed"))
		denied = ask(name=name)
		self.assertEqual(denied.likely_cause.check_id, "permission.if_owner")
		self.assertIn("did not create", denied.likely_cause.summary)
		apply_offered(self, denied, "permission.if_owner", "share_document")
		allowed = ask(name=name)
		self.assertTrue(allowed.verdict.startswith("Allowed"), allowed.summary)
		self.assertEqual(by_id(allowed)["permission.if_owner"].status.value, "warning")
		self.assertIn("shared", by_id(allowed)["permission.shares"].summary)

	def test_user_permission_on_the_document_blocks_and_removing_it_lifts_it(self):
		set_rules({"role": ROLE, "read": 1})
		allowed_note, other_note = make_note(), make_note()
		frappe.get_doc(
			{"doctype": "User Permission", "user": USER, "allow": DOCTYPE, "for_value": allowed_note}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		self.assertTrue(ask(name=allowed_note).verdict.startswith("Allowed"))
		denied = ask(name=other_note)
		self.assertEqual(denied.likely_cause.check_id, "permission.user_permissions")
		self.assertEqual(by_id(denied)["permission.cross_check"].status.value, "ok")
		apply_offered(self, denied, "permission.user_permissions", "remove_user_permission")
		self.assertTrue(ask(name=other_note).verdict.startswith("Allowed"))

	def test_user_permission_on_a_link_field_names_the_field_not_the_value(self):
		set_rules({"role": ROLE, "read": 1})
		name = make_note(reviewer=REVIEWER)
		frappe.get_doc(
			{"doctype": "User Permission", "user": USER, "allow": "User", "for_value": OWNER}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		denied = ask(name=name)
		self.assertEqual(denied.likely_cause.check_id, "permission.user_permissions")
		self.assertIn("field reviewer links to a User", denied.likely_cause.summary)
		self.assertNotIn(REVIEWER, json.dumps(denied.to_dict(), default=str))

	def test_a_share_grants_what_roles_do_not_and_only_for_its_right(self):
		name = make_note()
		frappe.share.add_docshare(DOCTYPE, name, USER, read=1, flags={"ignore_share_permission": True})
		frappe.db.commit()
		reading = ask(name=name)
		self.assertTrue(reading.verdict.startswith("Allowed"), reading.summary)
		self.assertEqual(by_id(reading)["permission.role_permissions"].status.value, "warning")
		self.assertIn("Overridden", by_id(reading)["permission.role_permissions"].summary)
		self.assertEqual(by_id(reading)["permission.cross_check"].status.value, "ok")
		writing = ask(name=name, ptype="write")
		self.assertTrue(writing.verdict.startswith("Denied"))
		self.assertEqual(writing.likely_cause.check_id, "permission.role_permissions")
		apply_offered(self, writing, "permission.role_permissions", "share_document")
		self.assertTrue(ask(name=name, ptype="write").verdict.startswith("Allowed"))

	def test_submitted_document_cannot_be_deleted_and_cancel_needs_the_right(self):
		set_rules({"role": ROLE, "read": 1, "write": 1, "create": 1, "submit": 1, "delete": 1})
		name = make_note(docstatus=1)
		delete = ask(name=name, ptype="delete")
		self.assertEqual(delete.likely_cause.check_id, "permission.docstatus")
		self.assertIn("Submitted documents cannot be deleted", delete.likely_cause.summary)
		self.assertEqual(ask(name=name, ptype="submit").likely_cause.check_id, "permission.docstatus")
		write = ask(name=name, ptype="write")
		self.assertTrue(write.verdict.startswith("Allowed"))
		self.assertIn("only remarks can still be changed", by_id(write)["permission.docstatus"].summary)
		cancel = ask(name=name, ptype="cancel")
		self.assertEqual(cancel.likely_cause.check_id, "permission.role_permissions")
		apply_offered(self, cancel, "permission.role_permissions", "grant_permission")
		self.assertTrue(ask(name=name, ptype="cancel").verdict.startswith("Allowed"))

	def test_cancelled_document_cannot_be_edited(self):
		set_rules({"role": ROLE, "read": 1, "write": 1, "create": 1, "submit": 1, "cancel": 1})
		name = make_note(docstatus=2)
		write = ask(name=name, ptype="write")
		self.assertEqual(write.likely_cause.check_id, "permission.docstatus")
		self.assertIn("Cancelled documents cannot be edited", write.likely_cause.summary)

	def test_disabled_user_is_the_first_cause_and_enabling_lifts_it(self):
		set_rules({"role": ROLE, "read": 1})
		name = make_note()
		frappe.db.set_value("User", USER, "enabled", 0)
		frappe.db.commit()
		try:
			denied = ask(name=name)
			self.assertEqual(denied.likely_cause.check_id, "permission.user")
			apply_offered(self, denied, "permission.user", "enable_user")
			self.assertTrue(ask(name=name).verdict.startswith("Allowed"))
		finally:
			frappe.db.set_value("User", USER, "enabled", 1)
			frappe.db.commit()

	def test_doctype_level_question_and_bad_usage(self):
		set_rules({"role": ROLE, "read": 1, "if_owner": 1})
		self.assertTrue(ask().verdict.startswith("Allowed"))
		self.assertIn("only on documents the user created", by_id(ask())["permission.if_owner"].summary)
		make_note(owner=USER), make_note(owner=OWNER)
		mine = frappe.db.count(DOCTYPE, {"owner": USER})
		total = frappe.db.count(DOCTYPE)
		listing = by_id(ask())["permission.list_view"].summary
		self.assertIn(f"The list shows the user {mine} of {total} {DOCTYPE}", listing)
		submit = ask(ptype="submit", doctype="ToDo")
		self.assertEqual(submit.likely_cause.check_id, "permission.doctype")
		missing = ask(name="no-such-note")
		self.assertEqual(missing.likely_cause.check_id, "permission.document")
		with self.assertRaisesRegex(ValueError, "There is no DocType"):
			ask(doctype="No Such DocType")
		with self.assertRaisesRegex(ValueError, "Unknown permission type"):
			ask(ptype="fly")
		with self.assertRaisesRegex(ValueError, "child table"):
			ask(doctype="Has Role")

	def test_list_view_missing_document_is_explained_by_the_owner_rule(self):
		set_rules({"role": ROLE, "read": 1, "if_owner": 1})
		mine, theirs = make_note(owner=USER), make_note(owner=OWNER)
		self.assertEqual(by_id(ask(name=mine))["permission.list_view"].status.value, "ok")
		listing = by_id(ask(name=theirs))["permission.list_view"]
		self.assertEqual(listing.status.value, "warning")
		self.assertIn("Not in the list either", listing.summary)


def deny_locked_notes(doc, ptype=None, user=None):
	"""A has_permission hook as an app would write it: deny locked notes, no opinion otherwise."""
	return False if doc.title == "locked" else None


def hide_hidden_notes(user=None, doctype=None):
	"""A permission_query_conditions hook: hidden notes never show in lists."""
	return f"`tab{DOCTYPE}`.`title` != 'hidden'"


def with_test_hooks():
	"""Frappe asks frappe.get_hooks at every check: add our two hooks for DOCTYPE to its answers."""
	real = frappe.get_hooks
	extra = {
		"has_permission": f"{__name__}.deny_locked_notes",
		"permission_query_conditions": f"{__name__}.hide_hidden_notes",
	}

	def get_hooks(hook=None, *args, **kwargs):
		answer = real(hook, *args, **kwargs)
		if hook in extra:
			answer = dict(answer or {})
			answer[DOCTYPE] = [*answer.get(DOCTYPE, []), extra[hook]]
		return answer

	return patch("frappe.get_hooks", get_hooks)


class TestWhyDeniedByAppHooks(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		setup_world()

	def setUp(self):
		clean_world()
		set_rules({"role": ROLE, "read": 1, "report": 1})

	def tearDown(self):
		clean_world()

	def test_a_has_permission_hook_denies_and_a_share_still_grants(self):
		name = make_note(title="locked")
		with with_test_hooks():
			denied = ask(name=name)
			self.assertEqual(denied.likely_cause.check_id, "permission.controller_hooks")
			self.assertIn(f"{__name__}.deny_locked_notes", denied.likely_cause.summary)
			self.assertEqual(by_id(denied)["permission.cross_check"].status.value, "ok")
			apply_offered(self, denied, "permission.controller_hooks", "share_document")
			allowed = ask(name=name)
		self.assertTrue(allowed.verdict.startswith("Allowed"), allowed.summary)
		self.assertEqual(by_id(allowed)["permission.cross_check"].status.value, "ok")

	def test_a_query_condition_hides_an_openable_document_from_the_list(self):
		name = make_note(title="hidden")
		with with_test_hooks():
			reading = ask(name=name)
			report = ask(name=name, ptype="report")
		self.assertTrue(reading.verdict.startswith("Allowed"))
		listing = by_id(reading)["permission.list_view"]
		self.assertEqual(listing.status.value, "warning")
		self.assertIn("missing from the list", listing.summary)
		self.assertIn("hide_hidden_notes", listing.summary)
		self.assertEqual(report.likely_cause.check_id, "permission.list_view")

	def test_workflow_state_edit_role_and_transitions(self):
		for state in ("Diag Draft", "Diag Approved"):
			if not frappe.db.exists("Workflow State", state):
				frappe.get_doc({"doctype": "Workflow State", "workflow_state_name": state}).insert()
		if not frappe.db.exists("Workflow Action Master", "Diag Approve"):
			frappe.get_doc(
				{"doctype": "Workflow Action Master", "workflow_action_name": "Diag Approve"}
			).insert()
		states = [("Diag Draft", "0"), ("Diag Approved", "1")]
		flow = frappe.get_doc(
			{
				"doctype": "Workflow",
				"workflow_name": "Diag Access Flow",
				"document_type": DOCTYPE,
				"workflow_state_field": "workflow_state",
				"is_active": 1,
				"states": [{"state": s, "doc_status": d, "allow_edit": "System Manager"} for s, d in states],
				"transitions": [
					{
						"state": "Diag Draft",
						"action": "Diag Approve",
						"next_state": "Diag Approved",
						"allowed": "System Manager",
					}
				],
			}
		).insert()
		try:
			set_rules({"role": ROLE, "read": 1, "write": 1, "submit": 1})
			name = make_note()
			write, submit = ask(name=name, ptype="write"), ask(name=name, ptype="submit")
		finally:
			flow.delete()
			frappe.delete_doc_if_exists("Custom Field", f"{DOCTYPE}-workflow_state")  # the Workflow added it
			frappe.cache.hdel("workflow", DOCTYPE)
			frappe.clear_cache(doctype=DOCTYPE)
		self.assertEqual(write.likely_cause.check_id, "permission.workflow")
		self.assertIn("only role System Manager may edit", write.likely_cause.summary)
		self.assertEqual(submit.likely_cause.check_id, "permission.workflow")
		self.assertIn("no action available", submit.likely_cause.summary)

	def test_a_disagreement_with_frappe_is_itself_a_finding(self):
		name = make_note()
		with patch("frappe.has_permission", return_value=False):
			unexplained = ask(name=name)
		self.assertEqual(unexplained.likely_cause.check_id, "permission.cross_check")
		self.assertIn("none of the steps above explains why", unexplained.likely_cause.summary)
		clean_world()  # the role has no rule now: the steps deny, and a Frappe that allows disagrees
		with patch("frappe.has_permission", return_value=True):
			disagreeing = by_id(ask(name=name))["permission.cross_check"]
		self.assertEqual((disagreeing.status.value, disagreeing.summary[:13]), ("error", "Disagreement:"))
