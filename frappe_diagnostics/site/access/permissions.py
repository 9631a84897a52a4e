"""Why can't this user <ptype> this DocType / document? Frappe's permission model, step by step.

Order as frappe.permissions.has_permission evaluates it: has_permission hooks, role permissions (with
'Only If Creator'), User Permissions, then shares (which can grant what the others refused); then field
levels, the document's state, the workflow and the list view; last, Frappe's own answer as a cross-check.
"""

from __future__ import annotations

import re
import time

import frappe
from frappe.utils import cint

from frappe_diagnostics.engine.result import Fix, Status
from frappe_diagnostics.engine.steps import (
	CRITICAL,
	ERROR,
	OK,
	WARNING,
	AccessDiagnosis,
	finding,
	skipped,
	step,
)
from frappe_diagnostics.site.access import perm_doc, perm_roles, perm_state
from frappe_diagnostics.site.access.perm_state import quiet_messages
from frappe_diagnostics.site.access.subject import Subject, find_user, validate
from frappe_diagnostics.site.fixes.offer import fix_action

LOG_LINES = 40
LEVELS = ("permission.permlevels", "Field permission levels")
# beyond has_permission: the document's state, the workflow, and (for report/select) the list conditions
STATE_STEPS = ("permission.docstatus", "permission.workflow", "permission.list_view")


def diagnose_permission(
	ctx, user: str, doctype: str, name: str | None = None, ptype: str = "read"
) -> AccessDiagnosis:
	"""Every step of `has_permission` for `user`, `ptype` and the DocType or document, in Frappe's order.

	`ctx` is the site context every troubleshooter takes; this one reads the site through frappe.
	"""
	user_in, doctype, name, ptype = validate(user, doctype, name, ptype)
	started = time.time()
	frappe.local.role_permissions = {}  # Frappe caches role permissions per request; this run must see now
	steps = []
	found, _field = find_user(user_in)
	steps.append(_user_step(user_in, found))
	if found:
		subject = Subject(found, doctype, ptype, name, frappe.get_meta(doctype), frappe.get_roles(found))
		allowed = _walk(subject, steps)
	else:
		allowed = False
	target = f"{doctype} {name}" if name else doctype
	who = found or user_in
	verdict = (
		f"Allowed: {who} can {ptype} {target}." if allowed else f"Denied: {who} cannot {ptype} {target}."
	)
	return AccessDiagnosis(
		kind="Permission",
		question=f"Why can't {who} {ptype} {target}?",
		steps=steps,
		inputs={"user": who, "doctype": doctype, "name": name, "ptype": ptype},
		started=started,
		finished=time.time(),
		site=frappe.local.site,
		cause_from=Status.CRITICAL,
		verdict=verdict,
	)


def _user_step(text: str, found: str | None):
	cid, title = "permission.user", "User"
	if not found:
		return step(cid, title, CRITICAL, f"There is no user {text!r}.")
	info = frappe.db.get_value("User", found, ["enabled", "user_type"], as_dict=True)
	if found == "Administrator":
		return step(cid, title, OK, "Administrator: Frappe grants every permission without looking further.")
	if not info.enabled:
		summary = "The user is disabled: they cannot log in, whatever their permissions."
		fix = fix_action(f"Enable {found}.", "enable_user", user=found)
		return step(cid, title, CRITICAL, summary, fixes=[fix])
	roles = sorted(r for r in frappe.get_roles(found) if r not in ("All", "Guest", "Desk User"))
	evidence = [finding("Roles.", user_type=info.user_type, roles=roles)]
	return step(
		cid, title, OK, f"{found} is an enabled {info.user_type} with {len(roles)} role(s).", evidence
	)


def _doctype_step(subject):
	cid, title = "permission.doctype", "Permission type applies"
	meta, ptype = subject.meta, subject.ptype
	reasons = {
		"submit": (
			not cint(meta.is_submittable),
			f"{subject.doctype} is not submittable: nobody can submit it.",
		),
		"cancel": (
			not cint(meta.is_submittable),
			f"{subject.doctype} is not submittable: nothing to cancel.",
		),
		"amend": (not cint(meta.is_submittable), f"{subject.doctype} is not submittable: nothing to amend."),
		"import": (
			not cint(meta.allow_import),
			f"{subject.doctype} does not allow Data Import (DocType > Allow Import).",
		),
		"share": (
			cint(frappe.get_system_settings("disable_document_sharing")),
			"Document sharing is disabled for the whole site (System Settings > Disable Document Sharing).",
		),
	}
	blocked, why = reasons.get(ptype, (False, ""))
	if blocked:
		return step(cid, title, CRITICAL, why), False
	kind = "single" if meta.issingle else ("submittable" if cint(meta.is_submittable) else "regular")
	return step(cid, title, OK, f"{subject.doctype} is a {kind} DocType; {ptype} applies."), True


