"""Role permissions (DocPerm / Custom DocPerm) at level 0, 'Only If Creator' rules, and higher permlevels."""

from __future__ import annotations

import frappe
from frappe.model import display_fieldtypes
from frappe.utils import cint

from frappe_diagnostics.engine.result import Finding, Fix, route
from frappe_diagnostics.engine.steps import CRITICAL, OK, WARNING, finding, step
from frappe_diagnostics.site.access.subject import PTYPES
from frappe_diagnostics.site.fixes.offer import fix_action

FIELD_PTYPES = ("read", "select", "print", "email", "export", "report")


def rules_source(doctype: str) -> str:
	return "Custom DocPerm" if frappe.db.exists("Custom DocPerm", {"parent": doctype}) else "DocPerm"


def level0_rules(subject) -> list:
	return [p for p in subject.meta.permissions if cint(p.permlevel) == 0]


def grants(rule, ptype: str) -> bool:
	# link fields and search accept read as well as select
	return bool(rule.get(ptype) or (ptype == "select" and rule.get("read")))


def evaluate(subject, ptype: str) -> dict:
	"""Frappe's get_role_permissions for one ptype: granted outright, or only to the document's creator."""
	mine = [p for p in level0_rules(subject) if p.role in subject.roles]
	plain = sorted({p.role for p in mine if grants(p, ptype) and not cint(p.if_owner)})
	owner_roles = sorted({p.role for p in mine if grants(p, ptype) and cint(p.if_owner)})
	if ptype == "create" and owner_roles:  # Frappe never limits create to the creator
		plain, owner_roles = sorted({*plain, *owner_roles}), []
	owner_only = not plain and bool(owner_roles)
	return {"plain": plain, "owner_roles": owner_roles, "owner_only": owner_only}


def allows(subject, ptype: str) -> bool:
	"""Whether role permissions let the user do `ptype` (with the document, if any, for 'Only If Creator')."""
	ev = evaluate(subject, ptype)
	if ev["plain"]:
		return True
	if ev["owner_only"]:
		return subject.is_owner if subject.doc is not None else ptype in ("select", "read")
	return False


def grant_role(subject, permlevel: int = 0) -> str | None:
	"""The role to extend: one of the user's roles that already has a level-0 rule here, else their first role."""
	with_rule = sorted({p.role for p in level0_rules(subject) if p.role in subject.own_roles})
	if permlevel:
		return with_rule[0] if with_rule else None
	return (with_rule or subject.own_roles or [None])[0]


def grant_fix(subject, ptype: str, permlevel: int = 0):
	role = grant_role(subject, permlevel)
	if not role:
		return None
	level = f" at permlevel {permlevel}" if permlevel else ""
	return fix_action(
		f"Grant {ptype}{level} on {subject.doctype} to role {role} (a Custom DocPerm rule, as Role Permissions "
		f"Manager does; every user with {role} gets it).",
		"grant_permission",
		doctype=subject.doctype,
		role=role,
		ptype=ptype,
		permlevel=permlevel,
	)


def _rules_evidence(subject) -> list:
	out = []
	for p in level0_rules(subject):
		if p.role in subject.roles:
			granted = [r for r in PTYPES if p.get(r)]
			out.append({"role": p.role, "if_owner": bool(cint(p.if_owner)), "rights": granted})
	return out


def role_step(subject):
	"""Level-0 rules for the user's roles. Returns (step, allowed)."""
	cid, title = "permission.role_permissions", "Role permissions (level 0)"
	source = rules_source(subject.doctype)
	ev = evaluate(subject, subject.ptype)
	others = sorted(
		{p.role for p in level0_rules(subject) if grants(p, subject.ptype) and not cint(p.if_owner)}
		- set(subject.roles)
	)
	evidence = [
		Finding(
			f"Rules in effect come from {source}.",
			{"user_roles": subject.own_roles, "rules_for_user_roles": _rules_evidence(subject)},
			link=route("permission-manager", subject.doctype),
		),
		finding(f"Roles that grant {subject.ptype} on {subject.doctype}.", roles=others or None),
	]
	if ev["plain"]:
		roles = ev["plain"]
		summary = f"Role{'s' if len(roles) > 1 else ''} {', '.join(roles)} grant{'' if len(roles) > 1 else 's'} {subject.ptype} on {subject.doctype} ({source})."
		return step(cid, title, OK, summary, evidence), True
	if ev["owner_only"]:
		summary = f"Only 'If Creator' rules (role {', '.join(ev['owner_roles'])}) grant {subject.ptype}: see permission.if_owner."
		return step(cid, title, OK, summary, evidence), allows(subject, subject.ptype)
	roles = ", ".join(subject.own_roles) or "only the automatic roles"
	summary = (
		f"None of the user's roles ({roles}) has {subject.ptype} on {subject.doctype} at level 0 ({source})."
	)
	fixes = [f for f in (grant_fix(subject, subject.ptype),) if f]
	if others:
		fixes.append(Fix(f"Or give the user one of the roles that have it: {', '.join(others[:6])}."))
	return step(cid, title, CRITICAL, summary, evidence, fixes), False


