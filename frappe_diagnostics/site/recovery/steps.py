"""The automatic steps of Recovery Runs, run for real: assess corruption, verify a backup, take a safety
backup, what data was lost, post-recovery validation. The restore step runs only from the command line
(commands/recovery.py); elsewhere it is offered as the exact command."""

from __future__ import annotations

import json

import frappe
from frappe import _
from frappe.utils import get_datetime

from frappe_diagnostics.recovery import corruption, inventory, safety
from frappe_diagnostics.recovery.restore_stages import now_stamp
from frappe_diagnostics.site.context import FrappeContext
from frappe_diagnostics.site.recovery import runs
from frappe_diagnostics.troubleshooters.catalog import BENCH

ASSESS_BUDGET_S = 60


def run_next(name: str, step_id: str | None = None, trigger: str = "CLI"):
	"""Run the named (else the next) automatic step; returns the run. ValueError for a manual or CLI step."""
	doc = runs.load(name)
	if doc.recovery_state != "Open":
		raise ValueError(_("{0} is {1}: it takes no more steps.").format(name, doc.recovery_state))
	row = runs.row_of(doc, step_id)
	if row.step_type != "Automatic":
		where = (
			_("run it from the command line")
			if row.step_type == "Command line"
			else _("do it, then mark it done")
		)
		raise ValueError(
			_("Step {0} ({1}) is {2}: {3}:").format(row.step, row.title, row.step_type.lower(), where)
			+ "\n"
			+ (row.commands or "")
		)
	runs.begin(doc, row)
	try:
		status, summary, evidence, result_run = RUNNERS[row.step](doc, trigger)
	except Exception as e:
		frappe.db.rollback()
		doc = runs.load(name)
		row = runs.row_of(doc, row.step)
		runs.finish(doc, row, "Failed", f"{type(e).__name__}: {e}")
		return doc
	runs.finish(doc, row, status, summary, evidence, result_run)
	return doc


def step_job(name: str, step_id: str | None = None, trigger: str = "API") -> None:
	run_next(name, step_id, trigger)


def _inputs(doc) -> dict:
	try:
		return json.loads(doc.inputs or "{}")
	except ValueError:
		return {}


def _assess(doc, trigger):
	ctx = FrappeContext()
	tables = _inputs(doc).get("tables") or None
	checked = corruption.check_tables(ctx, tables, ASSESS_BUDGET_S)
	log = corruption.error_log(ctx)
	status = "Failed" if checked.status.value == "error" else "Done"
	summary = f"{checked.summary} {log.summary}"
	return status, summary, {"check_tables": checked.to_dict(), "error_log": log.to_dict()}, None


def _troubleshooter(name: str, **inputs):
	from frappe_diagnostics.site.service import troubleshoot

	diagnosis, stored = troubleshoot(name, BENCH, trigger="CLI", **inputs)
	return diagnosis, stored.name if stored else None


def _verify(doc, trigger):
	diagnosis, stored = _troubleshooter("verify_backup", set=doc.backup_set or None)
	verified = diagnosis.verdict.startswith("Verified")
	if verified and not doc.backup_set:
		doc.db_set("backup_set", diagnosis.inputs.get("set"))
	return ("Done" if verified else "Failed"), diagnosis.verdict, None, stored


def _assess_loss(doc, trigger):
	since = get_datetime(doc.incident_at) if doc.incident_at else None
	window = f"{since.isoformat(sep='T', timespec='seconds')}" if since else "7d"
	diagnosis, stored = _troubleshooter("data_loss", since=window, from_set=doc.backup_set or None)
	return "Done", diagnosis.summary, None, stored


def _safety_backup(doc, trigger):
	ctx = FrappeContext()
	folder = inventory.backup_folders(ctx)[0]
	path = safety.take(ctx, folder, now_stamp(ctx.time_zone), frappe.__version__)
	return "Done", _("Safety backup of the live database: {0}").format(path), {"path": str(path)}, None


def _validate(doc, trigger):
	from frappe_diagnostics.site.recovery.service import validate

	result, stored = validate(trigger=trigger)
	status = "Done" if result.status.rank < 3 else "Failed"  # below error: warnings do not fail the step
	return status, result.summary, None, stored.name


RUNNERS = {
	"assess": _assess,
	"verify": _verify,
	"assess_loss": _assess_loss,
	"safety_backup": _safety_backup,
	"validate": _validate,
}
