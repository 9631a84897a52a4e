"""Error records grouped by traceback fingerprint: counts, first/last seen and samples, in bounded memory."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from frappe_diagnostics.knowledge.timewindow import iso
from frappe_diagnostics.knowledge.tracebacks import ErrorFingerprint, fingerprint_error

SAMPLE_CHARS = 4000
MAX_GROUPS = 2000
_CACHE_SIZE, _CACHE_TEXT = 512, 8000  # fingerprints of recent error texts, by the text


@dataclass
class ErrorGroup:
	key: str
	exception_type: str
	message: str  # normalised: the variable parts replaced by "?"
	count: int
	first_seen: float | None
	last_seen: float | None
	files: list[str] = field(default_factory=list)
	samples: list[str] = field(default_factory=list)  # the first and the latest occurrence
	frames: list[str] = field(default_factory=list)
	root_cause: str | None = None
	db_error_code: int | None = None
	solutions: list[str] = field(default_factory=list)  # ids of knowledge-base entries that fit, best first

	def to_dict(self) -> dict[str, Any]:
		data = asdict(self)
		data["first_seen"], data["last_seen"] = iso(self.first_seen), iso(self.last_seen)
		return data


class ErrorGroups:
	def __init__(self, max_groups: int = MAX_GROUPS) -> None:
		self.groups: dict[str, ErrorGroup] = {}
		self.max_groups = max_groups
		self.dropped_groups = 0
		self.errors = 0
		self._cache: dict[str, ErrorFingerprint] = {}

	def add(self, text: str, timestamp: float | None, file: str) -> ErrorGroup:
		found = self._fingerprint(text)
		group = self.groups.get(found.key)
		if group is None:
			if len(self.groups) >= self.max_groups:
				self._shrink()
			group = self.groups[found.key] = ErrorGroup(
				key=found.key,
				exception_type=found.exception_type,
				message=found.normalized_message,
				count=0,
				first_seen=timestamp,
				last_seen=timestamp,
				frames=list(found.frames),
				root_cause=found.root_cause,
				db_error_code=found.db_error_code,
			)
		self.errors += 1
		group.count += 1
		sample = text[:SAMPLE_CHARS] if len(text) <= SAMPLE_CHARS else _cut(text)
		if not group.samples:
			group.samples.append(sample)
		elif len(group.samples) == 1:
			group.samples.append(sample)
		else:
			group.samples[1] = sample
		if file not in group.files and len(group.files) < 10:
			group.files.append(file)
		if timestamp is not None:
			if group.first_seen is None or timestamp < group.first_seen:
				group.first_seen = timestamp
			if group.last_seen is None or timestamp > group.last_seen:
				group.last_seen = timestamp
		return group

	def top(self, n: int | None = 20) -> list[ErrorGroup]:
		ranked = sorted(self.groups.values(), key=lambda g: (-g.count, g.key))
		return ranked if n is None else ranked[:n]

	def _fingerprint(self, text: str) -> ErrorFingerprint:
		cached = self._cache.get(text)
		if cached is None:
			cached = fingerprint_error(text)
			if len(text) <= _CACHE_TEXT:
				if len(self._cache) >= _CACHE_SIZE:
					self._cache.clear()
				self._cache[text] = cached
		return cached

	def _shrink(self) -> None:
		keep = self.top(self.max_groups * 3 // 4)
		self.dropped_groups += len(self.groups) - len(keep)
		self.groups = {g.key: g for g in keep}


def _cut(text: str) -> str:
	half = SAMPLE_CHARS // 2
	return f"{text[:half]}\n...\n{text[-half:]}"
