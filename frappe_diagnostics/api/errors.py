"""Error groups and the error knowledge base over REST."""

import frappe
from frappe import _

from frappe_diagnostics.api import require_manager

STATUSES = ("Open", "Ignored", "Resolved")


@frappe.whitelist(methods=["GET"])
def groups(status=None, limit=50) -> list[dict]:
	"""Error groups, most frequent first, with their matched solution."""
	require_manager()
	filters = {"status": status} if status else {}
	if status and status not in STATUSES:
		frappe.throw(_("Status must be one of {0}.").format(", ".join(STATUSES)))
	return frappe.get_all(
		"Error Group",
		filters=filters,
		fields=[
			"name",
			"title",
			"status",
			"count",
			"first_occurrence",
			"last_occurrence",
			"solution",
			"match_reason",
			"method",
		],
		order_by="count desc",
		limit=max(1, min(int(limit), 500)),
	)


@frappe.whitelist(methods=["POST"])
def set_status(name=None, status=None) -> dict:
	"""Mark a group Open, Ignored or Resolved (a resolved group that reappears is reopened)."""
	require_manager()
	if status not in STATUSES:
		frappe.throw(_("Status must be one of {0}.").format(", ".join(STATUSES)))
	if not name or not frappe.db.exists("Error Group", name):
		frappe.throw(_("There is no Error Group {0}.").format(name or ""), frappe.DoesNotExistError)
	doc = frappe.get_doc("Error Group", name)
	doc.status = status
	doc.save()
	return {"name": doc.name, "status": doc.status}


@frappe.whitelist(methods=["POST"])
def match(text=None, limit=3) -> list[dict]:
	"""The best solutions for a message or a whole traceback, with the reason each matched."""
	require_manager()
	from frappe_diagnostics.errors.seed import solutions_from_records
	from frappe_diagnostics.knowledge.solutions import match as match_solutions

	if not text or not str(text).strip():
		frappe.throw(_("Paste an error message or a traceback to match."))
	found = match_solutions(str(text), solutions_from_records(), limit=max(1, min(int(limit), 10)))
	out = []
	for m in found:
		name = frappe.db.get_value(
			"Error Solution", {"solution_id": m.solution_id}, ["name", "title"], as_dict=True
		)
		out.append(
			{
				"solution": name.name if name else m.solution_id,
				"title": name.title if name else "",
				"score": m.score,
				"reason": m.reason,
			}
		)
	return out


@frappe.whitelist(methods=["POST"])
def group_now() -> dict:
	"""Group the Error Logs not yet grouped (bounded; the back-fill command handles any size)."""
	require_manager()
	from frappe_diagnostics.errors.grouping import pending_count, process_error_logs

	done = process_error_logs(max_batches=10)
	return {"processed": done, "pending": pending_count()}
