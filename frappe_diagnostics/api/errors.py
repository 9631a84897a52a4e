"""Error groups and the error knowledge base over REST."""

import frappe
from frappe import _

from frappe_diagnostics.api import bounded, require_manager


@frappe.whitelist(methods=["GET"])
def groups(status: str | None = None, since: str | None = None, limit: int | None = 50) -> list[dict]:
	"""Error groups, most frequent first, with their matched solution (`since`: 30m, 24h, 7d or a date)."""
	require_manager()
	from frappe_diagnostics.site.errorlog import list_groups

	try:
		return list_groups(status=status, since=since, limit=bounded(limit, 50))
	except ValueError as e:
		frappe.throw(str(e), frappe.ValidationError, title=_("Cannot list error groups"))


@frappe.whitelist(methods=["POST"])
def set_status(name: str | None = None, status: str | None = None) -> dict:
	"""Mark a group (`name`) Open, Ignored or Resolved (a resolved group that reappears is reopened)."""
	require_manager()
	from frappe_diagnostics.site.errorlog import STATUSES

	if status not in STATUSES:
		frappe.throw(_("Status must be one of {0}.").format(", ".join(STATUSES)))
	if not name or not frappe.db.exists("Error Group", name):
		frappe.throw(_("There is no Error Group {0}.").format(name or ""), frappe.DoesNotExistError)
	doc = frappe.get_doc("Error Group", name)
	doc.status = status
	doc.save()
	return {"name": doc.name, "status": doc.status}


@frappe.whitelist(methods=["POST"])
def match(text: str | None = None, limit: int | None = 3) -> list[dict]:
	"""The best solutions for a message or a whole traceback, with the reason each matched."""
	require_manager()
	from frappe_diagnostics.site.seed import match_records

	if not text or not str(text).strip():
		frappe.throw(_("Paste an error message or a traceback to match."))
	return match_records(str(text), limit=bounded(limit, 3, high=10))


@frappe.whitelist(methods=["POST"])
def group_now() -> dict:
	"""Group the Error Logs not yet grouped (bounded; the back-fill command handles any size)."""
	require_manager()
	from frappe_diagnostics.site.errorlog import pending_count, process_error_logs

	done = process_error_logs(max_batches=10)
	return {"processed": done, "pending": pending_count()}
