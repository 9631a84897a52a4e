"""Login and permission troubleshooters, and fixes applied on purpose, over REST. System Manager only.

Fixes take two calls: `plan_fix` (a dry run: what would change, and a `confirmation`), then `apply_fix`
with the same action and that confirmation. Both are POST; every applied fix is a Diagnostic Fix Log.
"""

import frappe
from frappe import _

from frappe_diagnostics.api import bounded, publish, require_manager, trigger_of

METHODS = publish(globals(), __name__)  # why_no_login, why_denied (generated from the catalog)


def _attempt(title: str, fn, *args, **kwargs):
	"""Run `fn`; bad input and refused fixes become a ValidationError (HTTP 417) with their message."""
	from frappe_diagnostics.site.fixes.tokens import FixRefused

	try:
		return fn(*args, **kwargs)
	except (ValueError, FixRefused) as e:
		message = str(e.args[0] if e.args else e)
	frappe.throw(message, frappe.ValidationError, title=title)


@frappe.whitelist(methods=["POST"])
def plan_fix(action: str | None = None) -> dict:
	"""Dry run: what `action` would change (before/after), and the confirmation that apply_fix needs."""
	require_manager()
	from frappe_diagnostics.site import fixes

	return _attempt(_("Cannot plan this fix"), fixes.dry_run, action)


@frappe.whitelist(methods=["POST"])
def apply_fix(
	action: str | None = None,
	confirmation: str | None = None,
	run: str | None = None,
	trigger: str | None = None,
) -> dict:
	"""Apply `action` as its dry run showed it; `confirmation` from plan_fix. Returns the Diagnostic Fix Log."""
	require_manager()
	from frappe_diagnostics.site import fixes

	return _attempt(
		_("Fix not applied"), fixes.apply, action, confirmation, trigger=trigger_of(trigger), run=run
	)


@frappe.whitelist(methods=["GET"])
def fix_log(limit: int | None = 20) -> list:
	"""The latest applied, failed and reverted fixes, newest first."""
	require_manager()
	from frappe_diagnostics.site.fixes.audit import as_dict

	limit = bounded(limit, 20, high=200)
	names = frappe.get_all("Diagnostic Fix Log", pluck="name", order_by="creation desc", limit=limit)
	return [as_dict(frappe.get_doc("Diagnostic Fix Log", n)) for n in names]
