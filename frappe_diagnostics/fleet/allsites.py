"""Every site of a bench from its folder: services the sites share (Redis, queues, workers, the machine,
the bench's assets) checked once per distinct set of them, each site's own checks (or its doctor triage)
in parallel, all within one total budget.

	result = check_all_sites(Path("~/frappe-bench"), budget_s=60, parallel=4)
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from frappe_diagnostics.engine.context import StandaloneContext, bench_sites
from frappe_diagnostics.engine.result import CheckResult, RunResult, Status, worst
from frappe_diagnostics.engine.runner import load_checks, run_selected

# checks whose answer is the same for every site sharing the bench's Redis servers and machine
BENCH_LEVEL = (
	"redis.cache",
	"redis.queue",
	"jobs.queues",
	"jobs.workers",
	"system.cpu",
	"system.memory",
	"filesystem.disk_space",
	"assets.built",
)


@dataclass
class SiteOutcome:
	site: str
	status: Status
	summary: str
	run: RunResult | None = None  # check mode
	diagnosis: object = None  # doctor mode: the triage Diagnosis
	services: str = ""  # which shared-services group it belongs to

	def to_dict(self, redactor) -> dict:
		data = {
			"site": self.site,
			"status": self.status.value,
			"summary": self.summary,
			"services": self.services,
		}
		if self.run is not None:
			data["run"] = self.run.to_dict()
		if self.diagnosis is not None:
			data["doctor"] = self.diagnosis.to_dict()
		return redactor.data(data)


@dataclass
class FleetResult:
	bench: str
	services: dict[str, RunResult] = field(default_factory=dict)  # group label -> its bench-level checks
	sites: list[SiteOutcome] = field(default_factory=list)
	started: float = 0.0
	finished: float = 0.0
	redactor: object = None  # knows every site's secrets

	@property
	def status(self) -> Status:
		return worst([s.status for s in self.sites] + [r.status for r in self.services.values()])


def contexts(bench: Path, budget_ms: int | None = None) -> list[StandaloneContext]:
	found = []
	for name in bench_sites(bench):
		ctx = StandaloneContext(bench, name)
		ctx.load_settings()
		if budget_ms:
			ctx.settings.check_budget_ms = budget_ms
		found.append(ctx)
	return found


def service_groups(ctxs: list[StandaloneContext]) -> dict[str, list[StandaloneContext]]:
	"""Sites grouped by the shared services they use: most benches have one group."""
	groups: dict[tuple, list[StandaloneContext]] = {}
	for ctx in ctxs:
		key = (ctx.redis_url("cache"), ctx.redis_url("queue"), ctx.bench_id(), tuple(ctx.queue_types()))
		groups.setdefault(key, []).append(ctx)
	if len(groups) == 1:
		return {"bench": next(iter(groups.values()))}
	return {f"bench ({members[0].name} …)": members for members in groups.values()}


def check_all_sites(
	bench: Path, budget_s: float = 60, parallel: int = 4, budget_ms: int | None = None, doctor: bool = False
) -> FleetResult:
	"""Run every site within `budget_s` seconds in all; a site not started in time is reported skipped."""
	started = time.time()
	deadline = time.monotonic() + budget_s
	ctxs = contexts(bench, budget_ms)
	result = FleetResult(str(bench), started=started)
	result.redactor = ctxs[0].redactor(*ctxs[1:]) if ctxs else StandaloneContext(bench, "-").redactor()
	if not ctxs:
		result.finished = time.time()
		return result
	known = [c.id for c in load_checks(ctxs[0].hook_entries).all()]
	groups = service_groups(ctxs)
	shared = [i for i in BENCH_LEVEL if i in known]
	own = [i for i in known if i not in BENCH_LEVEL]
	label = {ctx.name: name for name, members in groups.items() for ctx in members}
	jobs = [(name, members[0], shared) for name, members in groups.items()]
	with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
		services = pool.map(lambda job: (job[0], _bounded_run(job[1], job[2], deadline)), jobs)
		if doctor:
			outcomes = pool.map(lambda ctx: _doctor(ctx, deadline), ctxs)
		else:
			outcomes = pool.map(lambda ctx: _check(ctx, own, deadline), ctxs)
		result.services = dict(services)
		result.sites = list(outcomes)
	for outcome in result.sites:
		outcome.services = label[outcome.site]
	result.finished = time.time()
	return result


def _bounded_run(ctx, checks: list[str], deadline: float) -> RunResult:
	remaining = deadline - time.monotonic()
	if remaining <= 0 or not checks:
		skipped = [_not_started(c) for c in checks]
		return RunResult(skipped, time.time(), time.time(), ctx.name)
	ctx.settings.run_budget_s = min(ctx.settings.run_budget_s, remaining)
	return run_selected(ctx, checks)


def _check(ctx, checks, deadline: float) -> SiteOutcome:
	run = _bounded_run(ctx, checks, deadline)
	return SiteOutcome(ctx.name, run.status, run.summary, run=run)


def _doctor(ctx, deadline: float) -> SiteOutcome:
	from frappe_diagnostics.troubleshooters import catalog

	if deadline - time.monotonic() <= 0:
		return SiteOutcome(ctx.name, Status.SKIPPED, "Not started: the total budget was used up.")
	ctx.settings.run_budget_s = min(ctx.settings.run_budget_s, deadline - time.monotonic())
	diagnosis = catalog.run(ctx, "doctor", catalog.STANDALONE)
	return SiteOutcome(ctx.name, diagnosis.status, diagnosis.summary, diagnosis=diagnosis)


def _not_started(check_id: str) -> CheckResult:
	return CheckResult(check_id, Status.SKIPPED, "Not started: the total budget was used up.")
