"""A troubleshooter's answer: ordered steps (each a CheckResult), the first failing one the likely cause."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from frappe_diagnostics.engine.result import CheckResult, RunResult, Status


@dataclass
class Diagnosis:
	kind: str  # a Diagnostic Run kind: Startup, Database, Query, Performance, ...
	question: str
	steps: list[CheckResult] = field(default_factory=list)
	inputs: dict[str, Any] = field(default_factory=dict)
	started: float = field(default_factory=time.time)
	finished: float = 0.0
	site: str = ""
	cause_from: Status = Status.WARNING  # the least severe status that can be named the likely cause
	appendix: list[str] = field(default_factory=list)  # a readable report printed after the steps (text)
	data: dict[str, Any] = field(default_factory=dict)  # the same for machines (JSON)

	@property
	def status(self) -> Status:
		return self.as_run().status

	@property
	def likely_cause(self) -> CheckResult | None:
		"""The first step (steps are in dependency order) that is critical, else the first that fails."""
		failing = [s for s in self.steps if s.status.rank >= self.cause_from.rank]
		critical = [s for s in failing if s.status is Status.CRITICAL]
		return (critical or failing or [None])[0]

	@property
	def summary(self) -> str:
		cause = self.likely_cause
		if cause is None:
			warnings = [s.check_id for s in self.steps if s.status.rank >= Status.WARNING.rank]
			if warnings:
				return f"No blocking problem found; {len(warnings)} warning(s): {', '.join(warnings)}."
			return f"Nothing wrong found in {len(self.steps)} steps."
		others = len([s for s in self.steps if s.status.rank >= Status.WARNING.rank]) - 1
		more = f" (and {others} more finding{'s' if others != 1 else ''})" if others > 0 else ""
		return f"Likely cause: {cause.summary}{more}"

	def as_run(self) -> RunResult:
		return RunResult(
			results=self.steps, started=self.started, finished=self.finished or time.time(), site=self.site
		)

	def to_dict(self) -> dict[str, Any]:
		cause = self.likely_cause
		data = self.as_run().to_dict()
		data.update(
			kind=self.kind,
			question=self.question,
			summary=self.summary,
			likely_cause=cause.check_id if cause else None,
			inputs=self.inputs,
		)
		data.update(self.data)
		return data
