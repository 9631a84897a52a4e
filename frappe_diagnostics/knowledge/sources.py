"""Reading logs safely: plain or gzip files and binary streams, line by line, in bounded memory.

Nothing here raises for bad input: unreadable, truncated, binary or gigantic-line input ends the stream
or skips the line, and `ReadReport.messages()` says what happened in words an operator can act on.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

MAX_LINE = 1 << 20  # bytes; longer lines keep their first KEEP_OF_LONG_LINE bytes and their end
KEEP_OF_LONG_LINE = 64 << 10
_SNIFF = 8192
_CHUNK = 1 << 20
_CUT_TAIL = 64  # bytes kept from the end of an overlong line: how a statement or record ends matters
_CUT_MARK = b" /* ... line cut ... */ "  # an SQL comment, so fingerprints ignore it


@dataclass
class ReadReport:
	name: str
	max_line: int = MAX_LINE
	bytes_read: int = 0
	lines: int = 0
	long_lines: int = 0
	first_long_line: int = 0
	binary_lines: int = 0
	first_binary_line: int = 0
	complete: bool = True
	errors: list[str] = field(default_factory=list)

	def messages(self) -> list[str]:
		out = list(self.errors)
		if self.long_lines:
			out.append(
				f"{self.name}: {self.long_lines} line(s) longer than {_size(self.max_line)} were cut to their "
				f"first {_size(min(KEEP_OF_LONG_LINE, self.max_line))} and last {_CUT_TAIL} bytes "
				f"(first at line {self.first_long_line})."
			)
		if self.binary_lines:
			out.append(
				f"{self.name}: skipped {self.binary_lines} line(s) containing NUL bytes (first at line "
				f"{self.first_binary_line}); the file may have been cut short by a crash or be corrupt."
			)
		return out


def display_name(source) -> str:
	if isinstance(source, str | os.PathLike):
		return os.fspath(source)
	return str(getattr(source, "name", None) or type(source).__name__)


def read_lines(
	source: str | os.PathLike | BinaryIO, report: ReadReport, *, text_only: bool = True
) -> Iterator[bytes]:
	"""Lines (without their newline) of a path, plain or gzip by content, or of a binary file object.

	text_only=False keeps lines with NUL or control bytes and reads a file whatever its first bytes
	(a slow log logs `_binary` values as they are); otherwise such lines and files are left out, and said.
	"""
	try:
		stream, owned = _open(source)
	except TypeError as e:
		report.complete = False
		report.errors.append(f"{report.name}: {e}.")
		return
	except OSError as e:
		report.complete = False
		report.errors.append(f"{report.name}: cannot be read ({_reason(e)}). Check the path and permissions.")
		return
	try:
		problem = _sniff(stream) if text_only else None
		if problem:
			report.complete = False
			report.errors.append(f"{report.name}: {problem}; nothing was read.")
			return
		yield from _lines(stream, report, report.max_line, text_only)
	except (OSError, EOFError, zlib.error) as e:
		report.complete = False
		report.errors.append(
			f"{report.name}: reading stopped after {report.bytes_read:,} bytes, at line {report.lines} "
			f"({_reason(e)}); the results cover what was read before that."
		)
	finally:
		if owned:
			stream.close()


def _lines(stream, report: ReadReport, max_line: int, text_only: bool = True) -> Iterator[bytes]:
	# chunks split in C are much faster than a readline() per line; carry is the line still being read,
	# and an overlong one keeps only its head and its last bytes
	read = getattr(
		stream, "read1", stream.read
	)  # read1: a truncated gzip still yields what precedes the damage
	count, size, carry, cut_head, cut_tail = 0, 0, b"", None, b""
	try:
		while True:
			chunk = read(_CHUNK)
			if not chunk:
				break
			size += len(chunk)
			lines = chunk.split(b"\n")
			tail = lines.pop()
			if lines:
				if cut_head is not None:
					lines[0] = cut_head + _CUT_MARK + (cut_tail + lines[0])[-_CUT_TAIL:]
					cut_head, cut_tail = None, b""
				else:
					lines[0] = carry + lines[0]
				if len(lines[0]) > max_line or len(chunk) > max_line:
					lines = [_cut(line, report, count + n) for n, line in enumerate(lines, 1)]
				carry = tail
			elif cut_head is not None:
				cut_tail = (cut_tail + tail)[-_CUT_TAIL:]
			else:
				carry += tail
			if cut_head is None and len(carry) > max_line:
				_note_long(report, count + len(lines) + 1)
				cut_head, cut_tail, carry = carry[: _keep(report)], carry[-_CUT_TAIL:], b""
			if text_only and (b"\x00" in chunk or (lines and b"\x00" in lines[0])):
				lines = _drop_binary(lines, report, count)
			count += len(lines)
			yield from lines
		if cut_head is not None:
			carry = cut_head + _CUT_MARK + cut_tail
		if carry:
			count += 1
			yield from _drop_binary([carry], report, count - 1) if text_only else [carry]
	finally:
		report.lines, report.bytes_read = count, size


def _cut(line: bytes, report: ReadReport, number: int) -> bytes:
	if len(line) <= report.max_line:
		return line
	_note_long(report, number)
	return line[: _keep(report)] + _CUT_MARK + line[-_CUT_TAIL:]


def _note_long(report: ReadReport, number: int) -> None:
	report.long_lines += 1
	report.first_long_line = report.first_long_line or number


def _keep(report: ReadReport) -> int:
	return min(KEEP_OF_LONG_LINE, report.max_line)


def _drop_binary(lines: list[bytes], report: ReadReport, before: int) -> list[bytes]:
	kept = []
	for number, line in enumerate(lines, before + 1):
		if b"\x00" in line:
			report.binary_lines += 1
			report.first_binary_line = report.first_binary_line or number
		else:
			kept.append(line)
	return kept


def _open(source) -> tuple[BinaryIO, bool]:
	if isinstance(source, str | os.PathLike):
		raw = open(source, "rb")
		owned = True
	else:
		raw, owned = source, False
		if isinstance(source, io.TextIOBase):
			raise TypeError("a text stream was given; open the file in binary mode ('rb')")
	if _peek(raw, 2) != b"\x1f\x8b":
		return raw, owned
	if owned:
		raw.close()
		return gzip.open(source, "rb"), True
	return gzip.GzipFile(fileobj=raw, mode="rb"), True  # closing it leaves the caller's stream open


def _peek(stream, size: int) -> bytes:
	if hasattr(stream, "peek"):
		return stream.peek(size)[:size]
	if stream.seekable():
		position = stream.tell()
		head = stream.read(size)
		stream.seek(position)
		return head
	return b""


def _sniff(stream) -> str | None:
	head = _peek(stream, _SNIFF)
	if not head:
		return None
	if head.count(b"\x00") > len(head) // 10:
		return "does not look like a text log (binary content)"
	text = head.decode("utf-8", "replace")
	odd = sum(1 for c in text if c == "\ufffd" or (c < " " and c not in "\t\n\r\f\v"))
	if odd > len(text) // 10:
		return "does not look like a text log (mostly non-text bytes)"
	return None


def _size(n: int) -> str:
	return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n >> 10} KiB" if n >= 1 << 10 else f"{n} bytes"


def _reason(error: BaseException) -> str:
	if isinstance(error, EOFError | zlib.error):
		return f"compressed data is truncated or corrupt: {error}"
	if isinstance(error, gzip.BadGzipFile):
		return f"not a valid gzip file: {error}"
	return getattr(error, "strerror", None) or str(error) or type(error).__name__
