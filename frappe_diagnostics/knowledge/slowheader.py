"""The header lines of one slow-log entry ("# Time:", "# User@Host:", "# Query_time: ...", SET timestamp)
read into its fields, the parse's counters, and what they tell the operator. Used by knowledge/slowlog.py."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from frappe_diagnostics.knowledge.sources import ReadReport

if TYPE_CHECKING:
	from frappe_diagnostics.knowledge.slowlog import SlowQuery

MAX_QUERY = 4 << 20  # bytes of one statement; the rest of a longer one is dropped

_PAIRS = re.compile(rb"(\w+):\s+(\S*)")
_QUERY_TIME = re.compile(
	rb"# Query_time: ([\d.]+)\s+Lock_time: ([\d.]+)\s+Rows_sent: (\d+)\s+Rows_examined: (\d+)(.*)"
)
_LOOSE_PAIRS = re.compile(rb"(\w+):\s*(\S+)")
_DECIMAL, _DIGITS = re.compile(rb"\d{1,12}(?:\.\d{1,9})?"), re.compile(rb"\d{1,18}")
MAX_SECONDS = 1e12  # larger is a damaged value (pt-query-digest's sample has 18446744073708.796870...)
_TIME_FIELDS = {
	b"Query_time": "query_time",
	b"Lock_time": "lock_time",
	b"Rows_sent": "rows_sent",
	b"Rows_examined": "rows_examined",
}
_THREAD = re.compile(rb"# Thread_id: (\d+)(?:\s+Schema: (\S*))?")
_EMPTY_SCHEMA = re.compile(rb"Schema:\s+(?=\w+: )")
_PROPERTIES = re.compile(rb"# +[A-Z][A-Za-z_]+: \S")
_USER_HOST = re.compile(rb"# User@Host: ([^\[]+|\[[^\[]+\]).*?@ (\S*) \[(.*?)\](?:\s*Id:\s*(\d+))?")
_TIME_MARIADB = re.compile(rb"# Time: (\d\d)(\d\d)(\d\d) +(\d?\d):(\d\d):(\d\d)")
_TIME_ISO = re.compile(rb"# Time: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)(Z|[+-]\d\d:\d\d)?")


@dataclass
class ParseStats:
	entries: int = 0
	incomplete: int = 0
	server_headers: int = 0
	cut_statements: int = 0
	stray_lines: int = 0
	bad_timestamps: int = 0
	bad_values: int = 0
	first_bad_value: str = ""
	undated: int = 0
	crlf: bool = False
	nul_lines: int = 0
	last_timestamp: float | None = None  # what the next entry inherits, as pt-query-digest does
	last_db: str | None = None


def read_times(entry: SlowQuery, line: bytes, stats: ParseStats) -> None:
	found = _QUERY_TIME.match(line)
	try:
		if found:
			query_time, lock_time, sent, examined, rest = found.groups()
			entry.query_time, entry.lock_time = float(query_time), float(lock_time)
			entry.rows_sent, entry.rows_examined = int(sent), int(examined)
			if entry.query_time > MAX_SECONDS or entry.lock_time > MAX_SECONDS:
				raise ValueError("too large")
			if rest.strip():
				entry.extra.append(line)
			return
	except ValueError:
		pass
	if not line.startswith(b"# Query_time:"):
		read_comment(entry, line)
		return
	for key, value in _LOOSE_PAIRS.findall(line):  # a header that deviates: each value on its own
		field = _TIME_FIELDS.get(key)
		if field is None:
			continue
		if (_DECIMAL if field.endswith("time") else _DIGITS).fullmatch(value):
			setattr(entry, field, float(value) if field.endswith("time") else int(value))
		else:
			stats.bad_values += 1
			stats.first_bad_value = (
				stats.first_bad_value or f"{key.decode()}: {value.decode('ascii', 'replace')}"
			)
	entry.extra.append(line)


def read_comment(entry: SlowQuery, line: bytes) -> None:
	if line.startswith(b"# Thread_id: ") and (found := _THREAD.match(line)):
		entry.thread_id = int(found.group(1))
		if found.group(2) and not found.group(2).endswith(b":"):
			entry.db = entry.db or found.group(2).decode("utf-8", "replace")
		entry.extra.append(line)
	elif _PROPERTIES.match(line):
		if line.startswith(b"# Full_scan: Yes"):
			entry.full_scan = True
		entry.extra.append(line)


def properties(lines: list[bytes]) -> dict[str, str]:
	out = {}
	for line in lines:
		if b"Schema:" in line:
			line = _EMPTY_SCHEMA.sub(b"", line)
		for key, value in _PAIRS.findall(line):
			out[key.decode("ascii")] = value.decode("utf-8", "replace")
	return out


_USER_CACHE: dict[bytes, tuple[str | None, str | None, int | None]] = {}


def user_host(line: bytes) -> tuple[str | None, str | None, int | None]:
	cached = _USER_CACHE.get(line)
	if cached is None:
		found = _USER_HOST.match(line)
		cached = (None, None, None)
		if found:
			user, host, ip, thread = found.groups()
			decoded = (user.decode("utf-8", "replace"), (host or ip).decode("utf-8", "replace"))
			cached = (*decoded, int(thread) if thread else None)
		if len(_USER_CACHE) > 1024:
			_USER_CACHE.clear()
		_USER_CACHE[line] = cached
	return cached


MAX_EPOCH = 253_402_300_799.0  # 9999-12-31 23:59:59 UTC: the last second a datetime can hold


def read_timestamp(entry: SlowQuery, line: bytes, stats: ParseStats) -> None:
	try:
		value = float(line[14:].split(b";", 1)[0])
	except ValueError:
		return
	if 0 <= value <= MAX_EPOCH:  # also false for nan
		entry.timestamp = value
	else:  # a clock far off, or a damaged line: the '# Time:' line, if any, says when
		stats.bad_timestamps += 1


_TIME_CACHE: dict[bytes, float | None] = {}


def time_line(line: bytes) -> float | None:
	cached = _TIME_CACHE.get(line, False)
	if cached is not False:
		return cached
	value = None
	found = _TIME_MARIADB.match(line)
	try:
		if found:
			yy, mo, dd, hh, mi, ss = (int(x) for x in found.groups())
			value = time.mktime((2000 + yy, mo, dd, hh, mi, ss, 0, 0, -1))
		elif iso := _TIME_ISO.match(line):
			stamp, zone = iso.groups()
			text = stamp.decode() + ("+00:00" if zone == b"Z" else (zone or b"").decode())
			value = datetime.fromisoformat(text).timestamp()
	except (ValueError, OverflowError):
		value = None
	if len(_TIME_CACHE) > 4096:
		_TIME_CACHE.clear()
	_TIME_CACHE[line] = value
	return value


def parse_notes(name: str, stats: ParseStats) -> list[str]:
	"""What was read differently from a plain slow log, with nothing lost."""
	out = []
	if stats.undated:
		out.append(
			f"{name}: {stats.undated:,} entries carry no time (no '# Time:' or SET timestamp before them); they "
			"are all counted, since no time window can apply to them."
		)
	if stats.crlf:
		out.append(f"{name}: lines end in CRLF (Windows line endings); they were read as plain newlines.")
	return out


def parse_warnings(name: str, stats: ParseStats, report: ReadReport) -> list[str]:
	out = []
	if not stats.entries and report.complete and report.lines:
		out.append(
			f"{name}: no slow-log entries found in {report.lines:,} lines; is this MariaDB's slow query log "
			"(lines like '# Query_time: ...')?"
		)
	if stats.stray_lines:
		out.append(f"{name}: skipped {stats.stray_lines:,} line(s) outside any slow-log entry.")
	if stats.bad_timestamps:
		out.append(
			f"{name}: {stats.bad_timestamps} entries had a SET timestamp outside 1970–9999; their time was "
			"read from their '# Time:' line where there is one."
		)
	if stats.bad_values:
		out.append(
			f"{name}: {stats.bad_values:,} header value(s) could not be read (first: {stats.first_bad_value!r}); "
			"those fields were left out and their entries kept."
		)
	if stats.nul_lines:
		out.append(f"{name}: skipped {stats.nul_lines:,} line(s) of NUL bytes (what a crash leaves behind).")
	if stats.cut_statements:
		out.append(f"{name}: {stats.cut_statements} statement(s) longer than {MAX_QUERY >> 20} MiB were cut.")
	if stats.incomplete:
		out.append(
			f"{name}: the last entry has a header but no statement (the log may still be being written)."
		)
	return out
