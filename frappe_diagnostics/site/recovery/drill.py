"""The scheduled verification drill: at the frequency of Diagnostics Settings (default weekly) restore the
newest backup into a scratch database and compare it; a failure is emailed like a health run's. Runs only
when a database account that may create databases is configured."""

from __future__ import annotations

import os

import frappe
from frappe.utils import now_datetime, time_diff_in_seconds

from frappe_diagnostics.engine.settings import DEFAULTS
from frappe_diagnostics.recovery import dbroot
from frappe_diagnostics.recovery.verify import KIND
from frappe_diagnostics.site.context import FrappeContext

EVERY_DAYS = {"Daily": 1, "Weekly": 7, "Monthly": 30}
LOCK_NAME = "frappe_diagnostics_drill"
SUBJECT = "backup drill"


def scheduled_drill() -> str:
	"""Run the drill when it is due; returns what it did (for logs and tests)."""
	frequency = (
		frappe.db.get_single_value("Diagnostics Settings", "drill_frequency")
		or DEFAULTS["drill_frequency"].value
	)
	if frequency not in EVERY_DAYS:
		return "off"
	try:
		dbroot.find_account(FrappeContext())
	except dbroot.NoRootAccount:
		return "no root account"
	last = frappe.db.get_value(
		"Diagnostic Run",
		{"kind": KIND, "trigger": "Scheduler"},
		["creation", "status"],
		order_by="creation desc",
		as_dict=True,
	)
	if last and time_diff_in_seconds(now_datetime(), last.creation) < EVERY_DAYS[frequency] * 86400 - 3600:
		return "not due"
	return run_drill(last.status if last else None)


def run_drill(previous: str | None) -> str:
	from filelock import FileLock, Timeout

	from frappe_diagnostics.site.service import troubleshoot
	from frappe_diagnostics.troubleshooters.catalog import BENCH

	path = frappe.get_site_path("locks", f"{LOCK_NAME}.lock")
	os.makedirs(os.path.dirname(path), exist_ok=True)
	try:
		with FileLock(path, timeout=0):
			_diagnosis, doc = troubleshoot("verify_backup", BENCH, trigger="Scheduler")
			frappe.db.commit()
	except Timeout:
		return "already running"
	alert(previous, doc)
	return "ran"


def alert(previous: str | None, doc) -> str | None:
	"""A failing drill fires an alert through the health runs' channels (email, desk, webhook), recorded as a
	Diagnostic Alert with the subject "backup drill"; the next passing drill resolves it."""
	from frappe_diagnostics.observe.alerting import BAD, FIRING, REPEAT, RESOLVED, Decision
	from frappe_diagnostics.site import alerts
	from frappe_diagnostics.site.store import site_redactor

	status, before = (doc.status or "").lower(), (previous or "ok").lower()
	if status in BAD:
		event = REPEAT if before == status else FIRING
	elif before in BAD:
		event = RESOLVED
	else:
		return None
	decision = Decision(SUBJECT, event, status, before, 1)
	redactor = site_redactor()
	title = redactor.text(f"[{frappe.local.site}] {SUBJECT} {event.lower()}: {doc.status}")
	failing = [r for r in doc.results if r.status in ("Warning", "Critical", "Error")]
	body = [
		redactor.text(line)
		for line in [doc.summary, *(f"{r.status} {r.check_id}: {r.summary}" for r in failing)]
	]
	return alerts.deliver([decision], doc, title, body)[0]
