"""`data-loss [--since …]`: what was deleted or changed in a window (Deleted Document, Version, Activity Log),
and per table the rows of the live site against the newest backup: tables that lost rows since then."""

from __future__ import annotations

import time

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.probe import describe_db_error
from frappe_diagnostics.engine.result import Finding, Fix, Metric
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.engine.steps import CRITICAL, OK, WARNING, step
from frappe_diagnostics.knowledge.timewindow import parse_since
from frappe_diagnostics.recovery import activity, documents, inventory, sqldump
from frappe_diagnostics.recovery.streams import KeyMissing, Unreadable, open_plain
from frappe_diagnostics.recovery.verify import find_key

COUNT_LIMIT_S = 5


def diagnose_data_loss(ctx, since: str | None = "7d", from_set: str | None = None) -> Diagnosis:
	started = time.time()
	window = parse_since(since)
	local = activity.site_local(window, ctx.time_zone)
	try:
		with documents.raw_connection(ctx) as conn:
			found = activity.since(lambda sql, args: documents.query(conn, sql, args), local)
			steps = [
				_deleted_step(ctx, found),
				_changed_step(found),
				_activity_step(found),
				_tables_step(ctx, conn, from_set),
			]
		when = f"{local:%Y-%m-%d %H:%M} (site time)"
	except Exception as e:
		steps = [
			step(
				"dataloss.database",
				"Live database",
				CRITICAL,
				f"The live site's database cannot be read: {describe_db_error(e)}.",
			)
		]
		when = f"{window:%Y-%m-%d %H:%M} UTC"  # the site's time zone is in the database: unknown here
	question = f"What was deleted or changed on {ctx.name} since {when}, and what has the live site lost against its newest backup?"
	return Diagnosis(
		"Data Loss",
		question,
		steps,
		{"since": window.isoformat(timespec="seconds"), "from_set": from_set},
		started,
		time.time(),
		ctx.name,
	)


def _deleted_step(ctx, found: dict):
	total = sum(int(r["n"]) for r in found["deleted"])
	if not total:
		return step("dataloss.deleted", "Deleted documents", OK, "Nothing was deleted in the window.")
	top = ", ".join(f"{r['doctype']} ({r['n']})" for r in found["deleted"][:5])
	latest = [r for r in found["deleted_latest"] if str(r.get("restored")) in ("0", "None", "")]
	fixes = [
		Fix(
			f"See {r['doctype']} {r['deleted_name']} and put it back.",
			bench(ctx.name, "diagnostics", "recover-doc", r["doctype"], r["deleted_name"]),
		)
		for r in latest[:3]
	]
	return step(
		"dataloss.deleted",
		"Deleted documents",
		WARNING,
		f"{total} document(s) deleted: {top}.",
		[
			Finding("By DocType", {r["doctype"]: int(r["n"]) for r in found["deleted"]}),
			Finding("Latest", {"documents": found["deleted_latest"]}),
		],
		fixes,
		metrics=[Metric("deleted", total, "documents")],
	)


def _changed_step(found: dict):
	versions = sum(int(r["n"]) for r in found["changed"])
	documents_changed = sum(int(r["documents"]) for r in found["changed"])
	if not versions:
		return step(
			"dataloss.changed",
			"Changed documents",
			OK,
			"No document was changed in the window (no Version records).",
		)
	top = ", ".join(f"{r['doctype']} ({r['documents']})" for r in found["changed"][:5])
	return step(
		"dataloss.changed",
		"Changed documents",
		OK,
		f"{documents_changed} document(s) changed ({versions} versions): {top}.",
		[
			Finding(
				"By DocType",
				{
					r["doctype"]: {"versions": int(r["n"]), "documents": int(r["documents"])}
					for r in found["changed"]
				},
			)
		],
		metrics=[Metric("documents_changed", documents_changed, "documents")],
	)


def _activity_step(found: dict):
	if not found["activity"]:
		return step("dataloss.activity", "Activity Log", OK, "No activity recorded in the window.")
	summary = ", ".join(f"{r['operation'] or 'other'}: {r['n']}" for r in found["activity"][:6])
	return step(
		"dataloss.activity",
		"Activity Log",
		OK,
		f"Activity in the window: {summary}.",
		[Finding("By operation", {str(r["operation"]): int(r["n"]) for r in found["activity"]})],
	)


def _tables_step(ctx, conn, from_set: str | None):
	try:
		bset = inventory.select(ctx, from_set)
		key, _source = find_key(ctx, bset)
		with open_plain(bset.database.path, key, bset.database.encrypted) as reader:
			backup = sqldump.row_counts(reader)
	except LookupError as e:
		return step("dataloss.tables", "Rows live vs the backup", WARNING, f"Nothing to compare with: {e}")
	except (KeyMissing, Unreadable) as e:
		return step(
			"dataloss.tables", "Rows live vs the backup", CRITICAL, f"Set {bset.stamp} cannot be read: {e}"
		)
	live = _live_counts(conn, backup)
	lost = {
		t: {"backup": n, "live": live[t]}
		for t, n in backup.items()
		if live.get(t) is not None and live[t] < n
	}
	gone = sorted(t for t in backup if t not in live)
	metrics = [
		Metric("tables_losing_rows", len(lost), "tables"),
		Metric("rows_lost", sum(d["backup"] - d["live"] for d in lost.values()), "rows"),
	]
	age = f"set {bset.stamp}, {bset.age_s() / 3600:.1f} h old"
	if not lost and not gone:
		return step(
			"dataloss.tables",
			"Rows live vs the backup",
			OK,
			f"No table has fewer rows than in the newest backup ({age}).",
			metrics=metrics,
		)
	worst = sorted(lost.items(), key=lambda kv: kv[1]["live"] - kv[1]["backup"])[:5]
	names = ", ".join(f"{t} ({d['backup'] - d['live']} fewer)" for t, d in worst)
	findings = [Finding("Tables with fewer rows than the backup", lost)] + (
		[Finding("Tables of the backup missing live", {"tables": gone})] if gone else []
	)
	summary = (
		f"{len(lost)} table(s) have lost rows since the backup ({age})"
		+ (f": {names}" if names else "")
		+ (f"; {len(gone)} table(s) are gone" if gone else "")
		+ "."
	)
	return step(
		"dataloss.tables",
		"Rows live vs the backup",
		WARNING,
		summary,
		findings,
		[
			Fix(
				"Look at single documents with recover-doc; restore the whole site only if much is gone.",
				bench(ctx.name, "diagnostics", "verify-backup", bset.stamp),
			)
		],
		metrics=metrics,
	)


def _live_counts(conn, tables) -> dict[str, int]:
	existing = {
		r["table_name"]
		for r in documents.query(
			conn,
			"SELECT table_name AS table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
		)
	}
	out = {}
	for table in tables:
		if table not in existing:
			continue
		quoted = "`" + table.replace("`", "``") + "`"
		try:
			out[table] = int(
				documents.query(
					conn,
					f"SET STATEMENT max_statement_time = {COUNT_LIMIT_S} FOR SELECT COUNT(*) AS n FROM {quoted}",
				)[0]["n"]
			)
		except Exception:
			continue
	return out
