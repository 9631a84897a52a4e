"""Application: active sessions and the Error Log rate, read from the site's database."""

from __future__ import annotations

from datetime import datetime, timedelta

from frappe_diagnostics.engine.probe import missing_table
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status, route

FRAPPE_DEFAULT_TZ = "Asia/Kolkata"  # frappe.utils.get_system_timezone() when System Settings names none


def site_now(probe) -> datetime:
	"""Now, as a naive datetime in the site's time zone (how Frappe stores creation times): Frappe's own
	default zone when System Settings names none, as Frappe writes its timestamps then."""
	tz_name = probe.site.time_zone
	if not tz_name:
		try:
			tz_name = probe.system_setting("time_zone")
		except Exception:
			tz_name = None
		tz_name = probe.site.time_zone = tz_name or FRAPPE_DEFAULT_TZ
	if tz_name:
		try:
			from zoneinfo import ZoneInfo

			return datetime.now(ZoneInfo(tz_name)).replace(tzinfo=None)
		except Exception:
			pass
	return datetime.now()


@check("application.sessions", title="Active sessions", tags=("application",), thresholds={"window_min": 30})
def sessions(probe):
	window = int(probe.threshold("window_min"))
	since = site_now(probe) - timedelta(minutes=window)
	try:
		count = probe.sql_value("SELECT COUNT(*) AS n FROM `tabSessions` WHERE lastupdate >= %s", (since,))
	except Exception as e:
		if missing_table(e):
			return probe.skipped(
				"This site keeps no tabSessions table (not a Frappe database, or sessions live elsewhere)."
			)
		raise
	users = probe.sql_value(
		"SELECT COUNT(DISTINCT user) AS n FROM `tabSessions` WHERE lastupdate >= %s", (since,)
	)
	return probe.ok(
		f"{count} active session(s) of {users} user(s) in the last {window} minutes.",
		metrics=[
			Metric("active_sessions", int(count), "sessions", headline=True),
			Metric("active_users", int(users), "users", headline=True),
		],
	)


@check(
	"application.error_log",
	title="Error Log rate",
	tags=("application", "errors"),
	thresholds={"per_hour_warning": 10, "per_hour_critical": 100},
)
def error_log(probe):
	since = site_now(probe) - timedelta(hours=1)
	try:
		# Frappe indexes Error Log on `modified` (never earlier than `creation`), and on `creation` only
		# once this app's patch ran: either index bounds the scan to the last hour on a site of any size
		rows = probe.sql(
			"SELECT COALESCE(method, '') AS method, COUNT(*) AS n FROM `tabError Log` "
			"WHERE modified >= %s AND creation >= %s GROUP BY method ORDER BY n DESC",
			(since, since),
		)
	except Exception as e:
		if missing_table(e):
			return probe.skipped("This database has no Error Log table.")
		raise
	total = sum(int(r["n"]) for r in rows)
	status = probe.graded(total, probe.threshold("per_hour_warning"), probe.threshold("per_hour_critical"))
	metrics = [
		Metric("errors_last_hour", total, "errors", headline=True),
		Metric("distinct_sources", len(rows), "sources"),
	]
	summary = f"{total} error(s) logged in the last hour" + (f" from {len(rows)} source(s)." if rows else ".")
	if status is Status.OK:
		return probe.ok(summary, metrics=metrics)
	top = {(r["method"] or "(no method)")[:140]: int(r["n"]) for r in rows[:5]}
	return probe.result(
		status,
		summary,
		metrics=metrics,
		findings=[Finding("Errors are being logged often", {"top_sources": top})],
		fixes=[
			Fix(
				"Open the Error Groups (each kind of error once, most frequent first), read the traceback "
				"and fix its cause.",
				link=route("error-group", status="Open"),
			)
		],
	)
