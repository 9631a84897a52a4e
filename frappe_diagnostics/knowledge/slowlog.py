"""MariaDB's slow query log: a streaming parser and a digest of the costliest queries by fingerprint.

Entries are split as pt-query-digest splits them: a statement runs until a line ending in ";" is followed by
a line starting with "#". Memory stays flat: one entry at a time, bounded per-fingerprint statistics.

	digest("/var/log/mysql/mariadb-slow.log", since="2024-05-01 09:00", top=10)
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from frappe_diagnostics.knowledge.slowstats import MAX_GROUPS, Aggregator, QueryGroup, SlowLogDigest
from frappe_diagnostics.knowledge.sources import ReadReport, display_name, read_lines
from frappe_diagnostics.knowledge.sqlfingerprint import fingerprint
from frappe_diagnostics.knowledge.timewindow import TimeLike, Window

__all__ = ["QueryGroup", "SlowLogDigest", "SlowQuery", "digest", "iter_queries", "parse_lines"]

MAX_QUERY = 4 << 20  # bytes of one statement; the rest of a longer one is dropped
_CACHE_SIZE, _CACHE_QUERY = 2048, 1000  # fingerprints of recent short statements, by their text

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
_SERVER_HEADER = re.compile(  # what a server (re)start writes: pt-query-digest's list, plus "mariadbd"
	rb"(?:T[cC][pP]\s[pP]ort:\s+\d+|Time\s+Id\s+Command"
	rb"|[/A-Za-z].*(?:mysqld|mariadbd),\sVersion.*(?:started\swith:|embedded\slibrary))"
)


@dataclass(slots=True)
class SlowQuery:
	query: str
	query_time: float = 0.0
	lock_time: float = 0.0
	rows_sent: int = 0
	rows_examined: int = 0
	timestamp: float | None = None  # epoch seconds: SET timestamp, else "# Time:" read as server local time
	db: str | None = None
	user: str | None = None
	host: str | None = None
	thread_id: int | None = None
	full_scan: bool = False
	admin: bool = False  # an "administrator command:" entry (Quit, Ping, Prepare ...)
	cut: bool = False  # the statement was longer than MAX_QUERY
	time_line: bytes = field(default=b"", repr=False)
	extra: list[bytes] = field(default_factory=list, repr=False)  # other "# Key: value" lines, as read

	@property
	def attributes(self) -> dict[str, str]:
		"""The other properties MariaDB logged (QC_hit, Rows_affected, Full_scan, Tmp_table_on_disk ...)."""
		return _properties(self.extra)


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


def digest(
	source: str | os.PathLike | BinaryIO | list,
	since: TimeLike = None,
	until: TimeLike = None,
	top: int | None = 20,
	*,
	legacy_quotes: bool = False,
	max_groups: int = MAX_GROUPS,
	order_by: str = "total",
	db: str | None = None,
	user: str | None = None,
) -> SlowLogDigest:
	"""Group a slow log by pt-query-digest fingerprint; the `top` groups by `order_by` (total, count, max
	or p95 time), worst first. `db` and `user` keep only the statements of that schema and user.

	`source` is a path (plain or gzip), a binary file object, or a list of them read as one log. Never
	raises for bad input: problems end up in `warnings`, and `complete` is False when a file could not be
	read to its end.
	"""
	window = Window.of(since, until)
	sources = list(source) if isinstance(source, list | tuple) else [source]
	names = [display_name(s) for s in sources]
	result, aggregator = SlowLogDigest(source=", ".join(names)), Aggregator(max_groups)
	cache: dict[str, str] = {}
	filtering, read_warnings = db is not None or user is not None, []
	for one, name in zip(sources, names, strict=True):
		report, stats = ReadReport(name), ParseStats()
		for entry in parse_lines(read_lines(one, report, text_only=False), stats):
			if window.bounded and entry.timestamp is not None and not window.contains(entry.timestamp):
				result.outside_window += 1
				continue
			if filtering and (
				(db is not None and entry.db != db) or (user is not None and entry.user != user)
			):
				result.filtered_out += 1
				continue
			text = entry.query
			found = cache.get(text)
			if found is None:
				found = fingerprint(text, legacy_quotes=legacy_quotes)
				if len(text) <= _CACHE_QUERY:
					if len(cache) >= _CACHE_SIZE:
						cache.clear()
					cache[text] = found
			aggregator.add(found, entry)
		result.bytes_read += report.bytes_read
		result.complete = result.complete and report.complete
		result.incomplete_entries += stats.incomplete
		read_warnings += report.messages() + _parse_warnings(name, stats, report)
		result.notes += _parse_notes(name, stats)
	aggregator.result(result, top, order_by)
	result.warnings = read_warnings + result.warnings
	return result


def iter_queries(
	source: str | os.PathLike | BinaryIO, report: ReadReport | None = None
) -> Iterator[SlowQuery]:
	"""Every entry of a slow log, in file order."""
	report = report or ReadReport(display_name(source))
	yield from parse_lines(read_lines(source, report, text_only=False), ParseStats())


def parse_lines(lines: Iterable[bytes], stats: ParseStats) -> Iterator[SlowQuery]:
	"""Entries from the log's lines (without their newlines). As pt-query-digest does by default, an entry
	without a time or a schema inherits them from the entry before it."""
	lines = _without_cr(iter(lines), stats)
	meta = SlowQuery("")
	body: list[bytes] | None = None  # the statement's lines once it has started
	size, semicolon, use_only = 0, False, False
	for line in lines:
		first = line[:1]
		if first == b"\x00" and not line.strip(b"\x00"):  # what a crash leaves: not part of any entry
			stats.nul_lines += 1
			continue
		if body is not None:
			header = first in b"/Tt" and _SERVER_HEADER.match(line)
			if (first == b"#" and semicolon) or header:
				entry = _finish(meta, body, stats)
				if entry is not None:
					yield entry
				meta, body = SlowQuery(""), None
				if header:
					stats.server_headers += 1
					continue
			else:
				if line.strip():  # a blank line keeps the ';' before it (pt-query-digest's split)
					semicolon = line.endswith(b";")
				if size < MAX_QUERY:
					body.append(line)
					size += len(line) + 1
				else:
					meta.cut = True
				continue
		if first == b"#":
			if use_only and not line.startswith(b"# administrator command: "):
				use_only = (
					False  # the entry was only `use db;`: pt-query-digest keeps it, as an empty statement
				)
				entry = _finish(meta, [b""], stats)
				if entry is not None:
					yield entry
				meta = SlowQuery("")
			kind = line[2:6]
			if kind == b"Time":
				meta.time_line = line  # read only if the entry has no SET timestamp
			elif kind == b"Quer":
				_read_times(meta, line, stats)
			elif kind == b"User":
				meta.user, meta.host, thread = _user_host(line)
				meta.thread_id = thread or meta.thread_id
			elif line.startswith(b"# administrator command: "):
				meta.admin, use_only = True, False
				yield _finish(meta, [line[2:].rstrip(b";\r")], stats)
				meta = SlowQuery("")
			else:
				_read_comment(meta, line)
		elif line.startswith(b"SET timestamp="):
			_read_timestamp(meta, line, stats)
		elif line.startswith(b"use "):
			meta.db = meta.db or line[4:].split(b";", 1)[0].strip().decode("utf-8", "replace")
			use_only = bool(meta.query_time or meta.user or meta.time_line)
		elif line.startswith((b"SET last_insert_id", b"SET insert_id")) or not line.strip():
			continue
		elif first in b"/Tt" and _SERVER_HEADER.match(line):
			stats.server_headers += 1
		else:
			body, size, semicolon, use_only = [line], len(line) + 1, line.endswith(b";"), False
	if body is not None or use_only:
		entry = _finish(meta, body or [b""], stats)
		if entry is not None:
			yield entry
	elif meta.query_time or meta.timestamp is not None:
		stats.incomplete += 1  # the log ends after an entry's header


def _without_cr(lines: Iterator[bytes], stats: ParseStats) -> Iterator[bytes]:
	"""The lines as they are, or without their "\r" when the first one ends in CRLF (a Windows copy)."""
	for line in lines:
		if not line.endswith(b"\r"):
			yield line
			yield from lines
			return
		stats.crlf = True
		yield line[:-1]
		yield from (one[:-1] if one.endswith(b"\r") else one for one in lines)
		return


def _finish(entry: SlowQuery, body: list[bytes], stats: ParseStats) -> SlowQuery | None:
	if not (entry.time_line or entry.user or entry.extra or entry.query_time or entry.admin) and (
		entry.timestamp is None and entry.db is None
	):
		stats.stray_lines += len(body)  # text outside any entry: not from the slow log
		return None
	text = b"\n".join(body) if len(body) > 1 else body[0]
	if text.endswith(b";"):
		text = text[:-1]
	elif text[-1:].isspace():
		text = text.rstrip()
		text = text[:-1] if text.endswith(b";") else text
	entry.query = text.decode("utf-8", "surrogateescape")
	if entry.timestamp is None and entry.time_line:
		entry.timestamp = _time_line(entry.time_line)
	if entry.timestamp is None:  # --inherit-attributes ts,db, as pt-query-digest's default
		entry.timestamp = stats.last_timestamp
		stats.undated += entry.timestamp is None
	else:
		stats.last_timestamp = entry.timestamp
	if entry.db is None:
		entry.db = stats.last_db
	else:
		stats.last_db = entry.db
	stats.cut_statements += entry.cut
	stats.entries += 1
	return entry


def _read_times(entry: SlowQuery, line: bytes, stats: ParseStats) -> None:
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
		_read_comment(entry, line)
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


def _read_comment(entry: SlowQuery, line: bytes) -> None:
	if line.startswith(b"# Thread_id: ") and (found := _THREAD.match(line)):
		entry.thread_id = int(found.group(1))
		if found.group(2) and not found.group(2).endswith(b":"):
			entry.db = entry.db or found.group(2).decode("utf-8", "replace")
		entry.extra.append(line)
	elif _PROPERTIES.match(line):
		if line.startswith(b"# Full_scan: Yes"):
			entry.full_scan = True
		entry.extra.append(line)


def _properties(lines: list[bytes]) -> dict[str, str]:
	out = {}
	for line in lines:
		if b"Schema:" in line:
			line = _EMPTY_SCHEMA.sub(b"", line)
		for key, value in _PAIRS.findall(line):
			out[key.decode("ascii")] = value.decode("utf-8", "replace")
	return out


_USER_CACHE: dict[bytes, tuple[str | None, str | None, int | None]] = {}


def _user_host(line: bytes) -> tuple[str | None, str | None, int | None]:
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


def _read_timestamp(entry: SlowQuery, line: bytes, stats: ParseStats) -> None:
	try:
		value = float(line[14:].split(b";", 1)[0])
	except ValueError:
		return
	if 0 <= value <= MAX_EPOCH:  # also false for nan
		entry.timestamp = value
	else:  # a clock far off, or a damaged line: the '# Time:' line, if any, says when
		stats.bad_timestamps += 1


_TIME_CACHE: dict[bytes, float | None] = {}


def _time_line(line: bytes) -> float | None:
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


def _parse_notes(name: str, stats: ParseStats) -> list[str]:
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


def _parse_warnings(name: str, stats: ParseStats, report: ReadReport) -> list[str]:
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
