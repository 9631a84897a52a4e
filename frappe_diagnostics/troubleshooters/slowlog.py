"""Slow query log digest as a Diagnosis: the statements that cost the most time, grouped as pt-query-digest does."""

from __future__ import annotations

import time
from pathlib import Path

from frappe_diagnostics.engine.result import CheckResult, Finding, Fix, Metric, Status
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.knowledge.timewindow import iso, parse_since
from frappe_diagnostics.troubleshooters.diagnosis import Diagnosis
from frappe_diagnostics.troubleshooters.logs import read_step
from frappe_diagnostics.troubleshooters.steps import step

SLOW_MEAN_S = 1.0


def slow_log_state(ctx) -> tuple[bool, Path]:
	"""Whether the site's MariaDB server writes a slow query log, and where (asked from the server)."""
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
	return bool(int(row["on_"] or 0)), path


def diagnose_slowlog(ctx, path: str | None = None, since=None) -> Diagnosis:
	"""Digest a MariaDB slow query log by pt-query-digest fingerprint: the statements that cost the most time."""
	from frappe_diagnostics.knowledge.slowlog import digest

	started = time.time()
	window_start = parse_since(since)
	question = f"Which statements cost the most time since {window_start:%Y-%m-%d %H:%M} UTC?"
	inputs = {"since": window_start.isoformat(timespec="seconds")}
	if path:
		source = Path(path)
	else:
		on, source = slow_log_state(ctx)
		if not on and not source.exists():
			steps = [_off_step(source)]
			return Diagnosis("Slow Query Log", question, steps, inputs, started, time.time(), ctx.name)
	inputs["path"] = str(source)
	if not source.exists():
		raise ValueError(f"{source} does not exist (the database server may run on another machine).")
	result = digest(str(source), since=window_start, top=20)
	steps = [
		read_step(result, "slowlog.read", f"Slow query log {source}"),
		_slow_groups_step(result, ctx.name),
	]
	return Diagnosis("Slow Query Log", question, steps, inputs, started, time.time(), ctx.name)


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
	if not result.groups:
		summary = "No slow statements in the window."
		return step("slowlog.groups", "Costliest statements", Status.OK, summary, metrics=metrics)
	findings = [
		Finding(
			f"{g.query_id} ({g.count}×, {g.total_time:.1f} s): {g.fingerprint[:200]}",
			{
				"mean_s": round(g.mean_time, 3),
				"p95_s": round(g.p95_time, 3),
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
	top = result.groups[0]
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
	return Fix(
		"Explain the costliest statement and add the index it needs.",
		command=bench(site, "diagnostics", "explain", text),
	)
