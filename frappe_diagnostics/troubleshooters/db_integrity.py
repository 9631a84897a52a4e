"""Integrity without harm: information_schema and Frappe-level checks; no CHECK TABLE sweep of a live database.

Identifiers never come from user input unchecked: a DocType or table name is first looked up with a
parameterised query, and only the name found in the database is quoted into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status

SAFE_NAME = re.compile(r"^[\w .()-]{1,140}$")
# tables Frappe keeps that are not DocTypes
NON_DOCTYPE_TABLES = {
	"tabSingles",
	"tabSeries",
	"tabSessions",
	"tabDefaultValue",
	"tabDocField",
	"tabDocPerm",
}


@dataclass(frozen=True)
class Rule:
	"""What a count-based step says: OK when nothing is found, a warning with one finding and one fix
	otherwise. The texts are formatted with the step's values."""

	ok: str
	problem: str
	finding: str
	fix: str
	command: str | None = None


RULES = {
	"orphan_children": Rule(
		"No orphaned child rows in {checked} child tables{partial}.",
		"{total} child row(s) point at parents that no longer exist{partial}.",
		"Child rows whose parent document is missing",
		"Back up, then delete the orphaned rows of each child table.",
		"DELETE c FROM `tab<Child>` c LEFT JOIN `tab<Parent>` p ON p.name = c.parent WHERE c.parenttype = '<Parent>' AND p.name IS NULL",
	),
	"broken_links": Rule(
		"All {fields} Link fields of {doctype} point at existing records.",
		"{total} {doctype} record(s) link to records that do not exist.",
		"Link values pointing at missing records (field → target: rows)",
		"Restore the missing records or clear/correct the links; saving such documents fails with LinkValidationError.",
	),
	"deleted_users": Rule(
		"No shares or activity rows refer to deleted users.",
		"{total} row(s) refer to users that were deleted.",
		"Rows for deleted users",
		"Delete the stale DocShare rows; Activity Log rows can be left or cleared by the log clean-up settings.",
	),
	"stray_tables": Rule(
		"Every one of {tables} tab* tables has a DocType.",
		"{total} table(s) have no DocType (left by an uninstalled app or a deleted DocType).",
		"tab* tables without a DocType",
		"Back up, check nothing uses them, then drop them.",
		"bench --site <site> trim-tables --dry-run",
	),
}


def judge(probe, rule: str, total: int, evidence: dict, metrics: list, **values):
	"""The step's result by its rule: OK when `total` is zero, else a warning with the evidence."""
	spec = RULES[rule]
	if not total:
		return probe.ok(spec.ok.format(total=total, **values), metrics=metrics)
	return probe.result(
		Status.WARNING,
		spec.problem.format(total=total, **values),
		metrics=metrics,
		findings=[Finding(spec.finding, evidence)],
		fixes=[Fix(spec.fix, command=spec.command)],
	)


def quote(name: str) -> str:
	if not SAFE_NAME.match(name or ""):
		raise ValueError(f"{name!r} is not a table or field name this tool will quote")
	return f"`{name}`"


def existing_tables(probe) -> set[str]:
	rows = probe.sql("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")
	return {r["t"] for r in rows}


def schema_hygiene(probe):
	rows = probe.sql(
		"SELECT TABLE_NAME AS name, ENGINE AS engine, TABLE_COLLATION AS collation FROM information_schema.TABLES "
		"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
	)
	with_pk = {
		r["t"]
		for r in probe.sql(
			"SELECT TABLE_NAME AS t FROM information_schema.TABLE_CONSTRAINTS "
			"WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_TYPE = 'PRIMARY KEY'"
		)
	}
	declared = {
		f"tab{r['name']}": (r["engine"] or "InnoDB")
		for r in probe.sql("SELECT name, engine FROM `tabDocType`")
	}
	default = probe.sql_value(
		"SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()"
	)
	# Frappe's own internal tables are key-less or MyISAM by design
	rows = [r for r in rows if not r["name"].startswith("__") and r["name"] not in NON_DOCTYPE_TABLES]
	no_pk = sorted(r["name"] for r in rows if r["name"] not in with_pk)
	engines = {
		r["name"]: f"{r['engine']} (declared {declared.get(r['name'], 'InnoDB')})"
		for r in rows
		if r["engine"] and r["engine"] != declared.get(r["name"], "InnoDB")
	}
	collations = {r["name"]: r["collation"] for r in rows if r["collation"] and r["collation"] != default}
	metrics = [Metric("tables", len(rows), "tables"), Metric("without_primary_key", len(no_pk), "tables")]
	findings, fixes = [], []
	if no_pk:
		findings.append(
			Finding("Tables without a primary key (slow replication, duplicate rows)", {"tables": no_pk[:20]})
		)
	if engines:
		findings.append(
			Finding("Tables on another engine than their DocType declares", dict(list(engines.items())[:20]))
		)
		fixes.append(
			Fix(
				"Convert each table to its declared engine in a quiet hour.",
				command="ALTER TABLE `<table>` ENGINE=InnoDB",
			)
		)
	if collations:
		findings.append(
			Finding(
				f"Tables whose collation differs from the database's ({default})",
				dict(list(collations.items())[:20]),
			)
		)
		fixes.append(
			Fix(
				"Convert them to the database's collation.",
				command=f"ALTER TABLE `<table>` CONVERT TO CHARACTER SET utf8mb4 COLLATE {default}",
			)
		)
	if not findings:
		return probe.ok(
			f"{len(rows)} tables: engines as declared, primary keys, the database's collation.",
			metrics=metrics,
		)
	count = len(set(no_pk) | set(engines) | set(collations))
	return probe.result(
		Status.WARNING, f"Schema issues in {count} table(s).", metrics=metrics, findings=findings, fixes=fixes
	)


