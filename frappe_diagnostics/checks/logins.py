"""Logins: failed logins and lockouts in the last hour, read from the Activity Log (works with the site down)."""

from __future__ import annotations

from datetime import timedelta

from frappe_diagnostics.checks.application import site_now
from frappe_diagnostics.engine.probe import missing_table
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status, route
from frappe_diagnostics.engine.shell import bench


@check(
	"security.login_lockouts",
	title="Failed logins and lockouts",
	tags=("security", "application"),
	thresholds={"failures_warning": 30},
)
def login_lockouts(probe):
	since = site_now(probe) - timedelta(hours=1)
	try:
		rows = probe.sql(
			"SELECT user, COUNT(*) AS n FROM `tabActivity Log` WHERE operation = 'Login' AND status = 'Failed' "
			"AND creation >= %s GROUP BY user ORDER BY n DESC LIMIT 20",
			(since,),
		)
	except Exception as e:
		if missing_table(e):
			return probe.skipped("This database has no Activity Log table.")
		raise
	tracked = str(probe.system_setting("allow_consecutive_login_attempts") or "0").strip()
	limit = int(tracked) if tracked.isdigit() else 0
	failures = {r["user"]: int(r["n"]) for r in rows}
	locked = [user for user, n in failures.items() if limit and n > limit]
	total = sum(failures.values())
	metrics = [
		Metric("failed_logins_last_hour", total, "attempts", headline=True),
		Metric("locked_users", len(locked), "users", headline=True),
	]
	if locked:
		summary = (
			f"{len(locked)} user(s) locked out after more than {limit} failed logins in the last hour: "
			f"{', '.join(locked[:5])}."
		)
		fixes = [
			Fix(
				"Ask why the logins fail (a wrong saved password, a script, an attack); the lock lifts after "
				"System Settings' Allow Login After Fail; check one user in full:",
				command=bench(probe.site.name, "diagnostics", "why-no-login", "--user", locked[0]),
			)
		]
		finding = Finding("Users locked out", {u: failures[u] for u in locked[:10]}, route("activity-log"))
		return probe.result(Status.WARNING, summary, metrics, [finding], fixes)
	if total >= probe.threshold("failures_warning"):
		summary = f"{total} failed logins in the last hour (most: {rows[0]['user']}, {rows[0]['n']})."
		finding = Finding("Failed logins by user", dict(list(failures.items())[:10]), route("activity-log"))
		return probe.result(Status.WARNING, summary, metrics, [finding])
	return probe.ok(f"{total} failed login(s) in the last hour; nobody is locked out.", metrics=metrics)
