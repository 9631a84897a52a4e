"""Runs a selection of checks: each in its own thread with a time budget, the whole run bounded."""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable

from frappe_diagnostics.engine.probe import Probe, Resources, ServiceUnavailable
from frappe_diagnostics.engine.registry import CheckDef, Registry, registry
from frappe_diagnostics.engine.result import CheckResult, Finding, Fix, RunResult, Status

Progress = Callable[[int, int, CheckResult], None]


def load_checks(entries: Iterable[str] = ("frappe_diagnostics.checks",)) -> Registry:
	"""The check registry with the hooked modules (`ctx.hook_entries`; the app's own by default) imported."""
	registry.load_hooks(entries)
	return registry


def run_selected(
	ctx,
	checks=(),
	tags=(),
	on_progress: Progress | None = None,
	reg: Registry | None = None,
	*,
	scope: str = "site",
	exclude=(),
	settings=None,
):
	"""The one path to a health run on every surface: load the site's hooked checks, select the checks of
	`scope` (of `reg`, a troubleshooter's own, when given) by id and tag (KeyError with a readable message
	for unknown names), run them. Ids given alone run in the order given."""
	load_checks(ctx.hook_entries)
	reg = reg or registry
	selection = reg.select(ids=checks or (), tags=tags or (), exclude=exclude, scope=scope)
	if checks and not tags:
		selection = [reg.get(i) for i in dict.fromkeys(checks) if i not in set(exclude)]
	return run_checks(ctx, selection, settings=settings, on_progress=on_progress, reg=reg)


def run_checks(
	ctx,
	checks: Iterable[CheckDef] | None = None,
	settings=None,
	on_progress: Progress | None = None,
	reg: Registry | None = None,
) -> RunResult:
	"""Run `checks` (default: every site check) against `ctx`. Never raises for a check's sake."""
	reg = reg or registry
	settings = settings or ctx.settings
	checks = list(checks if checks is not None else reg.all(scope="site"))
	started = time.time()
	resources = Resources(ctx)
	results = _Run(ctx, checks, settings, resources, on_progress).execute()
	resources.close()
	results += [_hook_error(entry, reason) for entry, reason in sorted(reg.load_errors.items())]
	return RunResult(results=results, started=started, finished=time.time(), site=ctx.name)


class _Run:
	def __init__(self, ctx, checks, settings, resources, on_progress):
		self.ctx, self.checks, self.settings = ctx, checks, settings
		self.resources, self.on_progress = resources, on_progress
		self.done: queue.Queue = queue.Queue()
		self.results: dict[str, CheckResult] = {}
		self.running: dict[str, tuple[Probe, float]] = {}
		self.run_deadline = time.monotonic() + settings.run_budget_s

	def execute(self) -> list[CheckResult]:
		pending = deque(self.checks)
		while pending or self.running:
			while pending and len(self.running) < self.settings.parallel:
				self._start(pending.popleft())
			if self.running:
				self._wait()
		return [self.results[c.id] for c in self.checks]

	def _start(self, definition: CheckDef) -> None:
		remaining_ms = (self.run_deadline - time.monotonic()) * 1000
		if definition.id in self.settings.disabled:
			return self._record(
				definition, _synthetic(definition, Status.SKIPPED, "Disabled in Diagnostics Settings.")
			)
		if remaining_ms <= 0:
			summary = f"Not run: the run's budget of {self.settings.run_budget_s:g} s was used up."
			return self._record(definition, _synthetic(definition, Status.SKIPPED, summary))
		budget_ms = min(definition.budget_ms or self.settings.check_budget_ms, remaining_ms)
		thresholds = {**definition.thresholds, **self.settings.thresholds.get(definition.id, {})}
		probe = Probe(self.ctx, definition, self.resources, budget_ms, thresholds)
		self.running[definition.id] = (probe, time.perf_counter())
		thread = threading.Thread(
			target=_execute, args=(probe, definition, self.done), name=f"check:{definition.id}", daemon=True
		)
		thread.start()

	def _wait(self) -> None:
		earliest = min(p.deadline for p, _ in self.running.values())
		try:
			check_id, result = self.done.get(timeout=max(0.0, earliest - time.monotonic()))
		except queue.Empty:
			pass
		else:
			if check_id in self.running:
				probe, _ = self.running.pop(check_id)
				self._record(probe.definition, result)
		now = time.monotonic()
		for check_id, (probe, t0) in list(self.running.items()):
			if probe.deadline <= now:
				del self.running[check_id]
				probe.abort()
				self._record(probe.definition, _timed_out(probe, t0))

	def _record(self, definition: CheckDef, result: CheckResult) -> None:
		self.results[definition.id] = result
		if self.on_progress:
			try:
				self.on_progress(len(self.results), len(self.checks), result)
			except Exception:
				pass