def orphan_children(probe):
	tables = existing_tables(probe)
	children = [r["name"] for r in probe.sql("SELECT name FROM `tabDocType` WHERE istable = 1 ORDER BY name")]
	orphans, checked, unchecked = {}, 0, 0
	for child in children:
		table = f"tab{child}"
		if table not in tables or not SAFE_NAME.match(table):
			continue
		if probe.remaining_s() < 0.3:
			unchecked += 1
			continue
		checked += 1
		for row in probe.sql(
			f"SELECT DISTINCT parenttype FROM {quote(table)} WHERE parenttype IS NOT NULL LIMIT 20"
		):
			parent = f"tab{row['parenttype']}"
			if parent not in tables or not SAFE_NAME.match(parent):
				continue
			count = probe.sql_value(
				f"SELECT COUNT(*) FROM {quote(table)} c LEFT JOIN {quote(parent)} p ON p.name = c.parent "
				"WHERE c.parenttype = %s AND p.name IS NULL",
				(row["parenttype"],),
			)
			if count:
				orphans[f"{child} → {row['parenttype']}"] = int(count)
	metrics = [
		Metric("child_tables_checked", checked, "tables"),
		Metric("orphan_rows", sum(orphans.values()), "rows"),
	]
	partial = f" ({unchecked} not reached within the budget)" if unchecked else ""
	total = sum(orphans.values())
	return judge(probe, "orphan_children", total, orphans, metrics, checked=checked, partial=partial)


def broken_links(probe, doctype: str):
	found = probe.sql_value("SELECT name FROM `tabDocType` WHERE name = %s", (doctype,))
	if not found:
		return probe.result(
			Status.ERROR,
			f"There is no DocType named {doctype!r}.",
			fixes=[Fix("Give the DocType's exact name, e.g. 'Sales Invoice'.")],
		)
	tables = existing_tables(probe)
	table = f"tab{found}"
	fields = (
		probe.sql(
			"SELECT fieldname, options FROM `tabDocField` WHERE parent = %s AND fieldtype = 'Link' "
			"UNION SELECT fieldname, options FROM `tabCustom Field` WHERE dt = %s AND fieldtype = 'Link'",
			(found, found),
		)
		if "tabCustom Field" in tables
		else probe.sql(
			"SELECT fieldname, options FROM `tabDocField` WHERE parent = %s AND fieldtype = 'Link'", (found,)
		)
	)
	broken = {}
	for f in fields:
		target = f"tab{f['options']}"
		if target not in tables or not SAFE_NAME.match(f["fieldname"] or "") or table not in tables:
			continue
		column, target_q = quote(f["fieldname"]), quote(target)
		count = probe.sql_value(
			f"SELECT COUNT(*) FROM {quote(table)} d LEFT JOIN {target_q} t ON t.name = d.{column} "
			f"WHERE d.{column} IS NOT NULL AND d.{column} != '' AND t.name IS NULL"
		)
		if count:
			broken[f"{f['fieldname']} → {f['options']}"] = int(count)
	metrics = [
		Metric("link_fields", len(fields), "fields"),
		Metric("broken_links", sum(broken.values()), "rows"),
	]
	total = sum(broken.values())
	return judge(probe, "broken_links", total, broken, metrics, fields=len(fields), doctype=found)


def deleted_user_rows(probe):
	tables, counts = existing_tables(probe), {}
	for table, column in (("tabDocShare", "user"), ("tabActivity Log", "user")):
		if table in tables:
			counts[table] = int(
				probe.sql_value(
					f"SELECT COUNT(*) FROM {quote(table)} x LEFT JOIN `tabUser` u ON u.name = x.{column} "
					f"WHERE x.{column} IS NOT NULL AND x.{column} != '' AND u.name IS NULL"
				)
			)
	metrics = [Metric(t, n, "rows") for t, n in counts.items()]
	return judge(probe, "deleted_users", sum(counts.values()), counts, metrics)


def tables_without_doctype(probe):
	tables = {t for t in existing_tables(probe) if t.startswith("tab")}
	doctypes = {f"tab{r['name']}" for r in probe.sql("SELECT name FROM `tabDocType`")}
	stray = sorted(tables - doctypes - NON_DOCTYPE_TABLES)
	metrics = [Metric("stray_tables", len(stray), "tables")]
	evidence = {"tables": stray[:30]}
	return judge(probe, "stray_tables", len(stray), evidence, metrics, tables=len(tables))


def check_named_table(probe, table: str):
	found = probe.sql_value(
		"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
		(table,),
	)
	if not found:
		return probe.result(Status.ERROR, f"There is no table named {table!r} in this database.")
	rows = probe.sql(f"CHECK TABLE {quote(found)}")
	problems = [
		r
		for r in rows
		if str(r.get("Msg_type", "")).lower() in ("error", "warning")
		or str(r.get("Msg_text", "")).lower() not in ("ok",)
	]
	evidence = {"results": [{k: r.get(k) for k in ("Msg_type", "Msg_text")} for r in rows]}
	note = "CHECK TABLE reads the whole table and can lock it; it ran only because this table was named."
	if not problems:
		return probe.ok(f"CHECK TABLE {found}: OK. {note}", findings=[Finding(note, evidence)])
	return probe.result(
		Status.CRITICAL,
		f"CHECK TABLE {found} reports problems.",
		findings=[Finding(note, evidence)],
		fixes=[Fix("Restore the table from a backup, or try REPAIR/ALTER TABLE ... FORCE on a copy first.")],
	)
