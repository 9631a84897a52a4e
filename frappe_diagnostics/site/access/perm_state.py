"""What the document's state allows beyond permissions: docstatus, workflow, and whether the list shows it."""

from __future__ import annotations

from contextlib import contextmanager

import frappe
from frappe.utils import cint

from frappe_diagnostics.engine.result import Fix
from frappe_diagnostics.engine.steps import CRITICAL, OK, WARNING, finding, skipped, step
from frappe_diagnostics.site.access import perm_roles

DOCSTATUS = {0: "draft", 1: "submitted", 2: "cancelled"}
LIST_PTYPES = ("read", "select", "report")


def docstatus_step(subject):
	"""Save > Submit > Cancel > Amend, as Document.check_docstatus_transition and delete_doc enforce them."""
	cid, title = "permission.docstatus", "Document state (docstatus)"
	if not cint(subject.meta.is_submittable):
		return skipped(cid, title, f"{subject.doctype} is not submittable: its documents stay drafts.")
	if subject.doc is None:
		return step(cid, title, OK, "Name a document to check its state.")
	status = cint(subject.doc.docstatus)
	state = DOCSTATUS.get(status, str(status))
	need = {"submit": 0, "cancel": 1, "amend": 2}.get(subject.ptype)
	if need is not None and status != need:
		summary = f"The document is {state}: only a {DOCSTATUS[need]} document can be {subject.ptype}ed."
		if subject.ptype == "submit":
			summary = f"The document is already {state}: only drafts can be submitted."
		return step(cid, title, CRITICAL, summary, [finding("State.", docstatus=status)])
	if subject.ptype == "delete" and status == 1:
		fix = Fix("Cancel it first (needs the Cancel permission), then delete.")
		return step(cid, title, CRITICAL, "Submitted documents cannot be deleted.", fixes=[fix])
	if subject.ptype == "write" and status == 2:
		fix = Fix("Amend it: the amendment is a new draft copy the user can edit (needs Amend and Create).")
		return step(
			cid,
			title,
			CRITICAL,
			"Cancelled documents cannot be edited: 'Cannot edit cancelled document'.",
			fixes=[fix],
		)
	if subject.ptype == "write" and status == 1:
		return _update_after_submit(subject, cid, title)
	if subject.ptype == "amend" and not perm_roles.allows(subject, "create"):
		summary = "Amending makes a new document, and the user's roles cannot create one."
		fixes = [f for f in (perm_roles.grant_fix(subject, "create"),) if f]
		return step(cid, title, CRITICAL, summary, fixes=fixes)
	return step(cid, title, OK, f"The document is {state}; {subject.ptype} is possible in this state.")


def _update_after_submit(subject, cid, title):
	fields = sorted(df.fieldname for df in subject.meta.fields if cint(df.allow_on_submit))
	evidence = [finding("Fields marked Allow on Submit.", fields=fields)]
	if not fields:
		summary = (
			"The document is submitted and no field allows changes after submit: cancel and amend instead."
		)
		return step(cid, title, CRITICAL, summary, evidence)
	if not perm_roles.allows(subject, "submit"):
		summary = "Changing a submitted document ('update after submit') needs the Submit permission too."
		fixes = [f for f in (perm_roles.grant_fix(subject, "submit"),) if f]
		return step(cid, title, CRITICAL, summary, evidence, fixes)
	summary = f"Submitted: only {', '.join(fields)} can still be changed."
	return step(cid, title, WARNING, summary, evidence)


def workflow_step(subject):
	"""An active Workflow: who may edit in the current state and which transitions the user's roles have."""
	from frappe.model.workflow import (
		get_workflow_name,
		has_approval_access,
		is_transition_condition_satisfied,
	)

	cid, title = "permission.workflow", "Workflow"
	name = get_workflow_name(subject.doctype)
	if not name:
		return skipped(cid, title, f"No active Workflow on {subject.doctype}.")
	wf = frappe.get_doc("Workflow", name)
	if subject.doc is None:
		mine = [t for t in wf.transitions if t.allowed in subject.roles]
		summary = (
			f"Workflow {name}: the user's roles can take {len(mine)} of {len(wf.transitions)} transitions."
		)
		return step(cid, title, OK, summary)
	current = subject.doc.get(wf.workflow_state_field) or (wf.states[0].state if wf.states else None)
	row = next((r for r in wf.states if r.state == current), None)
	options = []
	for t in wf.transitions:
		if t.state != current:
			continue
		ok = t.allowed in subject.roles and is_transition_condition_satisfied(t, subject.doc)
		ok = ok and has_approval_access(subject.user, subject.doc, t)
		options.append(
			{"action": t.action, "next_state": t.next_state, "role": t.allowed, "available": bool(ok)}
		)
	evidence = [
		finding(f"Workflow {name} (the state is part of the rule).", state=current, transitions=options)
	]
	if subject.ptype == "write" and row and row.allow_edit and row.allow_edit not in subject.roles:
		summary = (
			f"Workflow {name}: in state {current} only role {row.allow_edit} may edit; the desk shows the form "
			"read-only to this user."
		)
		fixes = [Fix(f"Give the user role {row.allow_edit}, or change 'Only Allow Edit For' of that state.")]
		return step(cid, title, CRITICAL, summary, evidence, fixes)
	target = {"submit": "1", "cancel": "2"}.get(subject.ptype)
	if target:
		states = {r.state for r in wf.states if str(r.doc_status) == target}
		usable = [o for o in options if o["available"] and o["next_state"] in states]
		if not usable:
			who = sorted({o["role"] for o in options if o["next_state"] in states})
			summary = f"Workflow {name}: no action available to the user's roles leads from {current} to {subject.ptype}."
			hint = f" (roles that can: {', '.join(who)})" if who else ""
			fixes = [
				Fix(f"Give the user a role allowed on that transition{hint}, or add one in Workflow {name}.")
			]
			return step(cid, title, CRITICAL, summary, evidence, fixes)
	available = [o["action"] for o in options if o["available"]]
	summary = (
		f"Workflow {name}, state {current}: actions available to the user: {', '.join(available) or 'none'}."
	)
	return step(cid, title, OK, summary, evidence)


