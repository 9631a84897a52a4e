"""The one writer of diagnostic runs: turns engine results into Diagnostic Run records, redacted."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import frappe
from frappe.utils import get_system_timezone

from frappe_diagnostics.engine.redact import Redactor
from frappe_diagnostics.engine.result import RunResult
from frappe_diagnostics.site import records


def site_redactor() -> Redactor:
	from frappe_diagnostics.engine.context import collect_secrets

	return Redactor(collect_secrets(dict(frappe.conf)))


def save_run(
	run: RunResult,
	kind: str = "Health Check",
	trigger: str = "CLI",
	inputs: dict | None = None,
	summary: str = "",
):
	"""Insert a Diagnostic Run with one Diagnostic Result row per check; returns the document."""
	redactor = site_redactor()
	doc = frappe.new_doc("Diagnostic Run")
	doc.update(
		{
			"kind": kind,
			"status": run.status.label,
			"trigger": records.trigger(trigger),
			"user": frappe.session.user if frappe.session else "Administrator",
			"started": _local(run.started),
			"finished": _local(run.finished),
			"duration_ms": round(run.duration_ms, 1),
			"checks_total": len(run.results),
			"checks_failing": len(run.failing),
			"partial": int(bool((inputs or {}).get("checks") or (inputs or {}).get("tags"))),
			"summary": redactor.text(summary or run.summary),
			"inputs": records.dump(redactor.data(inputs or {})),
		}
	)
	for result in run.results:
		data = redactor.data(result.to_dict())
		doc.append(
			"results",
			{
				"check_id": data["check_id"],
				"title": data["title"],
				"category": data["category"],
				"status": result.status.label,
				"summary": data["summary"],
				"duration_ms": data["duration_ms"],
				"metrics": records.dump(data["metrics"]),
				"findings": records.dump(data["findings"]),
				"fixes": records.dump(data["fixes"]),
			},
		)
	doc.flags.ignore_permissions = True
	doc.insert()
	return doc


def latest_run(kind: str = "Health Check", include_partial: bool = False):
	"""The newest stored run of a kind, full runs only unless asked: what every screen shows as 'now'."""
	filters = {"kind": kind} if include_partial else {"kind": kind, "partial": 0}
	name = frappe.db.get_value("Diagnostic Run", filters, "name", order_by="creation desc")
	return frappe.get_doc("Diagnostic Run", name) if name else None


def run_history(kind: str = "Health Check", limit: int = 30, include_partial: bool = False) -> list[dict]:
	"""The last `limit` runs of a kind, oldest first."""
	filters = {"kind": kind} if include_partial else {"kind": kind, "partial": 0}
	rows = frappe.get_all(
		"Diagnostic Run",
		filters=filters,
		fields=["name", "started", "status", "checks_failing", "checks_total", "duration_ms"],
		order_by="creation desc",
		limit=limit,
	)
	return list(reversed(rows))


def run_as_dict(doc) -> dict:
	"""A stored run as API data: the record's fields and its results with JSON fields parsed."""
	results = []
	for row in doc.results:
		results.append(
			{
				"check_id": row.check_id,
				"title": row.title,
				"category": row.category,
				"status": (row.status or "").lower(),
				"summary": row.summary,
				"duration_ms": row.duration_ms,
				"metrics": records.load(row.metrics, []),
				"findings": records.load(row.findings, []),
				"fixes": records.load(row.fixes, []),
			}
		)
	fields = ("name", "kind", "status", "trigger", "user", "started", "finished", "duration_ms", "summary")
	data = {f: doc.get(f) for f in fields}
	data.update(
		status=(doc.status or "").lower(),
		checks_total=doc.checks_total,
		checks_failing=doc.checks_failing,
		partial=bool(doc.partial),
	)
	data["inputs"] = records.load(doc.inputs, {})
	data["results"] = results
	return site_redactor().data(json.loads(frappe.as_json(data)))


def _local(timestamp: float) -> datetime:
	return datetime.fromtimestamp(timestamp, ZoneInfo(get_system_timezone())).replace(tzinfo=None)


def save_diagnosis(diagnosis, trigger: str = "CLI"):
	return save_run(diagnosis.as_run(), diagnosis.kind, trigger, diagnosis.inputs, summary=diagnosis.summary)
