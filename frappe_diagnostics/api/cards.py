"""Number-card values for the Diagnostics workspace (Custom number cards call these with `filters`)."""

import frappe
from frappe.utils import add_to_date, now_datetime

from frappe_diagnostics.api import require_manager


def _last_health_run():
	"""The same latest full run the console shows (store.latest_run): one truth on every screen."""
	from frappe_diagnostics.site.store import latest_run

	return latest_run("Health Check")


@frappe.whitelist(methods=["GET", "POST"])  # number cards call by POST
def last_run_status(filters=None) -> str:
	require_manager()
	last = _last_health_run()
	return last.status if last else frappe._("No run yet")


@frappe.whitelist(methods=["GET", "POST"])  # number cards call by POST
def failing_checks(filters=None) -> dict:
	require_manager()
	last = _last_health_run()
	value = (last.checks_failing or 0) if last else 0
	route = ["Form", "Diagnostic Run", last.name] if last else ["List", "Diagnostic Run"]
	return {"value": value, "fieldtype": "Int", "route": route}


@frappe.whitelist(methods=["GET", "POST"])  # number cards call by POST
def runs_last_24h(filters=None) -> dict:
	require_manager()
	since = add_to_date(now_datetime(), hours=-24)
	count = frappe.db.count("Diagnostic Run", {"creation": (">=", since)})
	return {"value": count, "fieldtype": "Int", "route": ["List", "Diagnostic Run"]}


STATUS_ORDER = ("OK", "Warning", "Critical", "Error", "Skipped")


@frappe.whitelist(methods=["GET", "POST"])  # dashboard charts call by POST
def runs_by_status(chart_name=None, filters=None, **kwargs) -> dict:
	"""Runs of the last 30 days per status, in a fixed order so the chart's fixed colours match."""
	require_manager()
	since = add_to_date(now_datetime(), days=-30)
	rows = frappe.get_all(
		"Diagnostic Run",
		filters={"creation": (">=", since)},
		fields=["status", "count(name) as n"],
		group_by="status",
	)
	counts = {r.status: r.n for r in rows}
	return {
		"labels": [frappe._(s) for s in STATUS_ORDER],
		"datasets": [{"name": frappe._("Runs"), "values": [counts.get(s, 0) for s in STATUS_ORDER]}],
	}