def list_step(subject, openable: bool):
	"""Will the document show in the list? get_list adds owner, User Permission and query-hook conditions."""
	cid, title = "permission.list_view", "List view"
	if subject.ptype not in LIST_PTYPES:
		return skipped(cid, title, f"The list is not involved in {subject.ptype}.")
	conditions = _query_conditions(subject)
	evidence = [finding("permission_query_conditions in effect.", sources=[c["source"] for c in conditions])]
	if subject.doc is None:
		try:
			with quiet_messages():
				rows = frappe.get_list(
					subject.doctype, fields=["count(*) as total"], user=subject.user, as_list=True
				)
			visible = rows[0][0] if rows else 0
		except frappe.PermissionError:
			summary = (
				f"No list access: the {subject.doctype} list refuses this user (the steps above say why)."
			)
			return step(cid, title, WARNING, summary, evidence)
		total = frappe.db.count(subject.doctype)
		return step(
			cid,
			title,
			OK,
			f"The list shows the user {visible} of {total} {subject.doctype} record(s).",
			evidence,
		)
	listed = listed_for(subject)
	excluding = [c["source"] for c in conditions if c.get("matches") is False]
	evidence.append(finding("The document against each condition.", conditions=conditions))
	if listed:
		return step(cid, title, OK, "The document appears in the user's list.", evidence)
	if not openable:
		return step(
			cid, title, WARNING, "Not in the list either: the blocking step above hides it too.", evidence
		)
	if excluding:
		summary = f"Openable by link, but missing from the list: {', '.join(excluding)} exclude it."
		fixes = [Fix("These conditions are code: change the data they test, or the hook in its app.")]
	else:
		summary = "Openable by link, but get_list does not return it (no query condition explains it)."
		fixes = []
	return step(cid, title, CRITICAL if subject.ptype != "read" else WARNING, summary, evidence, fixes)


def listed_for(subject) -> bool | None:
	"""frappe.get_list as the user, filtered to this one document."""
	try:
		with quiet_messages():
			return bool(
				frappe.get_list(
					subject.doctype,
					filters={"name": subject.doc.name},
					user=subject.user,
					pluck="name",
					limit=1,
				)
			)
	except frappe.PermissionError:
		return False


@contextmanager
def quiet_messages():
	"""Asking as another user makes Frappe queue 'No permission …' messages for the asker: drop them."""
	log = list(getattr(frappe.local, "message_log", []) or [])
	try:
		yield
	finally:
		frappe.local.message_log = log


def _query_conditions(subject) -> list[dict]:
	from frappe.core.doctype.server_script.server_script_utils import get_server_script_map

	hooks = frappe.get_hooks("permission_query_conditions", {})
	found = []
	for method in list(hooks.get(subject.doctype, [])) + list(hooks.get("*", [])):
		found.append(
			{
				"source": f"hook {method}",
				"sql": _call(
					lambda m=method: frappe.call(frappe.get_attr(m), subject.user, doctype=subject.doctype)
				),
			}
		)
	script = get_server_script_map().get("permission_query", {}).get(subject.doctype)
	if script:
		doc = frappe.get_doc("Server Script", script)
		found.append(
			{
				"source": f"Server Script {script}",
				"sql": _call(lambda: doc.get_permission_query_conditions(subject.user)),
			}
		)
	for c in found:
		sql = c.pop("sql")
		if isinstance(sql, Exception):
			c["error"] = f"{type(sql).__name__}: {sql}"
		elif not sql:
			c["matches"] = None  # no condition for this user
		elif subject.doc is not None:
			c["matches"] = _matches(subject, sql)
	return found


def _call(fn):
	try:
		return fn()
	except Exception as e:
		return e


def _matches(subject, sql: str):
	# the condition is SQL the hook returns for this user; Frappe runs it the same way in get_list
	try:
		row = frappe.db.sql(
			f"select count(*) from `tab{subject.doctype}` where name=%s and ({sql})", subject.doc.name
		)
		return bool(row[0][0])
	except Exception as e:
		return f"{type(e).__name__}: {e}"
