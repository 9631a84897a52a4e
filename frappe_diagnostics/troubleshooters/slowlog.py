"""Slow query log digest as a Diagnosis: the statements that cost the most time, grouped as pt-query-digest does."""

from __future__ import annotations

import time
from pathlib import Path

from frappe_diagnostics.engine.context import server_path
from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.probe import describe_db_error
from frappe_diagnostics.engine.result import CheckResult, Finding, Fix, Metric, Status
from frappe_diagnostics.engine.shell import bench, command
from frappe_diagnostics.engine.steps import step
from frappe_diagnostics.knowledge.timewindow import iso, parse_since
from frappe_diagnostics.troubleshooters.logs import read_step, require_files
from frappe_diagnostics.troubleshooters.slowreport import report

SLOW_MEAN_S = 1.0


def slow_log_state(ctx) -> tuple[bool, Path]:
	"""Whether the site's MariaDB server writes a slow query log, and where (asked from the server)."""
	row = ctx.server_variables("slow_query_log", "slow_query_log_file", "datadir")
	path = server_path(row["slow_query_log_file"], row["datadir"]) or Path(row["datadir"] or "/var/lib/mysql")
	return bool(int(row["slow_query_log"] or 0)), path


def diagnose_slowlog(
	ctx,
	files=None,
	path: str | None = None,
	since=None,
	until=None,
	top: int | None = 20,
	order_by: str = "total",
	filter_db: str | None = None,
	filter_user: str | None = None,
) -> Diagnosis:
	"""Digest MariaDB slow query logs by pt-query-digest fingerprint: the statements that cost the most
	time (or run most often, or take longest), optionally of one schema or user."""
	from frappe_diagnostics.knowledge.slowlog import digest

	started = time.time()
	whole = since in (None, "") and bool(files or path)  # a file handed over is read whole, like pt does
	window_start = None if whole else parse_since(since)
	window_end = parse_since(until, label="--until") if until else None
	question = f"Which statements cost the most time{_window_text(window_start, window_end)}?"
	inputs = {"since": window_start.isoformat(timespec="seconds") if window_start else None}
	inputs.update({"top": top, "order_by": order_by})
	inputs.update({k: v for k, v in (("filter_db", filter_db), ("filter_user", filter_user)) if v})
	inputs.update({"until": window_end.isoformat(timespec="seconds")} if window_end else {})
	if files or path:
		sources = [Path(f) for f in (files or [path])]
	else:
		try:
			on, source = slow_log_state(ctx)
		except Exception as e:  # refused login, server down: the server cannot say where its log is
			steps = [_unreachable_step(e)]
			return Diagnosis("Slow Query Log", question, steps, inputs, started, time.time(), ctx.name)
		if not on and not source.exists():
			steps = [_off_step(source)]
			return Diagnosis("Slow Query Log", question, steps, inputs, started, time.time(), ctx.name)
		sources = [source]
	inputs["files"] = [str(s) for s in sources]
	require_files(sources)
	result = digest(
		[str(s) for s in sources],
		window_start,
		window_end,
		top,
		order_by=order_by,
		db=filter_db,
		user=filter_user,
	)
	steps = [
		read_step(result, "slowlog.read", f"Slow query log {', '.join(inputs['files'])}"),
		_slow_groups_step(result, ctx.bench_site or ""),
	]
	diagnosis = Diagnosis("Slow Query Log", question, steps, inputs, started, time.time(), ctx.name)
	diagnosis.appendix = report(result, order_by)
	diagnosis.data = {"groups": [g.to_dict() for g in result.groups]}
	return diagnosis


def _window_text(start, end) -> str:
	if start is None and end is None:
		return " in the whole log"
	since = f" since {start:%Y-%m-%d %H:%M}" if start else ""
	return since + (f" until {end:%Y-%m-%d %H:%M}" if end else "") + " UTC"


