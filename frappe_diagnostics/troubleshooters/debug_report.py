"""The Debug Session report: what a time-boxed debug session saw, as a Diagnosis stored like any run — the
slowest requests, the costliest queries with their EXPLAIN and index advice (the query analyser), the
errors raised in the window with their Error Groups, and the monitor's p50/p95 per endpoint."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.result import CheckResult, Finding, Metric, Status
from frappe_diagnostics.engine.steps import skipped, step
from frappe_diagnostics.knowledge.sqlfingerprint import fingerprint
from frappe_diagnostics.knowledge.timewindow import iso
from frappe_diagnostics.observe.debugsession import DebugSession

SLOW_REQUEST_MS = 1000
TOP = 10
EXPLAINED = 5


@dataclass
class Evidence:
	site: str
	session: DebugSession
	ended: float
	reason: str  # stopped, expired
	requests: list[dict] | None = None  # None: the Recorder was off
	monitor: object = None  # knowledge.monitorlog.MonitorStats, or None: the monitor was off
	errors: list[dict] = field(default_factory=list)  # {"title", "count", "group"}


def debug_report(evidence: Evidence, explain: Callable[[str], Diagnosis | None] | None = None) -> Diagnosis:
	s = evidence.session
	steps = [
		_window(evidence),
		_requests(evidence.requests),
		_queries(evidence.requests, "sql" in s.instruments, explain),
		_errors(evidence.errors),
		_endpoints(evidence.monitor),
	]
	inputs = {
		"log": s.log,
		"started": iso(s.started),
		"ended": iso(evidence.ended),
		"instruments": s.instruments,
		"user": s.user,
		"reason": evidence.reason,
	}
	question = f"What did debug session {s.log} see on {evidence.site}?"
	diagnosis = Diagnosis("Debug Session", question, steps, inputs, s.started, time.time(), evidence.site)
	diagnosis.appendix = _listing(steps)
	return diagnosis


def _listing(steps: list[CheckResult]) -> list[str]:
	"""Every step's findings as lines, OK or not: in a debug report the lists are the point."""
	lines = []
	for s in steps:
		if s.findings:
			lines += ["" if lines else None, f"{s.title}:"]
			for f in s.findings:
				facts = ", ".join(f"{k} {v}" for k, v in f.evidence.items() if k != "explain")
				lines.append(f"  {f.message}" + (f"  ({facts})" if facts else ""))
				lines += [f"      EXPLAIN: {note}" for note in f.evidence.get("explain", ())]
	return [line for line in lines if line is not None]


def _window(e: Evidence) -> CheckResult:
	s = e.session
	minutes = (e.ended - s.started) / 60
	how = "ended at its expiry" if e.reason == "expired" else "was stopped"
	summary = (
		f"{s.describe()} from {iso(s.started)} to {iso(e.ended)} ({minutes:.0f} min); the session {how}."
	)
	return step(
		"debug.window",
		"Debug session",
		Status.OK,
		summary,
		metrics=[Metric("length", round(minutes, 1), "min")],
	)


def _requests(requests: list[dict] | None) -> CheckResult:
	title = "Slowest requests"
	if requests is None:
		return skipped("debug.requests", title, "The Recorder was not on (--recorder).")
	if not requests:
		return step("debug.requests", title, Status.OK, "No request was recorded in the window.")
	slowest = sorted(requests, key=lambda r: -r["duration_ms"])[:TOP]
	findings = [
		Finding(
			f"{r['method']} {r['path']}: {r['duration_ms']:.0f} ms",
			{"queries": len(r["queries"]), "sql_ms": round(sum(q["duration_ms"] for q in r["queries"]), 1)},
		)
		for r in slowest
	]
	worst = slowest[0]["duration_ms"]
	status = Status.WARNING if worst >= SLOW_REQUEST_MS else Status.OK
	summary = f"{len(requests)} request(s) recorded; the slowest took {worst:.0f} ms ({slowest[0]['path']})."
	metrics = [Metric("requests", len(requests), "requests"), Metric("slowest", round(worst, 1), "ms")]
	return step("debug.requests", title, status, summary, findings, metrics=metrics)


