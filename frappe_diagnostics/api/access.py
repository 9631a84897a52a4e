"""Login and permission troubleshooters, and fixes applied on purpose, over REST. System Manager only.

Fixes take two calls: `plan_fix` (a dry run: what would change, and a `confirmation`), then `apply_fix`
with the same action and that confirmation. Both are POST; every applied fix is a Diagnostic Fix Log.
"""

import frappe
from frappe import _

from frappe_diagnostics.api import require_manager
from frappe_diagnostics.store import run_as_dict


def _trigger(trigger) -> str:
	return trigger if trigger in ("Desk", "API") else "API"


def _attempt(title: str, fn, *args, **kwargs):
	"""Run `fn`; bad input and refused fixes become a ValidationError (HTTP 417) with their message."""
	from frappe_diagnostics.access.tokens import FixRefused

	try:
		return fn(*args, **kwargs)
	except (ValueError, FixRefused) as e:
		message = str(e.args[0] if e.args else e)
	frappe.throw(message, frappe.ValidationError, title=title)


def _answer(diagnosis, doc) -> dict:
	data = run_as_dict(doc)
	cause = diagnosis.likely_cause
	data.update(
		question=diagnosis.question, verdict=diagnosis.verdict, likely_cause=cause.check_id if cause else None
	)
	return data


@frappe.whitelist(methods=["POST"])
def why_no_login(user: str | None = None, ip: str | None = None, trigger: str | None = None) -> dict:
	"""Why can't `user` (email or user name) log in, optionally from `ip`? Stored as a Login run."""
	require_manager()
	from frappe_diagnostics.access.service import why_no_login as run

	title = _("Cannot run the login troubleshooter")
	return _answer(*_attempt(title, run, user, ip=ip, trigger=_trigger(trigger)))


@frappe.whitelist(methods=["POST"])
def why_denied(
	user: str | None = None,
	doctype: str | None = None,
	name: str | None = None,
	ptype: str = "read",
	trigger: str | None = None,
) -> dict:
	"""Why can't `user` <ptype> `doctype` (document `name`), or see it in the list? Stored as a Permission run."""
	require_manager()
	from frappe_diagnostics.access.service import why_denied as run

	title = _("Cannot run the permission troubleshooter")
	return _answer(*_attempt(title, run, user, doctype, name=name, ptype=ptype, trigger=_trigger(trigger)))


@frappe.whitelist(methods=["POST"])
def plan_fix(action: str | None = None) -> dict:
	"""Dry run: what `action` would change (before/after), and the confirmation that apply_fix needs."""
	require_manager()
	from frappe_diagnostics.access import fixes

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
	from frappe_diagnostics.access import fixes

	return _attempt(
		_("Fix not applied"), fixes.apply, action, confirmation, trigger=_trigger(trigger), run=run
	)


@frappe.whitelist(methods=["GET"])
def fix_log(limit=20) -> list:
	"""The latest applied, failed and reverted fixes, newest first."""
	require_manager()
	from frappe_diagnostics.access.audit import as_dict

	limit = min(max(frappe.utils.cint(limit) or 20, 1), 200)
	names = frappe.get_all("Diagnostic Fix Log", pluck="name", order_by="creation desc", limit=limit)
	return [as_dict(frappe.get_doc("Diagnostic Fix Log", n)) for n in names]
