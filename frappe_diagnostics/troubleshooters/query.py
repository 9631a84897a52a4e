"""Query analyser (`diagnostics explain "<SQL>"`): why is this SELECT slow, and which index would help?

The query is validated first (sql_guard); only then does MariaDB see a plain EXPLAIN of it, inside
START TRANSACTION READ ONLY, under max_statement_time, always rolled back. Framework-free.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.probe import describe_db_error
from frappe_diagnostics.engine.result import CheckResult, Finding, Fix, Metric, Status
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.engine.steps import step
from frappe_diagnostics.troubleshooters.explain_run import (
	FROM_INDEX,
	FROM_INDEX_EXTRA,
	BusyConnection,
	quietly,
	run_explain,
)
from frappe_diagnostics.troubleshooters.query_shape import QueryShape, is_derived
from frappe_diagnostics.troubleshooters.sql_guard import QueryRejected, explainable_sql, validate_select

THRESHOLDS = {"scan_rows": 1_000, "large_rows": 100_000, "huge_rows": 1_000_000}
MAX_STORED_SQL = 10_000


def explain_query(
	conn, sql: str, timeout_s: float = 5.0, site: str = "<site>", thresholds: dict | None = None
) -> Diagnosis:
	"""Validate `sql`, EXPLAIN it read-only on `conn` (a pymysql connection) and judge each plan row."""
	return _analyse(lambda: conn, sql, timeout_s, site, thresholds)


def diagnose_query(ctx, sql: str, timeout_s: float = 5.0, thresholds: dict | None = None) -> Diagnosis:
	"""The same on a connection of its own to the site of `ctx` (a SiteContext), opened only when needed.

	A statement the gate refuses raises QueryRejected (a ValueError: bad input on every surface).
	"""
	tree = validate_select(sql)
	opened = []

	def connect():
		opened.append(ctx.connect_db(timeout_s=min(timeout_s + 1, 30)))
		return opened[0]

	try:
		return _analyse(connect, sql, timeout_s, ctx.bench_site or "", thresholds, tree)
	finally:
		for conn in opened:
			quietly(conn.close)


def _analyse(connect: Callable, sql, timeout_s, site, thresholds, tree=None) -> Diagnosis:
	inputs = {"sql": str(sql or "")[:MAX_STORED_SQL], "site": site, "timeout_s": timeout_s}
	diagnosis = Diagnosis(kind="Query", question="Why is this query slow?", inputs=inputs, site=site)
	started = time.perf_counter()
	try:
		tree = tree if tree is not None else validate_select(sql)
		explained = explainable_sql(tree)
	except QueryRejected as e:
		fix = Fix("Paste the one SELECT to analyse, as the slow query log or frappe.db shows it.")
		diagnosis.steps = [step("query.validate", "Validate", Status.CRITICAL, str(e), fixes=[fix])]
		return _finished(diagnosis)
	inputs["explained_sql"] = explained[:MAX_STORED_SQL]
	shape = QueryShape(tree)
	accepted = _accepted(sql, shape, (time.perf_counter() - started) * 1000)
	diagnosis.steps = [accepted, *_plan_steps(connect, explained, shape, timeout_s, site, thresholds)]
	return _finished(diagnosis)


def _finished(diagnosis: Diagnosis) -> Diagnosis:
	diagnosis.finished = time.time()
	return diagnosis


def _accepted(sql: str, shape: QueryShape, duration_ms: float) -> CheckResult:
	tables = shape.real_tables()
	listed = ", ".join(f"`{t}`" for t in tables[:5]) or "no table"
	more = f" and {len(tables) - 5} more" if len(tables) > 5 else ""
	summary = f"The query is a single read-only SELECT over {listed}{more}."
	metrics = [Metric("tables", len(tables), "tables"), Metric("length", len(sql), "chars")]
	return step("query.validate", "Validate", Status.OK, summary, metrics=metrics, duration_ms=duration_ms)


# --- running EXPLAIN ---------------------------------------------------------------------------------


def _plan_steps(connect, explained, shape, timeout_s, site, thresholds) -> list[CheckResult]:
	limits = {**THRESHOLDS, **(thresholds or {})}
	started = time.perf_counter()
	try:
		rows, indexed = run_explain(connect(), explained, shape.real_tables(), timeout_s)
	except Exception as e:
		return [_explain_failed(e, timeout_s, site)]
	took = (time.perf_counter() - started) * 1000
	if not rows:
		return [step("query.plan", "Plan", Status.OK, "MariaDB returned an empty plan.")]
	return [_plan_step(i, row, shape, indexed, site, limits, took) for i, row in enumerate(rows, start=1)]


# --- when EXPLAIN fails ------------------------------------------------------------------------------

# By error code. Only these server messages are repeated ({text}): others could carry data (see EXTRACTVALUE).
SUMMARIES = {
	1146: "Table `{table}` does not exist in this site's database.",
	1054: "Column `{column}` does not exist.",
	1052: "The query is ambiguous: {text}.",
	1064: "MariaDB rejected the query: {text}",
	1305: "MariaDB rejected the query: {text}",
	1969: "EXPLAIN took longer than its {timeout:g} s limit and was stopped.",
	1193: "This server has no max_statement_time, so EXPLAIN was not run.",
	1142: "The site's database user may not read this: {text}",
	"busy": "The connection has an open transaction; EXPLAIN was not run.",
	"connection": "The database connection failed: {reason}.",
	"other": "EXPLAIN failed ({shown}); the plan could not be read.",
}
ADVICE = {
	1146: "A DocType's table is `tab` + its name (`tabSales Invoice`); if the DocType exists, migrate.",
	1054: "Check the fieldname and the table alias; a new custom field needs `bench migrate`.",
	1052: "Qualify the column with its table or alias.",
	1969: "The optimiser itself is slow on this query: simplify it.",
	1193: "The analyser needs MariaDB, which can bound EXPLAIN in time.",
	1142: "Explain queries over the site's own tables.",
	"busy": "Pass a dedicated connection (diagnose_query opens one), so the caller's work stays untouched.",
	"connection": "Check that MariaDB is up (`frappe-diagnostics check`), then try again.",
	"other": "Run the EXPLAIN by hand to see the full message.",
}
COMMANDS = {1146: ("migrate",), "other": ("mariadb",)}  # bench words, after --site
VERDICTS = {1146, 1054, 1052, 1064, 1305}  # the query is wrong (critical); others: could not decide (error)
for _same in (1143, 1044):
	SUMMARIES[_same], ADVICE[_same] = SUMMARIES[1142], ADVICE[1142]


def _explain_failed(error: Exception, timeout_s: float, site: str) -> CheckResult:
	code, text = _error_parts(error)
	kind = _failure_kind(error, code)
	values = {
		"text": text,
		"table": _match(r"Table '(?:[^'.]*\.)?([^']*)' doesn't exist", text) or "named in the query",
		"column": _match(r"Unknown column '([^']*)'", text) or "named in the query",
		"timeout": timeout_s,
		"site": site,
		"reason": describe_db_error(error),
		"shown": f"MariaDB error {code}" if code is not None else f"{type(error).__name__}: {text}",
	}
	summary = SUMMARIES[kind].format(**values)
	advice = ADVICE.get(kind, "Correct the SQL, then explain it again.")
	fix = Fix(advice, bench(site, *COMMANDS[kind]) if kind in COMMANDS and site else None)
	evidence = {"error_code": code, "message": text if code in SUMMARIES else None}
	finding = Finding(summary, {k: v for k, v in evidence.items() if v is not None})
	status = Status.CRITICAL if kind in VERDICTS else Status.ERROR
	return step("query.explain", "EXPLAIN", status, summary, findings=[finding], fixes=[fix])


def _failure_kind(error: Exception, code: int | None):
	if isinstance(error, BusyConnection):
		return "busy"
	if code in SUMMARIES:
		return code
	return "connection" if code is not None and code >= 2000 else "other"


def _error_parts(error: Exception) -> tuple[int | None, str]:
	args = getattr(error, "args", ())
	code = args[0] if args and isinstance(args[0], int) else None
	text = str(args[1]) if code is not None and len(args) > 1 else str(error)
	return code, text


def _match(pattern: str, text: str) -> str | None:
	found = re.search(pattern, text)
	return found.group(1) if found else None


# --- judging plan rows -------------------------------------------------------------------------------

ACCESS_WORDS = {
	"ALL": "by a full table scan",
	"index": "by a full scan of an index",
	"range": "by an index range",
	"index_merge": "by merging indexes",
	"fulltext": "through a full-text index",
}  # const, eq_ref, ref and the like are index lookups
SHORT = {"scan": "a full scan", "unused_index": "an unused index", "filesort": "a filesort"}
SHORT.update(temporary="a temporary table", large="a very large read")


def _plan_step(index, row, shape, indexed, site, limits, took) -> CheckResult:
	table, rows = row.get("table"), _int(row.get("rows"))
	label = shape.label(table)
	graded = _graded_findings(row, label, rows, limits)
	status = max((s for s, _, _ in graded), key=lambda s: s.rank, default=Status.OK)
	fixes = _fixes(row, {kind for _, kind, _ in graded}, shape, indexed, site) if graded else []
	summary = _summary(graded) if graded else _describe_access(row, label, rows)
	findings = [f for _, _, f in graded]
	parts = {"metrics": _metrics(row, rows), "findings": findings, "fixes": fixes, "duration_ms": took}
	return step(f"query.plan.{index}", f"Plan row {index}: {table or '-'}", status, summary, **parts)


def _graded_findings(row, label, rows, limits) -> list[tuple[Status, str, Finding]]:
	"""(status, kind, finding) for each problem of one plan row, worst first."""
	keys = ("table", "type", "possible_keys", "key", "rows", "extra")
	evidence = {k: row.get(k) for k in keys if row.get(k)}
	graded = []
	if rows >= limits["scan_rows"]:
		graded = [
			(Status.WARNING, kind, Finding(text, evidence)) for kind, text in _problems(row, label, rows)
		]
	if rows >= limits["large_rows"]:
		status = Status.CRITICAL if rows >= limits["huge_rows"] else Status.WARNING
		text = f"MariaDB estimates {rows:,} rows examined in {label}: a very large read."
		graded.insert(0, (status, "large", Finding(text, evidence)))
	return sorted(graded, key=lambda g: -g[0].rank)


def _problems(row, label, rows) -> list[tuple[str, str]]:
	access, key, extra = row.get("type"), row.get("key"), str(row.get("extra") or "")
	if is_derived(row.get("table")):
		access = None  # a materialised subquery result is judged by the subquery's own rows
	possible = row.get("possible_keys")
	checks = (
		(
			"scan",
			access == "ALL",
			f"Full table scan of {label}: MariaDB expects to read about {rows:,} rows.",
		),
		("scan", access == "index", f"Full scan of index `{key}` on {label}: about {rows:,} entries read."),
		("unused_index", possible and not key, f"{label} has usable indexes ({possible}) but none is used."),
		("filesort", "Using filesort" in extra, f"About {rows:,} rows of {label} are sorted in a filesort."),
		("temporary", "Using temporary" in extra, f"A temporary table is built for {label} ({rows:,} rows)."),
	)
	return [(kind, text) for kind, hit, text in checks if hit]


def _summary(graded) -> str:
	first = graded[0][2].message.rstrip(".")
	others = list(dict.fromkeys(SHORT[kind] for _, kind, _ in graded[1:] if kind != graded[0][1]))
	if not others:
		return f"{first}."
	listed = others[0] if len(others) == 1 else f"{', '.join(others[:-1])} and {others[-1]}"
	return f"{first}; also {listed}."


def _describe_access(row, label, rows) -> str:
	access, key = row.get("type"), row.get("key")
	if row.get("extra") == FROM_INDEX_EXTRA:
		return FROM_INDEX
	if not access:
		return f"No table is read for this step: {str(row.get('extra') or 'nothing to read').rstrip('.')}."
	if is_derived(row.get("table")):
		return f"The result of a subquery ({row['table']}) is read, about {rows:,} rows."
	how = ACCESS_WORDS.get(access, f"by an index lookup ({access})")
	via = f" (`{key}`)" if key else ""
	small = " (a small table, fine at this size)" if access in ("ALL", "index") else ""
	return f"{label[0].upper()}{label[1:]} is read {how}{via}, about {rows:,} row{'s' * (rows != 1)}{small}."


def _metrics(row, rows) -> list[Metric]:
	named = (("access", "type", "-"), ("key", "key", "none"), ("possible_keys", "possible_keys", "none"))
	named += (("select_type", "select_type", "-"), ("extra", "extra", ""))
	return [Metric("rows", rows, "rows"), *(Metric(name, row.get(k) or empty) for name, k, empty in named)]


def _int(value) -> int:
	try:
		return int(value or 0)
	except (TypeError, ValueError):
		return 0


# --- what to do ---------------------------------------------------------------------------------------


def _fixes(row, kinds: set, shape, indexed, site) -> list[Fix]:
	ref = row.get("table")
	real = shape.aliases.get(ref) if ref else None
	fixes = []
	if real and kinds & {"scan", "unused_index", "filesort"}:
		order_first = "filesort" in kinds and not kinds & {"scan", "unused_index"}
		candidates = shape.columns_for(ref, order_first=order_first)
		fixes += _index_fixes(real, candidates, indexed.get(real, set()), site)
	if "temporary" in kinds:
		fixes.append(
			Fix("Index the GROUP BY / DISTINCT columns, or filter rows first with a selective WHERE.")
		)
	if "large" in kinds:
		fixes.append(Fix("Narrow the query (a date range, a status, a LIMIT) so fewer rows are examined."))
	return fixes


def _index_fixes(table: str, candidates: list[tuple[str, str]], indexed: set, site: str) -> list[Fix]:
	if not candidates:
		return [Fix(f"Nothing filters or sorts `{table}`: add a WHERE on an indexed column, or a LIMIT.")]
	missing = [(c, role) for c, role in candidates if c.lower() not in indexed]
	if not missing:
		names = ", ".join(f"`{c}`" for c, _ in candidates[:3])
		advice = f"{names} already lead an index that is not used: run ANALYZE TABLE `{table}`"
		return [Fix(f"{advice}, and compare the column as it is (no function around it, same type).")]
	column, role = missing[0]
	reason = f"`{column}` is used in the {role} and no index starts with it"
	fixes = [_index_fix(table, [column], reason, site)]
	also = [c for c, r in missing[1:] if r == "WHERE" and role == "WHERE"]
	if also:
		reason = f"a composite index serves the filter on `{column}` and `{also[0]}` together"
		fixes.append(_index_fix(table, [column, also[0]], reason, site))
	return fixes


def _index_fix(table: str, columns: list[str], reason: str, site: str) -> Fix:
	names = ", ".join(f"`{c}`" for c in columns)
	if not table.startswith("tab"):
		return Fix(f"Add an index on {names} of `{table}`: {reason}.")
	doctype = table[3:]
	options = [word for c in columns for word in ("--column", c)]
	if not site:  # no bench here: say what to run in the site's bench
		words = bench("<site>", "add-database-index", "--doctype", doctype, *options)
		return Fix(f"Add an index on {names} of {doctype}: {reason} (in the site's bench: `{words}`).")
	command = bench(site, "add-database-index", "--doctype", doctype, *options)
	return Fix(f"Add an index on {names} of {doctype}: {reason}.", command=command)
