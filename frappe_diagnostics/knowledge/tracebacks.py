"""Fingerprints of Python errors: one key per failing code path, whatever the line numbers and values.

A careful operator groups errors by where they fail, not by what their message happens to name:
- a traceback keys on the outermost exception's type, its application frames (module and function, no
  line numbers; stdlib, third-party and dispatch frames dropped when application frames exist) and the
  MariaDB error code of a database error (its own, or of the exception it was raised *from*). The
  message is left out: messages that differ by a DocType, a record, a site or an OS reason are variants
  of one group, counted inside it. Chained exceptions above it are left out too: Frappe's Error Log
  does not record them, and one raised while handling an unrelated error is still the same error.
- a bare message (no traceback) keys on its exception type, database error code, or its normalised
  text with site names masked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from frappe_diagnostics.knowledge.messages import MAX_MESSAGE, db_error_code, mask_sites, normalize_message
from frappe_diagnostics.knowledge.traceparse import (
	CAUSE,
	MAX_TEXT,
	ExceptionBlock,
	Frame,
	parse_traceback,
)

__all__ = ["ErrorFingerprint", "ExceptionBlock", "Frame", "fingerprint_error", "parse_traceback"]

_BARE_TYPE = re.compile(
	r"(?<![\w.])([A-Za-z_][\w.]{0,200}(?:Error|Exception|Timeout|Exit))\b(?::[ \t]*(.*))?"
)
_SITE_LINE = re.compile(r"^Site: (\S{1,200})$", re.M)
_NORMALIZED: dict[tuple, str] = {}  # (message, sites) -> normalised message: the same message recurs


@dataclass(frozen=True)
class ErrorFingerprint:
	key: str
	exception_type: str
	normalized_message: str  # the message's variable parts (names, numbers, sites ...) as "?"
	frames: tuple[str, ...]  # "module:function" of the frames in the key, outermost first
	root_cause: str | None = None  # type of the exception this one was raised from, if any (not keyed)
	db_error_code: int | None = None
	message: str = field(default="", compare=False)  # the outermost exception's message, as logged


def fingerprint_error(text: str, sites: tuple[str, ...] = ()) -> ErrorFingerprint:
	"""Fingerprint a traceback (possibly chained) or a bare error message; `sites`: site names to mask."""
	blocks = parse_traceback(text)
	if not blocks:
		return _bare(text, sites)
	last = blocks[-1]
	causes = _causes(blocks)
	root = causes[-1].exception_type if len(causes) > 1 else None
	code = next((c for b in causes if (c := db_error_code(b.message)) is not None), None)
	message = last.message.strip()
	normalized = _normalized(message, sites)
	frames = last.key_frames
	# a code path names the error; without frames the message has to
	key_message = "" if frames or code is not None else normalized
	key = _key(last.exception_type, code, key_message, frames)
	return ErrorFingerprint(key, last.exception_type, normalized, frames, root, code, message)


def _causes(blocks: list[ExceptionBlock]) -> list[ExceptionBlock]:
	# the outermost exception and those it was raised from, outermost first
	chain = [blocks[-1]]
	for n in range(len(blocks) - 1, 0, -1):
		if blocks[n].link != CAUSE:
			break
		chain.append(blocks[n - 1])
	return chain


def _normalized(message: str, sites: tuple[str, ...]) -> str:
	found = _NORMALIZED.get((message, sites))
	if found is None:
		found = normalize_message(mask_sites(message[:MAX_MESSAGE], sites))
		if len(_NORMALIZED) >= 4096:
			_NORMALIZED.clear()
		_NORMALIZED[message, sites] = found
	return found


def _bare(text: str, sites: tuple[str, ...]) -> ErrorFingerprint:
	# no traceback: the first line naming an exception type, else the whole first line
	head = text[:MAX_TEXT]
	lines = [line.strip()[:2000] for line in head.splitlines()[:200] if line.strip()]
	exception_type, message = "", lines[0] if lines else ""
	for line in lines[:50]:
		found = _BARE_TYPE.search(line)
		if found:
			exception_type, message = found.group(1), found.group(2) or ""
			break
	if "Site: " in head:  # Frappe's logger adds the request's site below the message
		sites = (*sites, *_SITE_LINE.findall(head)[:3])
	code = db_error_code(message)
	normalized = _normalized(message, sites)
	key = _key(exception_type, code, "" if code is not None else normalized, ())
	return ErrorFingerprint(key, exception_type, normalized, (), None, code, message)


def _key(exception_type: str, code: int | None, message: str, frames: tuple[str, ...]) -> str:
	parts = [exception_type, "" if code is None else str(code), message, *frames]
	return hashlib.sha1("\x1f".join(parts).encode("utf-8", "replace"), usedforsecurity=False).hexdigest()[:16]
