"""Whitelisted methods: thin, System Manager only, POST for anything that changes state."""

import json

import frappe
from frappe import _

ROLE = "System Manager"


def require_manager() -> None:
	frappe.only_for(ROLE)


def as_list(value) -> list[str]:
	"""Accept a list, a JSON list or a comma-separated string from a request."""
	if not value:
		return []
	if isinstance(value, str):
		value = value.strip()
		if value.startswith("["):
			try:
				value = json.loads(value)
			except ValueError:
				frappe.throw(_("Could not read {0} as a JSON list.").format(value), frappe.ValidationError)
		else:
			value = value.split(",")
	if not isinstance(value, list | tuple):
		frappe.throw(
			_("Expected a list of names, got {0}.").format(type(value).__name__), frappe.ValidationError
		)
	return [str(v).strip() for v in value if str(v).strip()]
