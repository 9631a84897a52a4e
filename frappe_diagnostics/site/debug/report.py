"""The evidence of a debug session's window, gathered in the site (the Recorder's requests and queries,
the monitor log, the Error Logs and their Error Groups), then judged by troubleshooters.debug_report."""

from __future__ import annotations

from datetime import datetime
from http.cookies import CookieError, SimpleCookie
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import frappe
from frappe.utils import get_bench_path, get_system_timezone

from frappe_diagnostics.observe.debugsession import DebugSession
from frappe_diagnostics.troubleshooters.debug_report import Evidence, debug_report

MAX_ERROR_LOGS = 2000


def build_report(session: DebugSession, ended: float, reason: str):
	evidence = Evidence(
		site=frappe.local.site,
		session=session,
		ended=ended,
		reason=reason,
		requests=recorded_requests(session, ended) if "recorder" in session.instruments else None,
		monitor=monitor_stats(session, ended) if "monitor" in session.instruments else None,
		errors=errors_in_window(session, ended),
	)
	return debug_report(evidence, explain=_explainer())


def _local(epoch: float) -> datetime:
	return datetime.fromtimestamp(epoch, ZoneInfo(get_system_timezone())).replace(tzinfo=None)


def recorded_requests(session: DebugSession, ended: float) -> list[dict]:
	"""The Recorder's requests in the window (and of the session's user, when it has one)."""
	from frappe.recorder import RECORDER_REQUEST_HASH

	zone = ZoneInfo(get_system_timezone())
	found = []
	for request in frappe.cache.hgetall(RECORDER_REQUEST_HASH).values():
		when = request.get("time")
		epoch = when.replace(tzinfo=zone).timestamp() if isinstance(when, datetime) else None
		if epoch is None or not session.started <= epoch <= ended:
			continue
		if session.user and _cookie_user(request.get("headers") or {}) != session.user:
			continue
		found.append(
			{
				"path": request.get("path") or "",
				"method": request.get("method") or "",
				"duration_ms": float(request.get("duration") or 0),
				"queries": [
					{"query": c.get("query") or "", "duration_ms": float(c.get("duration") or 0)}
					for c in request.get("calls") or ()
				],
			}
		)
	return found


def _cookie_user(headers: dict) -> str | None:
	try:
		cookie = SimpleCookie(headers.get("Cookie") or "")
	except CookieError:
		return None
	return unquote(cookie["user_id"].value) if "user_id" in cookie else None


def monitor_stats(session: DebugSession, ended: float):
	from frappe.monitor import flush

	from frappe_diagnostics.knowledge.monitorlog import monitor_stats as read

	flush()  # the monitor keeps entries in Redis until its scheduled flush; the report needs them now
	path = f"{get_bench_path()}/logs/monitor.json.log"
	return read(path, since=session.started, until=ended, site=frappe.local.site)


def errors_in_window(session: DebugSession, ended: float) -> list[dict]:
	"""Error Logs created in the window, grouped by their Error Group (knowledge/errorgroups.py's key)."""
	from frappe_diagnostics.knowledge.errorgroups import fingerprint

	rows = frappe.get_all(
		"Error Log",
		filters={"creation": ("between", [_local(session.started), _local(ended)])},
		fields=["error", "method"],
		limit=MAX_ERROR_LOGS,
	)
	groups: dict[str, dict] = {}
	for row in rows:
		fp = fingerprint(row.error or row.method or "", frappe.local.site)
		key = fp.key
		entry = groups.setdefault(key, {"count": 0, "title": f"{fp.exception_type}: {fp.normalized_message}"})
		entry["count"] += 1
	names = dict(
		frappe.get_all(
			"Error Group",
			filters={"fingerprint": ("in", list(groups) or [""])},
			fields=["fingerprint", "name"],
			as_list=True,
		)
	)
	return [{**entry, "group": names.get(key)} for key, entry in groups.items()]


def _explainer():
	"""EXPLAIN through the query analyser on the site's own connection; None for what its gate refuses."""
	from frappe_diagnostics.site.service import site_context
	from frappe_diagnostics.troubleshooters.query import diagnose_query
	from frappe_diagnostics.troubleshooters.sql_guard import QueryRejected

	ctx = site_context()

	def explain(sql: str):
		try:
			return diagnose_query(ctx, sql, timeout_s=2.0)
		except (QueryRejected, ValueError):
			return None

	return explain
