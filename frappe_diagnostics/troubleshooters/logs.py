"""Log analysis and slow-query-log digest as Diagnoses: what is wrong, how often, since when, how to fix it."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from frappe_diagnostics.engine.result import CheckResult, Finding, Fix, Metric, Status
from frappe_diagnostics.troubleshooters.diagnosis import Diagnosis

SINCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.I)
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
ERRORS_PER_HOUR = (10, 100)  # warning, critical
SLOW_MEAN_S = 1.0


def parse_since(value: str | float | None, default_hours: float = 24) -> datetime:
	"""'30m', '24h', '7d', '2w', an ISO date/time, or a number of hours -> an aware UTC datetime."""
	now = datetime.now(timezone.utc)
	if value in (None, ""):
		return now - timedelta(hours=default_hours)
	if isinstance(value, int | float):
		return now - timedelta(hours=float(value))
	match = SINCE.match(str(value))
	if match:
		return now - timedelta(**{UNITS[match.group(2).lower()]: float(match.group(1))})
	try:
		parsed = datetime.fromisoformat(str(value).strip())
	except ValueError:
		raise ValueError(
			f"--since takes 30m, 24h, 7d, 2w or a date like 2026-11-01 (got {value!r})"
		) from None
	return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _step(check_id, title, status, summary, metrics=(), findings=(), fixes=()) -> CheckResult:
	return CheckResult(
		check_id, status, summary, title, check_id.split(".")[0], list(metrics), list(findings), list(fixes)
	)


def diagnose_logs(ctx, since=None, solutions=None) -> Diagnosis:
	"""The bench's logs/ folder in a time window: levels, sources, top error groups with their solutions."""
	from frappe_diagnostics.knowledge.logfiles import analyze
	from frappe_diagnostics.knowledge.solutions import load_solutions

	started = time.time()
	window_start = parse_since(since)
	folder = ctx.log_path()
	if folder is None:
		raise ValueError("No bench folder is known here: pass --bench PATH.")
	digest = analyze(folder, since=window_start, monitor=False)
	hours = max((datetime.now(timezone.utc) - window_start).total_seconds() / 3600, 1 / 60)
	by_id = {s.id: s for s in (solutions if solutions is not None else load_solutions())}
	steps = [_read_step(digest, "logs.read", f"Log files in {folder}"), _levels_step(digest, hours)]
	steps.append(_groups_step(digest, by_id))
	question = f"What do {ctx.name}'s bench logs say since {window_start:%Y-%m-%d %H:%M} UTC?"
	inputs = {"since": window_start.isoformat(timespec="seconds")}
	return Diagnosis("Log Analysis", question, steps, inputs, started, time.time(), ctx.name)


def _read_step(digest, check_id: str, title: str) -> CheckResult:
	files = [f for f in getattr(digest, "files", [])]
	metrics = [Metric("bytes_read", round(digest.bytes_read / 2**20, 2), "MiB")]
	if files:
		metrics.insert(0, Metric("files", len(files), "files"))
	if digest.warnings:
		return _step(
			check_id,
			title,
			Status.WARNING,
			f"Read with {len(digest.warnings)} problem(s); the result is partial: {digest.warnings[0]}",
			metrics,
			[Finding("Problems while reading", {"warnings": digest.warnings[:10]})],
		)
	return _step(check_id, title, Status.OK, f"Read {digest.bytes_read / 2**20:.1f} MiB.", metrics)


def _levels_step(digest, hours: float) -> CheckResult:
	errors = sum(
		n for level, n in digest.by_level.items() if level.upper() in ("ERROR", "CRITICAL", "EXCEPTION")
	)
	rate = errors / hours
	status = (
		Status.CRITICAL
		if rate >= ERRORS_PER_HOUR[1]
		else Status.WARNING
		if rate >= ERRORS_PER_HOUR[0]
		else Status.OK
	)
	metrics = [
		Metric("records", digest.records, "records"),
		Metric("errors", errors, "records"),
		Metric("error_rate", round(rate, 1), "per hour"),
	]
	metrics += [Metric(f"level.{k}", v, "records") for k, v in sorted(digest.by_level.items())]
	evidence = {"by_file": digest.by_file, "errors_by_file": digest.errors_by_file}
	span = f" between {_iso(digest.first_seen)} and {_iso(digest.last_seen)}" if digest.first_seen else ""
	summary = f"{digest.records} record(s){span}; {errors} error(s), {rate:.1f} per hour."
	return _step(
		"logs.levels",
		"Records by level and source",
		status,
		summary,
		metrics,
		[Finding("Records by log file", evidence)],
	)


