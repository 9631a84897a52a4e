"""Where is this job now? A method (or job id) looked up in every RQ registry of this bench's queues and in
the Scheduled Job Types and their log: queued, started, failed, finished, or never enqueued. Framework-free."""

from __future__ import annotations

from datetime import datetime, timezone

from frappe_diagnostics.checks.job_failures import (
	exception_line,
	job_method,
	job_site,
	job_traceback,
	utc,
)
from frappe_diagnostics.engine.probe import missing_table
from frappe_diagnostics.engine.result import Finding, Fix, Status
from frappe_diagnostics.engine.shell import bench

SCAN = 2000  # newest ids read per registry
ORDER = ("started", "queued", "deferred", "scheduled", "failed", "finished")


def _registries(queue):
	from rq.registry import (
		DeferredJobRegistry,
		FailedJobRegistry,
		FinishedJobRegistry,
		ScheduledJobRegistry,
		StartedJobRegistry,
	)

	return {
		"started": StartedJobRegistry(queue=queue),
		"deferred": DeferredJobRegistry(queue=queue),
		"scheduled": ScheduledJobRegistry(queue=queue),
		"failed": FailedJobRegistry(queue=queue),
		"finished": FinishedJobRegistry(queue=queue),
	}


def _ids(conn, key: str) -> list[str]:
	return [i.decode() if isinstance(i, bytes) else i for i in conn.zrevrange(key, 0, SCAN - 1)]


def _matches(job, wanted: str, site: str) -> bool:
	if job is None or job_site(job) not in (site, None):
		return False
	return wanted in (job.id, f"{site}::{wanted}", job_method(job)) or job_method(job).endswith("." + wanted)


def find_job(probe, wanted: str) -> dict[str, list[dict]]:
	"""Every RQ job of this site running `wanted`, by state, newest first."""
	from rq import Queue
	from rq.job import Job

	conn = probe.redis("queue")
	site = probe.site.name
	found: dict[str, list[dict]] = {state: [] for state in ORDER}
	for qtype in probe.site.queue_types():
		queue = Queue(f"{probe.site.bench_id()}:{qtype}", connection=conn)
		places = {"queued": queue.get_job_ids(0, SCAN - 1)}
		places.update({state: _ids(conn, reg.key) for state, reg in _registries(queue).items()})
		for state, ids in places.items():
			for job in Job.fetch_many(ids, connection=conn):
				if _matches(job, wanted, site):
					found[state].append(_describe(job, qtype))
	return found


def _describe(job, qtype: str) -> dict:
	def stamp(value):
		value = utc(value)
		return value.isoformat(timespec="seconds") if value else None

	data = {
		"id": job.id,
		"queue": qtype,
		"method": job_method(job),
		"enqueued_at": stamp(job.enqueued_at),
		"started_at": stamp(job.started_at),
		"ended_at": stamp(job.ended_at),
		"timeout_s": job.timeout,
	}
	traceback = job_traceback(job) if job.is_failed else ""
	if traceback:
		data["exception"] = exception_line(traceback)
		data["traceback"] = traceback[-3000:]
	return data


def _scheduled_type(probe, wanted: str) -> dict | None:
	try:
		rows = probe.sql(
			"SELECT name, method, frequency, stopped, last_execution FROM `tabScheduled Job Type` "
			"WHERE method = %s OR name = %s LIMIT 1",
			(wanted, wanted),
		)
		if not rows:
			return None
		logs = probe.sql(
			"SELECT status, creation FROM `tabScheduled Job Log` WHERE scheduled_job_type = %s "
			"ORDER BY creation DESC LIMIT 3",
			(rows[0]["name"],),
		)
	except Exception as e:
		if missing_table(e):
			return None
		raise
	row = rows[0]
	return {
		"scheduled_job_type": row["name"],
		"frequency": row["frequency"],
		"stopped": bool(row["stopped"]),
		"last_execution": str(row["last_execution"] or "never"),
		"recent_runs": [f"{r['creation']:%Y-%m-%d %H:%M:%S} {r['status']}" for r in logs],
	}


def locate_step(probe, wanted: str):
	found = find_job(probe, wanted)
	scheduled = _scheduled_type(probe, wanted)
	site = probe.site.name
	evidence = {state: jobs[:5] for state, jobs in found.items() if jobs}
	if scheduled:
		evidence["scheduled_job_type"] = scheduled
	where = next((state for state in ORDER if found[state]), None)
	fixes: list[Fix] = []
	if where == "started":
		job = found["started"][0]
		summary = f"{wanted} is running now on queue {job['queue']} (started {job['started_at']})."
		status = Status.OK
	elif where == "queued":
		job = found["queued"][0]
		summary = f"{wanted} is waiting on queue {job['queue']} (enqueued {job['enqueued_at']})."
		status = Status.WARNING
		fixes.append(
			Fix("See whether a worker listens on that queue.", command=bench(site, "diagnostics", "jobs"))
		)
	elif where in ("deferred", "scheduled"):
		summary = f"{wanted} is {where}: rq holds it until its dependency finishes or its time comes."
		status = Status.OK
	elif where == "failed":
		job = found["failed"][0]
		summary = f"{wanted} failed (ended {job['ended_at']}): {job.get('exception', 'no traceback kept')}."
		status = Status.CRITICAL
		fixes.append(Fix("Read the traceback in the evidence; fix its cause, then enqueue the job again."))
	elif where == "finished":
		job = found["finished"][0]
		summary = f"{wanted} finished successfully (ended {job['ended_at']})."
		status = Status.OK
	else:
		status, summary = _never(wanted, scheduled)
		if scheduled and scheduled["stopped"]:
			fixes.append(Fix("Un-stop the Scheduled Job Type (Stopped checkbox) in /app/scheduled-job-type."))
	evidence["looked_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
	return probe.result(status, summary, findings=[Finding(summary, evidence)], fixes=fixes)


def _never(wanted: str, scheduled: dict | None) -> tuple[Status, str]:
	kept = "failed jobs are kept 7 days, finished ones 10 minutes"
	if scheduled is None:
		return Status.WARNING, f"{wanted} was never enqueued for this site as far as rq remembers ({kept})."
	if scheduled["stopped"]:
		return Status.CRITICAL, f"{wanted} is a stopped Scheduled Job Type: the scheduler never enqueues it."
	runs = "; ".join(scheduled["recent_runs"]) or "no run logged"
	return (
		Status.OK,
		f"{wanted} is not in any queue now; as {scheduled['frequency']} job type it last ran "
		f"{scheduled['last_execution']} ({runs}).",
	)
