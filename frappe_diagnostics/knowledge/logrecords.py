"""Records of a bench's text logs: a header line with a time (and often a level) plus the lines under it.

Formats recognised, as Frappe v15 and its services write them:
	frappe logger (frappe.log, scheduler.log ...)   2024-05-01 10:00:00,123 ERROR frappe message
	RQ workers (worker.log, worker.error.log)      2024-05-01 10:00:00,123 default: Job OK (id)
	gunicorn (web.error.log)                       [2024-05-01 10:00:00 +0000] [1234] [ERROR] message
Lines that start no record (tracebacks, "Site:", "Form Dict:") belong to the record above them.
"""

from __future__ import annotations

import calendar
import re
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

HEAD_LINES, TAIL_LINES = 150, 150  # lines of a record kept: its head and its tail (where the error is)
ERROR_LEVELS = frozenset(("ERROR", "CRITICAL"))

_FRAPPE = re.compile(
	rb"(\d{4}-\d\d-\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[,.](\d{1,6}))?(?:Z|[+-]\d\d:?\d\d)? +"
	rb"(?:(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|EXCEPTION|FATAL|LOG)\b +)?"
)
_GUNICORN = re.compile(
	rb"\[(\d{4}-\d\d-\d\d) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)\] \[\d+\] \[([A-Z]+)\] ?"
)
_LEVEL_ALIASES = {"WARN": "WARNING", "LOG": "INFO", "EXCEPTION": "ERROR", "FATAL": "CRITICAL"}


@dataclass(slots=True)
class LogRecord:
	timestamp: float | None  # epoch seconds; None when the line carries no date
	level: str  # DEBUG, INFO, WARNING, ERROR, CRITICAL; inferred when the format has none
	logger: str  # the logger's name for frappe's loggers, else ""
	text: str  # the message and the lines under it (a long record keeps its head and tail)
	has_level: bool = True

	@property
	def is_error(self) -> bool:
		return self.level in ERROR_LEVELS


def parse_records(lines: Iterable[bytes], keep=lambda level: True) -> Iterator[LogRecord]:
	"""Records from a log's lines. `keep(level)` says whether a record's continuation lines are needed;
	records it declines still come out, with their first line only. Records without a level are kept."""
	clock = _Clock()
	head: list[bytes] | None = None  # the current record's first lines; None before the first line
	tail: deque[bytes] | None = None
	wanted, timestamp, level, logger = True, None, None, ""
	for line in lines:
		first = line[:1]
		header = None
		if first.isdigit():
			header = _frappe_header(line, clock)
		elif first == b"[":
			header = _gunicorn_header(line, clock)
		if header is None:
			if head is None:
				head = [line]  # the file starts inside a record
			elif wanted:
				if len(head) < HEAD_LINES:
					head.append(line)
				elif tail is None:
					tail = deque((line,), maxlen=TAIL_LINES)
				else:
					tail.append(line)
			continue
		if head is not None:
			yield _record(timestamp, level, logger, head, tail)
		timestamp, level, logger, message = header
		head, tail, wanted = [message], None, level is None or keep(level)
	if head is not None:
		yield _record(timestamp, level, logger, head, tail)


def _record(timestamp, level, logger, head: list[bytes], tail) -> LogRecord:
	lines = head if tail is None else [*head, b"...", *tail]
	text = (
		b"\n".join(lines).decode("utf-8", "replace")
		if len(lines) > 1
		else lines[0].decode("utf-8", "replace")
	)
	if level is None:
		inferred = "ERROR" if "Traceback (most recent call last)" in text else "INFO"
		return LogRecord(timestamp, inferred, logger, text, False)
	return LogRecord(timestamp, level, logger, text, True)


def _frappe_header(line: bytes, clock: _Clock):
	found = _FRAPPE.match(line)
	if not found:
		return None
	day, hh, mm, ss, fraction, level = found.groups()
	timestamp = clock.local(day, hh, mm, ss, fraction)
	if timestamp is None:
		return None
	message = line[found.end() :]
	logger = ""
	if level is not None:
		level = level.decode()
		level = _LEVEL_ALIASES.get(level, level)
		logger, _, rest = message.partition(b" ")
		logger, message = logger.decode("utf-8", "replace"), rest
	return timestamp, level, logger, message


def _gunicorn_header(line: bytes, clock: _Clock):
	found = _GUNICORN.match(line)
	if not found:
		return None
	day, hh, mm, ss, sign, oh, om, level = found.groups()
	timestamp = clock.utc(day, hh, mm, ss)
	if timestamp is None:
		return None
	offset = int(oh) * 3600 + int(om) * 60
	timestamp -= offset if sign == b"+" else -offset
	level = level.decode()
	return timestamp, _LEVEL_ALIASES.get(level, level), "gunicorn", line[found.end() :]


class _Clock:
	"""Epoch seconds of log times, cached per hour: mktime once an hour instead of once a line."""

	__slots__ = ("hours",)

	def __init__(self) -> None:
		self.hours: dict[tuple[bytes, bytes, bool], float | None] = {}

	def local(self, day: bytes, hh: bytes, mm: bytes, ss: bytes, fraction: bytes | None) -> float | None:
		start = self._hour(day, hh, True)
		if start is None:
			return None
		value = start + int(mm) * 60 + int(ss)
		return value + int(fraction) / 10 ** len(fraction) if fraction else value

	def utc(self, day: bytes, hh: bytes, mm: bytes, ss: bytes) -> float | None:
		start = self._hour(day, hh, False)
		return None if start is None else start + int(mm) * 60 + int(ss)

	def _hour(self, day: bytes, hh: bytes, local: bool) -> float | None:
		key = (day, hh, local)
		start = self.hours.get(key, False)
		if start is False:
			try:
				y, m, d = int(day[:4]), int(day[5:7]), int(day[8:10])
				fields = (y, m, d, int(hh), 0, 0, 0, 0, -1)
				start = time.mktime(fields) if local else float(calendar.timegm(fields))
			except (ValueError, OverflowError):
				start = None
			if len(self.hours) > 10_000:
				self.hours.clear()
			self.hours[key] = start
		return start
