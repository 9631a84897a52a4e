"""The scheduler: enabled, not paused, and alive — a frequent Scheduled Job Type that ran recently, and a
process holding the scheduler's lock. Works from a bench folder with the site down (SQL + /proc)."""

from __future__ import annotations

from datetime import datetime, timedelta

from frappe_diagnostics.checks.application import site_now
from frappe_diagnostics.engine.probe import missing_table
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status, route
from frappe_diagnostics.engine.shell import bench, command

DEFAULT_INTERVAL_S = 240  # Frappe's scheduler_interval default (the "All" frequency)


def scheduler_state(probe) -> dict:
	"""What decides whether scheduled jobs run for this site, read without Frappe."""
	conf = probe.site.conf
	enabled = probe.system_setting("enable_scheduler")
	state = {
		"enable_scheduler": int(enabled or 0),
		"maintenance_mode": int(conf.get("maintenance_mode") or 0),
		"pause_scheduler": int(conf.get("pause_scheduler") or 0),
		"disable_scheduler": int(conf.get("disable_scheduler") or 0),
		"interval_s": int(conf.get("scheduler_interval") or DEFAULT_INTERVAL_S),
		"now": site_now(probe),
	}
	row = probe.sql(
		"SELECT name, method, last_execution FROM `tabScheduled Job Type` "
		"WHERE stopped = 0 AND frequency = 'All' ORDER BY last_execution DESC LIMIT 1"
	)
	state["frequent_job"] = row[0]["method"] if row else None
	last = row[0]["last_execution"] if row else None
	state["last_execution"] = last
	state["behind_s"] = (state["now"] - last).total_seconds() if isinstance(last, datetime) else None
	state["dormant"] = _dormant(probe, state["now"])
	if probe.site.bench_path is not None:
		from frappe_diagnostics.knowledge.processes import scheduler_holder

		state["lock_holder"] = scheduler_holder(probe.site.bench_path)
	else:
		state["lock_holder"] = None
	return state


def _dormant(probe, now: datetime) -> dict | None:
	"""Frappe runs a dormant site's jobs once a day (no Activity Log for `dormant_days`, default 4): the
	evidence when it is dormant, else None."""
	if int(probe.site.conf.get("developer_mode") or 0):
		return None
	try:
		last = probe.sql_value("SELECT MAX(modified) FROM `tabActivity Log`")
		days = probe.system_setting("dormant_days")
	except Exception as e:
		if missing_table(e):
			return None
		raise
	days = int(days or 4)
	if isinstance(last, datetime) and now - last < timedelta(days=days):
		return None
	return {"last_activity": last, "dormant_days": days}


def start_fix(probe) -> Fix:
	"""Which process to start: the bench's supervisor program or Procfile entry for the scheduler."""
	from frappe_diagnostics.knowledge.benchconfig import expected_programs

	source, programs = expected_programs(probe.site.bench_path) if probe.site.bench_path else ("none", [])
	found = [p for p in programs if p.role == "schedule"]
	if source == "supervisor" and found:
		return Fix(
			f"Start the scheduler program {found[0].name} (config/supervisor.conf).",
			command=command("sudo", "supervisorctl", "start", found[0].address),
		)
	if source == "Procfile" and found:
		return Fix(
			f"Start the scheduler: the Procfile's '{found[0].name}' entry (`bench start` runs it), or on its own:",
			command=command("bench", "schedule"),
		)
	return Fix("Start the scheduler process for this bench.", command=command("bench", "schedule"))


