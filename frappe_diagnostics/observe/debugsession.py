"""A debug session as it is written in the site's site_config.json (`diagnostics_debug`): what is on, since
when, until when, for whom, and what to put back. Every process of the site reads it from there (the web
workers' hook, the health check that reports a lapsed session, the metrics); framework-free."""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field

CONFIG_KEY = "diagnostics_debug"
INSTRUMENTS = ("monitor", "recorder", "sql", "logging")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOGGER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,99}$")


@dataclass
class DebugSession:
	log: str  # the Diagnostic Fix Log that recorded the start
	started: float  # epoch seconds
	expires: float
	instruments: list[str] = field(default_factory=list)
	log_level: str | None = None
	loggers: list[str] = field(default_factory=list)
	user: str | None = None  # only this user's requests, where Frappe allows it
	previous_monitor: object = None  # site_config's `monitor` before the session (None: not set)
	recorder_was_on: bool = False  # the Recorder was already on: leave it on at the end

	@classmethod
	def from_conf(cls, conf: dict) -> DebugSession | None:
		data = conf.get(CONFIG_KEY)
		if not isinstance(data, dict):
			return None
		try:
			known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
			session = cls(**known)
			session.started, session.expires = float(session.started), float(session.expires)
		except (TypeError, ValueError):
			return None
		return session

	def to_conf(self) -> dict:
		return asdict(self)

	def active(self, now: float | None = None) -> bool:
		return (time.time() if now is None else now) < self.expires

	def lapsed_for(self, now: float | None = None) -> float:
		"""Seconds since it should have ended (0 while it runs)."""
		return max(0.0, (time.time() if now is None else now) - self.expires)

	def describe(self) -> str:
		parts = list(self.instruments)
		if self.log_level:
			parts = [p for p in parts if p != "logging"] + [
				f"{self.log_level} logging for {', '.join(self.loggers)}"
			]
		who = f" for {self.user}" if self.user else ""
		return ", ".join(parts) + who


def validate(minutes: float, longest: int, instruments: list[str], log_level: str | None, loggers: list[str]):
	"""ValueError with the reason for a session that cannot start."""
	if not 0.1 <= minutes <= longest:
		raise ValueError(
			f"--minutes must be between 0.1 and {longest} (Diagnostics Settings: longest debug session)."
		)
	if not instruments:
		raise ValueError("Choose what to turn on: --monitor, --recorder, --sql and/or --log-level LEVEL.")
	unknown = [i for i in instruments if i not in INSTRUMENTS]
	if unknown:
		raise ValueError(f"Unknown instrument(s): {', '.join(unknown)}.")
	if log_level is not None and log_level.upper() not in LEVELS:
		raise ValueError(f"--log-level must be one of {', '.join(LEVELS)}.")
	bad = [name for name in loggers if not LOGGER_NAME.match(name)]
	if bad:
		raise ValueError(f"Not a logger name: {', '.join(bad)} (letters, digits, dots, dashes, underscores).")
