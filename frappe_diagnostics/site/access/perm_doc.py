"""Document-level permission steps: has_permission hooks, User Permissions and shares (as Frappe checks them)."""

from __future__ import annotations

import frappe
from frappe.permissions import get_allowed_docs_for_doctype, get_user_permissions
from frappe.utils import cint

from frappe_diagnostics.engine.result import Fix
from frappe_diagnostics.engine.steps import CRITICAL, ERROR, OK, WARNING, finding, step
from frappe_diagnostics.site.fixes.offer import fix_action

UP_FIELDS = ["name", "allow", "applicable_for", "apply_to_all_doctypes", "is_default", "hide_descendants"]


def _app(method: str) -> str:
	return method.split(".", 1)[0]


def hooks_step(subject):
	"""`has_permission` hooks (controllers may only deny). Returns (step, allowed)."""
	cid, title = "permission.controller_hooks", "has_permission hooks"
	hooks = frappe.get_hooks("has_permission")
	methods = list(hooks.get(subject.doctype, [])) + list(hooks.get("*", []))
	if not methods:
		return step(cid, title, OK, f"No app adds a has_permission hook for {subject.doctype}."), True
	listed = finding("Hooks, in the order Frappe asks them.", methods=list(reversed(methods)))
	if subject.doc is None:
		summary = (
			f"{len(methods)} has_permission hook(s) decide per document; name a document to evaluate them."
		)
		return step(cid, title, OK, summary, [listed]), True
	answers = []
	for method in reversed(methods):
		try:
			answer = frappe.call(method, doc=subject.doc, ptype=subject.ptype, user=subject.user, debug=False)
		except Exception as e:
			summary = f"Hook {method} raised {type(e).__name__}: {e}; Frappe's check would fail the same way."
			return step(cid, title, ERROR, summary, [listed]), False
		answers.append({"method": method, "answer": None if answer is None else bool(answer)})
		if answer is None:
			continue
		evidence = [listed, finding("Answers.", answers=answers)]
		if answer:
			return step(cid, title, OK, f"Hook {method} allows it.", evidence), True
		summary = (
			f"Hook {method} (app {_app(method)}) denies {subject.ptype} on this document: a rule in code, "
			"checked before role permissions."
		)
		fixes = [
			Fix(f"Read {method} to see its rule; change the data it looks at, or the hook in {_app(method)}.")
		]
		return step(cid, title, CRITICAL, summary, evidence, fixes), False
	summary = f"{len(methods)} hook(s) asked; none objects."
	return step(cid, title, OK, summary, [listed, finding("Answers.", answers=answers)]), True


def _records(user: str) -> list:
	return frappe.get_all(
		"User Permission", filters={"user": user}, fields=UP_FIELDS, order_by="creation asc"
	)


def _applies(record, doctype: str) -> bool:
	return not record.applicable_for or record.applicable_for == doctype


def user_permission_step(subject, owner_rescue: bool):
	"""User Permissions on the document and its Link fields. Returns (step, allowed, blocking record names)."""
	cid, title = "permission.user_permissions", "User Permissions"
	ups = get_user_permissions(subject.user)
	if not ups:
		return step(cid, title, OK, "No User Permission restricts this user."), True, []
	records = [r for r in _records(subject.user) if _applies(r, subject.doctype)]
	links = [
		df for df in subject.meta.get_link_fields() if df.options in ups and not df.ignore_user_permissions
	]
	restricting = sorted(
		{df.options for df in links} | ({subject.doctype} if subject.doctype in ups else set())
	)
	restricting = [a for a in restricting if get_allowed_docs_for_doctype(ups.get(a, []), subject.doctype)]
	rules = [
		{k: r[k] for k in ("name", "allow", "applicable_for", "is_default", "apply_to_all_doctypes")}
		for r in records
		if r.allow in restricting
	]
	evidence = [finding("User Permissions that apply here.", restricting_doctypes=restricting, rules=rules)]
	if not restricting:
		summary = (
			f"User Permissions exist (for {', '.join(sorted(ups))}) but none applies to {subject.doctype}."
		)
		return step(cid, title, OK, summary, evidence), True, []
	if subject.doc is None:
		fields = [f"{df.fieldname} ({df.options})" for df in links if df.options in restricting]
		where = ", ".join(([f"name ({subject.doctype})"] if subject.doctype in restricting else []) + fields)
		summary = f"Only {subject.doctype} records whose {where} are among the allowed values are visible."
		return step(cid, title, WARNING, summary, evidence), True, []
	blocked = _blocked(subject, ups)
	if not blocked:
		return step(cid, title, OK, "The document passes the user's User Permissions.", evidence), True, []
	evidence.append(finding("Where the document fails (field names only).", failures=blocked))
	names = [r["name"] for r in rules if r["allow"] in {b["allow"] for b in blocked}]
	where = "; ".join(_describe(b) for b in blocked)
	if owner_rescue:
		summary = f"User Permissions fail ({where}), but the creator keeps their 'Only If Creator' rights."
		return step(cid, title, OK, summary, evidence), True, []
	summary = f"User Permissions deny it: {where}."
	fixes = [
		fix_action(
			f"Remove User Permission {n} (lifts that restriction for this user).",
			"remove_user_permission",
			name=n,
		)
		for n in names[:3]
	]
	if len(names) > 1:
		fixes.append(
			Fix(
				f"All {len(names)} rules on the same DocType restrict together: remove each, or add one for the value."
			)
		)
	return step(cid, title, CRITICAL, summary, evidence, fixes), False, names


