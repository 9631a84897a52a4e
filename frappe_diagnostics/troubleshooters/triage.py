"""The doctor: "what's wrong with this site?" Every cheap signal of every area, run once within one budget,
the findings ranked by how much of the site they break, one likely cause first and the troubleshooter that
goes deeper. Any exception in any step becomes an `error` step with its message, never a traceback."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.result import CheckResult, Status
from frappe_diagnostics.engine.runner import load_checks, run_selected
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.engine.steps import step

# how much of the site a failure breaks (the first ranking key)
DOWN, EVERYONE, BACKGROUND, FEATURE, SOME, ADVICE = 5, 4, 3, 2, 1, 0
BREAKS = {
	DOWN: "the site cannot serve anyone",
	EVERYONE: "every user is affected",
	BACKGROUND: "background jobs, emails and scheduled events stop",
	FEATURE: "one feature fails",
	SOME: "some users or requests are affected",
	ADVICE: "nothing is broken yet",
}
SEVERITY = {Status.CRITICAL: 3, Status.WARNING: 2, Status.ERROR: 1}  # error: the step could not decide
BUDGET_S = 2.5  # the whole triage; a check still running then is cut off and reported as error
PARALLEL = 8
TAG = "triage"  # another app's cheap check joins the doctor with this tag (ranked as one feature's)


@dataclass(frozen=True)
class Signal:
	"""One cheap check of the triage: how much a failure breaks (by status, or decided from the result)
	and the catalog entry that goes deeper."""

	check_id: str
	breaks: int | dict | Callable[[CheckResult], int]
	deeper: str | dict = ""  # a catalog entry, or one per status

	def deeper_for(self, result: CheckResult) -> str:
		return self.deeper.get(result.status, "") if isinstance(self.deeper, dict) else self.deeper

	def impact(self, result: CheckResult) -> int:
		if callable(self.breaks):
			return self.breaks(result)
		if isinstance(self.breaks, dict):
			return self.breaks.get(result.status, min(self.breaks.values()))
		return self.breaks


def _processes(result: CheckResult) -> int:
	roles = {f.message.split(":", 1)[0] for f in result.findings}
	if "web" in roles:
		return DOWN
	return BACKGROUND if roles & {"worker", "schedule"} else FEATURE


# in dependency order: among equal impact and severity, the earlier signal is the likelier cause
SIGNALS = (
	Signal("configuration.site_config", DOWN),
	Signal("database.connectivity", {Status.CRITICAL: DOWN, Status.WARNING: SOME}, "database"),
	Signal("database.core_tables", DOWN, "database"),
	Signal("apps.consistency", DOWN),
	Signal("filesystem.disk_space", {Status.CRITICAL: DOWN, Status.WARNING: ADVICE}),
	# maintenance mode answers every request with 503: the web check then fails too, as a consequence
	Signal(
		"configuration.maintenance",
		{Status.CRITICAL: DOWN, Status.WARNING: BACKGROUND},
		{
			Status.WARNING: "jobs"
		},  # the scheduler off: why jobs do not run; maintenance mode: its fix is enough
	),
	Signal("redis.cache", EVERYONE, "web"),
	Signal("web.processes", _processes, "web"),
	Signal("web.http", {Status.CRITICAL: DOWN, Status.WARNING: SOME}, "web"),  # warning: socket.io port
	Signal("migrations.pending_patches", EVERYONE),
	Signal("database.connections", {Status.CRITICAL: EVERYONE, Status.WARNING: SOME}, "database"),
	Signal("configuration.encryption_key", BACKGROUND, "email"),
	Signal("configuration.host_name", FEATURE, "web"),
	Signal("redis.queue", BACKGROUND, "jobs"),
	Signal("jobs.workers", BACKGROUND, "jobs"),
	Signal("scheduler.alive", BACKGROUND, "jobs"),
	Signal("jobs.queues", BACKGROUND, "jobs"),
	Signal("filesystem.permissions", BACKGROUND, "files"),
	Signal("filesystem.writable", BACKGROUND, "files"),
	Signal("email.queue", FEATURE, "email"),
	Signal("files.upload_limit", FEATURE, "files"),
	Signal("web.realtime", FEATURE, "web"),
	Signal("assets.built", FEATURE),
	Signal("database.locks", {Status.CRITICAL: FEATURE, Status.WARNING: SOME}, "database"),
	Signal("security.login_lockouts", SOME, "why_no_login"),
	Signal("application.error_log", {Status.CRITICAL: FEATURE, Status.WARNING: SOME}, "database"),
	Signal("jobs.failed_recent", {Status.CRITICAL: FEATURE, Status.WARNING: SOME}, "jobs"),  # history
	Signal("system.memory", {Status.CRITICAL: SOME, Status.WARNING: ADVICE}, "performance"),
	Signal("system.cpu", {Status.CRITICAL: SOME, Status.WARNING: ADVICE}, "performance"),
	Signal("database.slow_queries", ADVICE, "slowlog"),
	Signal("web.tls_expiry", {Status.CRITICAL: EVERYONE, Status.WARNING: ADVICE}, "web"),
	Signal("backups.recent", ADVICE),
	Signal("security.weak_config_secrets", ADVICE, "security"),
	Signal("debug.session", ADVICE),
)
BY_ID = {s.check_id: s for s in SIGNALS}
ORDER = {check_id: i for i, check_id in enumerate(BY_ID)}


def rank(result: CheckResult) -> tuple:
	"""Sort key: failing steps first, by what they break, then how bad, then dependency order."""
	signal = BY_ID.get(result.check_id)
	order = ORDER.get(result.check_id, len(ORDER))
	severity = SEVERITY.get(result.status, 0) if result.affects_status else 0
	impact = (signal.impact(result) if signal else FEATURE) if severity else -1  # another app's: a feature
	return (-impact, -severity, order)


@dataclass
class Triage(Diagnosis):
	"""A Diagnosis whose steps are ranked: the first failing step is the likely cause."""

	@property
	def likely_cause(self) -> CheckResult | None:
		return next((s for s in self.steps if s.affects_status and s.status in SEVERITY), None)

	@property
	def deeper(self) -> dict | None:
		cause = self.likely_cause
		signal = BY_ID.get(cause.check_id) if cause else None
		name = signal.deeper_for(cause) if signal else ""
		if not name:
			return None
		return {"troubleshooter": name, "command": bench(self.site or None, "diagnostics", _command_of(name))}

	@property
	def impact(self) -> str:
		cause = self.likely_cause
		signal = BY_ID.get(cause.check_id) if cause else None
		if signal is None or cause.status is Status.ERROR:
			return ""
		return BREAKS[signal.impact(cause)]

	@property
	def summary(self) -> str:
		text = Diagnosis.summary.fget(self)
		if self.impact:
			text += f" Impact: {self.impact}."
		if self.deeper:
			text += f" Go deeper: {self.deeper['command']}"
		return text

	def to_dict(self):
		data = super().to_dict()
		data.update(deeper=self.deeper, impact=self.impact)
		return data


def _command_of(name: str) -> str:
	from frappe_diagnostics.troubleshooters import catalog

	entry = catalog.CATALOG.get(name)
	return entry.command if entry else name


def diagnose_site(ctx) -> Triage:
	"""Run every signal once, within BUDGET_S, and rank what fails."""
	started = time.time()
	own = ctx.settings
	settings = dataclasses.replace(
		own, run_budget_s=min(own.run_budget_s, BUDGET_S), parallel=max(own.parallel, PARALLEL)
	)
	steps = _run(ctx, settings)
	_explain_skips(steps)
	return Triage(
		kind="Triage",
		question=f"What's wrong with {ctx.name}?",
		steps=sorted(steps, key=rank),
		inputs={"site": ctx.name},
		started=started,
		finished=time.time(),
		site=ctx.name,
	)


def _run(ctx, settings) -> list[CheckResult]:
	try:
		registry = load_checks(ctx.hook_entries)
		known = [s.check_id for s in SIGNALS if s.check_id in registry]
		known += [c.id for c in registry.all(scope="site") if TAG in c.tags and c.id not in BY_ID]
		return run_selected(ctx, known, settings=settings).results
	except Exception as e:  # the triage itself must never end in a traceback
		return [
			step("triage.run", "Triage", Status.ERROR, f"The triage could not run: {type(e).__name__}: {e}")
		]


def _explain_skips(steps) -> None:
	"""A step skipped because its service is down points at the step that found it down."""
	by_id = {s.check_id: s for s in steps}
	for service, check_id in (("database", "database.connectivity"), ("redis_queue", "redis.queue")):
		found = by_id.get(check_id)
		if found is None or found.status is not Status.CRITICAL:
			continue
		for s in steps:
			if s.status is Status.SKIPPED and f"{service} is unreachable" in s.summary:
				s.summary = f"Not checked: the {service} is unreachable (see {check_id})."