def _document_step(subject):
	cid, title = "permission.document", "Document"
	if not subject.name:
		return step(cid, title, OK, f"No document named: checking {subject.doctype} as a whole.")
	if subject.meta.issingle:
		subject.name = subject.doctype
	if not frappe.db.exists(subject.doctype, subject.name):
		fix = Fix("Check the name (renamed or deleted?); Deleted Documents keeps what was deleted.")
		return step(cid, title, CRITICAL, f"There is no {subject.doctype} {subject.name!r}.", fixes=[fix])
	subject.doc = frappe.get_doc(subject.doctype, subject.name)
	evidence = [
		finding("Document facts.", docstatus=cint(subject.doc.docstatus), user_is_creator=subject.is_owner)
	]
	return step(cid, title, OK, f"{subject.doctype} {subject.name} exists.", evidence)


def _walk(subject, steps) -> bool:
	admin = subject.user == "Administrator"
	steps.append(_doctype_step(subject)[0])
	applies = steps[-1].status is OK
	steps.append(_document_step(subject))
	if steps[-1].status is CRITICAL:
		steps.append(
			skipped("permission.role_permissions", "Role permissions", "Not checked: no such document.")
		)
		return False
	enabled = steps[0].status is OK
	if admin:
		steps += [perm_state.docstatus_step(subject), perm_state.workflow_step(subject)]
		return applies and _state_ok(steps)
	hook_step, hooks_ok = perm_doc.hooks_step(subject)
	role_step, role_ok = perm_roles.role_step(subject)
	owner_step, owner_ok = perm_roles.if_owner_step(subject)
	if owner_ok is not None:
		role_ok = owner_ok
	owner_rescue = subject.is_owner and perm_roles.evaluate(subject, subject.ptype)["owner_only"]
	up_step, up_ok, _ = perm_doc.user_permission_step(subject, owner_rescue)
	share_step, shared = perm_doc.share_step(subject)
	granted = hooks_ok and role_ok and up_ok
	perm_ok = applies and (granted or shared)
	deciding = [hook_step, role_step, owner_step, up_step]
	_attach_share_fix(subject, deciding, shared)
	if shared and not granted:
		_overridden_by_share(subject, deciding)
	levels = (
		perm_roles.permlevel_step(subject)
		if perm_ok
		else skipped(*LEVELS, "Not checked: no access to the document.")
	)
	steps += [hook_step, role_step, owner_step, up_step, share_step, levels]
	steps += [
		perm_state.docstatus_step(subject),
		perm_state.workflow_step(subject),
		perm_state.list_step(subject, perm_ok),
	]
	steps.append(_cross_check(subject, perm_ok and applies))
	return enabled and perm_ok and _state_ok(steps)


def _state_ok(steps) -> bool:
	return not any(x.status is CRITICAL for x in steps if x.check_id in STATE_STEPS)


def _attach_share_fix(subject, deciding, shared: bool) -> None:
	fix = perm_doc.share_fix(subject)
	if fix is None or shared:
		return
	for x in deciding:
		if x.status is CRITICAL:
			x.fixes.append(fix)


def _overridden_by_share(subject, deciding) -> None:
	for x in deciding:
		if x.status is CRITICAL:
			x.status = WARNING
			x.summary += f" Overridden: the document is shared with the user for {subject.share_right}."


def frappe_answer(subject) -> tuple[bool, list[str]]:
	"""frappe.has_permission(..., debug=True) for the user, and its log (field values masked)."""
	from frappe.permissions import _pop_debug_log

	def ask(ptype):
		return frappe.has_permission(subject.doctype, ptype, subject.doc, user=subject.user, debug=True)

	try:
		with quiet_messages():
			answer = ask(subject.ptype) or (subject.ptype == "select" and ask("read"))
	finally:
		lines = _pop_debug_log()
	return bool(answer), [_mask(line) for line in lines][:LOG_LINES]


def _mask(line: str) -> str:
	# "…because it is linked to Company 'X' in field …": keep the rule, drop the value
	return re.sub(r"(linked to [^']*)'[^']*'", r"\1'…'", str(line))


def _cross_check(subject, ours: bool):
	cid, title = "permission.cross_check", "Frappe's own answer"
	try:
		theirs, log = frappe_answer(subject)
	except Exception as e:
		return step(cid, title, ERROR, f"frappe.has_permission raised {type(e).__name__}: {e}")
	evidence = [finding("frappe.has_permission(..., debug=True) log.", log=log)]
	word = {True: "allows", False: "denies"}
	if theirs == ours:
		summary = f"frappe.has_permission agrees: it {word[theirs]} {subject.ptype} (it does not look at document state, workflow or list conditions)."
		return step(cid, title, OK, summary, evidence)
	if not theirs:
		summary = (
			f"frappe.has_permission denies {subject.ptype}, but none of the steps above explains why: "
			"read its log below."
		)
		return step(cid, title, CRITICAL, summary, evidence)
	summary = f"Disagreement: frappe.has_permission allows {subject.ptype} where these steps deny it; trust Frappe's log."
	return step(cid, title, ERROR, summary, evidence)
