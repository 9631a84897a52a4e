"""Runs health checks and troubleshooters inside a Frappe site and stores them: the path every in-site
surface (desk, REST, bench commands, scheduler) takes.

The work itself is framework-free and shared with the standalone command: `engine.runner.run_selected`
for health runs and `troubleshooters.catalog.run` for troubleshooters; this module adds the site's
context and the one writer (store).
"""

from __future__ import annotations

from frappe_diagnostics.engine.runner import run_selected
from frappe_diagnostics.site.context import FrappeContext
from frappe_diagnostics.site.store import save_diagnosis, save_run
from frappe_diagnostics.troubleshooters import catalog


def site_context() -> FrappeContext:
	return FrappeContext()


def run_health(checks=(), tags=(), trigger: str = "CLI", store: bool = True, on_progress=None):
	"""Run the selected site checks (all by default); returns (RunResult, Diagnostic Run or None).

	Raises KeyError with a readable message for an unknown check id or tag, or a host check.
	"""
	run = run_selected(site_context(), checks, tags, on_progress=on_progress)
	doc = None
	if store:
		inputs = {"checks": list(checks or ()), "tags": list(tags or ())}
		doc = save_run(run, kind="Health Check", trigger=trigger, inputs=inputs)
		end_lapsed_debug_session()
	return run, doc


def end_lapsed_debug_session() -> None:
	"""Every stored health run ends a debug session that lapsed (its check has just reported it)."""
	from frappe_diagnostics.site.debug.session import tick

	tick()


def troubleshoot(name: str, surface: str, /, trigger: str = "CLI", store: bool = True, **inputs):
	"""Run a catalog troubleshooter in the site; returns (Diagnosis, Diagnostic Run or None).

	Raises catalog.BadInput (a ValueError) for bad inputs and ValueError when the answer refuses.
	"""
	diagnosis = catalog.run(site_context(), name, surface, **inputs)
	doc = save_diagnosis(diagnosis, trigger) if store else None
	return diagnosis, doc
