"""The fixes an operator may apply: each reads the current state, says the state it wants, applies, reverts.

`snapshot` must be stable between a dry run and its confirmation (no clocks): the confirmation token is
bound to it, so any change in between invalidates the token.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json

import frappe
from frappe.permissions import AUTOMATIC_ROLES, rights
from frappe.utils import cint

from frappe_diagnostics.engine.registry import Named
from frappe_diagnostics.site.access import login_state
from frappe_diagnostics.site.fixes.maintenance import MAINTENANCE
from frappe_diagnostics.site.recovery.doc_actions import ACTIONS as RECOVERY_ACTIONS

# a permission also needs these to be usable (and to pass Frappe's DocPerm validation)
DEPENDS = {"submit": {"write"}, "cancel": {"submit", "write"}, "amend": {"write"}, "import": {"create"}}
SHARE_RIGHTS = ("read", "write", "submit", "share")
UP_KEEP = (
	"user",
	"allow",
	"for_value",
	"applicable_for",
	"apply_to_all_doctypes",
	"is_default",
	"hide_descendants",
)


def _need(params: dict, key: str) -> str:
	value = (params.get(key) or "").strip()
	if not value:
		raise ValueError(f"Missing parameter {key!r}.")
	return value


def _user(params: dict) -> str:
	user = _need(params, "user")
	name = frappe.db.get_value("User", user, "name")
	if not name:
		raise ValueError(f"There is no user {user!r}.")
	if name in ("Guest", "Administrator"):
		raise ValueError(f"{name} cannot be changed by this fix.")
	return name


class EnableUser:
	name, title, reversible = "enable_user", "Enable a user", True

	def clean(self, p):
		return {"user": _user(p)}

	def target(self, p):
		return "User", p["user"]

	def snapshot(self, p):
		return {"enabled": cint(frappe.db.get_value("User", p["user"], "enabled"))}

	def desired(self, p, before):
		return {"enabled": 1}

	def describe(self, p):
		return f"Enable user {p['user']} (User > Enabled)."

	def apply(self, p, before):
		self._set(p["user"], 1)

	def revert(self, p, before, after):
		self._set(p["user"], before["enabled"])

	@staticmethod
	def _set(user, value):
		doc = frappe.get_doc("User", user)
		doc.enabled = value
		doc.save(ignore_permissions=True)


class ResetLoginAttempts:
	name, title, reversible = "reset_login_attempts", "Reset failed-login counters", False

	def clean(self, p):
		out = {"user": _user(p)}
		if (p.get("ip") or "").strip():
			try:
				out["ip"] = str(ipaddress.ip_address(p["ip"].strip()))
			except ValueError:
				raise ValueError(f"{p['ip']!r} is not an IP address.") from None
		return out

	def target(self, p):
		return "User", p["user"]

	def _keys(self, p):
		return {"user": p["user"], **({"ip": p["ip"]} if p.get("ip") else {})}

	def snapshot(self, p):
		settings = frappe.get_single("System Settings")
		out = {}
		for kind, key in self._keys(p).items():
			state = login_state.counter_state(key, settings)
			out[kind] = {
				"failed": state["failed"],
				"first_failure": state["first_failure"],
				"locked": state["locked"],
			}
		return out

	def desired(self, p, before):
		return {kind: {"failed": 0, "first_failure": None, "locked": False} for kind in before}

	def describe(self, p):
		ip = f" and for address {p['ip']}" if p.get("ip") else ""
		return f"Clear Frappe's failed-login counters for {p['user']}{ip} (unlocks a lockout at once)."

	def apply(self, p, before):
		settings = frappe.get_single("System Settings")
		for key in self._keys(p).values():
			login_state.tracker(key, settings).add_success_attempt()


def _rights_for(ptype: str) -> list[str]:
	need = {ptype, *DEPENDS.get(ptype, ())}
	if ptype != "select":
		need.add("read")  # every other right is useless without read
	return [r for r in rights if r in need]


def _custom_rows(doctype: str) -> list:
	return frappe.get_all(
		"Custom DocPerm",
		filters={"parent": doctype},
		fields=["name", "role", "permlevel", "if_owner", *rights],
	)


def _fingerprint(doctype: str) -> str | None:
	rows = sorted(
		json.dumps([r.role, cint(r.permlevel), cint(r.if_owner), *(cint(r[x]) for x in rights)])
		for r in _custom_rows(doctype)
	)
	return hashlib.sha1("\n".join(rows).encode()).hexdigest()[:16] if rows else None


class GrantPermission:
	name, title, reversible = "grant_permission", "Grant a permission to a role", True

	def clean(self, p):
		from frappe.core.page.permission_manager.permission_manager import not_allowed_in_permission_manager

		doctype, role, ptype = _need(p, "doctype"), _need(p, "role"), _need(p, "ptype").lower()
		level = cint(p.get("permlevel") or 0)
		if not frappe.db.exists("DocType", doctype) or doctype in not_allowed_in_permission_manager:
			raise ValueError(f"{doctype!r} is not a DocType whose permissions can be managed.")
		meta = frappe.get_meta(doctype)
		if meta.istable:
			raise ValueError(f"{doctype} is a child table: grant on its parent DocType.")
		if not frappe.db.exists("Role", role) or role in AUTOMATIC_ROLES:
			raise ValueError(
				f"{role!r} is not a role that can be granted permissions here (not an automatic role)."
			)
		if ptype not in rights:
			raise ValueError(f"Unknown permission type {ptype!r}; use one of: {', '.join(rights)}.")
		if ptype in ("submit", "cancel", "amend") and not cint(meta.is_submittable):
			raise ValueError(f"{doctype} is not submittable.")
		if ptype == "import" and not cint(meta.allow_import):
			raise ValueError(f"{doctype} does not allow Data Import.")
		if not 0 <= level <= 9:
			raise ValueError("permlevel must be between 0 and 9.")
		if level and ptype not in ("read", "write"):
			raise ValueError("Above permlevel 0 only read and write exist.")
		if level and not any(cint(r.permlevel) == 0 and r.role == role for r in meta.permissions):
			raise ValueError(
				f"Role {role} needs a level-0 rule on {doctype} before level {level} (Frappe's rule)."
			)
		return {"doctype": doctype, "role": role, "ptype": ptype, "permlevel": level}

	def target(self, p):
		return "DocType", p["doctype"]

	def _key(self, p):
		return {"parent": p["doctype"], "role": p["role"], "permlevel": p["permlevel"], "if_owner": 0}

	def snapshot(self, p):
		custom = bool(frappe.db.exists("Custom DocPerm", {"parent": p["doctype"]}))
		table = "Custom DocPerm" if custom else "DocPerm"
		row = frappe.db.get_value(table, self._key(p), list(rights), as_dict=True)
		wanted = _rights_for(p["ptype"]) if p["permlevel"] == 0 else [p["ptype"], "read"]
		rule = {r: cint(row[r]) for r in sorted(set(wanted))} if row else None
		return {"custom_rules": custom, "rule": rule, "custom_rules_fingerprint": _fingerprint(p["doctype"])}

	def desired(self, p, before):
		wanted = _rights_for(p["ptype"]) if p["permlevel"] == 0 else [p["ptype"], "read"]
		return {"custom_rules": True, "rule": {r: 1 for r in sorted(set(wanted))}}

	def describe(self, p):
		users = frappe.db.count("Has Role", {"role": p["role"], "parenttype": "User"})
		level = f" at permlevel {p['permlevel']}" if p["permlevel"] else ""
		return (
			f"Role {p['role']} gets {p['ptype']}{level} on {p['doctype']} through a Custom DocPerm rule "
			f"(Role Permissions Manager's way; affects the {users} user(s) with that role)."
		)

	def apply(self, p, before):
		from frappe.permissions import add_permission, setup_custom_perms, update_permission_property

		setup_custom_perms(p["doctype"])
		if not frappe.db.get_value("Custom DocPerm", self._key(p)):
			add_permission(p["doctype"], p["role"], p["permlevel"], ptype="read")
		for right in self.desired(p, before)["rule"]:
			update_permission_property(p["doctype"], p["role"], p["permlevel"], right, 1, validate=False)
		self._validate_and_refresh(p["doctype"], p["role"])

	def revert(self, p, before, after):
		from frappe.permissions import reset_perms, update_permission_property

		if not before["custom_rules"]:
			# the Custom DocPerm rules were copied by this fix: back to the standard ones
			reset_perms(p["doctype"])
		elif before["rule"] is None:
			frappe.db.delete("Custom DocPerm", self._key(p))
		else:
			for right, value in before["rule"].items():
				update_permission_property(
					p["doctype"], p["role"], p["permlevel"], right, value, validate=False
				)
		self._validate_and_refresh(p["doctype"], p["role"])

	@staticmethod
	def _validate_and_refresh(doctype, role):
		from frappe.core.doctype.doctype.doctype import clear_permissions_cache, validate_permissions

		# Frappe's own DocPerm rules (level 0 first, Cancel needs Submit, …) on this role's rules in effect
		rows = [frappe.get_doc("Custom DocPerm", r.name) for r in _custom_rows(doctype) if r.role == role]
		if rows:
			doc = frappe.get_doc("DocType", doctype)
			doc.permissions = rows
			validate_permissions(doc)
		clear_permissions_cache(doctype)


class ShareDocument:
	name, title, reversible = "share_document", "Share a document with a user", True

	def clean(self, p):
		doctype, docname, user = _need(p, "doctype"), _need(p, "name"), _user(p)
		right = (p.get("right") or "read").strip().lower()
		if right not in SHARE_RIGHTS:
			raise ValueError(f"A share grants one of {', '.join(SHARE_RIGHTS)}, not {right!r}.")
		if not frappe.db.exists("DocType", doctype) or frappe.get_meta(doctype).istable:
			raise ValueError(f"{doctype!r} is not a DocType whose documents can be shared.")
		if not frappe.db.exists(doctype, docname):
			raise ValueError(f"There is no {doctype} {docname!r}.")
		if right == "submit" and not cint(frappe.get_meta(doctype).is_submittable):
			raise ValueError(f"{doctype} is not submittable.")
		if cint(frappe.get_system_settings("disable_document_sharing")):
			raise ValueError("Document sharing is disabled in System Settings.")
		return {"doctype": doctype, "name": docname, "user": user, "right": right}

	def target(self, p):
		return p["doctype"], p["name"]

	def _share(self, p):
		filters = {"share_doctype": p["doctype"], "share_name": p["name"], "user": p["user"], "everyone": 0}
		return frappe.db.get_value("DocShare", filters, ["name", *SHARE_RIGHTS], as_dict=True)

	def snapshot(self, p):
		row = self._share(p)
		return {"share": {r: cint(row[r]) for r in SHARE_RIGHTS} if row else None}

	def desired(self, p, before):
		share = dict(before["share"] or dict.fromkeys(SHARE_RIGHTS, 0))
		share[p["right"]] = 1
		if share["submit"]:
			share["write"] = 1
		share["read"] = 1  # DocShare always includes read
		return {"share": share}

	def describe(self, p):
		return f"Share {p['doctype']} {p['name']} with {p['user']} for {p['right']} (a DocShare; only this document)."

	def apply(self, p, before):
		from frappe.share import add_docshare

		want = self.desired(p, before)["share"]
		flags = {"ignore_share_permission": True}
		add_docshare(
			p["doctype"],
			p["name"],
			p["user"],
			want["read"],
			want["write"],
			want["submit"],
			want["share"],
			flags=flags,
		)

	def revert(self, p, before, after):
		row = self._share(p)
		if not row:
			return
		if before["share"] is None:
			frappe.delete_doc(
				"DocShare", row.name, ignore_permissions=True, flags={"ignore_share_permission": True}
			)
			return
		doc = frappe.get_doc("DocShare", row.name)
		doc.flags.ignore_share_permission = True
		doc.update(before["share"])
		doc.save(ignore_permissions=True)


class RemoveUserPermission:
	name, title, reversible = "remove_user_permission", "Remove a User Permission", True

	def clean(self, p):
		name = _need(p, "name")
		if not frappe.db.exists("User Permission", name):
			raise ValueError(f"There is no User Permission {name!r}.")
		return {"name": name}

	def target(self, p):
		return "User Permission", p["name"]

	def snapshot(self, p):
		row = frappe.db.get_value("User Permission", p["name"], list(UP_KEEP), as_dict=True)
		return {"exists": bool(row), "record": {k: row[k] for k in UP_KEEP} if row else None}

	def desired(self, p, before):
		return {"exists": False, "record": None}

	def describe(self, p):
		rec = frappe.db.get_value("User Permission", p["name"], ["user", "allow"], as_dict=True) or {}
		return f"Delete User Permission {p['name']} ({rec.get('allow')} rule of {rec.get('user')}); revert re-creates it."

	def apply(self, p, before):
		frappe.delete_doc("User Permission", p["name"], ignore_permissions=True)

	def revert(self, p, before, after):
		frappe.get_doc({"doctype": "User Permission", **before["record"]}).insert(ignore_permissions=True)


# the access fixes above, the maintenance actions (clear cache, trim logs, …) and the recovery actions
# (restore a document from a backup or from Deleted Document)
ACTIONS = Named(
	lambda a: a.name,
	what="fix",
	items=(
		EnableUser(),
		ResetLoginAttempts(),
		GrantPermission(),
		ShareDocument(),
		RemoveUserPermission(),
		*MAINTENANCE.values(),
		*RECOVERY_ACTIONS,
	),
)
