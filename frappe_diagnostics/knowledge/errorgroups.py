"""Error records grouped by fingerprint: counts, first/last seen, samples and message variants, in bounded
memory. The one grouping path: log analysis and the site's Error Log grouping both go through ErrorGroups.

A group is one failing code path; the messages it was seen with are its variants (normalised, each with a
real example and a count), so "Item X not found" and "Item Y not found" are one group with two examples.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from frappe_diagnostics.knowledge.timewindow import iso
from frappe_diagnostics.knowledge.tracebacks import ErrorFingerprint, fingerprint_error

SAMPLE_CHARS = 8000  # of a sample traceback: its head and its tail
EXAMPLE_CHARS = 500  # of a variant's example message
MAX_GROUPS = 2000
MAX_VARIANTS = 20  # per group; occurrences of rarer variants are counted in other_variants


def group_key(text: str, site: str | None = None) -> str:
	"""The key an Error Group is stored under (its `fingerprint` field) for a traceback or message: the one
	owner, so every writer and reader agrees. `site`: the site's name, normalised out of messages."""
	return fingerprint(text, site).key


def fingerprint(text: str, site: str | None = None) -> ErrorFingerprint:
	"""The fingerprint of one error record of a site, as the grouping makes it."""
	return fingerprint_error(text, (site,) if site else ())


@dataclass
class Variant:
	normalized: str  # the message with its variable parts as "?"
	example: str  # the first real message seen in this form
	count: int = 0


@dataclass
class ErrorGroup:
	key: str
	exception_type: str
	message: str  # normalised form of the most frequent variant
	count: int
	first_seen: float | None
	last_seen: float | None
	files: list[str] = field(default_factory=list)
	samples: list[str] = field(default_factory=list)  # the first and the latest occurrence
	frames: list[str] = field(default_factory=list)
	root_cause: str | None = None
	db_error_code: int | None = None
	solutions: list[str] = field(default_factory=list)  # ids of knowledge-base entries that fit, best first
	variants: dict[str, Variant] = field(default_factory=dict)
	other_variants: int = 0  # occurrences whose form was not kept (more than MAX_VARIANTS forms)

	@property
	def example(self) -> str:
		"""A real message of the most frequent form: what a person should read first."""
		top = self.top_variants(1)
		return top[0].example if top else ""

	@property
	def title(self) -> str:
		return headline(self.exception_type, self.example or self.message)

	def top_variants(self, n: int | None = None) -> list[Variant]:
		ranked = sorted(self.variants.values(), key=lambda v: (-v.count, v.normalized))
		return ranked if n is None else ranked[:n]

	def to_dict(self) -> dict[str, Any]:
		data = asdict(self)
		data["first_seen"], data["last_seen"] = iso(self.first_seen), iso(self.last_seen)
		data["variants"] = [asdict(v) for v in self.top_variants()]
		data["example"], data["title"] = self.example, self.title
		return data


class ErrorGroups:
	def __init__(self, max_groups: int = MAX_GROUPS, sites: tuple[str, ...] = ()) -> None:
		self.groups: dict[str, ErrorGroup] = {}
		self.max_groups = max_groups
		self.sites = tuple(sites)
		self.dropped_groups = 0
		self.errors = 0

	def add(self, text: str, timestamp: float | None, file: str) -> ErrorFingerprint:
		"""Count one error record; its fingerprint names its group (`self.groups[found.key]`)."""
		found = fingerprint_error(text, self.sites)
		group = self.groups.get(found.key)
		if group is None:
			if len(self.groups) >= self.max_groups:
				self._shrink()
			group = self.groups[found.key] = _new_group(found, timestamp)
		self.errors += 1
		group.count += 1
		_add_variant(group, found)
		sample = text if len(text) <= SAMPLE_CHARS else _cut(text)
		if len(group.samples) < 2:
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
		return found

	def top(self, n: int | None = 20) -> list[ErrorGroup]:
		ranked = sorted(self.groups.values(), key=lambda g: (-g.count, g.key))
		for group in ranked if n is None else ranked[:n]:
			if group.variants:
				group.message = group.top_variants(1)[0].normalized
		return ranked if n is None else ranked[:n]

	def _shrink(self) -> None:
		keep = sorted(self.groups.values(), key=lambda g: (-g.count, g.key))[: self.max_groups * 3 // 4]
		self.dropped_groups += len(self.groups) - len(keep)
		self.groups = {g.key: g for g in keep}


def _new_group(found: ErrorFingerprint, timestamp) -> ErrorGroup:
	return ErrorGroup(
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


def _add_variant(group: ErrorGroup, found: ErrorFingerprint) -> None:
	variant = group.variants.get(found.normalized_message)
	if variant is None:
		if len(group.variants) >= MAX_VARIANTS:
			group.other_variants += 1
			return
		example = found.message[:EXAMPLE_CHARS]
		variant = group.variants[found.normalized_message] = Variant(found.normalized_message, example)
	variant.count += 1


def headline(exception_type: str, message: str, limit: int = 140) -> str:
	"""'ValidationError: the message's first line', cut at a word with an ellipsis to `limit` characters."""
	short = exception_type.rpartition(".")[2]
	first = next((line.strip() for line in message.splitlines() if line.strip()), "")
	text = f"{short}: {first}" if short and first else short or first
	if len(text) <= limit:
		return text
	cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
	return cut.rstrip(" ,;:") + "…"


def _cut(text: str) -> str:
	half = SAMPLE_CHARS // 2
	return f"{text[:half]}\n...\n{text[-half:]}"
