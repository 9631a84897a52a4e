"""Python tracebacks as data: the exceptions of a (possibly chained) traceback, each with its frames.

The frames of a traceback are read once per distinct shape: a block's frame lines (paths, functions, line
numbers, source lines) repeat exactly for every occurrence of the same error, so they are kept in a
bounded cache keyed by that text, and only the exception line below them is read again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TEXT = 200_000  # characters of a traceback looked at: its head and its tail
KEY_FRAMES = 10  # innermost application frames in the key
CONTEXT, CAUSE = "context", "cause"  # how an exception follows the one above it in a chain

_CHAIN = re.compile(
	r"^\s*(?:(During handling of the above exception, another exception occurred:)"
	r"|The above exception was the direct cause of the following exception:)\s*$",
	re.M,
)
TRACEBACK = "Traceback (most recent call last):"
# Frappe's Error Log writes this form, with each frame's local variables indented below it
TRACEBACK_WITH_VARIABLES = "Traceback with variables (most recent call last):"
# '  File "path", line N, in function': the path and what follows the line number
_FILE_LINE = re.compile(r'^[ \t]*File "([^"\n]*)", line [^\n,]*([^\n]*)', re.M)
_EXCEPTION = re.compile(r"([A-Za-z_]\w{0,100}(?:\.[A-Za-z_]\w{0,100}){0,10})(?::[ \t]?(.*))?")
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
_RAISE_HELPERS = frozenset(
	(("frappe", "throw"), ("frappe", "msgprint"), ("frappe", "_raise_exception"))
)  # frappe.throw and what it calls: the failing frame is the one that called them
_SKIP_LINES = ("^", "~", "[Previous line repeated", "...")
_SHAPES_MAX, _SHAPE_CHARS = 2048, 16_000  # the cache of frame blocks: entries, characters per entry


@dataclass(frozen=True)
class Frame:
	module: str
	function: str
	kind: str  # "app", "stdlib" or "third_party"

	def __str__(self) -> str:
		return f"{self.module}:{self.function}"


@dataclass(frozen=True)
class Shape:
	"""What a block's frame lines say, whatever exception follows them."""

	frames: tuple[Frame, ...]
	key_frames: tuple[str, ...]  # "module:function" of the frames that identify the code path


@dataclass
class ExceptionBlock:
	"""One exception of a chain: its frames (outermost first), type, message and how it follows the
	exception above it (None for the first, CONTEXT when raised while handling it, CAUSE for `from`)."""

	frames: list[Frame]
	exception_type: str
	message: str
	link: str | None = None
	key_frames: tuple[str, ...] = ()


