"""Database troubleshooter: "why is the database slow or broken?" Connection tests, slow statements,
integrity and configuration advice, each a step with evidence and a fix."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import psutil

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.registry import Registry, check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status
from frappe_diagnostics.engine.runner import run_selected
from frappe_diagnostics.troubleshooters import db_growth, db_integrity
from frappe_diagnostics.troubleshooters.db_advisor import advise

CONNECTION_STEPS = ("database.connectivity", "database.core_tables", "database.connections", "database.locks")
PICO = 1e12


def slow_statements(probe, top: int = 10):
	if str(probe.sql_value("SELECT @@performance_schema")) in ("1", "ON"):
		try:
			return _digest_steps(probe, top)
		except Exception as e:
			if getattr(e, "args", (None,))[0] not in (1142, 1044, 1227):
				raise
	return _slow_log(probe, top)


def _digest_steps(probe, top):
	rows = probe.sql(
		"SELECT DIGEST_TEXT AS text, COUNT_STAR AS n, SUM_TIMER_WAIT AS total, AVG_TIMER_WAIT AS mean, "
		"MAX_TIMER_WAIT AS worst, SUM_ROWS_EXAMINED AS examined, SUM_ROWS_SENT AS sent "
		"FROM performance_schema.events_statements_summary_by_digest WHERE SCHEMA_NAME = DATABASE() "
		"ORDER BY SUM_TIMER_WAIT DESC LIMIT %s",
		(top,),
	)
	statements = [
		{
			"statement": (r["text"] or "")[:300],
			"count": int(r["n"]),
			"total_s": round(float(r["total"]) / PICO, 3),
			"mean_ms": round(float(r["mean"]) / PICO * 1000, 2),
			"max_ms": round(float(r["worst"]) / PICO * 1000, 2),
			"rows_examined": int(r["examined"]),
			"rows_sent": int(r["sent"]),
		}
		for r in rows
	]
	return _statements_result(
		probe, statements, "performance_schema digests (MariaDB keeps no p95: max shown)"
	)


def _slow_log(probe, top):
	variables = probe.variables("slow_query_log", "slow_query_log_file", "datadir")
	if str(variables.get("slow_query_log", "OFF")).upper() not in ("ON", "1"):
		return probe.skipped(
			"Neither performance_schema (readable by this user) nor the slow query log is on.",
			fixes=[
				Fix(
					"Turn the slow query log on to see slow statements.",
					command='mysql -e "SET GLOBAL slow_query_log = 1; SET GLOBAL long_query_time = 1"',
				)
			],
		)
	path = Path(variables.get("slow_query_log_file") or "")
	if not path.is_absolute():
		path = Path(variables.get("datadir") or "/var/lib/mysql") / path
	try:
		from frappe_diagnostics.knowledge.slowlog import digest
	except ImportError:
		return probe.skipped(f"The slow log is at {path}; analyse it with `diagnostics slowlog`.")
	if not path.is_file():
		return probe.skipped(
			f"The slow log {path} is not readable from this machine (the database runs elsewhere?)."
		)
	report = digest(str(path), since=datetime.now() - timedelta(days=1), top=top).to_dict()
	statements = [
		{
			"statement": (g.get("sample") or g.get("fingerprint") or "")[:300],
			"count": g.get("count"),
			"total_s": round(g.get("total_time", 0), 3),
			"mean_ms": round(g.get("mean_time", 0) * 1000, 2),
			"p95_ms": round(g.get("p95_time", 0) * 1000, 2),
			"rows_examined": g.get("rows_examined"),
			"rows_sent": g.get("rows_sent"),
		}
		for g in report.get("groups", [])[:top]
	]
	return _statements_result(probe, statements, f"the slow query log {path} (last 24 h)")


def _statements_result(probe, statements, source):
	metrics = [Metric("statements", len(statements), "digests")]
	if not statements:
		return probe.ok(f"No statements recorded in {source}.", metrics=metrics)
	worst = statements[0]
	wasteful = [
		s
		for s in statements
		if s["rows_sent"] and s["rows_examined"] > 100 * s["rows_sent"] and s["rows_examined"] > 10_000
	]
	status = Status.WARNING if wasteful or worst.get("mean_ms", 0) > 1000 else Status.OK
	findings = [Finding(f"Top statements by total time, from {source}", {"statements": statements})]
	fixes = []
	if wasteful:
		findings.append(
			Finding(
				"Statements examine far more rows than they return: missing indexes",
				{"statements": [s["statement"] for s in wasteful[:3]]},
			)
		)
		fixes.append(
			Fix(
				"Explain the worst statement and add the index it suggests.",
				command='bench --site <site> diagnostics explain "<statement>"',
			)
		)
	summary = (
		f"Top statement: {worst['count']} runs, {worst['total_s']} s in all, {worst['mean_ms']} ms mean."
	)
	return probe.result(status, summary, metrics=metrics, findings=findings, fixes=fixes)


def advisor(probe):
	status = {r["Variable_name"]: r["Value"] for r in probe.sql("SHOW GLOBAL STATUS")}
	variables = {r["Variable_name"]: r["Value"] for r in probe.sql("SHOW GLOBAL VARIABLES")}
	data = probe.sql_value(
		"SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) FROM information_schema.TABLES WHERE ENGINE = 'InnoDB'"
	)
	facts = {"ram_bytes": psutil.virtual_memory().total, "innodb_data_bytes": float(data or 0)}
	advice = advise(status, variables, facts)
	warnings = [a for a in advice if a.severity == "warning"]
	findings = [Finding(f"[{a.rule}] {a.message}", a.evidence) for a in advice]
	fixes = [
		Fix(f"{a.rule}: set {a.setting} = {a.value} in the [mysqld] section, then restart MariaDB.")
		for a in advice
		if a.setting
	]
	version = variables.get("version", "?")
	metrics = [Metric("rules_fired", len(advice), "rules"), Metric("server_version", version)]
	if not advice:
		return probe.ok(f"MariaDB {version}: no configuration rule fired.", metrics=metrics)
	summary = f"{len(warnings)} configuration warning(s), {len(advice) - len(warnings)} note(s) for MariaDB {version}."
	return probe.result(
		Status.WARNING if warnings else Status.OK, summary, metrics=metrics, findings=findings, fixes=fixes
	)


def _steps(doctype: str | None, table: str | None) -> Registry:
	local = Registry()
	steps = [
		("database.log_growth", "Growing log tables", db_growth.log_growth, 5000),
		("database.slow_statements", "Slow statements", slow_statements, 5000),
		("database.schema_hygiene", "Schema hygiene", db_integrity.schema_hygiene, 5000),
		("database.orphan_children", "Orphaned child rows", db_integrity.orphan_children, 15000),
		("database.deleted_users", "Rows of deleted users", db_integrity.deleted_user_rows, 10000),
		("database.stray_tables", "Tables without a DocType", db_integrity.tables_without_doctype, 3000),
		("database.advisor", "Configuration advisor", advisor, 5000),
	]
	if doctype:
		steps.insert(
			4,
			(
				"database.links",
				f"Links of {doctype}",
				partial(db_integrity.broken_links, doctype=doctype),
				15000,
			),
		)
	if table:
		steps.append(
			(
				"database.check_table",
				f"CHECK TABLE {table}",
				partial(db_integrity.check_named_table, table=table),
				60000,
			)
		)
	for check_id, title, fn, budget in steps:
		thresholds = db_growth.THRESHOLDS if fn is db_growth.log_growth else None
		check(check_id, title=title, tags=("database",), budget_ms=budget, thresholds=thresholds, into=local)(
			fn
		)
	return local


def diagnose_database(ctx, doctype: str | None = None, table: str | None = None) -> Diagnosis:
	"""Connection tests first (a later step means nothing if they fail), then the deeper steps."""
	started = time.time()
	budget = ctx.troubleshooter_settings(min_check_ms=2000, run_s=120, parallel=2)
	connection = run_selected(ctx, CONNECTION_STEPS, settings=budget)
	steps = list(connection.results)
	if connection.results[0].status is not Status.CRITICAL:
		local = _steps(doctype, table)
		steps += run_selected(ctx, reg=local, settings=budget).results
	inputs = {k: v for k, v in (("doctype", doctype), ("table", table)) if v}
	return Diagnosis(
		"Database",
		f"What is wrong with {ctx.name}'s database?",
		steps,
		inputs,
		started,
		time.time(),
		ctx.name,
	)
