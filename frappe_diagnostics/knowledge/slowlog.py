"""MariaDB's slow query log: a streaming parser and a digest of the costliest queries by fingerprint.

Entries are split as pt-query-digest splits them: a statement runs until a line ending in ";" is followed by
a line starting with "#". Memory stays flat: one entry at a time, bounded per-fingerprint statistics.

	digest("/var/log/mysql/mariadb-slow.log", since="2024-05-01 09:00", top=10)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import BinaryIO

from frappe_diagnostics.knowledge.slowheader import (
	MAX_QUERY,
	ParseStats,
	parse_notes,
	parse_warnings,
	properties,
	read_comment,
	read_times,
	read_timestamp,
	time_line,
	user_host,
)
from frappe_diagnostics.knowledge.slowstats import MAX_GROUPS, Aggregator, QueryGroup, SlowLogDigest
from frappe_diagnostics.knowledge.sources import ReadReport, display_name, read_lines
from frappe_diagnostics.knowledge.sqlfingerprint import fingerprint
from frappe_diagnostics.knowledge.timewindow import TimeLike, Window

__all__ = ["QueryGroup", "SlowLogDigest", "SlowQuery", "digest", "iter_queries", "parse_lines"]

_CACHE_SIZE, _CACHE_QUERY = 2048, 1000  # fingerprints of recent short statements, by their text

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
		return properties(self.extra)


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
		read_warnings += report.messages() + parse_warnings(name, stats, report)
		result.notes += parse_notes(name, stats)
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
				read_times(meta, line, stats)
			elif kind == b"User":
				meta.user, meta.host, thread = user_host(line)
				meta.thread_id = thread or meta.thread_id
			elif line.startswith(b"# administrator command: "):
				meta.admin, use_only = True, False
				yield _finish(meta, [line[2:].rstrip(b";\r")], stats)
				meta = SlowQuery("")
			else:
				read_comment(meta, line)
		elif line.startswith(b"SET timestamp="):
			read_timestamp(meta, line, stats)
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
	"""The lines as they are, or without their "\\r" when the first one ends in CRLF (a Windows copy)."""
	first = next(lines, None)
	if first is None:
		return iter(())
	if not first.endswith(b"\r"):
		return chain((first,), lines)  # in C: no cost per line
	stats.crlf = True
	return (line[:-1] if line.endswith(b"\r") else line for line in chain((first,), lines))


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
		entry.timestamp = time_line(entry.time_line)
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
