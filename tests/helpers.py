"""Small helpers shared by the standalone tests."""

from __future__ import annotations

from frappe_diagnostics.engine.registry import registry
from frappe_diagnostics.engine.runner import run_checks
from frappe_diagnostics.engine.settings import Settings


def run_one(ctx, check_id: str, budget_ms: int = 3000, **thresholds):
	"""Run one registered check through the real runner, with threshold overrides."""
	settings = Settings(check_budget_ms=budget_ms, thresholds={check_id: thresholds})
	return run_checks(ctx, [registry.get(check_id)], settings=settings).results[0]
