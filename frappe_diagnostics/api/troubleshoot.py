"""Troubleshooters over REST: each runs, stores a Diagnostic Run of its kind and returns the diagnosis."""

import frappe
from frappe import _

from frappe_diagnostics.api import require_manager
from frappe_diagnostics.store import run_as_dict


def _run(name: str, trigger: str | None, **inputs) -> dict:
	from frappe_diagnostics.service import troubleshoot

	trigger = trigger if trigger in ("Desk", "API") else "API"
	try:
		diagnosis, doc = troubleshoot(name, trigger=trigger, **inputs)
	except (KeyError, ValueError) as e:
		frappe.throw(e.args[0], frappe.ValidationError, title=_("Cannot run the troubleshooter"))
	data = run_as_dict(doc)
	cause = diagnosis.likely_cause
	data.update(question=diagnosis.question, likely_cause=cause.check_id if cause else None)
	return data


@frappe.whitelist(methods=["POST"])
def startup(trigger=None) -> dict:
	"""Why won't this site start? (Run `frappe-diagnostics doctor` when the site cannot boot at all.)"""
	require_manager()
	return _run("startup", trigger)


@frappe.whitelist(methods=["POST"])
def database(doctype=None, table=None, trigger=None) -> dict:
	"""Connection tests, slow statements, integrity (Link fields of `doctype`; CHECK TABLE only on `table`)."""
	require_manager()
	return _run("database", trigger, doctype=doctype, table=table)


@frappe.whitelist(methods=["POST"])
def performance(hours=24, trigger=None) -> dict:
	"""System, database, cache and queue evidence; request-monitor timings over the last `hours`."""
	require_manager()
	return _run("performance", trigger, hours=hours)


@frappe.whitelist(methods=["POST"])
def explain(sql: str | None = None, trigger=None) -> dict:
	"""EXPLAIN one read-only SELECT (it never runs): plan steps with index suggestions."""
	require_manager()
	return _run("explain", trigger, sql=sql)


@frappe.whitelist(methods=["POST"])
def logs(since="24h", trigger=None) -> dict:
	"""The bench's logs in a time window ('30m', '24h', '7d' or a date): levels, sources, error groups."""
	require_manager()
	return _run("logs", trigger, since=since)


@frappe.whitelist(methods=["POST"])
def slowlog(since="24h", trigger=None) -> dict:
	"""The server's own slow query log (no other path is accepted over the API), digested."""
	require_manager()
	return _run("slowlog", trigger, since=since)
