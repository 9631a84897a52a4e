"""The steps of a backup verification, built from what compare.py read: one CheckResult each."""

from __future__ import annotations

from frappe_diagnostics.engine.result import Finding, Fix, Metric
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.engine.steps import CRITICAL, OK, WARNING, step
from frappe_diagnostics.recovery.compare import (
	Contents,
	apps_against_code,
	doctypes_behind,
	missing_doctype_tables,
	newer_doctype_tables,
	row_differences,
)

EMPTY_BUT_LARGE = 100  # live rows above which a table that is empty in the backup is a finding


def tables_step(backup: Contents, live: Contents):
	missing = missing_doctype_tables(backup)
	newer = newer_doctype_tables(backup, live)
	metrics = [
		Metric("tables", len(backup.tables), "tables"),
		Metric("doctype_tables", len(backup.doctype_tables), "tables"),
	]
	findings = []
	if newer:
		findings.append(
			Finding(
				"DocTypes created after this backup (their tables would be dropped by a restore)",
				{"tables": newer[:50]},
			)
		)
	if missing:
		findings.insert(
			0, Finding("DocTypes the backup declares whose tables it does not hold", {"tables": missing[:50]})
		)
		return step(
			"backup.tables",
			"Every DocType's table",
			CRITICAL,
			f"{len(missing)} DocType table(s) are missing from the backup: {', '.join(missing[:5])}.",
			findings,
			metrics=metrics,
		)
	status = WARNING if newer else OK
	summary = f"All {len(backup.doctype_tables)} DocType tables are in the backup."
	if newer:
		summary += f" {len(newer)} table(s) of the live site are newer than the backup."
	return step("backup.tables", "Every DocType's table", status, summary, findings, metrics=metrics)


def rows_step(backup: Contents, live: Contents):
	differences = row_differences(backup, live)
	emptied = [d for d in differences if d.backup == 0 and (d.live or 0) >= EMPTY_BUT_LARGE]
	evidence = {
		d.table: {"backup": d.backup, "live": d.live, **({} if d.exact else {"estimate": True})}
		for d in differences[:100]
	}
	backup_rows = sum(c.rows or 0 for c in backup.counts.values())
	live_rows = sum(c.rows or 0 for c in live.counts.values())
	metrics = [
		Metric("backup_rows", backup_rows, "rows"),
		Metric("live_rows", live_rows, "rows"),
		Metric("tables_differing", len(differences), "tables"),
	]
	findings = (
		[Finding("Row counts that differ between the backup and the live site (first 100)", evidence)]
		if differences
		else []
	)
	if emptied:
		names = ", ".join(f"{d.table} ({d.live:,} live)" for d in emptied[:5])
		findings.insert(
			0,
			Finding(
				"Tables empty in the backup but large in the live site", {d.table: d.live for d in emptied}
			),
		)
		return step(
			"backup.rows",
			"Row counts, backup vs live",
			WARNING,
			f"{len(emptied)} table(s) are empty in the backup but not live: {names}.",
			findings,
			metrics=metrics,
		)
	summary = f"{backup_rows:,} rows in the backup, {live_rows:,} live; {len(differences)} table(s) differ."
	return step("backup.rows", "Row counts, backup vs live", OK, summary, findings, metrics=metrics)


def core_step(backup: Contents):
	if backup.unreadable:
		names = ", ".join(backup.unreadable)
		return step(
			"backup.core",
			"Core tables readable",
			CRITICAL,
			f"Core tables missing or unreadable in the backup: {names}.",
			[Finding("Errors reading core tables", backup.unreadable)],
		)
	users = backup.counts.get("tabUser")
	return step(
		"backup.core",
		"Core tables readable",
		OK,
		f"Core tables are readable ({users.rows if users else 0} users).",
	)


def apps_step(backup: Contents, bench_path, site: str):
	if not backup.apps:
		return step(
			"backup.apps",
			"Installed apps and versions",
			CRITICAL,
			"The backup holds no list of installed apps (the installed_apps default): it is not a whole Frappe site.",
		)
	states = apps_against_code(backup, bench_path)
	evidence = {
		s.app: {"backup": s.backup_version, "code": s.code_version, "pending_patches": s.pending_patches}
		for s in states
	}
	absent = [s.app for s in states if not s.in_bench]
	newer = [s.app for s in states if s.downgrade]
	pending = sum(s.pending_patches for s in states)
	metrics = [Metric("apps", len(states), "apps"), Metric("pending_patches", pending, "patches")]
	if absent or newer:
		parts = ([f"apps missing from the bench: {', '.join(absent)}"] if absent else []) + (
			[f"backup newer than the code: {', '.join(newer)}"] if newer else []
		)
		fixes = [
			Fix(
				"Get the bench's apps to the versions the backup was taken with before restoring it.",
				command=bench(None, "get-app", absent[0]) if absent else None,
			)
		]
		return step(
			"backup.apps",
			"Installed apps and versions",
			CRITICAL,
			"The backup cannot run on this bench's code: " + "; ".join(parts) + ".",
			[Finding("Apps of the backup vs the code", evidence)],
			fixes,
			metrics=metrics,
		)
	behind = doctypes_behind(backup, bench_path)
	metrics.append(Metric("doctypes_behind", len(behind), "doctypes"))
	older = []
	if pending:
		older.append(f"{pending} patch(es) of the code have not run in the backup")
	if behind:
		older.append(
			f"{len(behind)} DocType(s) of the code are newer than the backup ({', '.join(behind[:3])})"
		)
	summary = f"{len(states)} app(s), all in the bench. " + (
		("; ".join(older) + ": a restore migrates.")
		if older
		else "The backup matches the code (patches and DocTypes)."
	)
	findings = [Finding("Apps of the backup vs the code", evidence)]
	if behind:
		findings.append(
			Finding("DocTypes a migrate would sync", {"doctypes": behind[:50], "count": len(behind)})
		)
	fix = Fix(
		"After restoring, migrate (the restore command does it when the backup is older).",
		command=bench(site, "migrate"),
	)
	return step(
		"backup.apps",
		"Installed apps and versions",
		OK,
		summary,
		findings,
		[fix] if older else [],
		metrics=metrics,
	)
