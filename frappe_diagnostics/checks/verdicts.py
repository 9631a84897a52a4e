"""Shared verdicts of the checks: when the data a check needs is missing, it says so instead of OK."""

from __future__ import annotations

from frappe_diagnostics.engine.result import Finding, Fix, Status


def undecided(probe, what: str, evidence: dict | None = None, fix: str | None = None, metrics=()):
	"""Status error, "Could not decide: <what>": the source was empty or unreadable, so no verdict."""
	return probe.result(
		Status.ERROR,
		f"Could not decide: {what}",
		metrics=metrics,
		findings=[Finding("The data this check needs was missing or unreadable", evidence or {})],
		fixes=[Fix(fix)] if fix else [],
	)
