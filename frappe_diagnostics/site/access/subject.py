"""What a permission question is about: the user, their roles, the DocType, the permission type, the document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import frappe
from frappe import _
from frappe.permissions import AUTOMATIC_ROLES, rights

PTYPES = rights
# permission types a DocShare can grant (email and print ride on read), as frappe.permissions.has_permission
SHARE_RIGHT = {"read": "read", "select": "read", "email": "read", "print": "read"} | {
	p: p for p in ("write", "submit", "share")
}


@dataclass
class Subject:
	user: str
	doctype: str
	ptype: str
	name: str | None
	meta: Any
	roles: list[str]
	doc: Any = None

	@property
	def is_owner(self) -> bool:
		return bool(self.doc) and (self.doc.get("owner") or "").lower() == self.user.lower()

	@property
	def own_roles(self) -> list[str]:
		"""The roles given to the user (not the automatic All / Guest / Desk User)."""
		return sorted(r for r in self.roles if r not in AUTOMATIC_ROLES)

	@property
	def share_right(self) -> str | None:
		return SHARE_RIGHT.get(self.ptype)

	@property
	def target(self) -> str:
		return f"{self.doctype} {self.name}" if self.name else self.doctype


def validate(user: str, doctype: str, name: str | None, ptype: str) -> tuple[str, str, str | None, str]:
	"""Clean the inputs; ValueError (bad usage) with a readable message."""
	user, doctype = (user or "").strip(), (doctype or "").strip()
	name = (str(name).strip() if name is not None else "") or None
	ptype = (ptype or "read").strip().lower()
	if not user:
		raise ValueError(_("Name the user: an email address or user name (--user)."))
	if not doctype:
		raise ValueError(_("Name the DocType (--doctype)."))
	if ptype not in PTYPES:
		raise ValueError(
			_("Unknown permission type {0}; use one of: {1}.").format(repr(ptype), ", ".join(PTYPES))
		)
	if not frappe.db.exists("DocType", doctype):
		raise ValueError(_("There is no DocType {0}.").format(repr(doctype)))
	if frappe.get_meta(doctype).istable:
		parents = frappe.get_all(
			"DocField",
			filters={"options": doctype, "fieldtype": ["in", ["Table", "Table MultiSelect"]]},
			pluck="parent",
		)
		hint = _(" (it belongs to {0})").format(", ".join(sorted(set(parents))[:5])) if parents else ""
		raise ValueError(
			_(
				"{0} is a child table: its rows follow their parent's permissions; ask about the parent{1}."
			).format(doctype, hint)
		)
	return user, doctype, name, ptype


LOGIN_FIELDS = ("name", "email", "username", "mobile_no")  # how Frappe's login finds a user, in order


def find_user(text: str, fields: tuple[str, ...] = ("name", "email")) -> tuple[str | None, str]:
	"""(the User's name, the field that matched) for a name, email or, when asked, user name or mobile."""
	for field in fields:
		name = frappe.db.get_value("User", {field: text}, "name")
		if name:
			return name, field
	return None, ""