def _describe(b: dict) -> str:
	if "field" not in b:
		return (
			f"this {b['allow']} is not among the user's {b['allowed_values']} allowed {b['allow']} record(s)"
		)
	where = f"row {b['row']} of {b['table']}, " if b.get("table") else ""
	return f"{where}field {b['field']} links to a {b['allow']} outside the {b['allowed_values']} allowed"


def _blocked(subject, ups) -> list[dict]:
	"""Replays frappe.permissions.has_user_permission, but collects every failure instead of the first."""
	strict = not subject.meta.issingle and cint(frappe.get_system_settings("apply_strict_user_permissions"))
	out = []
	if subject.doctype in ups:
		allowed = get_allowed_docs_for_doctype(ups[subject.doctype], subject.doctype)
		if allowed and str(subject.doc.name) not in allowed:
			out.append({"allow": subject.doctype, "allowed_values": len(allowed)})
	for d in [subject.doc, *subject.doc.get_all_children()]:
		for df in frappe.get_meta(d.doctype).get_link_fields():
			value = d.get(df.fieldname)
			if df.ignore_user_permissions or df.options not in ups or (not value and not strict):
				continue
			allowed = get_allowed_docs_for_doctype(ups[df.options], subject.doctype)
			if allowed and str(value) not in allowed:
				row = {
					"field": df.fieldname,
					"allow": df.options,
					"allowed_values": len(allowed),
					"empty": not value,
				}
				if d.get("parentfield"):
					row.update(table=d.parentfield, row=d.idx)
				out.append(row)
	return out


def share_step(subject):
	"""Document shares (DocShare) for the user or everyone. Returns (step, shared)."""
	cid, title = "permission.shares", "Shares"
	right = subject.share_right
	if not right:
		return step(
			cid, title, OK, f"{subject.ptype} cannot be granted by sharing (only read, write, submit, share)."
		), False
	if subject.doc is None:
		names = frappe.share.get_shared(subject.doctype, subject.user, rights=[right])
		summary = f"{len(names)} {subject.doctype} record(s) shared with the user for {right}."
		return step(cid, title, OK, summary, [finding("Shared records.", count=len(names))]), bool(names)
	rows = frappe.get_all(
		"DocShare",
		filters={"share_doctype": subject.doctype, "share_name": subject.doc.name},
		or_filters={"user": subject.user, "everyone": 1},
		fields=["name", "user", "everyone", "read", "write", "submit", "share"],
	)
	shares = [
		{
			"to": "everyone" if r.everyone else r.user,
			"rights": [k for k in ("read", "write", "submit", "share") if r[k]],
		}
		for r in rows
	]
	shared = any(r[right] for r in rows)
	evidence = [finding("Shares of this document with the user or everyone.", shares=shares)]
	if shared:
		return step(cid, title, OK, f"The document is shared with the user for {right}.", evidence), True
	summary = "Not shared with the user." if not rows else f"Shared, but not for {right}."
	return step(cid, title, OK, summary, evidence), False


def share_fix(subject):
	if not (subject.doc is not None and subject.share_right):
		return None
	return fix_action(
		f"Share {subject.doctype} {subject.doc.name} with {subject.user} for {subject.share_right} (this document only).",
		"share_document",
		doctype=subject.doctype,
		name=subject.doc.name,
		user=subject.user,
		right=subject.share_right,
	)
