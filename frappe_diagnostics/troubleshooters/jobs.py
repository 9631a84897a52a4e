"""Background jobs troubleshooter: "why didn't my background job / scheduled job run?"

Scheduler (enabled, not paused, alive) → scheduled job types (overdue, failing, near their timeout) →
queues and workers (the health checks) → worker heartbeats and stuck workers → failed jobs grouped by
exception → the oldest waiting jobs → where a named job is now. Works from a bench folder with the site down.
"""

from __future__ import annotations

import time

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.registry import Registry, check
from frappe_diagnostics.engine.runner import run_selected
from frappe_diagnostics.knowledge.timewindow import parse_since
from frappe_diagnostics.troubleshooters import job_locate, job_steps

CHECKS = ("redis.queue", "scheduler.alive", "jobs.queues", "jobs.workers")  # the queue first: all need it


def diagnose_jobs(ctx, since: str = "24h", job: str | None = None) -> Diagnosis:
	started = time.time()
	window = parse_since(since)
	job = (job or "").strip() or None
	settings = ctx.troubleshooter_settings(min_check_ms=5000, run_s=60)
	local = Registry()

	def add(check_id: str, title: str, fn):
		check(check_id, title=title, tags=("jobs",), budget_ms=15000, into=local)(fn)

	add(
		"jobs.scheduled_types",
		"Scheduled job types",
		lambda p: job_steps.scheduled_types_step(p, job_steps.local_since(p, window)),
	)
	add("jobs.worker_health", "Worker heartbeats", job_steps.worker_health_step)
	add("jobs.failed", "Failed jobs", lambda p: job_steps.failed_step(p, window))
	add("jobs.waiting", "Oldest waiting jobs", job_steps.waiting_step)
	if job:
		add("jobs.locate", f"Where is {job}?", lambda p: job_locate.locate_step(p, job))
	first = run_selected(ctx, CHECKS, settings=settings).results
	scheduler, queues_and_workers = first[:2], first[2:]
	ours = run_selected(ctx, reg=local, settings=settings).results
	by_id = {s.check_id: s for s in ours}
	steps = [
		*scheduler,
		by_id["jobs.scheduled_types"],
		*queues_and_workers,
		by_id["jobs.worker_health"],
		by_id["jobs.failed"],
		by_id["jobs.waiting"],
	]
	if job:
		steps.insert(0, by_id["jobs.locate"])
	question = (
		f"Why didn't {job} run on {ctx.name}?"
		if job
		else f"Why aren't background jobs running on {ctx.name}?"
	)
	return Diagnosis(
		"Background Jobs", question, steps, {"since": since, "job": job}, started, time.time(), ctx.name
	)
