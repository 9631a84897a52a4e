"""Email: the Email Queue (counts by status, the oldest unsent, errors grouped) and whether anything can send
it (a default outgoing account, mail not muted). Read with SQL: works with the site down."""

from __future__ import annotations

from datetime import timedelta

from frappe_diagnostics.checks.application import site_now
from frappe_diagnostics.checks.job_failures import exception_line
from frappe_diagnostics.engine.probe import missing_table
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status, route
from frappe_diagnostics.engine.shell import bench


def queue_state(probe, error_hours: float = 24) -> dict:
	counts = {
		r["status"]: int(r["n"])
		for r in probe.sql("SELECT status, COUNT(*) AS n FROM `tabEmail Queue` GROUP BY status")
	}
	oldest = probe.sql_value("SELECT MIN(creation) FROM `tabEmail Queue` WHERE status = 'Not Sent'")
	sending = probe.sql_value("SELECT MIN(modified) FROM `tabEmail Queue` WHERE status = 'Sending'")
	now = site_now(probe)
	errors = probe.sql(
		"SELECT error FROM `tabEmail Queue` WHERE status = 'Error' AND modified >= %s ORDER BY modified DESC LIMIT 500",
		(now - timedelta(hours=error_hours),),
	)
	grouped: dict[str, int] = {}
	for row in errors:
		key = exception_line(row["error"])
		grouped[key] = grouped.get(key, 0) + 1
	accounts = probe.sql(
		"SELECT name, email_id, enable_outgoing, default_outgoing FROM `tabEmail Account` WHERE default_outgoing = 1 OR enable_outgoing = 1"
	)
	return {
		"counts": counts,
		"oldest_unsent_s": (now - oldest).total_seconds() if oldest else None,
		"sending_since_s": (now - sending).total_seconds() if sending else None,
		"errors": dict(sorted(grouped.items(), key=lambda kv: -kv[1])[:10]),
		"default_outgoing": [a["name"] for a in accounts if a["default_outgoing"] and a["enable_outgoing"]],
		"outgoing": [a["name"] for a in accounts if a["enable_outgoing"]],
		"muted": bool(int(probe.site.conf.get("mute_emails") or 0)),
	}


@check(
	"email.queue",
	title="Email queue",
	tags=("email",),
	thresholds={"oldest_warning_s": 900, "oldest_critical_s": 7200, "errors_warning": 1},
)
def email_queue(probe):
	try:
		state = queue_state(probe)
	except Exception as e:
		if missing_table(e):
			return probe.skipped("This database has no Email Queue or Email Account table.")
		raise
	counts, site = state["counts"], probe.site.name
	unsent = counts.get("Not Sent", 0)
	metrics = [
		Metric(status.lower().replace(" ", "_"), n, "emails", headline=status in ("Not Sent", "Error"))
		for status, n in sorted(counts.items())
	]
	metrics.append(Metric("oldest_unsent", round(state["oldest_unsent_s"] or 0), "s", headline=True))
	findings, fixes, statuses = [], [], [Status.OK]
	if state["muted"]:
		findings.append(Finding("mute_emails is set: Frappe sends nothing", {"mute_emails": 1}))
		fixes.append(Fix("Unmute email.", command=bench(site, "set-config", "mute_emails", "0")))
		statuses.append(Status.WARNING)
	if not state["default_outgoing"]:
		findings.append(
			Finding("No enabled default outgoing Email Account", {"outgoing_accounts": state["outgoing"]})
		)
		fixes.append(
			Fix(
				"Create or enable an Email Account with Enable Outgoing and Default Outgoing.",
				link=route("email-account"),
			)
		)
		statuses.append(Status.CRITICAL if unsent else Status.WARNING)
	if state["oldest_unsent_s"] is not None:
		statuses.append(
			probe.graded(
				state["oldest_unsent_s"],
				probe.threshold("oldest_warning_s"),
				probe.threshold("oldest_critical_s"),
			)
		)
		if statuses[-1] is not Status.OK:
			findings.append(
				Finding(
					f"{unsent} email(s) not sent; the oldest waits {state['oldest_unsent_s'] / 60:.0f} min",
					{},
					link=route("email-queue", status="Not Sent"),
				)
			)
			fixes.append(
				Fix("Find out why they are not going out.", command=bench(site, "diagnostics", "email"))
			)
	stuck = _stuck_sending(probe, state)
	if stuck:
		findings.append(stuck[0])
		fixes.append(stuck[1])
		statuses.append(stuck[2])
	if sum(state["errors"].values()) >= probe.threshold("errors_warning"):
		findings.append(
			Finding(
				"Sending errors in the last 24 h", state["errors"], link=route("email-queue", status="Error")
			)
		)
		statuses.append(Status.WARNING)
	status = max(statuses, key=lambda s: s.rank)
	oldest = f"; the oldest waits {state['oldest_unsent_s'] / 60:.0f} min" if state["oldest_unsent_s"] else ""
	summary = f"Email Queue: {unsent} not sent, {counts.get('Error', 0)} error(s), {counts.get('Sent', 0)} sent{oldest}."
	if stuck:
		summary = f"{stuck[0].message}. {summary}"
	if state["muted"]:
		summary += " mute_emails is on."
	elif not state["default_outgoing"]:
		summary += " No default outgoing account."
	return probe.result(status, summary, metrics, findings, fixes)


def _stuck_sending(probe, state: dict):
	"""Emails left in "Sending": the job that picked them up died (worker killed, timed out); nothing retries
	them. (finding, fix, status) when the oldest has been sending longer than the thresholds allow."""
	since = state["sending_since_s"]
	if since is None:
		return None
	status = probe.graded(since, probe.threshold("oldest_warning_s"), probe.threshold("oldest_critical_s"))
	if status is Status.OK:
		return None
	count = state["counts"].get("Sending", 0)
	finding = Finding(
		f"{count} email(s) stuck in Sending for {since / 3600:.1f} h",
		{"sending": count, "oldest_sending_s": round(since)},
		link=route("email-queue", status="Sending"),
	)
	fix = Fix(
		"Their sending job died mid-way (a worker killed or timed out): read the worker log, then set them "
		"back to Not Sent in the Email Queue list so the next flush sends them (one may go out twice).",
		link=route("email-queue", status="Sending"),
	)
	return finding, fix, status
