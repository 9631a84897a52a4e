"""Steps of the background-jobs troubleshooter: scheduled job types, worker health, failures grouped by
exception (with Error Group and Error Solution matches), and the oldest waiting jobs. Framework-free."""

from __future__ import annotations

from datetime import datetime, timezone

from frappe_diagnostics.checks.application import site_now
from frappe_diagnostics.checks.job_failures import (
	failed_jobs,
	group_by_exception,
	job_method,
	job_site,
	scheduled_failures,
	utc,
)
from frappe_diagnostics.engine.probe import missing_table
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status

DEFAULT_TIMEOUTS = {"short": 300, "default": 300, "long": 1500}  # frappe.utils.background_jobs
CRON = {
	"Yearly": "0 0 1 1 *",
	"Annual": "0 0 1 1 *",
	"Monthly": "0 0 1 * *",
	"Monthly Long": "0 0 1 * *",
	"Weekly": "0 0 * * 0",
	"Weekly Long": "0 0 * * 0",
	"Daily": "0 0 * * *",
	"Daily Long": "0 0 * * *",
	"Hourly": "0 * * * *",
	"Hourly Long": "0 * * * *",
}
WORKER_TTL_S = 420  # rq's default worker_ttl: a live worker refreshes its heartbeat well within it


def queue_timeouts(conf: dict) -> dict[str, int]:
	timeouts = dict(DEFAULT_TIMEOUTS)
	for name, spec in (conf.get("workers") or {}).items():
		timeouts[name] = int((spec or {}).get("timeout") or 300)
	return timeouts


def next_due(job: dict, interval_s: int) -> datetime | None:
	"""When Frappe will next enqueue the job type (croniter as Frappe computes it; None without croniter)."""
	try:
		from croniter import croniter
	except ImportError:
		return None
	cron = job.get("cron_format") or CRON.get(job["frequency"]) or f"*/{max(1, interval_s // 60)} * * * *"
	start = job.get("last_execution") or job.get("creation")
	if not isinstance(start, datetime):
		return None
	try:
		return croniter(cron, start).get_next(datetime)
	except Exception:
		return None


def scheduled_types_step(probe, since_local: datetime):
	"""Per Scheduled Job Type: last run, next due, overdue ones, failures and runtimes near the timeout."""
	try:
		types = probe.sql(
			"SELECT name, method, frequency, cron_format, last_execution, creation, stopped "
			"FROM `tabScheduled Job Type` ORDER BY name"
		)
		runs = probe.sql(
			"SELECT scheduled_job_type AS job, COUNT(*) AS n, SUM(status = 'Failed') AS failed, "
			"MAX(TIMESTAMPDIFF(SECOND, creation, modified)) AS max_runtime_s "
			"FROM `tabScheduled Job Log` WHERE creation >= %s GROUP BY scheduled_job_type",
			(since_local,),
		)
		failures = scheduled_failures(probe, since_local)
	except Exception as e:
		if missing_table(e):
			return probe.skipped("This database has no Scheduled Job Type table.")
		raise
	now = site_now(probe)
	interval = int(probe.site.conf.get("scheduler_interval") or 240)
	timeouts = queue_timeouts(probe.site.conf)
	by_type = {r["job"]: r for r in runs}
	overdue, slow, table = {}, {}, {}
	for job in types:
		due = next_due(job, interval)
		stats = by_type.get(job["name"]) or {}
		queue = "long" if "Long" in job["frequency"] else "default"
		runtime = int(stats.get("max_runtime_s") or 0)
		table[job["name"]] = {
			"frequency": job["frequency"],
			"last_run": str(job["last_execution"] or "never"),
			"next_due": str(due.replace(microsecond=0)) if due else None,
			"runs": int(stats.get("n") or 0),
			"failed": int(stats.get("failed") or 0),
		}
		if job["stopped"]:
			table[job["name"]]["stopped"] = True
		elif due is not None and (now - due).total_seconds() > 2 * interval + 600:
			overdue[job["name"]] = (
				f"due {due.replace(microsecond=0)}, {int((now - due).total_seconds())} s ago"
			)
		if runtime and runtime >= 0.8 * timeouts[queue]:
			slow[job["name"]] = {"max_runtime_s": runtime, "queue": queue, "timeout_s": timeouts[queue]}
	findings = []
	for text, group in list(group_by_exception(failures, "details", "scheduled_job_type").items())[:5]:
		findings.append(
			Finding(
				f"{group['count']} run(s) of {', '.join(group['methods'])} failed: {text}",
				{"newest_traceback": group["newest"][-3000:]},
			)
		)
	if overdue:
		findings.insert(0, Finding("Job types due but not run", overdue))
	if slow:
		findings.append(Finding("Runs close to their queue's timeout (they may be killed)", slow))
	failed_total = len(failures)
	status = Status.WARNING if (overdue or slow or failed_total) else Status.OK
	summary = (
		f"{len(types)} scheduled job types; {len(overdue)} overdue, {failed_total} failed run(s), "
		f"{len(slow)} near their timeout since {since_local.replace(microsecond=0)}."
	)
	fixes = []
	if slow:
		fixes.append(Fix("Move long jobs to a *Long frequency (long queue) or raise the queue's timeout."))
	if failed_total:
		fixes.append(Fix("Read the newest traceback above; the Scheduled Job Log list has every run."))
	metrics = [Metric("job_types", len(types), "types"), Metric("failed_runs", failed_total, "runs")]
	findings.append(Finding("Scheduled job types", {"types": table}))
	return probe.result(status, summary, metrics, findings, fixes)