def parse_traceback(text: str) -> list[ExceptionBlock]:
	"""The exceptions of a traceback text, root cause first; [] when there is no traceback."""
	if len(text) > MAX_TEXT:
		text = text[: MAX_TEXT // 2] + "\n" + text[-MAX_TEXT // 2 :]
	if TRACEBACK not in text and TRACEBACK_WITH_VARIABLES not in text:
		return []
	links = list(_CHAIN.finditer(text)) if "above exception" in text else []
	starts = [0] + [m.end() for m in links]
	ends = [m.start() for m in links] + [len(text)]
	kinds = [None] + [CONTEXT if m.group(1) else CAUSE for m in links]
	blocks = [_block(text[a:b], kind) for a, b, kind in zip(starts, ends, kinds, strict=True)]
	return [b for b in blocks if b is not None]


def _block(segment: str, link: str | None) -> ExceptionBlock | None:
	plain, with_variables = segment.rfind(TRACEBACK), segment.rfind(TRACEBACK_WITH_VARIABLES)
	if plain == -1 and with_variables == -1:
		return None
	start = (
		plain + len(TRACEBACK) if plain > with_variables else with_variables + len(TRACEBACK_WITH_VARIABLES)
	)
	end = _last_frame_end(segment, start)
	shape = _shape(segment[start:end])
	exception_type, message = _exception(segment[end:].splitlines())
	return ExceptionBlock(list(shape.frames), exception_type, message, link, shape.key_frames)


def _last_frame_end(text: str, start: int) -> int:
	# the end of the last '  File "path", line N, in f' line: the frames are above it, the exception below
	at = text.rfind('File "', start)
	while at != -1:
		line_end = text.find("\n", at)
		line_end = len(text) if line_end == -1 else line_end
		close = text.find('"', at + 6, line_end)
		if close != -1 and text.startswith('", line ', close) and _starts_line(text, at):
			return line_end
		at = text.rfind('File "', start, at)
	return start


def _starts_line(text: str, at: int) -> bool:
	while at > 0 and text[at - 1] in " \t":
		at -= 1
	return at == 0 or text[at - 1] == "\n"


_SHAPES: dict[str, Shape] = {}  # frame lines as logged -> their Shape
_SHAPES_BY_FRAMES: dict[tuple, Shape] = {}  # (path, function) of each frame -> their Shape


def _shape(frame_lines: str) -> Shape:
	# the frame lines as logged repeat exactly within one deployment; their paths and functions repeat
	# whatever the line numbers, source lines and carets
	shape = _SHAPES.get(frame_lines)
	if shape is not None:
		return shape
	found = tuple(_FILE_LINE.findall(frame_lines))
	shape = _SHAPES_BY_FRAMES.get(found)
	if shape is None:
		frames = tuple(_frame(path, rest) for path, rest in found)
		shape = _remember(_SHAPES_BY_FRAMES, found, Shape(frames, _key_frames(frames)))
	if len(frame_lines) <= _SHAPE_CHARS:
		_remember(_SHAPES, frame_lines, shape)
	return shape


def _remember(cache: dict, key, shape: Shape) -> Shape:
	if len(cache) >= _SHAPES_MAX:
		cache.clear()
	cache[key] = shape
	return shape


def _exception(lines: list[str]) -> tuple[str, str]:
	# after the last frame: its source line, carets, then "Type: message" (the message may run on)
	for n, line in enumerate(lines):
		if not line.strip() or line[:1] in " \t" or line.lstrip().startswith(_SKIP_LINES):
			continue
		found = _EXCEPTION.fullmatch(line.rstrip())
		if found:
			rest = [line for line in lines[n + 1 : n + 21] if line.strip()]
			message = "\n".join([found.group(2) or "", *rest]).strip()
			# Frappe's Error Log names built-in types in full ("builtins.KeyError"), tracebacks do not
			return found.group(1).removeprefix("builtins."), message
	return "UnknownError", "\n".join(line for line in lines if line.strip()).strip()


_FRAMES: dict[tuple[str, str], Frame] = {}  # frames recur: classify each path once


def _frame(path: str, rest: str) -> Frame:
	function = rest.partition(", in ")[2].strip()[:300] or "?"  # rest: ", in function" or ""
	frame = _FRAMES.get((path, function))
	if frame is None:
		frame = _classify(path[:1000], function)
		if len(_FRAMES) > 8192:
			_FRAMES.clear()
		_FRAMES[path, function] = frame
	return frame


def _classify(path: str, function: str) -> Frame:
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


def _key_frames(frames: tuple[Frame, ...]) -> tuple[str, ...]:
	app = [f for f in frames if f.kind == "app"]
	own = [f for f in app if not is_dispatch(f)]
	chosen = own or app or frames
	if len(chosen) > 2:
		# a DocType's controller between the caller and the failing frame depends on which DocType it
		# was (File overrides __init__, Note does not): the path is the same, so it stays out of the key
		crash = next((f for f in reversed(chosen) if (f.module, f.function) not in _RAISE_HELPERS), None)
		middle = [f for f in chosen[1:-1] if f is crash or ".doctype." not in f.module]
		chosen = [chosen[0], *middle, chosen[-1]]
	return tuple(str(f) for f in chosen[-KEY_FRAMES:])


def is_dispatch(frame: Frame) -> bool:
	# how Frappe reached the code (request, job, command): the same error from any entry is one group
	module = frame.module
	return (
		module in _DISPATCH
		or module.startswith(_DISPATCH_PREFIXES)
		or (module, frame.function) in _DISPATCH_CALLS
	)
