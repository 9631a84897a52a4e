"""Runs health checks inside a Frappe site and stores them: the one path every surface calls."""

from __future__ import annotations

from frappe_diagnostics.engine.frappe_context import FrappeContext
from frappe_diagnostics.engine.registry import registry
from frappe_diagnostics.engine.runner import run_checks
from frappe_diagnostics.store import save_run


def site_context() -> FrappeContext:
	ctx = FrappeContext()
	registry.load_hooks(ctx.hook_entries)
	return ctx


def run_health(checks=(), tags=(), trigger: str = "CLI", store: bool = True, on_progress=None):
	"""Run the selected checks (all site checks by default); returns (RunResult, Diagnostic Run or None).

	Raises KeyError with a readable message for an unknown check id or tag.
	"""
	ctx = site_context()
	selection = registry.select(ids=checks or (), tags=tags or (), scope="site")
	run = run_checks(ctx, selection, on_progress=on_progress)
	doc = None
	if store:
		inputs = {"checks": list(checks or ()), "tags": list(tags or ())}
		doc = save_run(run, kind="Health Check", trigger=trigger, inputs=inputs)
	return run, doc


def troubleshoot(name: str, trigger: str = "CLI", store: bool = True, **inputs):
	"""Run a troubleshooter by name inside the site; returns (Diagnosis, Diagnostic Run or None).

	Raises KeyError for an unknown troubleshooter and ValueError for bad inputs (readable messages).
	"""
	from frappe_diagnostics.store import save_diagnosis
	from frappe_diagnostics.troubleshooters.catalog import get_troubleshooter

	diagnosis = get_troubleshooter(name)(site_context(), **inputs)
	doc = save_diagnosis(diagnosis, trigger) if store else None
	return diagnosis, doc