def _execute(probe: Probe, definition: CheckDef, done: queue.Queue) -> None:
	t0 = time.perf_counter()
	try:
		result = definition.func(probe)
		if not isinstance(result, CheckResult):
			raise TypeError(f"check returned {type(result).__name__}, expected CheckResult")
	except ServiceUnavailable as e:
		result = _synthetic(definition, Status.SKIPPED, f"Skipped: {e.service} is unreachable ({e.reason}).")
	except Exception as e:
		if _interrupted(e):
			result = _statement_stopped(probe, t0)
		elif _redis_down(probe, e):  # the Redis check of that server reports it; this one cannot judge
			summary = f"Skipped: {probe.redis_used} is unreachable ({type(e).__name__}: {e})."
			result = _synthetic(definition, Status.SKIPPED, summary)
		else:
			result = _failed(definition, e)
	finally:
		probe.release()
	_complete(result, definition, (time.perf_counter() - t0) * 1000)
	done.put((definition.id, result))


INTERRUPTED = (1969, 3024)  # MariaDB / MySQL: the statement ran past max_(execution|statement)_time


def _interrupted(error: Exception) -> bool:
	args = getattr(error, "args", ())
	return bool(args) and args[0] in INTERRUPTED


def _redis_down(probe: Probe, error: Exception) -> bool:
	"""A Redis connection that failed while the check talked to redis_<kind>."""
	redis_errors = [c for c in type(error).__mro__ if c.__module__.startswith("redis")]
	names = {c.__name__ for c in redis_errors}
	return bool(probe.redis_used) and bool(names & {"ConnectionError", "TimeoutError"})


def _statement_stopped(probe: Probe, t0: float) -> CheckResult:
	took = (time.perf_counter() - t0) * 1000
	summary = (
		f"Did not finish within its budget of {probe.budget_ms:.0f} ms: the database stopped its query after "
		f"{took:.0f} ms (max_statement_time). Something holds a lock it needs, or the query is slow."
	)
	fix = Fix(
		"Look for long transactions or lock waits (`diagnostics database`); raise the check's budget in "
		"Diagnostics Settings only if the database is known to be slow but healthy."
	)
	return _synthetic(probe.definition, Status.ERROR, summary, fixes=[fix])


def _failed(definition: CheckDef, e: Exception) -> CheckResult:
	return _synthetic(
		definition,
		Status.ERROR,
		f"The check failed: {type(e).__name__}: {e}",
		findings=[Finding("The check raised an exception", {"where": _where(e)})],
	)


def _complete(result: CheckResult, definition: CheckDef, duration_ms: float) -> CheckResult:
	result.check_id = definition.id
	result.title = result.title or definition.title
	result.category = result.category or definition.category
	result.affects_status = definition.affects_status
	result.duration_ms = duration_ms
	return result


def _synthetic(definition: CheckDef, status: Status, summary: str, findings=(), fixes=()) -> CheckResult:
	result = CheckResult(definition.id, status, summary, findings=list(findings), fixes=list(fixes))
	return _complete(result, definition, 0.0)


def _timed_out(probe: Probe, t0: float) -> CheckResult:
	waiting = f" while waiting on {probe.waiting_on}" if probe.waiting_on else ""
	summary = (
		f"Did not finish within its budget of {probe.budget_ms:.0f} ms and was cut off{waiting}: what it "
		"waits on (a service, or this machine) was too slow to answer in time; it may be healthy but slow, "
		"or hung."
	)
	fix = Fix(
		"Find out what the check waits on (a hung service or a lock); raise its budget in Diagnostics "
		"Settings only if the service is known to be slow but healthy."
	)
	result = _synthetic(probe.definition, Status.ERROR, summary, fixes=[fix])
	result.duration_ms = (time.perf_counter() - t0) * 1000
	return result


def _hook_error(entry: str, reason: str) -> CheckResult:
	return CheckResult(
		check_id=f"hooks.{entry.replace('.', '_')}",
		status=Status.ERROR,
		summary=f"The diagnostics_checks hook entry {entry!r} could not be imported: {reason}",
		title="Checks from an app's hook",
		category="hooks",
		fixes=[Fix(f"Fix or remove {entry!r} in that app's hooks.py (diagnostics_checks).")],
	)


def _where(error: Exception) -> str:
	frames = traceback.extract_tb(error.__traceback__)
	if not frames:
		return ""
	last = frames[-1]
	return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno} in {last.name}"
