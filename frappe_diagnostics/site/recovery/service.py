"""Recovery work inside a site and its stored runs: the backup overview the desk shows, verification as a
background job (desk and REST), and the post-recovery validation stored as a run."""

from __future__ import annotations

import json

import frappe

from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.recovery import inventory
from frappe_diagnostics.recovery.validation import KIND as VALIDATION
from frappe_diagnostics.recovery.validation import validate_recovery
from frappe_diagnostics.recovery.verify import KIND as VERIFICATION
from frappe_diagnostics.site.context import FrappeContext
from frappe_diagnostics.site.store import save_run
from frappe_diagnostics.troubleshooters.catalog import BENCH


def verification_job(set_spec: str | None = None, trigger: str = "API") -> str | None:
	"""Verify a set (default: the newest) and store the run; returns the run's name. For the job queue."""
	from frappe_diagnostics.site.service import troubleshoot

	_diagnosis, doc = troubleshoot("verify_backup", BENCH, trigger=trigger, set=set_spec or None)
	frappe.db.commit()
	return doc.name if doc else None


def enqueue_verification(set_spec: str | None, trigger: str) -> str:
	"""Start a verification in the long queue, never two at once for a site; returns the job id."""
	job_id = f"frappe_diagnostics-verify-{frappe.local.site}"
	frappe.enqueue(
		"frappe_diagnostics.site.recovery.service.verification_job",
		queue="long",
		timeout=4 * 3600,
		job_id=job_id,
		deduplicate=True,
		enqueue_after_commit=True,
		set_spec=set_spec,
		trigger=trigger,
	)
	return job_id


def verifications(limit: int = 50) -> list[dict]:
	"""Stored verifications, newest first: set, status, verdict, measured restore time."""
	rows = frappe.get_all(
		"Diagnostic Run",
		filters={"kind": VERIFICATION},
		fields=["name", "status", "summary", "started", "inputs", "trigger"],
		order_by="creation desc",
		limit=limit,
	)
	for row in rows:
		row["set"] = (_json(row.pop("inputs")) or {}).get("set")
		row["restore_time_s"] = restore_time(row["name"])
	return rows


def restore_time(run: str) -> float | None:
	metrics = frappe.db.get_value(
		"Diagnostic Result", {"parent": run, "check_id": "backup.restore"}, "metrics"
	)
	return next((m["value"] for m in _json(metrics) or [] if m.get("name") == "restore_time"), None)


def overview() -> dict:
	"""What the desk's Recovery section shows: each set with its verification, the recovery point and the
	measured restore time (the newest successful verification's)."""
	ctx = FrappeContext()
	sets = inventory.site_sets(ctx)
	checks = verifications()
	by_set = {}
	for row in checks:
		by_set.setdefault(row["set"], row)
	newest = inventory.newest_restorable(sets)
	verified = next((r for r in checks if r["status"] == "OK" and r["restore_time_s"] is not None), None)
	return {
		"sets": [{**s.describe(), "verification": by_set.get(s.stamp)} for s in sets],
		"recovery_point_h": round(newest.age_s() / 3600, 1) if newest else None,
		"newest_set": newest.stamp if newest else None,
		"restore_time_s": verified["restore_time_s"] if verified else None,
		"verified_set": verified["set"] if verified else None,
		"last_drills": checks[:5],
		"restore_command": bench(frappe.local.site, "diagnostics", "restore", newest.stamp)
		if newest
		else None,
	}


def validate(trigger: str = "CLI", job_timeout_s: float = 60.0):
	"""Post-recovery validation of this site, stored as a run of kind Recovery Validation."""
	result = validate_recovery(FrappeContext(), job_timeout_s=job_timeout_s)
	doc = save_run(result, kind=VALIDATION, trigger=trigger, inputs={"job_timeout_s": job_timeout_s})
	return result, doc


def _json(text):
	try:
		return json.loads(text) if text else None
	except ValueError:
		return None


def validation_job(trigger: str = "API", job_timeout_s: float = 60.0) -> str:
	_result, doc = validate(trigger=trigger, job_timeout_s=job_timeout_s)
	frappe.db.commit()
	return doc.name
