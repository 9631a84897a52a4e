"""Read a mariadb-dump stream without loading it: table columns, row counts, and the rows that mention a
value, in constant memory (one line at a time).

mariadb-dump writes every statement from the start of a line and escapes newlines inside strings (`\\n`),
so a raw newline never falls inside a value: lines are safe boundaries. Rows come one per line
(`INSERT INTO t VALUES` then `(…),` lines) or many to a line (`INSERT INTO t VALUES (…),(…);`); both are read.
"""

from __future__ import annotations

import re

CREATE = re.compile(rb"^CREATE TABLE `((?:[^`]|``)+)` \(")
INSERT = re.compile(rb"^INSERT INTO `((?:[^`]|``)+)` VALUES ?")
COLUMN = re.compile(rb"^\s+`((?:[^`]|``)+)` ")
# a quoted string (escapes included) or the boundary between two rows
TOKEN = re.compile(rb"'(?:[^'\\]|\\.)*'|\),\s*\(", re.S)
VALUE = re.compile(
	rb"\s*(?:(?P<null>NULL)|_binary\s*'(?P<bin>(?:[^'\\]|\\.)*)'|'(?P<str>(?:[^'\\]|\\.)*)'|0x(?P<hex>[0-9A-Fa-f]*)"
	rb"|b'(?P<bits>[01]*)'|(?P<num>[-+]?[0-9.eE+-]+))\s*(?P<end>[,)])",
	re.S,
)
ESCAPES = {b"0": b"\0", b"b": b"\b", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"Z": b"\x1a"}
_ESCAPE = re.compile(rb"\\(.)", re.S)


def _name(raw: bytes) -> str:
	return raw.replace(b"``", b"`").decode("utf-8", errors="replace")


def lines(reader):
	"""The stream's lines (without the newline), across chunk boundaries."""
	rest = b""
	for chunk in reader.chunks():
		parts = (rest + chunk).split(b"\n")
		rest = parts.pop()
		yield from parts
	if rest:
		yield rest


class Scanner:
	"""The dump's statements, a line at a time: turns each line into the events it completes."""

	def __init__(self):
		self.table, self.create, self.columns = None, None, []

	def line(self, line: bytes) -> list[tuple]:
		if self.create is not None:
			match = COLUMN.match(line)
			if match:
				self.columns.append(_name(match.group(1)))
				return []
			if line.startswith(b")"):
				done, self.create, self.columns = ("columns", self.create, self.columns), None, []
				return [done]
			return []
		if self.table is not None:
			out = [("rows", self.table, line)]
			if line.rstrip().endswith(b";"):
				self.table = None
			return out
		match = CREATE.match(line)
		if match:
			self.create, self.columns = _name(match.group(1)), []
			return []
		match = INSERT.match(line)
		if not match:
			return []
		self.table = table = _name(match.group(1))
		values = line[match.end() :]
		if line.rstrip().endswith(b";"):
			self.table = None
		return [("rows", table, values)] if values.strip() else []


def events(reader):
	"""("columns", table, [names]) once per table, then ("rows", table, values_text) per line of rows."""
	scanner = Scanner()
	for line in lines(reader):
		yield from scanner.line(line)


class RowCounter:
	"""Rows per table of a dump fed chunk by chunk (while it is being loaded: the count costs no extra pass)."""

	def __init__(self):
		self.scanner, self.rest, self.counts = Scanner(), b"", {}

	def feed(self, chunk: bytes) -> None:
		parts = (self.rest + chunk).split(b"\n")
		self.rest = parts.pop()
		for line in parts:
			self._count(line)

	def close(self) -> dict[str, int]:
		if self.rest:
			self._count(self.rest)
			self.rest = b""
		return self.counts

	def _count(self, line: bytes) -> None:
		for kind, table, payload in self.scanner.line(line):
			if kind == "rows":
				self.counts[table] = self.counts.get(table, 0) + count_tuples(payload)
			else:
				self.counts.setdefault(table, 0)


def count_tuples(values: bytes) -> int:
	"""Rows on one line of values: one, unless the line holds row boundaries outside strings."""
	if not values.lstrip().startswith(b"("):
		return 0
	if b"),(" not in values and b"), (" not in values:
		return 1
	return 1 + sum(1 for m in TOKEN.finditer(values) if m.group(0)[:1] == b")")


def row_counts(reader) -> dict[str, int]:
	counter = RowCounter()
	for chunk in reader.chunks():
		counter.feed(chunk)
	return counter.close()


def _unescape(raw: bytes) -> bytes:
	return _ESCAPE.sub(lambda m: ESCAPES.get(m.group(1), m.group(1)), raw)


def parse_rows(values: bytes) -> list[list]:
	"""Every row on a line of values: strings (str), binary (bytes), numbers (their text), None."""
	rows, at, size = [], 0, len(values)
	while at < size:
		start = values.find(b"(", at)
		if start < 0:
			break
		row, at = [], start + 1
		while True:
			match = VALUE.match(values, at)
			if not match:
				raise ValueError(f"Unreadable value at byte {at} of a row: {values[at : at + 40]!r}")
			row.append(_value(match))
			at = match.end()
			if match.group("end") == b")":
				break
		rows.append(row)
	return rows


def _value(match):
	if match.group("null"):
		return None
	if match.group("str") is not None:
		return _unescape(match.group("str")).decode("utf-8", errors="surrogateescape")
	if match.group("bin") is not None:
		return _unescape(match.group("bin"))
	if match.group("hex") is not None:
		return bytes.fromhex(match.group("hex").decode())
	if match.group("bits") is not None:
		bits = match.group("bits").decode() or "0"
		return int(bits, 2).to_bytes(max(1, (len(bits) + 7) // 8), "big")
	return match.group("num").decode()


def literal(value: str) -> bytes:
	"""How mariadb-dump writes a string value, quotes included (to find rows that mention it)."""
	raw = value.encode("utf-8")
	for char, escaped in (
		(b"\\", b"\\\\"),
		(b"'", b"\\'"),
		(b'"', b'\\"'),
		(b"\0", b"\\0"),
		(b"\n", b"\\n"),
		(b"\r", b"\\r"),
		(b"\x1a", b"\\Z"),
	):
		raw = raw.replace(char, escaped)
	return b"'" + raw + b"'"