def _queries(requests, recorded: bool, explain) -> CheckResult:
	title = "Costliest queries"
	if not recorded or requests is None:
		return skipped("debug.queries", title, "SQL was not recorded (--sql).")
	groups: dict[str, dict] = {}
	for r in requests:
		for q in r["queries"]:
			g = groups.setdefault(
				fingerprint(q["query"]), {"count": 0, "total": 0.0, "max": 0.0, "sample": ""}
			)
			g["count"] += 1
			g["total"] += q["duration_ms"]
			if q["duration_ms"] >= g["max"]:
				g["max"], g["sample"] = q["duration_ms"], q["query"]
	if not groups:
		return step("debug.queries", title, Status.OK, "No query was recorded in the window.")
	ranked = sorted(groups.items(), key=lambda item: -item[1]["total"])[:TOP]
	findings, fixes, status = [], [], Status.OK
	for i, (shape, g) in enumerate(ranked):
		evidence = {"count": g["count"], "total_ms": round(g["total"], 1), "max_ms": round(g["max"], 1)}
		plan = explain(g["sample"]) if explain and i < EXPLAINED else None
		if plan is not None:
			problems = [p for p in plan.steps if p.status.rank >= Status.WARNING.rank]
			evidence["explain"] = [p.summary for p in problems] or ["no problem in the plan"]
			fixes += [f for p in problems for f in p.fixes if f not in fixes]
			status = Status.WARNING if problems else status
		findings.append(Finding(shape[:300], evidence))
	total = sum(g["total"] for g in groups.values())
	summary = (
		f"{sum(g['count'] for g in groups.values())} queries in {len(groups)} shapes, {total:.0f} ms in all."
	)
	metrics = [Metric("shapes", len(groups), "groups"), Metric("sql_time", round(total, 1), "ms")]
	return step("debug.queries", title, status, summary, findings, fixes[:5], metrics=metrics)


def _errors(errors: list[dict]) -> CheckResult:
	title = "Errors in the window"
	if not errors:
		return step("debug.errors", title, Status.OK, "No error was logged in the window.")
	ranked = sorted(errors, key=lambda e: -e["count"])
	findings = [
		Finding(e["title"][:300], {"count": e["count"], "error_group": e["group"]}) for e in ranked[:TOP]
	]
	total = sum(e["count"] for e in errors)
	summary = f"{total} error(s) in {len(errors)} group(s); the most frequent: {ranked[0]['title'][:120]}."
	return step(
		"debug.errors", title, Status.WARNING, summary, findings, metrics=[Metric("errors", total, "errors")]
	)


def _endpoints(stats) -> CheckResult:
	title = "Endpoints (request monitor)"
	if stats is None:
		return skipped("debug.endpoints", title, "The request monitor was not on (--monitor).")
	if not stats.endpoints:
		return step("debug.endpoints", title, Status.OK, "The monitor logged no request in the window.")
	findings = [
		Finding(
			f"{t.key}: p50 {t.p50_ms:.0f} ms, p95 {t.p95_ms:.0f} ms",
			{"requests": t.count, "errors": t.errors},
		)
		for t in stats.endpoints[:TOP]
	]
	slow = [t for t in stats.endpoints if t.p95_ms >= SLOW_REQUEST_MS]
	status = Status.WARNING if slow else Status.OK
	summary = f"{stats.requests} request(s) to {len(stats.endpoints)} endpoint(s)" + (
		f"; {len(slow)} with p95 over {SLOW_REQUEST_MS} ms." if slow else "."
	)
	return step(
		"debug.endpoints",
		title,
		status,
		summary,
		findings,
		metrics=[Metric("requests", stats.requests, "requests")],
	)
