"""Background jobs: per-queue backlog, oldest waiting job, failures, and the workers listening."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status, route

# rq's own key layout (rq 1.x: Queue, StartedJobRegistry, FailedJobRegistry, Job, worker_registration)
QUEUE_PREFIX, JOB_PREFIX = "rq:queue:", "rq:job:"
STARTED_KEY, FAILED_KEY = "rq:wip:{}", "rq:failed:{}"
WORKERS_BY_QUEUE_KEY = "rq:workers:%s"


def queue_stats(probe) -> list[dict]:
	"""Per queue: waiting, started and failed jobs and the oldest job's wait, in two pipelined round trips.

	Read-only: rq's own `count` properties clean registries up first (writes), and listing a queue's ids
	costs time in proportion to its backlog; the counters and the oldest job's `enqueued_at` do not.
	"""
	conn = probe.redis("queue")
	names = [f"{probe.site.bench_id()}:{q}" for q in probe.site.queue_types()]
	now = time.time()
	with conn.pipeline(transaction=False) as pipe:
		for name in names:
			pipe.llen(f"{QUEUE_PREFIX}{name}")
			pipe.zcount(STARTED_KEY.format(name), now, "+inf")  # an expired entry is no longer running
			pipe.zcount(FAILED_KEY.format(name), now, "+inf")
			pipe.lindex(f"{QUEUE_PREFIX}{name}", 0)
		counters = pipe.execute()
	rows = [counters[i : i + 4] for i in range(0, len(counters), 4)]
	oldest = [_text(row[3]) if row[3] else None for row in rows]
	with conn.pipeline(transaction=False) as pipe:
		for job_id in filter(None, oldest):
			pipe.hget(f"{JOB_PREFIX}{job_id}", "enqueued_at")
		stamps = iter(pipe.execute())
	enqueued = [next(stamps) if job_id else None for job_id in oldest]
	return [
		{
			"queue": qtype,
			"name": name,
			"waiting": int(waiting),
			"started": int(started),
			"failed": int(failed),
			"oldest_wait_s": _wait(enqueued_at, now),
		}
		for qtype, name, (waiting, started, failed, _), enqueued_at in zip(
			probe.site.queue_types(), names, rows, enqueued, strict=True
		)
	]


def _text(value) -> str:
	return value.decode() if isinstance(value, bytes) else str(value)


def _wait(enqueued_at, now: float) -> float | None:
	"""Seconds since rq's `enqueued_at` (UTC, "2024-05-01T10:00:00.123456Z"); None when absent."""
	if not enqueued_at:
		return None
	text = _text(enqueued_at)
	for layout in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
		try:
			stamp = datetime.strptime(text, layout).replace(tzinfo=timezone.utc).timestamp()
		except ValueError:
			continue
		return round(max(0.0, now - stamp), 1)
	return None


def listening_workers(conn, names: list[str]) -> dict[str, int]:
	"""Live workers per queue name, from rq's per-queue worker sets (entries whose worker key expired
	are dead workers rq has not cleaned up yet, and are not counted)."""
	with conn.pipeline(transaction=False) as pipe:
		for name in names:
			pipe.smembers(WORKERS_BY_QUEUE_KEY % name)
		members = [sorted(_text(m) for m in found) for found in pipe.execute()]
	with conn.pipeline(transaction=False) as pipe:
		for keys in members:
			for key in keys:
				pipe.exists(key)
		alive = iter(pipe.execute())
	return {name: sum(1 for _ in keys if next(alive)) for name, keys in zip(names, members, strict=True)}


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
	statuses, findings = [Status.OK], []
	waits = [q["oldest_wait_s"] or 0 for q in stats]
	metrics = [
		Metric("waiting", sum(q["waiting"] for q in stats), "jobs", headline=True),
		Metric("failed", sum(q["failed"] for q in stats), "jobs", headline=True),
		Metric("oldest_wait", max(waits, default=0), "s", headline=True),
	]
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
			Fix(
				"Read failed jobs' tracebacks in the RQ Job list before clearing them.",
				link=route("rq-job", status="failed"),
			),
		]
	totals = ", ".join(f"{q['queue']} {q['waiting']}" for q in stats)
	failed = sum(q["failed"] for q in stats)
	summary = f"Waiting jobs: {totals}; {failed} failed."
	return probe.result(
		max(statuses, key=lambda s: s.rank), summary, metrics=metrics, findings=findings, fixes=fixes
	)


@check("jobs.workers", title="Background workers", tags=("jobs",))
def workers(probe):
	conn = probe.redis("queue")
	bench_id = probe.site.bench_id()
	types = probe.site.queue_types()
	by_name = listening_workers(conn, [f"{bench_id}:{q}" for q in types])
	listening = {q: by_name[f"{bench_id}:{q}"] for q in types}
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