def if_owner_step(subject):
	"""'Only If Creator' rules: the document's owner only. Returns (step, allowed or None when not involved)."""
	cid, title = "permission.if_owner", "Only If Creator rules"
	ev = evaluate(subject, subject.ptype)
	if not ev["owner_only"]:
		rules = [r for r in _rules_evidence(subject) if r["if_owner"]]
		summary = (
			"No 'Only If Creator' rule decides this."
			if not rules
			else (
				f"'Only If Creator' rules exist for the user's roles, but {subject.ptype} is granted without that limit."
			)
		)
		return step(cid, title, OK, summary), None
	roles = ", ".join(ev["owner_roles"])
	if subject.doc is None:
		summary = f"{subject.ptype} only on documents the user created (role {roles}: 'Only If Creator')."
		status = OK if subject.ptype in ("select", "read") else CRITICAL
		if status is CRITICAL:
			summary = f"{subject.ptype} is granted only on documents the user created (role {roles}); name a document to check it."
		return step(cid, title, status, summary), status is OK
	evidence = [
		finding("Creator check (the owner field).", user_is_creator=subject.is_owner, roles=ev["owner_roles"])
	]
	if subject.is_owner:
		return step(
			cid,
			title,
			OK,
			f"The user created this document; role {roles} lets the creator {subject.ptype} it.",
			evidence,
		), True
	summary = f"Role {roles} lets only the creator {subject.ptype} a {subject.doctype}, and this user did not create this one."
	fixes = [f for f in (grant_fix(subject, subject.ptype),) if f]
	return step(cid, title, CRITICAL, summary, evidence, fixes), False


def high_fields(meta) -> dict[int, list[str]]:
	levels: dict[int, list[str]] = {}
	for df in meta.fields:
		if cint(df.permlevel) > 0 and df.fieldtype not in display_fieldtypes:
			levels.setdefault(cint(df.permlevel), []).append(df.fieldname)
	return levels


def permlevel_step(subject):
	"""Fields at permlevel > 0: which the user cannot see or edit (names only, never values)."""
	cid, title = "permission.permlevels", "Field permission levels"
	levels = high_fields(subject.meta)
	if not levels:
		return step(cid, title, OK, f"All fields of {subject.doctype} are at permlevel 0.")
	readable = set(subject.meta.get_permlevel_access("read", user=subject.user))
	writable = set(subject.meta.get_permlevel_access("write", user=subject.user))
	hidden = {lvl: f for lvl, f in levels.items() if lvl not in readable}
	readonly = {lvl: f for lvl, f in levels.items() if lvl in readable and lvl not in writable}
	hidden_names = sorted(n for f in hidden.values() for n in f)
	readonly_names = sorted(n for f in readonly.values() for n in f)
	evidence = [
		finding(
			"Permission levels of the user's roles.",
			levels_with_fields={str(k): v for k, v in sorted(levels.items())},
			readable_levels=sorted(readable),
			writable_levels=sorted(writable),
		)
	]
	parts = []
	if hidden_names:
		parts.append(f"cannot see {', '.join(hidden_names)}")
	if readonly_names and subject.ptype == "write":
		parts.append(f"cannot edit {', '.join(readonly_names)}")
	relevant = (subject.ptype in FIELD_PTYPES and hidden) or (
		subject.ptype == "write" and (hidden or readonly)
	)
	if not parts or not relevant:
		return step(cid, title, OK, f"Higher permlevel fields do not limit {subject.ptype}.", evidence)
	level = min(hidden or readonly)
	fixes = [
		f
		for f in (
			grant_fix(
				subject, "write" if level not in hidden and subject.ptype == "write" else "read", level
			),
		)
		if f
	]
	summary = f"The user {' and '.join(parts)} (permlevel rules; the document itself stays accessible)."
	return step(cid, title, WARNING, summary, evidence, fixes)
