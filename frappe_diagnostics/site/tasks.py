"""Scheduled jobs: periodic health runs (never two at once for a site) and retention clean-up."""

from __future__ import annotations

import os

import frappe
from frappe.utils import add_to_date, now_datetime, time_diff_in_seconds

FREQUENCY_MINUTES = {
	"Every 5 Minutes": 5,
	"Every 15 Minutes": 15,
	"Hourly": 60,
	"Every 6 Hours": 360,
	"Daily": 1440,
}
LOCK_NAME = "frappe_diagnostics_health_run"


def scheduled_health_run() -> str:
	"""Run when Diagnostics Settings say one is due; returns what it did (for logs and tests)."""
	settings = frappe.get_single("Diagnostics Settings")
	if not settings.enable_scheduled_runs:
		return "disabled"
	if not is_due(settings.frequency):
		return "not due"
	return run_exclusively()


def is_due(frequency: str) -> bool:
	minutes = FREQUENCY_MINUTES.get(frequency or "Hourly", 60)
	last = frappe.db.get_value(
		"Diagnostic Run",
		{"trigger": "Scheduler", "kind": "Health Check"},
		"creation",
		order_by="creation desc",
	)
	# the cron fires every 5 minutes; a minute of slack keeps "every 5 minutes" from skipping beats
	return not last or time_diff_in_seconds(now_datetime(), last) >= (minutes - 1) * 60


def run_exclusively() -> str:
	from filelock import FileLock, Timeout

	from frappe_diagnostics.site.service import run_health

	lock_path = frappe.get_site_path("locks", f"{LOCK_NAME}.lock")
	os.makedirs(os.path.dirname(lock_path), exist_ok=True)
	try:
		with FileLock(lock_path, timeout=0):
			previous = last_scheduled_status()
			_run, doc = run_health(trigger="Scheduler")
			notify_status_change(previous, doc)
	except Timeout:
		return "already running"
	return "ran"


def last_scheduled_status() -> str | None:
	return frappe.db.get_value(
		"Diagnostic Run", {"trigger": "Scheduler", "kind": "Health Check"}, "status", order_by="creation desc"
	)


def notify_status_change(previous: str | None, doc) -> bool:
	"""Email the alert recipients when the status changed (worse, or recovered); True if sent."""
	recipients = (frappe.db.get_single_value("Diagnostics Settings", "alert_recipients") or "").split()
	if not recipients or previous is None or previous == doc.status or doc.status == "Skipped":
		return False
	from frappe.utils import get_url_to_form

	from frappe_diagnostics.site.store import site_redactor

	failing = [r for r in doc.results if r.status in ("Warning", "Critical", "Error")]
	rows = "".join(
		f"<li><b>{r.status}</b> {r.check_id}: {frappe.utils.escape_html(r.summary)}</li>" for r in failing
	)
	try:
		frappe.sendmail(
			recipients=recipients,
			subject=f"[{frappe.local.site}] health {previous} → {doc.status}",
			message=site_redactor().text(
				f"<p>{frappe.utils.escape_html(doc.summary)}</p><ul>{rows}</ul>"
				f'<p><a href="{get_url_to_form("Diagnostic Run", doc.name)}">{doc.name}</a></p>'
			),
			now=False,
		)
	except frappe.OutgoingEmailError:
		doc.add_comment("Comment", "Status alert not sent: no outgoing Email Account is set up.")
		return False
	return True


def cleanup_old_runs() -> int:
	"""Delete runs older than the retention; returns how many were deleted."""
	days = frappe.db.get_single_value("Diagnostics Settings", "retention_days") or 30
	cutoff = add_to_date(now_datetime(), days=-int(days))
	names = frappe.get_all("Diagnostic Run", filters={"creation": ("<", cutoff)}, pluck="name", limit=10_000)
	if names:
		frappe.db.delete("Diagnostic Result", {"parenttype": "Diagnostic Run", "parent": ("in", names)})
		frappe.db.delete("Diagnostic Run", {"name": ("in", names)})
	return len(names)


def group_new_error_logs() -> int:
	"""Group the Error Logs created since the last pass (at most 20 batches of 500 a run)."""
	from frappe_diagnostics.site.errorlog import process_error_logs

	return process_error_logs(max_batches=20)
