"""Number-card values for the Diagnostics workspace (Custom number cards call these with `filters`).

Every card reads the same latest full run as the console (store.latest_run) and returns, besides its
value, an `indicator` (the desk's colour names) so a card is coloured by status like every other screen
(public/js/diagnostics.js paints it). `check_status` serves one card per check id: a card for a new check
is one Number Card JSON with `filters_json` {"check_id": "<id>"}.
"""

import json

import frappe
from frappe import _
from frappe.utils import add_to_date, now_datetime

from frappe_diagnostics.api import require_manager
from frappe_diagnostics.engine.result import STATUS_ORDER

INDICATOR = {"OK": "green", "Warning": "orange", "Critical": "red", "Error": "purple", "Skipped": "gray"}
CONSOLE = ["diagnostics-console"]


def _last_health_run():
	"""The same latest full run the console shows (store.latest_run): one truth on every screen."""
	from frappe_diagnostics.site.store import latest_run

	return latest_run("Health Check")


def _status_card(status: str | None, route: list, missing: str) -> dict:
	if not status:
		return {"value": missing, "fieldtype": "Data", "indicator": "gray", "route": route}
	return {
		"value": _(status),
		"fieldtype": "Data",
		"indicator": INDICATOR.get(status, "gray"),
		"route": route,
	}


@frappe.whitelist(methods=["GET", "POST"])  # number cards call by POST
def last_run_status(filters=None) -> dict:
	require_manager()
	last = _last_health_run()
	return _status_card(last.status if last else None, CONSOLE, _("No run yet"))


@frappe.whitelist(methods=["GET", "POST"])  # number cards call by POST
def failing_checks(filters=None) -> dict:
	require_manager()
	last = _last_health_run()
	value = (last.checks_failing or 0) if last else 0
	route = ["Form", "Diagnostic Run", last.name] if last else ["List", "Diagnostic Run"]
	indicator = "gray" if not last else INDICATOR.get(last.status, "gray") if value else "green"
	return {"value": value, "fieldtype": "Int", "indicator": indicator, "route": route}


@frappe.whitelist(methods=["GET", "POST"])  # number cards call by POST
def runs_last_24h(filters=None) -> dict:
	require_manager()
	since = add_to_date(now_datetime(), hours=-24)
	count = frappe.db.count("Diagnostic Run", {"creation": (">=", since)})
	return {"value": count, "fieldtype": "Int", "indicator": "blue", "route": ["List", "Diagnostic Run"]}


@frappe.whitelist(methods=["GET", "POST"])  # number cards call by POST
def check_status(filters=None) -> dict:
	"""One check's status in the latest full run; `filters` names it: {"check_id": "web.realtime"}."""
	require_manager()
	check_id = check_id_of(filters)
	last = _last_health_run()
	row = next((r for r in last.results if r.check_id == check_id), None) if last else None
	if row is None:
		return _status_card(None, CONSOLE, _("Not checked yet"))
	return _status_card(row.status, ["Form", "Diagnostic Run", last.name], "")


def check_id_of(filters) -> str:
	"""The check id from a card's filters: {"check_id": …} or Frappe's [[doctype, "check_id", "=", …]]."""
	if isinstance(filters, str):
		try:
			filters = json.loads(filters or "{}")
		except ValueError:
			filters = {}
	if isinstance(filters, dict):
		return str(filters.get("check_id") or "")
	for row in filters or []:
		if isinstance(row, list | tuple) and len(row) >= 4 and row[1] == "check_id":
			return str(row[3])
	return ""


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
		"labels": [_(s.label) for s in STATUS_ORDER],
		"datasets": [{"name": _("Runs"), "values": [counts.get(s.label, 0) for s in STATUS_ORDER]}],
	}