def worker_health_step(probe):
	"""Workers registered in Redis whose heartbeat is stale (dead processes) or stuck on one job too long."""
	import socket

	from rq import Worker

	conn = probe.redis("queue")
	prefix = probe.site.bench_id() + ":"
	now = datetime.now(timezone.utc)
	host = socket.gethostname()
	stale, stuck, alive = {}, {}, 0
	for worker in Worker.all(connection=conn):
		if not any(q.startswith(prefix) for q in worker.queue_names()):
			continue
		beat = utc(worker.last_heartbeat)
		age = (now - beat).total_seconds() if beat else None
		dead_pid = worker.hostname == host and worker.pid and not _pid_alive(worker.pid)
		if (age is not None and age > WORKER_TTL_S) or dead_pid:
			stale[worker.name] = {
				"pid": worker.pid,
				"heartbeat_age_s": round(age or 0),
				"process_gone": bool(dead_pid),
			}
			continue
		alive += 1
		job = worker.get_current_job()
		if job is not None and job.started_at and job.timeout:
			running = (now - utc(job.started_at)).total_seconds()
			if running > float(job.timeout):
				stuck[worker.name] = {
					"job": job_method(job),
					"running_s": round(running),
					"timeout_s": job.timeout,
				}
	findings, fixes = [], []
	if stale:
		findings.append(Finding("Workers still registered whose process is gone or silent", stale))
		fixes.append(Fix("Restart the workers; rq forgets a dead worker once its key expires."))
	if stuck:
		findings.append(Finding("Workers busy past their job's timeout", stuck))
		fixes.append(Fix("Restart the stuck worker; look at what the job waits on (locks, a remote call)."))
	status = Status.CRITICAL if stuck else Status.WARNING if stale else Status.OK
	summary = f"{alive} live worker(s); {len(stale)} stale, {len(stuck)} stuck past their timeout."
	return probe.result(status, summary, [Metric("live_workers", alive, "workers")], findings, fixes)


def _pid_alive(pid: int) -> bool:
	import psutil

	return psutil.pid_exists(int(pid))


def failed_step(probe, since: datetime):
	"""Failed RQ jobs of this site grouped by exception, with the matching Error Group and solution."""
	from frappe_diagnostics.knowledge.solutions import load_solutions, match

	jobs = failed_jobs(probe, since, site=probe.site.name)
	groups = group_by_exception(jobs, "exc_info", "method")
	solutions = {s.id: s for s in load_solutions()}
	findings, fixes = [], []
	for text, group in list(groups.items())[:8]:
		evidence = {"methods": group["methods"], "newest_traceback": group["newest"][-3000:]}
		matched = match(group["newest"], limit=1)
		if matched:
			solution = solutions.get(matched[0].solution_id)
			evidence["solution"] = f"{matched[0].solution_id} ({matched[0].reason})"
			fixes += solution.fixes()[:2] if solution else []
		error_group = _error_group(probe, group["newest"])
		if error_group:
			evidence["error_group"] = error_group
		findings.append(Finding(f"{group['count']} job(s) failed: {text}", evidence))
	status = Status.WARNING if jobs else Status.OK
	summary = (
		f"{len(jobs)} failed job(s) of this site in {len(groups)} group(s) since {since:%Y-%m-%d %H:%M} UTC."
	)
	return probe.result(status, summary, [Metric("failed_jobs", len(jobs), "jobs")], findings, fixes)


def _error_group(probe, traceback: str) -> str | None:
	from frappe_diagnostics.knowledge.errorgroups import group_key

	key = group_key(traceback, probe.site.name)
	try:
		row = probe.sql("SELECT name, status, `count` FROM `tabError Group` WHERE fingerprint = %s", (key,))
	except Exception:
		return None
	return f"{row[0]['name']} ({row[0]['status']}, {row[0]['count']} seen)" if row else None


def waiting_step(probe):
	"""The oldest waiting job of each queue: what it runs and how long it has waited."""
	from rq import Queue
	from rq.job import Job

	conn = probe.redis("queue")
	now = datetime.now(timezone.utc)
	oldest, worst = {}, 0.0
	for qtype in probe.site.queue_types():
		queue = Queue(f"{probe.site.bench_id()}:{qtype}", connection=conn)
		ids = queue.get_job_ids(0, 0)
		job = Job.fetch(ids[0], connection=conn) if ids else None
		if job is None or not job.enqueued_at:
			continue
		wait = (now - utc(job.enqueued_at)).total_seconds()
		worst = max(worst, wait)
		oldest[qtype] = {
			"method": job_method(job),
			"site": job_site(job),
			"waiting_s": round(wait),
			"count": queue.count,
		}
	status = Status.OK if worst < 300 else Status.WARNING
	summary = "No job is waiting." if not oldest else f"The oldest waiting job has waited {worst:.0f} s."
	findings = [Finding("Oldest waiting job per queue", oldest)] if oldest else []
	fixes = (
		[]
		if status is Status.OK
		else [Fix("See whether a worker listens on that queue (jobs.workers above).")]
	)
	return probe.result(status, summary, [Metric("oldest_wait", round(worst), "s")], findings, fixes)


def local_since(probe, since: datetime) -> datetime:
	"""A UTC instant as the site's naive local time (how Frappe stores creation)."""
	return site_now(probe) - (datetime.now(timezone.utc) - since)
