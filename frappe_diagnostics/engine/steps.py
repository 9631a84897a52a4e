"""Building blocks of every troubleshooter: a step (a CheckResult), findings, fix action strings, and the
verdict-aware Diagnosis of the access troubleshooters."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.result import CheckResult, Finding, Metric, Status

OK, WARNING, CRITICAL, ERROR, SKIPPED = (
	Status.OK,
	Status.WARNING,
	Status.CRITICAL,
	Status.ERROR,
	Status.SKIPPED,
)


def step(
	check_id: str,
	title: str,
	status: Status,
	summary: str,
	findings=None,
	fixes=None,
	*,
	metrics=None,
	duration_ms: float = 0.0,
) -> CheckResult:
	"""One step of a diagnosis; its category is the first part of its id."""
	return CheckResult(
		check_id=check_id,
		status=status,
		summary=summary,
		title=title,
		category=check_id.split(".", 1)[0],
		metrics=[m if isinstance(m, Metric) else Metric(*m) for m in metrics or ()],
		findings=list(findings or ()),
		fixes=list(fixes or ()),
		duration_ms=duration_ms,
	)


def finding(message: str, **evidence) -> Finding:
	return Finding(message, {k: v for k, v in evidence.items() if v is not None})


def action(fix: str, /, **params) -> str:
	"""A fix action as one string, e.g. `grant_permission?doctype=ToDo&ptype=read&role=Blogger`."""
	clean = {k: str(v) for k, v in sorted(params.items()) if v not in (None, "")}
	return f"{fix}?{urlencode(clean)}" if clean else fix


def parse_action(text: str) -> tuple[str, dict[str, str]]:
	name, _, query = (text or "").strip().partition("?")
	return name.strip(), dict(parse_qsl(query, keep_blank_values=False))


def skipped(check_id: str, title: str, why: str) -> CheckResult:
	return step(check_id, title, SKIPPED, why)


@dataclass
class AccessDiagnosis(Diagnosis):
	"""A Diagnosis whose summary starts with the verdict (allowed / denied)."""

	verdict: str = ""

	@property
	def summary(self) -> str:
		if not self.verdict:
			return Diagnosis.summary.fget(self)
		if self.likely_cause is not None:
			return f"{self.verdict} {Diagnosis.summary.fget(self)}"
		warnings = [s.check_id for s in self.steps if s.status.rank >= Status.WARNING.rank]
		if warnings:
			return f"{self.verdict} Nothing blocks it; {len(warnings)} warning(s): {', '.join(warnings)}."
		return f"{self.verdict} Nothing blocks it ({len(self.steps)} steps checked)."

	def to_dict(self):
		data = super().to_dict()
		data["verdict"] = self.verdict
		return data
