"""Performance troubleshooter: "why is the site slow?" System, database, cache and queue evidence, the
request monitor's timings when it is on, and recommendations tied to the evidence that triggered them."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.registry import Registry, check
from frappe_diagnostics.engine.result import CheckResult, Finding, Fix, Metric, Status
from frappe_diagnostics.engine.runner import run_selected
from frappe_diagnostics.engine.shell import bench

EVIDENCE = (
	"system.cpu",
	"system.memory",
	"filesystem.disk_space",
	"database.connectivity",
	"database.connections",
	"database.slow_queries",
	"database.locks",
	"redis.cache",
	"redis.queue",
	"jobs.queues",
	"jobs.workers",
	"application.error_log",
)
MONITOR_THRESHOLDS = {"p95_warning_ms": 2000, "p95_critical_ms": 10000, "wait_warning_s": 60}


def monitor_step(probe, hours: float = 24):
	"""p50/p95 per endpoint and job from logs/monitor.json.log (Frappe's request monitor)."""
	ctx = probe.site
	log_dir = ctx.log_path()
	if not int(ctx.conf.get("monitor") or 0):
		return probe.skipped(
			"Frappe's request monitor is off, so there are no per-request timings.",
			fixes=[
				Fix(
					"Turn it on for a while to record every request and job.",
					command=bench(ctx.name, "set-config", "monitor", "1"),
				)
			],
		)
	if log_dir is None or not (log_dir / "monitor.json.log").exists():
		return probe.skipped(
			"The monitor is on but logs/monitor.json.log is not there yet (the scheduler flushes it)."
		)
	from frappe_diagnostics.knowledge.logfiles import discover
	from frappe_diagnostics.knowledge.monitorlog import monitor_stats

	since = datetime.now(timezone.utc) - timedelta(hours=hours)
	files = [f.path for f in discover(log_dir, names=["monitor.json.log"])]
	return assess_monitor(probe, monitor_stats(files, since=since, site=ctx.name), hours)


def assess_monitor(probe, stats, hours: float) -> CheckResult:
	"""Judge knowledge.monitorlog.MonitorStats: slow endpoints by p95, jobs waiting long for a worker."""
	slow = [e for e in stats.endpoints if e.p95_ms >= probe.threshold("p95_warning_ms")]
	very_slow = [e for e in slow if e.p95_ms >= probe.threshold("p95_critical_ms")]
	waiting = [
		j for j in stats.job_methods if (j.wait_p95_ms or 0) >= probe.threshold("wait_warning_s") * 1000
	]
	all_p95 = max((e.p95_ms for e in stats.endpoints), default=0)
	metrics = [
		Metric("requests", stats.requests, "requests"),
		Metric("jobs", stats.jobs, "jobs"),
		Metric("worst_endpoint_p95", round(all_p95, 1), "ms"),
	]
	if stats.queue_wait:
		metrics.append(Metric("queue_wait_p95", round(stats.queue_wait.p95_ms / 1000, 1), "s"))
	findings, fixes = [], []
	if slow:
		worst = {
			e.key: {"count": e.count, "p50_ms": e.p50_ms, "p95_ms": e.p95_ms}
			for e in sorted(slow, key=lambda e: -e.p95_ms)[:10]
		}
		findings.append(Finding("Endpoints whose 95th percentile is slow", worst))
		fixes.append(
			Fix(
				"Profile the slowest endpoint (System Console → Recorder) and explain its queries.",
				command=bench(probe.site.name, "diagnostics", "explain", "<query>"),
			)
		)
	if waiting:
		evidence = {
			j.key: {"count": j.count, "wait_p95_s": round((j.wait_p95_ms or 0) / 1000, 1)}
			for j in waiting[:10]
		}
		findings.append(Finding("Jobs wait long in the queue before a worker takes them", evidence))
		fixes.append(
			Fix(
				"Add workers for the busy queue (common_site_config.json: background_workers, or a custom worker)."
			)
		)
	if stats.slowest_requests:
		findings.append(
			Finding("Slowest requests", {"requests": [r.to_dict() for r in stats.slowest_requests[:5]]})
		)
	status = Status.CRITICAL if very_slow else Status.WARNING if slow or waiting else Status.OK
	summary = f"{stats.requests} requests and {stats.jobs} jobs in the last {hours:g} h; the worst endpoint's p95 is {all_p95:.0f} ms."
	return probe.result(status, summary, metrics=metrics, findings=findings, fixes=fixes)


def recommendations(steps: list[CheckResult]) -> CheckResult:
	"""One list of what to do, each fix once, naming the evidence that asks for it (the steps above show
	that evidence, so the tile repeats neither the findings nor a fix)."""
	merged: dict[tuple, list[str]] = {}
	for step in sorted(steps, key=lambda s: -s.status.rank):
		if step.status.rank < Status.WARNING.rank:
			continue
		for fix in step.fixes:
			asking = merged.setdefault((fix.description, fix.command, fix.action, fix.link), [])
			if step.check_id not in asking:
				asking.append(step.check_id)
	fixes = [
		Fix(f"{description} (asked by {', '.join(ids)})", command, action, link)
		for (description, command, action, link), ids in merged.items()
	]
	findings: list[Finding] = []
	status = Status.WARNING if fixes else Status.OK
	summary = (
		f"{len(fixes)} recommendation(s), each from the evidence above."
		if fixes
		else "No recommendation: nothing above is slow."
	)
	return CheckResult(
		"performance.recommendations",
		status,
		summary,
		"Recommendations",
		"performance",
		findings=findings,
		fixes=fixes,
		affects_status=False,
	)


def diagnose_performance(ctx, hours: float = 24) -> Diagnosis:
	started = time.time()
	if not 0 < float(hours) <= 24 * 31:
		raise ValueError("The time window must be between a few minutes and 31 days (hours > 0 and <= 744).")
	settings = ctx.troubleshooter_settings(run_s=60)
	steps = list(run_selected(ctx, EVIDENCE, settings=settings).results)
	local = Registry()
	check(
		"performance.monitor",
		title="Request monitor",
		tags=("performance",),
		thresholds=MONITOR_THRESHOLDS,
		budget_ms=30000,
		into=local,
	)(lambda probe: monitor_step(probe, hours))
	steps += run_selected(ctx, reg=local, settings=settings).results
	steps.append(recommendations(steps))
	return Diagnosis(
		"Performance", f"Why is {ctx.name} slow?", steps, {"hours": hours}, started, time.time(), ctx.name
	)