def _unreachable_step(error: Exception) -> CheckResult:
	return step(
		"slowlog.database",
		"Database server",
		Status.ERROR,
		f"The database server cannot be asked where its slow log is ({describe_db_error(error)}): name the "
		"log's FILES or --path to read it without the database.",
		fixes=[
			Fix(
				"Read the log file itself, on the database server's machine: `frappe-diagnostics slowlog FILE` "
				"(MariaDB writes it to its datadir as <host name>-slow.log unless slow_query_log_file says "
				"otherwise)."
			)
		],
	)


def _off_step(source: Path) -> CheckResult:
	return step(
		"slowlog.enabled",
		"Slow query log on",
		Status.WARNING,
		"The database server's slow query log is off, so there is nothing to digest yet.",
		[Finding("slow_query_log is OFF", {"slow_query_log_file": str(source)})],
		[
			Fix(
				"Turn the slow log on now (as a MariaDB admin user), then run this again after the slow period:",
				command="mariadb -e 'SET GLOBAL slow_query_log = 1; SET GLOBAL long_query_time = 1'",
			),
			Fix(
				"Keep it on after a restart: add `slow_query_log = 1` and `long_query_time = 1` under [mysqld] "
				"in the server's configuration (e.g. /etc/mysql/mariadb.conf.d/50-server.cnf)."
			),
		],
	)


EXPLAIN_SAMPLE_MAX = 4000


def _slow_groups_step(result, site: str) -> CheckResult:
	metrics = [
		Metric("queries", result.queries, "queries"),
		Metric("fingerprints", result.fingerprints, "groups"),
		Metric("total_time", round(result.total_time, 2), "s"),
	]
	if not result.groups and result.outside_window:
		summary = (
			f"No slow statements in the window, but {result.outside_window:,} outside it: widen --since "
			"(or leave it out to read a file whole)."
		)
		return step("slowlog.groups", "Costliest statements", Status.WARNING, summary, metrics=metrics)
	if not result.groups:
		summary = "No slow statements in the window."
		return step("slowlog.groups", "Costliest statements", Status.OK, summary, metrics=metrics)
	findings = [
		Finding(
			f"{g.query_id} ({g.count}×, {g.total_time:.1f} s): {g.fingerprint[:200]}",
			{
				"mean_s": round(g.mean_time, 3),
				"p50_s": round(g.p50_time, 3),
				"p95_s": round(g.p95_time, 3),
				"p99_s": round(g.p99_time, 3),
				"max_s": round(g.max_time, 3),
				"rows_examined": g.rows_examined,
				"rows_sent": g.rows_sent,
				"first_seen": iso(g.first_seen),
				"last_seen": iso(g.last_seen),
				"worst_sample": g.sample[:500],
			},
		)
		for g in result.groups[:10]
	]
	slow = [g for g in result.groups if g.mean_time >= SLOW_MEAN_S]
	status = Status.WARNING if slow else Status.OK
	top = max(result.groups, key=lambda g: g.total_time)
	summary = (
		f"{result.queries} slow statement(s) in {result.fingerprints} group(s); "
		f"the costliest takes {top.share:.0%} of the time."
	)
	fixes = [_explain_fix(top.sample, site)]
	return step("slowlog.groups", "Costliest statements", status, summary, findings, fixes, metrics=metrics)


def _explain_fix(sample: str, site: str) -> Fix:
	"""The explain command for a logged statement: the whole statement, quoted, or none (never cut)."""
	text = " ".join(sample.split())
	if len(text) > EXPLAIN_SAMPLE_MAX:
		return Fix(
			f"Explain the costliest statement ({len(text):,} characters, too long to paste as a command): "
			'save it to a file and run `diagnostics explain "$(cat FILE)"`.'
		)
	if not site:  # files read without a bench: EXPLAIN where the statement ran
		return Fix(
			"Explain the costliest statement in the database that logged it (inside its bench, or with "
			"DIAG_DB_NAME and DIAG_DB_USER/DIAG_DB_PASSWORD set) and add the index it needs.",
			command=command("frappe-diagnostics", "explain", text),
		)
	return Fix(
		"Explain the costliest statement and add the index it needs.",
		command=bench(site, "diagnostics", "explain", text),
	)
