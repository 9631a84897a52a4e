"""Scheduled jobs: periodic health runs (never two at once for a site, each site at its own minute of the
interval) and alerts after them. Old runs are deleted by Frappe's Log Settings (site/retention.py)."""

from __future__ import annotations

import os

import frappe
from frappe.utils import now_datetime

FREQUENCY_MINUTES = {
	"Every 5 Minutes": 5,
	"Every 15 Minutes": 15,
	"Hourly": 60,
	"Every 6 Hours": 360,
	"Daily": 1440,
}
LOCK_NAME = "frappe_diagnostics_health_run"


def every_minute() -> dict[str, str]:
	"""The per-minute cron: one job per site, not one per duty (each costs a worker an init and connect)."""
	from frappe_diagnostics.site.debug.session import tick

	return {"health_run": scheduled_health_run(), "debug_session": tick()}


def scheduled_health_run() -> str:
	"""Run when Diagnostics Settings say one is due; returns what it did (for logs and tests)."""
	settings = frappe.get_single("Diagnostics Settings")
	if not settings.enable_scheduled_runs:
		return "disabled"
	if not is_due(settings.frequency):
		return "not due"
	return run_exclusively()


def is_due(frequency: str) -> bool:
	"""Due at this site's own minute of the interval (fleet.stagger), checked every minute by the cron."""
	from zoneinfo import ZoneInfo

	from frappe.utils import get_datetime, get_system_timezone

	from frappe_diagnostics.fleet.stagger import is_due as slot_due

	minutes = FREQUENCY_MINUTES.get(frequency or "Hourly", 60)
	last = frappe.db.get_value(
		"Diagnostic Run",
		{"trigger": "Scheduler", "kind": "Health Check"},
		"creation",
		order_by="creation desc",
	)
	zone = ZoneInfo(get_system_timezone())
	last_epoch = get_datetime(last).replace(tzinfo=zone).timestamp() if last else None
	now = now_datetime().replace(tzinfo=zone).timestamp()
	return slot_due(frappe.local.site, minutes, last_epoch, now)


def run_exclusively() -> str:
	from filelock import FileLock, Timeout

	from frappe_diagnostics.site.alerts import after_scheduled_run
	from frappe_diagnostics.site.service import run_health

	lock_path = frappe.get_site_path("locks", f"{LOCK_NAME}.lock")
	os.makedirs(os.path.dirname(lock_path), exist_ok=True)
	try:
		with FileLock(lock_path, timeout=0):
			_run, doc = run_health(trigger="Scheduler")
			after_scheduled_run(doc)
	except Timeout:
		return "already running"
	return "ran"


def group_new_error_logs() -> int:
	"""Group the Error Logs created since the last pass (at most 20 batches of 500 a run)."""
	from frappe_diagnostics.site.errorlog import process_error_logs

	return process_error_logs(max_batches=20)
