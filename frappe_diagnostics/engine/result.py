"""Value objects of a diagnostic run. Pure data: no I/O, no framework imports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import quote, urlencode


class Status(str, Enum):
	OK = "ok"
	WARNING = "warning"
	CRITICAL = "critical"
	ERROR = "error"
	SKIPPED = "skipped"

	@property
	def rank(self) -> int:
		# skipped says nothing; error (could not decide) sits between warning and critical
		return _RANK[self]

	@property
	def label(self) -> str:
		return self.value.capitalize() if self is not Status.OK else "OK"

	@classmethod
	def parse(cls, value: str | Status) -> Status:
		if isinstance(value, Status):
			return value
		try:
			return cls(str(value).strip().lower())
		except ValueError:
			raise ValueError(
				f"Unknown status {value!r}; use one of: {', '.join(s.value for s in cls)}"
			) from None


_RANK = {Status.SKIPPED: 0, Status.OK: 1, Status.WARNING: 2, Status.ERROR: 3, Status.CRITICAL: 4}
STATUS_ORDER = tuple(Status)  # how lists of statuses are shown (charts, metrics): ok … skipped


def worst(statuses) -> Status:
	"""Worst of the given statuses; OK when there is nothing to judge."""
	found = [Status.parse(s) for s in statuses]
	counting = [s for s in found if s is not Status.SKIPPED]
	if not counting:
		return Status.SKIPPED if found else Status.OK
	return max(counting, key=lambda s: s.rank)


@dataclass(frozen=True)
class Metric:
	name: str
	value: float | int | str | None
	unit: str = ""
	headline: bool = False  # shown on the check's tile; the others appear when the tile is expanded

	def __str__(self) -> str:
		value = self.value
		if isinstance(value, float):
			value = f"{value:.1f}" if abs(value) < 1000 else f"{value:,.0f}"
		return f"{value} {self.unit}".strip()


@dataclass(frozen=True)
class Finding:
	"""What is wrong, with the evidence that shows it."""

	message: str
	evidence: dict[str, Any] = field(default_factory=dict)
	link: str | None = None  # the desk route of what it is about, e.g. "/app/user/jane%40example.com"


@dataclass(frozen=True)
class Fix:
	"""What to do: words, optionally a command to run or the id of an applicable action."""

	description: str
	command: str | None = None
	action: str | None = None
	link: str | None = None  # where it is done on the desk, e.g. "/app/rq-job" (see `route`)


def route(*parts: str, **filters) -> str:
	"""A desk route from its parts, each quoted: route("user", "jane@example.com") is
	"/app/user/jane%40example.com"; keyword filters become the list's query string."""
	path = "/app/" + "/".join(quote(str(p), safe="") for p in parts)
	clean = {k: str(v) for k, v in filters.items() if v not in (None, "")}
	return f"{path}?{urlencode(clean)}" if clean else path


@dataclass
class CheckResult:
	check_id: str
	status: Status
	summary: str
	title: str = ""
	category: str = ""
	metrics: list[Metric] = field(default_factory=list)
	findings: list[Finding] = field(default_factory=list)
	fixes: list[Fix] = field(default_factory=list)
	duration_ms: float = 0.0
	affects_status: bool = True  # False: shown, but not part of the run's status (e.g. advice)

	def metric(self, name: str):
		return next((m.value for m in self.metrics if m.name == name), None)

	@property
	def headline_metrics(self) -> list[Metric]:
		"""The metrics the check marked as its headline; the first three when it marked none."""
		return [m for m in self.metrics if m.headline] or self.metrics[:3]

	def to_dict(self) -> dict[str, Any]:
		data = asdict(self)
		data["status"] = self.status.value
		data["duration_ms"] = round(self.duration_ms, 2)
		return data

	@classmethod
	def from_dict(cls, data: dict[str, Any]) -> CheckResult:
		return cls(
			check_id=data["check_id"],
			status=Status.parse(data["status"]),
			summary=data.get("summary", ""),
			title=data.get("title", ""),
			category=data.get("category", ""),
			metrics=[Metric(**m) for m in data.get("metrics") or []],
			findings=[Finding(**f) for f in data.get("findings") or []],
			fixes=[Fix(**f) for f in data.get("fixes") or []],
			duration_ms=float(data.get("duration_ms") or 0),
			affects_status=bool(data.get("affects_status", True)),
		)


@dataclass
class RunResult:
	results: list[CheckResult]
	started: float
	finished: float
	site: str = ""

	@property
	def status(self) -> Status:
		return worst(r.status for r in self.results if r.affects_status)

	@property
	def duration_ms(self) -> float:
		return (self.finished - self.started) * 1000

	@property
	def failing(self) -> list[CheckResult]:
		return [r for r in self.results if r.affects_status and r.status.rank >= Status.WARNING.rank]

	@property
	def summary(self) -> str:
		total = len(self.results)
		failing = self.failing
		if not failing:
			skipped = sum(r.status is Status.SKIPPED for r in self.results)
			if skipped and skipped == total:  # unknown is not OK
				return f"Nothing was checked: all {total} skipped."
			if skipped:
				return f"{total - skipped} of {total} checks passed ({skipped} skipped)."
			return f"All {total} checks passed."
		failing.sort(key=lambda r: -r.status.rank)
		names = ", ".join(f"{r.check_id} {r.status.value}" for r in failing[:5])
		more = f" and {len(failing) - 5} more" if len(failing) > 5 else ""
		return f"{len(failing)} of {total} checks need attention: {names}{more}."

	def to_dict(self) -> dict[str, Any]:
		return {
			"site": self.site,
			"status": self.status.value,
			"summary": self.summary,
			"started": self.started,
			"finished": self.finished,
			"duration_ms": round(self.duration_ms, 2),
			"results": [r.to_dict() for r in self.results],
		}
