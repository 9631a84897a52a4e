"""Small helpers shared by the standalone tests."""

from __future__ import annotations

from frappe_diagnostics.engine.registry import registry
from frappe_diagnostics.engine.runner import run_checks
from frappe_diagnostics.engine.settings import Settings


def run_one(ctx, check_id: str, budget_ms: int = 3000, **thresholds):
	"""Run one registered check through the real runner, with threshold overrides."""
	settings = Settings(check_budget_ms=budget_ms, thresholds={check_id: thresholds})
	return run_checks(ctx, [registry.get(check_id)], settings=settings).results[0]


def finishes(fn, *args, within_s: float = 30.0):
	"""`fn(*args)` run in a thread: ("returned", value) or ("raised", exception); fails the test if it hangs.

	The bound only tells a hang from an answer (it is far above any expected time); speed is measured in
	benchmarks/, never asserted here.
	"""
	import threading

	box = []

	def target():
		try:
			box.append(("returned", fn(*args)))
		except BaseException as e:  # the outcome is what the test asserts
			box.append(("raised", e))

	thread = threading.Thread(target=target, daemon=True)
	thread.start()
	thread.join(within_s)
	assert box, f"{getattr(fn, '__name__', fn)} did not finish within {within_s:g} s"
	return box[0]
