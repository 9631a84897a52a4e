"""The audit record of a restore (or rollback) inside the site: its journal as a Recovery Run whose steps
are the journal's stages, written into the database that is live afterwards. The journal file in
sites/<site>/private/diagnostics/restore/ stays the record when the site cannot be written to."""

from __future__ import annotations

import json
from datetime import datetime

import frappe

from frappe_diagnostics.site.recovery.runs import KIND, _save

STATUS = {"done": "Done", "skipped": "Skipped", "failed": "Failed", "running": "Failed"}


def _when(epoch):
	return datetime.fromtimestamp(epoch) if epoch else None


def record_restore(journal: dict, action: str = "restore"):
	"""A Recovery Run for a finished restore or rollback; None when this database has no place for it."""
	if not frappe.db.table_exists("Recovery Step"):
		return None
	doc = frappe.new_doc("Diagnostic Run")
	doc.update(
		{
			"kind": KIND,
			"trigger": "CLI",
			"user": frappe.session.user,
			"started": _when(journal["started"]),
			"finished": _when(journal.get("finished")),
			"procedure": action,
			"recovery_state": "Open",
			"incident_at": _when(journal["started"]),
			"backup_set": journal.get("set"),
			"inputs": json.dumps(
				{k: journal.get(k) for k in ("id", "safety_backup", "holding", "os_user", "state")}
			),
		}
	)
	for stage in journal.get("stages", []):
		started, finished = _when(stage.get("started")), _when(stage.get("finished"))
		doc.append(
			"recovery_steps",
			{
				"step": stage["name"],
				"title": stage["name"].replace("_", " ").capitalize(),
				"step_type": "Command line",
				"status": STATUS.get(stage.get("status"), "Pending"),
				"started": started,
				"finished": finished,
				"duration_s": round((stage.get("finished") or 0) - (stage.get("started") or 0), 1)
				if finished
				else None,
				"done_by": frappe.session.user,
				"note": f"OS user {journal.get('os_user')}",
				"summary": (stage.get("summary") or "")[:2000],
			},
		)
	_save(doc)
	return doc
