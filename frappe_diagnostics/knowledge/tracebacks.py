"""Fingerprints of Python errors: the same bug gives the same key, whatever the line numbers and values.

The key is built from the outermost exception of a chain: its type, its normalised message, the
MariaDB error code if any, its application frames (module and function; stdlib and third-party frames
are dropped when application frames exist), plus the type of the root cause.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from frappe_diagnostics.knowledge.messages import db_error_code, normalize_message

MAX_TEXT = 200_000  # characters of a traceback looked at: its head and its tail
KEY_FRAMES = 10  # innermost application frames in the key

_CHAIN = re.compile(
	r"^\s*(?:During handling of the above exception, another exception occurred:"
	r"|The above exception was the direct cause of the following exception:)\s*$",
	re.M,
)
_TRACEBACK = "Traceback (most recent call last):"
# Frappe's Error Log writes this form, with each frame's local variables indented below it
_TRACEBACK_WITH_VARIABLES = "Traceback with variables (most recent call last):"
_EXCEPTION = re.compile(r"([A-Za-z_]\w{0,100}(?:\.[A-Za-z_]\w{0,100}){0,10})(?::[ \t]?(.*))?")
_BARE_TYPE = re.compile(
	r"(?<![\w.])([A-Za-z_][\w.]{0,200}(?:Error|Exception|Timeout|Exit))\b(?::[ \t]*(.*))?"
)
_SITE_PACKAGES = re.compile(r"[/\\](?:site|dist)-packages[/\\]")
_STDLIB = re.compile(r"[/\\]lib[/\\](?:python|pypy)\d+(?:\.\d+)?[/\\]")
_APPS = re.compile(r"(?:^|[/\\])apps[/\\][\w.-]+[/\\]")
_FRAPPE_APPS = frozenset(
	("frappe", "erpnext", "hrms", "payments", "india_compliance", "crm", "helpdesk", "lms", "insights")
)
_DISPATCH = frozenset(
	(
		"frappe.app",
		"frappe.api",
		"frappe.handler",
		"frappe.utils.typing_validations",
		"frappe.utils.bench_helper",
		"frappe.website.serve",
		"frappe.website.page_renderers.template_page",
	)
)
_DISPATCH_PREFIXES = ("frappe.api.", "frappe.commands.", "frappe.middlewares")
_DISPATCH_CALLS = frozenset(
	(
		("frappe", "call"),
		("frappe.utils.background_jobs", "execute_job"),
		("frappe.core.doctype.scheduled_job_type.scheduled_job_type", "execute"),
	)
)
_SKIP_LINES = ("^", "~", "[Previous line repeated", "...")


@dataclass(frozen=True)
class Frame:
	module: str
	function: str
	kind: str  # "app", "stdlib" or "third_party"

	def __str__(self) -> str:
		return f"{self.module}:{self.function}"


@dataclass(frozen=True)
class ErrorFingerprint:
	key: str
	exception_type: str
	normalized_message: str
	frames: tuple[str, ...]  # "module:function" of the frames in the key, outermost first
	root_cause: str | None = None  # type of the first exception of a chain
	db_error_code: int | None = None
	message: str = field(default="", compare=False)  # the outermost exception's message, as logged


@dataclass
class ExceptionBlock:
	"""One exception of a chain: its frames (outermost first), type and message."""

	frames: list[Frame]
	exception_type: str
	message: str


def fingerprint_error(text: str) -> ErrorFingerprint:
	"""Fingerprint a traceback (possibly chained) or a bare error message."""
	blocks = parse_traceback(text)
	if not blocks:
		return _bare(text)
	last, first = blocks[-1], blocks[0]
	root = first.exception_type if len(blocks) > 1 else None
	code = next((c for b in reversed(blocks) if (c := db_error_code(b.message)) is not None), None)
	frames = _key_frames(last.frames)
	normalized = normalize_message(last.message)
	key = _key(last.exception_type, root, code, normalized, frames)
	return ErrorFingerprint(key, last.exception_type, normalized, frames, root, code, last.message.strip())


def parse_traceback(text: str) -> list[ExceptionBlock]:
	"""The exceptions of a traceback text, root cause first; [] when there is no traceback."""
	if len(text) > MAX_TEXT:
		text = text[: MAX_TEXT // 2] + "\n" + text[-MAX_TEXT // 2 :]
	if _TRACEBACK not in text and _TRACEBACK_WITH_VARIABLES not in text:
		return []
	links = list(_CHAIN.finditer(text)) if "above exception" in text else []
	starts = [0] + [m.end() for m in links]
	ends = [m.start() for m in links] + [len(text)]
	blocks = [_block(text[a:b]) for a, b in zip(starts, ends, strict=True)]
	return [b for b in blocks if b is not None]


def _block(segment: str) -> ExceptionBlock | None:
	at, header = max((segment.rfind(h), h) for h in (_TRACEBACK, _TRACEBACK_WITH_VARIABLES))
	if at == -1:
		return None
	body = segment[at + len(header) :]
	frames, end = _frames(body)
	exception_type, message = _exception(body[end:].splitlines())
	return ExceptionBlock(frames, exception_type, message)


def _frames(body: str) -> tuple[list[Frame], int]:
	# '  File "path", line N, in function' lines, found with str.find: several times faster than a regex
	frames, end, at = [], 0, body.find('File "')
	while at != -1:
		line_end = body.find("\n", at)
		line_end = len(body) if line_end == -1 else line_end
		close = body.find('"', at + 6, line_end)
		rest = body[close + 1 : line_end] if close != -1 else ""
		if rest.startswith(", line ") and _starts_line(body, at):
			path, function = body[at + 6 : close], rest.partition(", in ")[2].strip() or "?"
			frame = _FRAMES.get((path, function))
			if frame is None:
				frame = _frame(path[:1000], function[:300])
				if len(_FRAMES) > 8192:
					_FRAMES.clear()
				_FRAMES[path, function] = frame
			frames.append(frame)
			end = line_end
		at = body.find('File "', line_end)
	return frames, end


def _starts_line(text: str, at: int) -> bool:
	while at > 0 and text[at - 1] in " \t":
		at -= 1
	return at == 0 or text[at - 1] == "\n"


def _exception(lines: list[str]) -> tuple[str, str]:
	# after the last frame: its source line, carets, then "Type: message" (the message may run on)
	for n, line in enumerate(lines):
		if not line.strip() or line[:1] in " \t" or line.lstrip().startswith(_SKIP_LINES):
			continue
		found = _EXCEPTION.fullmatch(line.rstrip())
		if found:
			rest = [line for line in lines[n + 1 : n + 21] if line.strip()]
			message = "\n".join([found.group(2) or "", *rest]).strip()
			return found.group(1), message
	return "UnknownError", "\n".join(line for line in lines if line.strip()).strip()


_FRAMES: dict[tuple[str, str], Frame] = {}  # frames recur: classify each path once


def _frame(path: str, function: str) -> Frame:
	if path.startswith("<"):
		kind = "stdlib" if path.startswith("<frozen") else "app"
		return Frame(path, function, kind)
	norm = path.replace("\\", "/")
	if app := _APPS.search(norm):
		return Frame(_module(norm[app.end() :]), function, "app")
	if site := _SITE_PACKAGES.search(norm):
		module = _module(norm[site.end() :])
		kind = "app" if module.split(".", 1)[0] in _FRAPPE_APPS else "third_party"
		return Frame(module, function, kind)
	if lib := _STDLIB.search(norm):
		return Frame(_module(norm[lib.end() :]), function, "stdlib")
	parts = [p for p in norm.split("/") if p]
	return Frame(_module("/".join(parts[-3:])), function, "app")


def _module(relative: str) -> str:
	module = relative.removesuffix(".py").replace("/", ".")
	return module.removesuffix(".__init__") or relative


def _key_frames(frames: list[Frame]) -> tuple[str, ...]:
	app = [f for f in frames if f.kind == "app"]
	own = [f for f in app if not _is_dispatch(f)]
	chosen = own or app or frames
	return tuple(str(f) for f in chosen[-KEY_FRAMES:])


def _is_dispatch(frame: Frame) -> bool:
	# how Frappe reached the code (request, job, command): the same error from any entry is one group
	module = frame.module
	return (
		module in _DISPATCH
		or module.startswith(_DISPATCH_PREFIXES)
		or (module, frame.function) in _DISPATCH_CALLS
	)


def _bare(text: str) -> ErrorFingerprint:
	# no traceback: the first line naming an exception type, else the whole first line
	lines = [line.strip()[:2000] for line in text[:MAX_TEXT].splitlines()[:200] if line.strip()]
	exception_type, message = "", lines[0] if lines else ""
	for line in lines[:50]:
		found = _BARE_TYPE.search(line)
		if found:
			exception_type, message = found.group(1), found.group(2) or ""
			break
	code = db_error_code(message)
	normalized = normalize_message(message)
	return ErrorFingerprint(
		_key(exception_type, None, code, normalized, ()), exception_type, normalized, (), None, code, message
	)


def _key(
	exception_type: str, root: str | None, code: int | None, message: str, frames: tuple[str, ...]
) -> str:
	parts = [exception_type, root or "", "" if code is None else str(code), message, *frames]
	return hashlib.sha1("\x1f".join(parts).encode("utf-8", "replace"), usedforsecurity=False).hexdigest()[:16]
