"""Recovery Runs: a procedure's steps stored as a Diagnostic Run of kind "Recovery" with Recovery Step
rows. Automatic steps run for real (steps.py); manual steps carry their exact commands and are marked done
by the operator with a note. The run keeps a timeline; report.py turns it into the real figures."""

from __future__ import annotations

import json

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime, time_diff_in_seconds

from frappe_diagnostics.engine.result import worst
from frappe_diagnostics.recovery import inventory, procedures
from frappe_diagnostics.site.context import FrappeContext

KIND = "Recovery"
STATUS_OF = {
	"Done": "OK",
	"Failed": "Critical",
	"Skipped": "Skipped",
	"Pending": "Skipped",
	"Running": "Skipped",
}


def start(procedure: str, incident_at=None, set_spec: str | None = None, tables=None, trigger: str = "CLI"):
	"""A new run of a procedure (its steps pending); the backup set is the one named, else the newest."""
	spec = procedures.get(procedure)
	ctx = FrappeContext()
	try:
		bset = inventory.select(ctx, set_spec)
	except LookupError:
		if set_spec:
			raise
		bset = None
	doc = frappe.new_doc("Diagnostic Run")
	doc.update(
		{
			"kind": KIND,
			"status": "Skipped",
			"trigger": trigger if trigger in ("Desk", "API", "CLI", "Scheduler") else "API",
			"user": frappe.session.user,
			"started": now_datetime(),
			"summary": _("{0}: started, {1} steps to go.").format(_(spec.title), len(spec.steps)),
			"procedure": spec.name,
			"recovery_state": "Open",
			"incident_at": get_datetime(incident_at) if incident_at else now_datetime(),
			"backup_set": bset.stamp if bset else None,
			"inputs": json.dumps(
				{"procedure": spec.name, "set": bset.stamp if bset else None, "tables": list(tables or [])}
			),
		}
	)
	for step in spec.steps:
		doc.append(
			"recovery_steps",
			{
				"step": step.id,
				"title": step.title,
				"step_type": step.kind,
				"status": "Pending",
				"commands": "\n".join(procedures.commands_for(step, frappe.local.site, doc.backup_set))
				or None,
			},
		)
	doc.flags.ignore_permissions = True
	doc.insert()
	return doc


def load(name: str):
	if not name or not frappe.db.exists("Diagnostic Run", {"name": name, "kind": KIND}):
		raise ValueError(f"There is no Recovery Run {name!r}.")
	return frappe.get_doc("Diagnostic Run", name)


def row_of(doc, step_id: str | None):
	"""The step named, else the first one not done; ValueError when there is none."""
	pending = [r for r in doc.recovery_steps if r.status in ("Pending", "Running", "Failed")]
	if step_id:
		found = next((r for r in doc.recovery_steps if r.step == step_id), None)
		if found is None:
			raise ValueError(
				f"{doc.name} has no step {step_id!r}; its steps: {', '.join(r.step for r in doc.recovery_steps)}."
			)
		return found
	if not pending:
		raise ValueError(f"Every step of {doc.name} is done.")
	return pending[0]


def begin(doc, row) -> None:
	row.status, row.started, row.finished = "Running", now_datetime(), None
	_save(doc)


def finish(
	doc, row, status: str, summary: str, evidence=None, result_run: str | None = None, note: str | None = None
) -> None:
	row.status = status
	row.finished = now_datetime()
	row.started = row.started or row.finished
	row.duration_s = round(time_diff_in_seconds(row.finished, row.started), 1)
	row.done_by = frappe.session.user
	row.summary = summary[:2000]
	row.note = note or row.note
	row.evidence = json.dumps(evidence, default=str, indent=1) if evidence is not None else row.evidence
	row.result_run = result_run or row.result_run
	_save(doc)


def mark_done(name: str, step_id: str, note: str, skipped: bool = False):
	"""The operator did a manual step (or decided to skip one): recorded with who, when and the note."""
	doc = load(name)
	if doc.recovery_state != "Open":
		raise ValueError(f"{name} is {doc.recovery_state}: it takes no more steps.")
	row = row_of(doc, step_id)
	if not (note or "").strip():
		raise ValueError("Say what was done (--note): the run's report shows it.")
	finish(
		doc,
		row,
		"Skipped" if skipped else "Done",
		_("Skipped by the operator.") if skipped else _("Done by the operator."),
		note=note.strip(),
	)
	return doc


def close(name: str, state: str = "Completed"):
	doc = load(name)
	doc.recovery_state = state
	doc.finished = now_datetime()
	_save(doc)
	return doc


def _save(doc) -> None:
	statuses = [STATUS_OF[r.status] for r in doc.recovery_steps]
	doc.status = worst(statuses).label if statuses else "Skipped"
	done = sum(r.status in ("Done", "Skipped") for r in doc.recovery_steps)
	failed = [r.step for r in doc.recovery_steps if r.status == "Failed"]
	doc.checks_total, doc.checks_failing = len(doc.recovery_steps), len(failed)
	doc.summary = (
		_("{0} of {1} steps done").format(done, len(doc.recovery_steps))
		+ (_("; failed: {0}").format(", ".join(failed)) if failed else "")
		+ "."
	)
	if done == len(doc.recovery_steps) and doc.recovery_state == "Open":
		doc.recovery_state = "Completed"
		doc.finished = now_datetime()
	doc.flags.ignore_permissions = True
	doc.save()
	frappe.db.commit()  # each step is on record at once: a crash mid-procedure keeps the timeline


def carry_over(snapshot: dict) -> None:
	"""Write a run back after a restore replaced the database it lived in (the restored one predates it)."""
	if frappe.db.exists("Diagnostic Run", snapshot["name"]) or not frappe.db.table_exists("Recovery Step"):
		return
	doc = frappe.get_doc(snapshot)
	doc.flags.ignore_permissions = True
	doc.flags.ignore_links = True  # runs it links to stayed in the old database
	doc.insert(set_name=snapshot["name"])
	frappe.db.commit()