def _groups_step(digest, solutions: dict) -> CheckResult:
	groups = digest.error_groups
	if not groups:
		return _step("logs.error_groups", "Error groups", Status.OK, "No errors in the window.")
	findings, fixes = [], []
	for g in groups[:10]:
		solution = solutions.get(g.solutions[0]) if g.solutions else None
		evidence = {
			"count": g.count,
			"first_seen": _iso(g.first_seen),
			"last_seen": _iso(g.last_seen),
			"files": g.files,
			"solution": solution.title if solution else None,
		}
		findings.append(
			Finding((f"{g.exception_type}: {g.message}" if g.exception_type else g.message)[:300], evidence)
		)
		if solution:
			fixes += [f for f in solution.fixes()[:2] if f not in fixes]
	top = groups[0]
	status = Status.WARNING
	summary = f"{digest.distinct_errors} distinct error(s); the most frequent ({top.count}×): {(top.exception_type or top.message)[:120]}."
	metrics = [Metric("distinct_errors", digest.distinct_errors, "groups")]
	return _step("logs.error_groups", "Error groups", status, summary, metrics, findings, fixes)


def _iso(epoch):
	return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds") if epoch else None


def slow_log_path(ctx) -> Path:
	"""The slow query log the site's MariaDB server writes, asked from the server."""
	conn = ctx.connect_db(timeout_s=2.0)
	try:
		with conn.cursor() as cur:
			cur.execute("SELECT @@slow_query_log AS on_, @@slow_query_log_file AS file, @@datadir AS datadir")
			row = cur.fetchone()
	finally:
		conn.close()
	path = Path(row["file"] or "")
	if not path.is_absolute():
		path = Path(row["datadir"] or "/var/lib/mysql") / path
	if not int(row["on_"] or 0) and not path.exists():
		raise ValueError("The server's slow query log is off; turn it on: SET GLOBAL slow_query_log = 1")
	return path


def diagnose_slowlog(ctx, path: str | None = None, since=None) -> Diagnosis:
	"""Digest a MariaDB slow query log by pt-query-digest fingerprint: the statements that cost the most time."""
	from frappe_diagnostics.knowledge.slowlog import digest

	started = time.time()
	window_start = parse_since(since)
	source = Path(path) if path else slow_log_path(ctx)
	if not source.exists():
		raise ValueError(f"{source} does not exist (the database server may run on another machine).")
	result = digest(str(source), since=window_start, top=20)
	steps = [
		_read_step(result, "slowlog.read", f"Slow query log {source}"),
		_slow_groups_step(result, ctx.name),
	]
	inputs = {"path": str(source), "since": window_start.isoformat(timespec="seconds")}
	question = f"Which statements cost the most time since {window_start:%Y-%m-%d %H:%M} UTC?"
	return Diagnosis("Slow Query Log", question, steps, inputs, started, time.time(), ctx.name)


def _slow_groups_step(result, site: str) -> CheckResult:
	metrics = [
		Metric("queries", result.queries, "queries"),
		Metric("fingerprints", result.fingerprints, "groups"),
		Metric("total_time", round(result.total_time, 2), "s"),
	]
	if not result.groups:
		return _step(
			"slowlog.groups", "Costliest statements", Status.OK, "No slow statements in the window.", metrics
		)
	findings = [
		Finding(
			f"{g.query_id} ({g.count}×, {g.total_time:.1f} s): {g.fingerprint[:200]}",
			{
				"mean_s": round(g.mean_time, 3),
				"p95_s": round(g.p95_time, 3),
				"rows_examined": g.rows_examined,
				"rows_sent": g.rows_sent,
				"first_seen": _iso(g.first_seen),
				"last_seen": _iso(g.last_seen),
				"worst_sample": g.sample[:500],
			},
		)
		for g in result.groups[:10]
	]
	slow = [g for g in result.groups if g.mean_time >= SLOW_MEAN_S]
	status = Status.WARNING if slow else Status.OK
	top = result.groups[0]
	fixes = [
		Fix(
			"Explain the costliest statement and add the index it needs.",
			command=f'bench --site {site} diagnostics explain "{top.sample[:300]}"',
		)
	]
	summary = f"{result.queries} slow statement(s) in {result.fingerprints} group(s); the costliest takes {top.share:.0%} of the time."
	return _step("slowlog.groups", "Costliest statements", status, summary, metrics, findings, fixes)
