"""Background jobs: per-queue backlog, oldest waiting job, failures, and the workers listening."""

from __future__ import annotations

from datetime import datetime, timezone

from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status


def queue_stats(probe) -> list[dict]:
	from rq import Queue
	from rq.registry import FailedJobRegistry, StartedJobRegistry

	conn = probe.redis("queue")
	bench_id = probe.site.bench_id()
	stats = []
	for qtype in probe.site.queue_types():
		queue = Queue(f"{bench_id}:{qtype}", connection=conn)
		stats.append(
			{
				"queue": qtype,
				"name": queue.name,
				"waiting": queue.count,
				"started": StartedJobRegistry(queue=queue).count,
				"failed": FailedJobRegistry(queue=queue).count,
				"oldest_wait_s": _oldest_wait(queue),
			}
		)
	return stats


def _oldest_wait(queue) -> float | None:
	from rq.job import Job

	ids = queue.get_job_ids(0, 0)
	if not ids:
		return None
	job = Job.fetch(ids[0], connection=queue.connection)
	if not job.enqueued_at:
		return None
	enqueued = (
		job.enqueued_at.replace(tzinfo=timezone.utc) if job.enqueued_at.tzinfo is None else job.enqueued_at
	)
	return round((datetime.now(timezone.utc) - enqueued).total_seconds(), 1)


@check(
	"jobs.queues",
	title="Background job queues",
	tags=("jobs",),
	thresholds={
		"waiting_warning": 500,
		"waiting_critical": 5000,
		"oldest_wait_warning_s": 300,
		"oldest_wait_critical_s": 1800,
		"failed_warning": 100,
	},
)
def queues(probe):
	stats = queue_stats(probe)
	statuses, findings, metrics = [Status.OK], [], []
	for q in stats:
		name = q["queue"]
		metrics += [
			Metric(f"{name}.waiting", q["waiting"], "jobs"),
			Metric(f"{name}.started", q["started"], "jobs"),
			Metric(f"{name}.failed", q["failed"], "jobs"),
			Metric(f"{name}.oldest_wait", q["oldest_wait_s"] if q["oldest_wait_s"] is not None else 0, "s"),
		]
		backlog = probe.graded(
			q["waiting"], probe.threshold("waiting_warning"), probe.threshold("waiting_critical")
		)
		age = probe.graded(
			q["oldest_wait_s"] or 0,
			probe.threshold("oldest_wait_warning_s"),
			probe.threshold("oldest_wait_critical_s"),
		)
		for status, what in ((backlog, "backlog"), (age, "oldest job waiting")):
			if status is not Status.OK:
				statuses.append(status)
				findings.append(
					Finding(
						f"Queue {name}: {what} over threshold",
						{k: q[k] for k in ("waiting", "oldest_wait_s")},
					)
				)
		if q["failed"] >= probe.threshold("failed_warning"):
			statuses.append(Status.WARNING)
			findings.append(Finding(f"Queue {name} has many failed jobs", {"failed": q["failed"]}))
	fixes = []
	if len(statuses) > 1:
		fixes = [
			Fix(
				"Make sure workers run and are not stuck; add workers for the busy queue.",
				command="bench doctor",
			),
			Fix("Read failed jobs' tracebacks in the RQ Job list (/app/rq-job) before clearing them."),
		]
	totals = ", ".join(f"{q['queue']} {q['waiting']}" for q in stats)
	failed = sum(q["failed"] for q in stats)
	summary = f"Waiting jobs: {totals}; {failed} failed."
	return probe.result(
		max(statuses, key=lambda s: s.rank), summary, metrics=metrics, findings=findings, fixes=fixes
	)


@check("jobs.workers", title="Background workers", tags=("jobs",))
def workers(probe):
	from rq import Worker

	conn = probe.redis("queue")
	bench_id = probe.site.bench_id()
	all_workers = Worker.all(connection=conn)
	listening = {qtype: 0 for qtype in probe.site.queue_types()}
	for worker in all_workers:
		for name in worker.queue_names():
			prefix, _, qtype = name.rpartition(":")
			if prefix == bench_id and qtype in listening:
				listening[qtype] += 1
	metrics = [Metric(f"{q}.workers", n, "workers") for q, n in listening.items()]
	stats = {q["queue"]: q for q in queue_stats(probe)}
	starving = [q for q, n in listening.items() if n == 0 and stats.get(q, {}).get("waiting")]
	idle = [q for q, n in listening.items() if n == 0]
	start_fix = Fix(
		"Start the workers (production: supervisor or systemd; development: bench start).",
		command="sudo supervisorctl start all",
	)
	if starving:
		return probe.result(
			Status.CRITICAL,
			f"Jobs are waiting on {', '.join(starving)} with no worker listening.",
			metrics=metrics,
			findings=[Finding("Queues with jobs and no workers", {q: stats[q]["waiting"] for q in starving})],
			fixes=[start_fix],
		)
	if len(idle) == len(listening):
		return probe.result(
			Status.WARNING,
			"No worker listens on any queue: background jobs, emails and scheduled events will not run.",
			metrics=metrics,
			fixes=[start_fix],
		)
	if idle:
		return probe.result(
			Status.WARNING,
			f"No worker listens on {', '.join(idle)}.",
			metrics=metrics,
			findings=[Finding("Queues without workers", {"queues": idle})],
			fixes=[start_fix],
		)
	total = sum(listening.values())
	return probe.ok(f"{total} worker(s) listening on every queue.", metrics=metrics)
