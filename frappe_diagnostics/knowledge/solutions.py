"""The error knowledge base: solutions as data (solutions.json) and matching an error text against them.

	match("pymysql.err.OperationalError: (1213, 'Deadlock found when trying to get lock; ...')")[0]
	-> Match("mariadb-deadlock", 7.5, "MariaDB error 1213; message matches /Deadlock found when .../")

Patterns are exception class names, MariaDB error codes and message regexes. Regexes are compiled once,
validated when loaded (simple shapes only), and run on at most the first and last 20 000 characters.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from frappe_diagnostics.engine.result import Fix
from frappe_diagnostics.knowledge.tracebacks import parse_traceback

DATA = Path(__file__).with_name("solutions.json")
WINDOW = 20_000  # characters matched at each end of a long text
MAX_PATTERN = 200
# a specific message outweighs a generic exception type (ValidationError); a MariaDB code outweighs both
WEIGHTS = {"exception": 3.0, "exception_elsewhere": 1.5, "mariadb": 4.0, "message": 3.5, "more_messages": 0.5}

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TYPE = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Exit|Interrupt|Expired|Killed))\b")
_DB_CODES = re.compile(r"\((\d{4}),\s*[\"']|\bERROR (\d{4}) \(|\b(?:MariaDB|MySQL) error (\d{4})\b", re.I)
# a group that is repeated and itself holds a repeat, like (a+)+ or (\w*)*: the shapes that backtrack forever
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)[*+{]")


@dataclass(frozen=True)
class Step:
	text: str
	command: str | None = None


@dataclass(frozen=True)
class Solution:
	id: str
	title: str
	description: str
	exceptions: tuple[str, ...] = ()
	mariadb_errors: tuple[int, ...] = ()
	messages: tuple[re.Pattern, ...] = field(default=(), repr=False)
	causes: tuple[str, ...] = ()
	resolution: tuple[Step, ...] = ()
	prevention: tuple[str, ...] = ()
	links: tuple[str, ...] = ()

	def fixes(self) -> list[Fix]:
		"""The resolution as engine Fixes, in order."""
		return [Fix(description=step.text, command=step.command) for step in self.resolution]

	def to_dict(self) -> dict:
		return {
			"id": self.id,
			"title": self.title,
			"patterns": {
				"exceptions": list(self.exceptions),
				"mariadb_errors": list(self.mariadb_errors),
				"messages": [p.pattern for p in self.messages],
			},
			"description": self.description,
			"causes": list(self.causes),
			"resolution": [{"text": s.text, "command": s.command} for s in self.resolution],
			"prevention": list(self.prevention),
			"links": list(self.links),
		}


@dataclass(frozen=True)
class Match:
	solution_id: str
	score: float
	reason: str


class InvalidSolution(ValueError):
	pass


def load_solutions(path: str | Path | None = None) -> list[Solution]:
	"""Read and validate a solutions file (the bundled one by default); raises InvalidSolution."""
	if path is None:
		return list(_bundled())
	return _load(Path(path))


@lru_cache(maxsize=1)
def _bundled() -> tuple[Solution, ...]:
	return tuple(_load(DATA))


def _load(path: Path) -> list[Solution]:
	try:
		entries = json.loads(path.read_text(encoding="utf-8"))
	except (OSError, ValueError) as e:
		raise InvalidSolution(f"{path}: cannot be read as JSON ({e})") from None
	if not isinstance(entries, list):
		raise InvalidSolution(f"{path}: expected a list of solutions")
	solutions, seen = [], set()
	for n, entry in enumerate(entries, 1):
		solution = parse_solution(entry, where=f"{path.name} entry {n}")
		if solution.id in seen:
			raise InvalidSolution(f"{path.name} entry {n}: duplicate id {solution.id!r}")
		seen.add(solution.id)
		solutions.append(solution)
	return solutions


def parse_solution(entry: dict, where: str = "solution") -> Solution:
	"""One solution from its JSON form, with every field and pattern checked."""
	if not isinstance(entry, dict):
		raise InvalidSolution(f"{where}: expected an object")
	missing = [
		k for k in ("id", "title", "patterns", "description", "causes", "resolution") if not entry.get(k)
	]
	if missing:
		raise InvalidSolution(f"{where}: missing {', '.join(missing)}")
	sid = entry["id"]
	if not isinstance(sid, str) or not _ID.fullmatch(sid):
		raise InvalidSolution(f"{where}: id {sid!r} must be a lower-case slug like 'mariadb-deadlock'")
	patterns = entry["patterns"]
	exceptions = tuple(_strings(patterns.get("exceptions", []), f"{sid}: exceptions"))
	codes = tuple(patterns.get("mariadb_errors", []))
	if not all(isinstance(c, int) and 1000 <= c <= 9999 for c in codes):
		raise InvalidSolution(f"{sid}: mariadb_errors must be 4-digit integers")
	messages = tuple(
		compile_pattern(p, sid) for p in _strings(patterns.get("messages", []), f"{sid}: messages")
	)
	if not (exceptions or codes or messages):
		raise InvalidSolution(f"{sid}: give at least one exception, MariaDB error code or message pattern")
	steps = []
	for step in entry["resolution"]:
		if isinstance(step, str):
			step = {"text": step}
		if not isinstance(step, dict) or not isinstance(step.get("text"), str) or not step["text"]:
			raise InvalidSolution(f"{sid}: each resolution step needs a 'text'")
		steps.append(Step(step["text"], step.get("command") or None))
	return Solution(
		id=sid,
		title=str(entry["title"]),
		description=str(entry["description"]),
		exceptions=exceptions,
		mariadb_errors=codes,
		messages=messages,
		causes=tuple(_strings(entry["causes"], f"{sid}: causes")),
		resolution=tuple(steps),
		prevention=tuple(_strings(entry.get("prevention", []), f"{sid}: prevention")),
		links=tuple(_strings(entry.get("links", []), f"{sid}: links")),
	)


def compile_pattern(pattern: str, owner: str = "pattern") -> re.Pattern:
	"""Compile a message regex (case-insensitive), refusing long or nested-repeat shapes."""
	if len(pattern) > MAX_PATTERN:
		raise InvalidSolution(f"{owner}: pattern longer than {MAX_PATTERN} characters: {pattern[:40]!r}…")
	if _NESTED_REPEAT.search(pattern):
		raise InvalidSolution(
			f"{owner}: pattern {pattern!r} repeats a group that repeats (slow on long text)"
		)
	try:
		return re.compile(pattern, re.IGNORECASE)
	except re.error as e:
		raise InvalidSolution(f"{owner}: pattern {pattern!r} does not compile: {e}") from None


def bounded(text: str) -> str:
	"""What matching reads of a text: all of it, or its first and last WINDOW characters."""
	return text if len(text) <= 2 * WINDOW else text[:WINDOW] + "\n" + text[-WINDOW:]


def match(text: str, solutions: list[Solution] | None = None, limit: int = 3) -> list[Match]:
	"""The solutions that fit an error message or a whole traceback, best first, each with why it fits."""
	if not text:
		return []
	text = bounded(text)
	outer, others = _exception_types(text)
	codes = {int(c) for found in _DB_CODES.findall(text) for c in found if c}
	found = []
	for solution in _bundled() if solutions is None else solutions:
		score, reasons = _score(solution, text, outer, others, codes)
		if score:
			found.append(Match(solution.id, score, "; ".join(reasons)))
	found.sort(key=lambda m: (-m.score, m.solution_id))
	return found[:limit]


def _score(solution: Solution, text: str, outer: set[str], others: set[str], codes: set[int]):
	score, reasons = 0.0, []
	for name in solution.exceptions:
		if _named(name, outer):
			score += WEIGHTS["exception"]
			reasons.append(f"exception type {name}")
			break
		if _named(name, others):
			score += WEIGHTS["exception_elsewhere"]
			reasons.append(f"exception type {name} (in the chain)")
			break
	for code in solution.mariadb_errors:
		if code in codes:
			score += WEIGHTS["mariadb"]
			reasons.append(f"MariaDB error {code}")
			break
	hits = 0
	for pattern in solution.messages:
		if pattern.search(text):
			score += WEIGHTS["message"] if hits == 0 else WEIGHTS["more_messages"]
			reasons.append(f"message matches /{pattern.pattern}/")
			hits += 1
	return score, reasons


def _exception_types(text: str) -> tuple[set[str], set[str]]:
	"""The outermost exception's type (from the traceback, else the first named), and every other one named."""
	blocks = parse_traceback(text)
	named = {found.group(1) for found in _TYPE.finditer(text)}
	outer = {blocks[-1].exception_type} if blocks else set()
	if not outer:
		first = _TYPE.search(text)
		outer = {first.group(1)} if first else set()
	others = named | {b.exception_type for b in blocks}
	return outer, others - outer


def _named(name: str, types: set[str]) -> bool:
	# "QueryDeadlockError" matches frappe.exceptions.QueryDeadlockError; a dotted name must match its tail
	return any(t == name or t.endswith("." + name) for t in types)


def _strings(values, where: str) -> list[str]:
	if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
		raise InvalidSolution(f"{where}: expected a list of non-empty strings")
	return values
