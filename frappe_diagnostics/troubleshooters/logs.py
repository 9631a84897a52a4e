"""Log analysis as a Diagnosis: what is wrong in the bench's logs, how often, since when, how to fix it."""

from __future__ import annotations

import time
from pathlib import Path

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.result import CheckResult, Finding, Metric, Status
from frappe_diagnostics.engine.steps import step
from frappe_diagnostics.knowledge.timewindow import iso, parse_since
from frappe_diagnostics.troubleshooters.histogram import per_minute_histogram

ERRORS_PER_HOUR = (10, 100)  # warning, critical
ERROR_LEVELS = ("ERROR", "CRITICAL", "EXCEPTION")


def diagnose_logs(ctx, since=None, until=None, top=20, files=None, solutions=None) -> Diagnosis:
	"""The bench's logs/ folder (or the log `files` given) in a time window: levels, sources, the top error
	groups with their solutions, and errors per minute."""
	from frappe_diagnostics.knowledge.logfiles import analyze
	from frappe_diagnostics.knowledge.solutions import load_solutions

	started = time.time()
	window_start = parse_since(since)
	window_end = parse_since(until, label="--until") if until else None
	require_files(files or [])
	folder = None if files else ctx.log_path()
	if folder is None and not files:
		raise ValueError("No bench folder is known here: pass --bench PATH, or name the log files to read.")
	digest = analyze(folder, since=window_start, until=window_end, top=top, monitor=False, files=files)
	by_id = {s.id: s for s in (solutions if solutions is not None else load_solutions())}
	steps = [
		read_step(digest, "logs.read", f"Log files in {folder}" if folder else "Log files"),
		_levels_step(digest),
		_groups_step(digest, by_id, top),
	]
	whose = f"{ctx.name}'s bench logs" if folder else ", ".join(Path(f).name for f in files)
	until_text = f" until {window_end:%Y-%m-%d %H:%M}" if window_end else ""
	question = f"What do {whose} say since {window_start:%Y-%m-%d %H:%M}{until_text} UTC?"
	inputs = {"since": window_start.isoformat(timespec="seconds"), "top": top}
	inputs.update({"until": window_end.isoformat(timespec="seconds")} if window_end else {})
	inputs.update({"files": [str(f) for f in files]} if files else {})
	diagnosis = Diagnosis("Log Analysis", question, steps, inputs, started, time.time(), ctx.name)
	diagnosis.appendix = per_minute_histogram(digest.errors_per_minute, "Errors")
	diagnosis.data = {
		"errors_per_minute": {iso(m * 60): n for m, n in sorted(digest.errors_per_minute.items())}
	}
	return diagnosis


def require_files(files) -> None:
	"""ValueError naming the files given that do not exist (a usage error on every surface)."""
	missing = [str(f) for f in files if not Path(f).exists()]
	if missing:
		raise ValueError(
			f"{', '.join(missing)} does not exist (the server that writes it may be another machine); "
			"check the path."
		)


def read_step(digest, check_id: str, title: str) -> CheckResult:
	files = list(getattr(digest, "files", []))
	metrics = [Metric("bytes_read", round(digest.bytes_read / 2**20, 2), "MiB")]
	if files:
		metrics.insert(0, Metric("files", len(files), "files"))
	if digest.warnings:
		return step(
			check_id,
			title,
			Status.WARNING,
			f"Read with {len(digest.warnings)} problem(s); the result is partial: {digest.warnings[0]}",
			[Finding("Problems while reading", {"warnings": digest.warnings[:10]})],
			metrics=metrics,
		)
	notes = getattr(digest, "notes", [])
	summary = f"Read {digest.bytes_read / 2**20:.1f} MiB." + (f" Note: {notes[0]}" if notes else "")
	findings = [Finding("Read differently from a plain log (nothing lost)", {"notes": notes[:10]})]
	return step(check_id, title, Status.OK, summary, findings if notes else [], metrics=metrics)


def span_hours(first: float | None, last: float | None) -> float:
	"""The hours the records span, at least one: a rate over the time something was logged, not the window."""
	if first is None or last is None:
		return 1.0
	return max((last - first) / 3600, 1.0)


def _levels_step(digest) -> CheckResult:
	errors = sum(n for level, n in digest.by_level.items() if level.upper() in ERROR_LEVELS)
	hours = span_hours(digest.first_seen, digest.last_seen)
	rate = errors / hours
	warning, critical = ERRORS_PER_HOUR
	status = Status.CRITICAL if rate >= critical else Status.WARNING if rate >= warning else Status.OK
	metrics = [
		Metric("records", digest.records, "records"),
		Metric("errors", errors, "records"),
		Metric("error_rate", round(rate, 1), "per hour"),
		Metric("span", round(hours, 1), "h"),
	]
	metrics += [Metric(f"level.{k}", v, "records") for k, v in sorted(digest.by_level.items())]
	evidence = {"by_file": digest.by_file, "errors_by_file": digest.errors_by_file}
	span = f" between {iso(digest.first_seen)} and {iso(digest.last_seen)}" if digest.first_seen else ""
	summary = (
		f"{digest.records} record(s){span}; {errors} error(s), {rate:.1f} per hour over the "
		f"{hours:.1f} h the records span."
	)
	return step(
		"logs.levels",
		"Records by level and source",
		status,
		summary,
		[Finding("Records by log file", evidence)],
		metrics=metrics,
	)


def _groups_step(digest, solutions: dict, top: int | None = 10) -> CheckResult:
	groups = digest.error_groups
	if not groups:
		return step("logs.error_groups", "Error groups", Status.OK, "No errors in the window.")
	findings, fixes = [], []
	for g in groups[:top]:
		solution = solutions.get(g.solutions[0]) if g.solutions else None
		evidence = {
			"count": g.count,
			"first_seen": iso(g.first_seen),
			"last_seen": iso(g.last_seen),
			"files": g.files,
			"solution": solution.title if solution else None,
			"normalized": g.message,
			"variants": [{"message": v.example, "count": v.count} for v in g.top_variants(5)],
		}
		findings.append(Finding(g.title, evidence))
		if solution:
			fixes += [f for f in solution.fixes()[:2] if f not in fixes]
	top = groups[0]
	summary = f"{digest.distinct_errors} distinct error(s); the most frequent ({top.count}×): {top.title}."
	metrics = [Metric("distinct_errors", digest.distinct_errors, "groups")]
	return step(
		"logs.error_groups", "Error groups", Status.WARNING, summary, findings, fixes, metrics=metrics
	)
