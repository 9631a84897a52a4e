"""Time windows for log analysis: since/until as datetimes, ISO strings or epoch seconds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

TimeLike = datetime | str | float | int | None


def to_epoch(value: TimeLike) -> float | None:
	"""Epoch seconds; naive datetimes and ISO strings without an offset are read as local time."""
	if value is None or value == "":
		return None
	if isinstance(value, int | float):
		return float(value)
	if isinstance(value, str):
		try:
			value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
		except ValueError:
			raise ValueError(
				f"Not a date and time: {value!r}; use ISO format like 2024-05-01 13:00:00"
			) from None
	if isinstance(value, datetime):
		return value.timestamp()
	raise TypeError(f"Expected a datetime, an ISO string or epoch seconds, not {type(value).__name__}")


def iso(epoch: float | None) -> str | None:
	"""UTC ISO 8601 with seconds, for reports."""
	if epoch is None:
		return None
	return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Window:
	since: float | None = None
	until: float | None = None

	@classmethod
	def of(cls, since: TimeLike = None, until: TimeLike = None) -> Window:
		window = cls(to_epoch(since), to_epoch(until))
		if window.since is not None and window.until is not None and window.since > window.until:
			raise ValueError("The time window is empty: 'since' is after 'until'.")
		return window

	@property
	def bounded(self) -> bool:
		return self.since is not None or self.until is not None

	def contains(self, epoch: float | None) -> bool:
		"""Whether a time falls in [since, until]; an unknown time is outside any bounded window."""
		if epoch is None:
			return not self.bounded
		if self.since is not None and epoch < self.since:
			return False
		return self.until is None or epoch <= self.until
