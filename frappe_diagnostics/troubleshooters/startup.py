"""Startup doctor: "why won't this site start?" The startup checks, in the order one failure causes the next."""

from __future__ import annotations

import time

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.registry import registry
from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.engine.runner import run_checks
from frappe_diagnostics.engine.settings import Settings

# A later step cannot be judged while an earlier one fails: order = likely-cause order.
ORDER = (
	"configuration.site_config",
	"database.connectivity",
	"database.core_tables",
	"database.connections",
	"redis.cache",
	"redis.queue",
	"apps.consistency",
	"migrations.pending_patches",
	"assets.built",
	"configuration.encryption_key",
	"configuration.maintenance",
	"filesystem.permissions",
	"filesystem.writable",
	"filesystem.disk_space",
)


def startup_checks():
	tagged = {c.id: c for c in registry.select(tags=["startup"])}
	extra = [registry.get(i) for i in ("filesystem.writable", "filesystem.disk_space")]
	for c in extra:
		tagged.setdefault(c.id, c)
	rank = {cid: i for i, cid in enumerate(ORDER)}
	return sorted(tagged.values(), key=lambda c: (rank.get(c.id, len(ORDER)), c.id))


def diagnose_startup(ctx, settings: Settings | None = None) -> Diagnosis:
	started = time.time()
	run = run_checks(ctx, startup_checks(), settings=settings)
	steps = run.results
	_explain_skips(steps)
	return Diagnosis(
		kind="Startup",
		question=f"Why won't {ctx.name} start?",
		steps=steps,
		inputs={"site": ctx.name},
		started=started,
		finished=time.time(),
		site=ctx.name,
		cause_from=Status.ERROR,
	)


def _explain_skips(steps) -> None:
	# a step skipped because its service is down points at the step that found it down
	by_id = {s.check_id: s for s in steps}
	db = by_id.get("database.connectivity")
	if db is not None and db.status is Status.CRITICAL:
		for step in steps:
			if step.status is Status.SKIPPED and "database is unreachable" in step.summary:
				step.summary = "Not checked: the database is unreachable (see database.connectivity)."
