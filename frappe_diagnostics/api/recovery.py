"""Recovery over REST: the backup overview, verification and validation as background jobs, Recovery Runs
(start, run an automatic step, mark a manual one done, report), data-loss and recover-doc (generated from
the catalog), and the desk's number cards. Never a restore: that is a command line's job."""

import frappe
from frappe import _

from frappe_diagnostics.api import bounded, publish, require_manager, trigger_of

METHODS = publish(globals(), __name__)  # backups, data_loss, recover_doc


def _refuse(error: Exception, title: str):
	frappe.throw(str(error), frappe.ValidationError, title=title)


@frappe.whitelist(methods=["GET"])
def overview() -> dict:
	"""Every backup set with its last verification, the recovery point and the measured restore time."""
	require_manager()
	from frappe_diagnostics.site.recovery.service import overview as build

	return build()


@frappe.whitelist(methods=["POST"])
def verify_backup(set: str | None = None, trigger: str | None = None) -> dict:
	"""Start verifying a set (default: the newest) in the background; the result is a Diagnostic Run."""
	require_manager()
	from frappe_diagnostics.site.recovery.service import enqueue_verification

	return {"job_id": enqueue_verification(set, trigger_of(trigger))}


@frappe.whitelist(methods=["POST"])
def validate(trigger: str | None = None, job_timeout: float | None = None) -> dict:
	"""Start a post-recovery validation in the background; the result is a Diagnostic Run."""
	require_manager()
	frappe.enqueue(
		"frappe_diagnostics.site.recovery.service.validation_job",
		queue="long",
		job_id=f"frappe_diagnostics-validate-{frappe.local.site}",
		deduplicate=True,
		trigger=trigger_of(trigger),
		job_timeout_s=bounded(job_timeout, 60, 1, 3600),
	)
	return {"queued": True}


@frappe.whitelist(methods=["GET"])
def runs(limit: int | None = 20) -> list[dict]:
	"""Recovery Runs, newest first."""
	require_manager()
	return frappe.get_all(
		"Diagnostic Run",
		filters={"kind": "Recovery"},
		fields=[
			"name",
			"procedure",
			"recovery_state",
			"status",
			"incident_at",
			"backup_set",
			"summary",
			"user",
		],
		order_by="creation desc",
		limit=bounded(limit, 20, 1, 200),
	)


@frappe.whitelist(methods=["POST"])
def start_run(
	procedure: str | None = None,
	incident_at: str | None = None,
	set: str | None = None,
	trigger: str | None = None,
) -> dict:
	"""Start a Recovery Run of a procedure; returns its report."""
	require_manager()
	from frappe_diagnostics.site.recovery import report
	from frappe_diagnostics.site.recovery import runs as recovery_runs

	try:
		doc = recovery_runs.start(procedure or "", incident_at, set, trigger=trigger_of(trigger))
	except (ValueError, LookupError) as e:
		_refuse(e, _("Cannot start the Recovery Run"))
	return report.report(doc)


@frappe.whitelist(methods=["POST"])
def run_step(run: str | None = None, step: str | None = None) -> dict:
	"""Run an automatic step of a Recovery Run in the background (a restore step answers with its command)."""
	require_manager()
	from frappe_diagnostics.site.recovery import runs as recovery_runs

	try:
		row = recovery_runs.row_of(recovery_runs.load(run or ""), step)
	except ValueError as e:
		_refuse(e, _("Cannot run the step"))
	if row.step_type != "Automatic":
		_refuse(
			ValueError(_("Step {0} is not run from here; run: {1}").format(row.step, row.commands or "")),
			_("Not from the desk"),
		)
	frappe.enqueue(
		"frappe_diagnostics.site.recovery.steps.step_job",
		queue="long",
		timeout=4 * 3600,
		job_id=f"frappe_diagnostics-step-{run}-{row.step}",
		deduplicate=True,
		name=run,
		step_id=row.step,
		trigger="Desk",
	)
	return {"queued": row.step}


@frappe.whitelist(methods=["POST"])
def mark_done(
	run: str | None = None, step: str | None = None, note: str | None = None, skipped: bool = False
) -> dict:
	"""Mark a manual step done (or skipped) with a note; returns the run's report."""
	require_manager()
	from frappe_diagnostics.site.recovery import report
	from frappe_diagnostics.site.recovery import runs as recovery_runs

	try:
		doc = recovery_runs.mark_done(run or "", step or "", note or "", skipped=bool(skipped))
	except ValueError as e:
		_refuse(e, _("Cannot mark the step"))
	return report.report(doc)


@frappe.whitelist(methods=["GET"])
def run_report(run: str | None = None) -> dict:
	"""A Recovery Run's figures: downtime, data window lost, steps with who and when."""
	require_manager()
	from frappe_diagnostics.site.recovery import report
	from frappe_diagnostics.site.recovery import runs as recovery_runs

	try:
		return report.report(recovery_runs.load(run or ""))
	except ValueError as e:
		_refuse(e, _("No such Recovery Run"))


@frappe.whitelist(methods=["GET", "POST"])  # number cards call by POST
def recovery_point(filters=None) -> dict:
	"""Hours since the newest whole-site backup (the data a disaster now would lose)."""
	require_manager()
	from frappe_diagnostics.recovery import inventory
	from frappe_diagnostics.site.context import FrappeContext

	newest = inventory.newest_restorable(inventory.site_sets(FrappeContext()))
	value = round(newest.age_s() / 3600, 1) if newest else 0
	return {"value": value, "fieldtype": "Float", "route": ["diagnostics-console"]}


@frappe.whitelist(methods=["GET", "POST"])  # number cards call by POST
def restore_time(filters=None) -> dict:
	"""Seconds the newest successful verification took to restore the database: the measured restore time."""
	require_manager()
	from frappe_diagnostics.site.recovery.service import verifications

	verified = next(
		(r for r in verifications(20) if r["status"] == "OK" and r["restore_time_s"] is not None), None
	)
	return {
		"value": verified["restore_time_s"] if verified else 0,
		"fieldtype": "Float",
		"route": ["List", "Diagnostic Run", {"kind": "Backup Verification"}],
	}
