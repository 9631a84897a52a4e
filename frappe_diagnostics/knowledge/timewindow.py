"""Time windows for log analysis: since/until as datetimes, ISO strings, durations or epoch seconds.

The one convention for times without an offset, everywhere in the app: they are the local time of the
machine that reads them. That is how Python's logging, and so Frappe's bench logs, MariaDB's slow log
`# Time:` lines and an operator typing `--since 2026-11-01` mean them. Reports give UTC with its offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

TimeLike = datetime | str | float | int | None
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.I)
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_LOOKBACK = timedelta(days=366 * 30)
SINCE_HELP = "30m, 24h, 7d, 2w, or a date/time like 2026-11-01 or 2026-11-01T13:00 (local time)"


def parse_since(
	value: TimeLike, default_hours: float = 24, now: datetime | None = None, label: str = "--since"
) -> datetime:
	"""'30m', '24h', '7d', '2w', an ISO date/time, or a number of hours -> an aware UTC datetime.

	ValueError (with what to type instead) for anything else, including windows reaching back before 1970.
	"""
	now = now or datetime.now(timezone.utc)
	if value is None or value == "":
		return now - timedelta(hours=default_hours)
	if isinstance(value, datetime):
		return _aware(value)
	if isinstance(value, int | float) and not isinstance(value, bool):
		return _back(now, timedelta(hours=float(value)), value, label)
	match = DURATION.match(str(value))
	if match:
		amount = float(match.group(1))
		try:
			delta = timedelta(**{UNITS[match.group(2).lower()]: amount})
		except OverflowError:
			delta = MAX_LOOKBACK * 2
		return _back(now, delta, value, label)
	try:
		parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
	except ValueError:
		raise ValueError(f"{label} takes {SINCE_HELP} (got {value!r}).") from None
	return _aware(parsed)


def _back(now: datetime, delta: timedelta, value, label: str = "--since") -> datetime:
	if delta < timedelta(0) or delta > MAX_LOOKBACK:
		raise ValueError(
			f"{label} {value!r} reaches too far back; give at most {MAX_LOOKBACK.days // 366} years."
		)
	return now - delta


def _aware(value: datetime) -> datetime:
	"""A naive datetime is local time (the one convention); the result is in UTC."""
	try:
		return (value if value.tzinfo else value.astimezone()).astimezone(timezone.utc)
	except (OverflowError, OSError, ValueError):
		raise ValueError(f"{value} is out of range; give a date after 1970.") from None


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