@check(
	"scheduler.alive",
	title="Scheduler",
	tags=("jobs", "scheduler"),
	thresholds={"behind_warning_intervals": 3, "behind_critical_intervals": 6},
)
def alive(probe):
	try:
		state = scheduler_state(probe)
	except Exception as e:
		if missing_table(e):
			return probe.skipped("This database has no Scheduled Job Type table (not a Frappe site).")
		raise
	site = probe.site.name
	metrics = [Metric("interval", state["interval_s"], "s")]
	if state["behind_s"] is not None:
		metrics.append(Metric("frequent_job_behind", round(state["behind_s"]), "s"))
	evidence = {
		k: state[k] for k in ("frequent_job", "last_execution", "lock_holder", "dormant", "enable_scheduler")
	}
	off = _off(state, site)
	if off:
		message, fix = off
		return probe.result(Status.WARNING, message, metrics, [Finding(message, evidence)], [fix])
	if state["dormant"]:
		return _dormant_result(probe, state, metrics, evidence)
	if state["behind_s"] is None:
		return probe.ok("The scheduler is enabled; no frequent scheduled job has run yet.", metrics=metrics)
	interval = state["interval_s"]
	behind = state["behind_s"] / interval
	status = probe.graded(
		behind, probe.threshold("behind_warning_intervals"), probe.threshold("behind_critical_intervals")
	)
	ago = _ago(state["behind_s"])
	if status is Status.OK:
		return probe.ok(f"The scheduler is alive: {state['frequent_job']} ran {ago} ago.", metrics=metrics)
	if state["lock_holder"] is None and probe.site.bench_path is not None:
		summary = (
			f"No scheduler process is running: {state['frequent_job']} last ran {ago} ago "
			f"(it runs every {state['interval_s']} s) and nothing holds config/scheduler_process."
		)
		fixes = [start_fix(probe)]
	else:
		holder = f"pid {state['lock_holder']} holds the scheduler lock, but " if state["lock_holder"] else ""
		summary = (
			f"{holder}{state['frequent_job']} last ran {ago} ago (it runs every {state['interval_s']} s): "
			"jobs are not being enqueued or no worker runs them."
		)
		fixes = [
			Fix(
				"See which step is stuck (scheduler, queue or worker).",
				command=bench(site, "diagnostics", "jobs"),
			),
			start_fix(probe),
		]
	evidence_link = route("scheduled-job-log")  # what the scheduler last ran, and how it ended
	return probe.result(status, summary, metrics, [Finding(summary, evidence, evidence_link)], fixes)


def _dormant_result(probe, state, metrics, evidence):
	dormant = state["dormant"]
	last = dormant["last_activity"]
	since = f"since {last:%Y-%m-%d %H:%M}" if isinstance(last, datetime) else "ever"
	summary = (
		f"The site is dormant: no Activity Log entry {since} (dormant_days = {dormant['dormant_days']}), so "
		"Frappe runs its scheduled jobs only once a day."
	)
	if state["lock_holder"] is None and probe.site.bench_path is not None:
		summary += " No scheduler process holds config/scheduler_process either."
	fixes = [
		Fix(
			"Any login or saved document wakes it at the next scheduler tick. For a site that must run its "
			"jobs while nobody uses it, raise Dormant Days in System Settings.",
			link=route("system-settings"),
		)
	]
	return probe.result(Status.WARNING, summary, metrics, [Finding(summary, {**evidence, **dormant})], fixes)


def _off(state: dict, site: str) -> tuple[str, Fix] | None:
	if state["maintenance_mode"]:
		return (
			"The site is in maintenance mode: the scheduler skips it.",
			Fix("Leave maintenance mode.", command=bench(site, "set-maintenance-mode", "off")),
		)
	if state["pause_scheduler"]:
		return (
			"pause_scheduler is set in the site config: no scheduled job is enqueued.",
			Fix("Resume the scheduler.", command=bench(site, "set-config", "pause_scheduler", "0")),
		)
	if state["disable_scheduler"]:
		return (
			"disable_scheduler is set in the config: no scheduled job is enqueued.",
			Fix("Remove disable_scheduler.", command=bench(site, "set-config", "disable_scheduler", "0")),
		)
	if not state["enable_scheduler"]:
		return (
			"The scheduler is disabled in System Settings: no scheduled job is enqueued.",
			Fix("Enable it.", command=bench(site, "enable-scheduler")),
		)
	return None


def _ago(seconds: float) -> str:
	if seconds < 120:
		return f"{seconds:.0f} s"
	if seconds < 7200:
		return f"{seconds / 60:.0f} min"
	if seconds < 172800:
		return f"{seconds / 3600:.1f} h"
	return f"{seconds / 86400:.1f} days"
