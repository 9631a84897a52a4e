"""Alerts after each scheduled health run: decided by observe.alerting (N consecutive runs, a repeat
interval, per site and per check), sent by email, desk notification and webhook, and every one recorded
as a Diagnostic Alert with how each channel took it."""

from __future__ import annotations

import json

import frappe
from frappe.utils import escape_html, get_url_to_form, now_datetime, time_diff_in_seconds

from frappe_diagnostics.engine.settings import DEFAULTS
from frappe_diagnostics.observe import webhook
from frappe_diagnostics.observe.alerting import (
	SITE,
	Decision,
	LastAlert,
	decide_all,
	headline,
	histories,
	lines,
)
from frappe_diagnostics.site.store import site_redactor


def after_scheduled_run(doc) -> list[str]:
	"""Decide and send the alerts the scheduled run `doc` calls for; returns the Diagnostic Alerts made."""
	rules = _rules()
	runs = _recent_runs(rules["need"])
	found = histories(runs, rules["per_check"])
	decisions = decide_all(found, _last_alerts(list(found)), rules["need"], rules["repeat_s"])
	if not decisions:
		return []
	summaries = {SITE: doc.summary, **{r.check_id: r.summary for r in doc.results}}
	redactor = site_redactor()
	title = redactor.text(headline(frappe.local.site, decisions))
	body = [redactor.text(line) for line in lines(decisions, summaries)]
	return deliver(decisions, doc, title, body, rules)


def deliver(
	decisions: list[Decision], doc, title: str, body: list[str], rules: dict | None = None
) -> list[str]:
	"""Send one alert (already decided and redacted) on every channel that is set up, and record one
	Diagnostic Alert per decision; returns their names. The health runs' alerts and the drill's use it."""
	channels = send(title, body, decisions, doc, rules or _rules())
	return [_record(d, doc, title, channels) for d in decisions]


def _rules() -> dict:
	s = frappe.db.get_singles_dict("Diagnostics Settings")
	return {
		"need": DEFAULTS["alert_consecutive_runs"].clamp(s.get("alert_consecutive_runs")),
		"repeat_s": 60 * DEFAULTS["alert_repeat_minutes"].clamp(s.get("alert_repeat_minutes")),
		"per_check": bool(int(s.get("alert_per_check") or 0)),
		"desk": bool(int(s.get("alert_desk_notification") or 0)),
		"format": s.get("alert_webhook_format") or DEFAULTS["alert_webhook_format"].value,
		"recipients": (s.get("alert_recipients") or "").split(),
	}


def _recent_runs(count: int) -> list[dict]:
	"""The latest `count` scheduled full health runs, newest first, with their results' statuses."""
	names = frappe.get_all(
		"Diagnostic Run",
		filters={"kind": "Health Check", "trigger": "Scheduler", "partial": 0},
		fields=["name", "status"],
		order_by="creation desc",
		limit=count,
	)
	rows = frappe.get_all(
		"Diagnostic Result",
		filters={"parenttype": "Diagnostic Run", "parent": ("in", [n.name for n in names] or [""])},
		fields=["parent", "check_id", "status"],
	)
	results: dict[str, dict[str, str]] = {n.name: {} for n in names}
	for row in rows:
		results[row.parent][row.check_id] = (row.status or "skipped").lower()
	return [{"status": (n.status or "skipped").lower(), "results": results[n.name]} for n in names]


def _last_alerts(subjects: list[str]) -> dict[str, LastAlert]:
	rows = frappe.get_all(
		"Diagnostic Alert",
		filters={"subject": ("in", subjects)},
		fields=["subject", "event", "status", "sent_on"],
		order_by="creation desc",
		limit=len(subjects) * 20,
	)
	now, last = now_datetime(), {}
	for row in rows:
		if row.subject not in last:
			age = time_diff_in_seconds(now, row.sent_on) if row.sent_on else float("inf")
			last[row.subject] = LastAlert(row.event, (row.status or "").lower(), age)
	return last


def send(title: str, body: list[str], decisions: list[Decision], doc, rules: dict) -> dict[str, str]:
	"""Every channel that is set up, each on its own: one failing never stops the others."""
	link = get_url_to_form("Diagnostic Run", doc.name)
	channels = {}
	if rules["recipients"]:
		channels["email"] = _email(rules["recipients"], title, body, link)
		if rules["desk"]:
			channels["desk"] = _desk(rules["recipients"], title, body, doc.name)
	url = _webhook_url()
	if url:
		data = webhook.payload(rules["format"], frappe.local.site, title, body, decisions, link)
		channels["webhook"] = f"{rules['format']}: {webhook.post(url, data)}"
	return channels


def _email(recipients: list[str], title: str, body: list[str], link: str) -> str:
	items = "".join(f"<li>{escape_html(line)}</li>" for line in body)
	try:
		frappe.sendmail(
			recipients=recipients,
			subject=title,
			message=f'<ul>{items}</ul><p><a href="{link}">{escape_html(link)}</a></p>',
			now=False,
		)
	except frappe.OutgoingEmailError:
		return "not sent: no outgoing Email Account is set up"
	return f"queued for {len(recipients)}"


def _desk(recipients: list[str], title: str, body: list[str], run: str) -> str:
	users = frappe.get_all("User", filters={"name": ("in", recipients), "enabled": 1}, pluck="name")
	for user in users:
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"type": "Alert",
				"document_type": "Diagnostic Run",
				"document_name": run,
				"subject": escape_html(title),
				"email_content": "<br>".join(escape_html(line) for line in body),
			}
		).insert(ignore_permissions=True)
	return f"{len(users)} user(s)"


def _webhook_url() -> str | None:
	from frappe.utils.password import get_decrypted_password

	return get_decrypted_password(
		"Diagnostics Settings", "Diagnostics Settings", "alert_webhook_url", raise_exception=False
	)


def _record(decision: Decision, doc, title: str, channels: dict) -> str:
	alert = frappe.get_doc(
		{
			"doctype": "Diagnostic Alert",
			"subject": decision.subject,
			"event": decision.event,
			"status": decision.status.capitalize() if decision.status != "ok" else "OK",
			"previous_status": decision.previous.capitalize() if decision.previous != "ok" else "OK",
			"sent_on": now_datetime(),
			"diagnostic_run": doc.name,
			"consecutive_runs": decision.held,
			"summary": title,
			"channels": json.dumps(channels, indent=1),
		}
	)
	alert.insert(ignore_permissions=True)
	return alert.name


def recent(limit: int = 20) -> list[dict]:
	"""The latest alerts sent, newest first: what the console shows."""
	fields = ["name", "subject", "event", "status", "previous_status", "sent_on", "diagnostic_run", "summary"]
	rows = frappe.get_all("Diagnostic Alert", fields=fields, order_by="creation desc", limit=limit)
	return [dict(r) for r in rows]
