"""`recover-doc DOCTYPE NAME [--from SET]`: the document as the backup holds it, beside the live record (or
the news that it is gone), with the fixes that put it back: from the backup, or from Frappe's Deleted
Document when that has it. Applying goes through the fix framework (dry run, confirmation, audit, revert)."""

from __future__ import annotations

import time

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.probe import describe_db_error
from frappe_diagnostics.engine.result import Finding, Fix, Metric
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.engine.steps import CRITICAL, ERROR, OK, WARNING, action, step
from frappe_diagnostics.recovery import documents, inventory
from frappe_diagnostics.recovery.streams import KeyMissing, Unreadable
from frappe_diagnostics.recovery.verify import find_key

KIND = "Data Loss"


def diagnose_document(ctx, doctype: str, name: str, from_set: str | None = None) -> Diagnosis:
	started = time.time()
	question = f"What did {doctype} {name} look like in the backup, and can it be put back?"
	inputs = {"doctype": doctype, "name": name, "from_set": from_set}
	try:
		with documents.raw_connection(ctx) as conn:
			info = documents.doctype_info(conn, doctype)  # ValueError: not a DocType to recover by rows
			live = documents.live_record(conn, doctype, name, info["children"])
			deleted = _deleted(conn, doctype, name)
		steps = [_live_step(live, doctype, name)]
	except ValueError:
		raise
	except LookupError as e:
		info, live, deleted = {"children": None}, documents.Record(), []
		steps = [step("document.live", "Live record", CRITICAL, f"{e} Only the backup is shown.")]
	except Exception as e:
		info, live, deleted = {"children": None}, documents.Record(), None  # unknown, not "none"
		steps = [
			step(
				"document.live",
				"Live record",
				CRITICAL,
				f"The live site's database cannot be read ({describe_db_error(e)}): only the backup is shown.",
			)
		]
	backup, bset = None, None
	try:
		bset = inventory.select(ctx, from_set)
		key, _source = find_key(ctx, bset)
		backup, _columns = documents.from_dump(bset, key, doctype, name, info["children"])
	except LookupError as e:
		steps.append(step("document.backup", "In the backup", CRITICAL, str(e)))
	except (KeyMissing, Unreadable) as e:
		steps.append(
			step(
				"document.backup",
				"In the backup",
				CRITICAL,
				f"Set {bset.stamp if bset else '?'} cannot be read: {e}",
			)
		)
	if backup is not None:
		steps += _backup_steps(ctx, bset, backup, live, doctype, name)
	steps.append(_deleted_step(ctx, deleted, doctype, name, live.exists))
	inputs["from_set"] = bset.stamp if bset else from_set
	return Diagnosis(KIND, question, steps, inputs, started, time.time(), ctx.name)


def _deleted(conn, doctype: str, name: str) -> list[dict]:
	"""Frappe's Deleted Document entries for the document (none when the site has no such table)."""
	try:
		return documents.query(
			conn,
			"SELECT name, creation, owner, restored FROM `tabDeleted Document` "
			"WHERE deleted_doctype = %s AND deleted_name = %s ORDER BY creation DESC LIMIT 5",
			(doctype, name),
		)
	except Exception as e:
		if "1146" in str(e) or "1054" in str(e):
			return []
		raise


def _live_step(live, doctype: str, name: str):
	if not live.exists:
		return step(
			"document.live",
			"Live record",
			WARNING,
			f"{doctype} {name} does not exist on the live site (deleted or never created).",
		)
	rows = sum(len(r) for r in live.children.values())
	return step(
		"document.live",
		"Live record",
		OK,
		f"{doctype} {name} exists live with {rows} child row(s).",
		metrics=[Metric("child_rows", rows, "rows")],
	)


def _backup_steps(ctx, bset, backup, live, doctype: str, name: str) -> list:
	age_h = round(bset.age_s() / 3600, 1)
	if not backup.exists:
		return [
			step(
				"document.backup",
				"In the backup",
				CRITICAL,
				f"{doctype} {name} is not in set {bset.stamp} ({age_h} h old): it was created after that backup, or named differently.",
			)
		]
	rows = sum(len(r) for r in backup.children.values())
	found = step(
		"document.backup",
		"In the backup",
		OK,
		f"Set {bset.stamp} ({age_h} h old) holds {doctype} {name} with {rows} child row(s).",
		[
			Finding(
				"The document in the backup",
				{"row": _trim(backup.row), "child_rows": {t: len(r) for t, r in backup.children.items()}},
			)
		],
	)
	restore = action("restore_document", doctype=doctype, name=name, set=bset.stamp)
	fix = Fix(
		f"Put {doctype} {name} back as set {bset.stamp} has it (dry run first; recorded and revertible).",
		bench(ctx.name, "diagnostics", "fix", restore, "--apply"),
		restore,
	)
	if not live.exists:
		summary, status, diff = (
			f"Gone from the live site; the backup can put it back with its {rows} child row(s).",
			WARNING,
			None,
		)
	else:
		diff = documents.differences(backup, live)
		changed, tables = len(diff["fields"]), len(diff["children"])
		status = WARNING if changed or tables else OK
		summary = (
			"The live record is the same as in the backup."
			if status is OK
			else (
				f"{changed} field(s) differ"
				+ (f" and the child rows of {tables} table(s)" if tables else "")
				+ f" between set {bset.stamp} and the live record."
			)
		)
	findings = [Finding("Differences", diff)] if diff and status is WARNING else []
	return [
		found,
		step(
			"document.diff", "Backup vs live", status, summary, findings, [fix] if status is WARNING else []
		),
	]


def _deleted_step(ctx, deleted: list | None, doctype: str, name: str, exists: bool):
	if deleted is None:
		return step(
			"document.deleted",
			"Deleted Document",
			ERROR,
			"Cannot tell whether Frappe kept a Deleted Document copy: the live site's database cannot be read.",
		)
	open_ = [d for d in deleted if str(d.get("restored")) in ("0", "None", "")]
	if not deleted:
		return step(
			"document.deleted",
			"Deleted Document",
			OK,
			f"Frappe's Deleted Document has no entry for {doctype} {name}.",
		)
	if exists or not open_:
		return step(
			"document.deleted",
			"Deleted Document",
			OK,
			f"{len(deleted)} Deleted Document entr(ies) for it, none needed (restored, or the record exists).",
			[Finding("Entries", {"entries": deleted})],
		)
	entry = open_[0]
	fix_action = action("restore_deleted_document", name=entry["name"])
	fix = Fix(
		f"Restore it from Deleted Document {entry['name']} (deleted {str(entry['creation'])[:19]} by {entry['owner']}): Frappe's own copy at deletion time, newer than any backup.",
		bench(ctx.name, "diagnostics", "fix", fix_action, "--apply"),
		fix_action,
	)
	return step(
		"document.deleted",
		"Deleted Document",
		WARNING,
		f"Deleted on {str(entry['creation'])[:19]} by {entry['owner']}; Frappe kept a copy ({entry['name']}).",
		[Finding("Entries", {"entries": deleted})],
		[fix],
	)


def _trim(row: dict | None, limit: int = 120) -> dict:
	return {k: documents._short(v, limit) for k, v in (row or {}).items()}
