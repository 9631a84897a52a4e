"""A bench's logs/ folder, read in one streaming pass: what was logged, when, and which errors recur.

	analyze("~/frappe-bench/logs", since="2024-05-01 09:00", until="2024-05-01 18:00")

Reads frappe.log, web.error.log, worker.error.log, scheduler.log ... with their rotated siblings (.1, .2,
.gz, -20240501) oldest first; monitor.json.log goes to `monitor_stats`. Bad files give warnings, never errors.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from frappe_diagnostics.knowledge.errorgroups import ErrorGroup, ErrorGroups
from frappe_diagnostics.knowledge.logrecords import ERROR_LEVELS, LogRecord, parse_records
from frappe_diagnostics.knowledge.monitorlog import MonitorStats, monitor_stats
from frappe_diagnostics.knowledge.solutions import match
from frappe_diagnostics.knowledge.sources import ReadReport, read_lines
from frappe_diagnostics.knowledge.timewindow import TimeLike, Window, iso

__all__ = ["ErrorGroup", "FileSummary", "LogDigest", "LogFile", "analyze", "discover", "monitor_stats"]

MONITOR_LOG = "monitor.json.log"
_ROTATED = re.compile(r"(?P<base>.+?\.log)(?:[.-](?P<suffix>\d[\d-]*))?(?P<gz>\.gz)?")
_SKIPPED_BASES = re.compile(r"redis[-.]|.*\.pid$")  # Redis' own logs: another format, another story


@dataclass(frozen=True)
class LogFile:
	path: Path
	base: str  # the log's name without its rotation suffix: frappe.log for frappe.log.2.gz
	rotation: tuple[int, ...]  # () for the live file; larger numbers are older for .N, newer for dates


@dataclass
class FileSummary:
	name: str
	records: int = 0
	bytes_read: int = 0
	first_seen: float | None = None
	last_seen: float | None = None
	skipped: str | None = None  # why the file was not read

	def to_dict(self) -> dict[str, Any]:
		data = asdict(self)
		data["first_seen"], data["last_seen"] = iso(self.first_seen), iso(self.last_seen)
		return data


@dataclass
class LogDigest:
	folder: str
	since: float | None = None
	until: float | None = None
	records: int = 0  # in the window
	by_level: dict[str, int] = field(default_factory=dict)
	by_file: dict[str, int] = field(default_factory=dict)  # by log name, rotations included
	errors_by_file: dict[str, int] = field(default_factory=dict)
	first_seen: float | None = None
	last_seen: float | None = None
	error_groups: list[ErrorGroup] = field(default_factory=list)
	distinct_errors: int = 0
	undated_records: int = 0
	files: list[FileSummary] = field(default_factory=list)
	bytes_read: int = 0  # decompressed, monitor log included
	monitor: MonitorStats | None = None
	warnings: list[str] = field(default_factory=list)
	errors_per_minute: dict[int, int] = field(default_factory=dict)  # epoch minute -> error records

	def to_dict(self) -> dict[str, Any]:
		data = asdict(self)
		for key in ("since", "until", "first_seen", "last_seen"):
			data[key] = iso(getattr(self, key))
		data["error_groups"] = [g.to_dict() for g in self.error_groups]
		data["files"] = [f.to_dict() for f in self.files]
		data["monitor"] = self.monitor.to_dict() if self.monitor else None
		return data


def discover(folder: str | os.PathLike, names: list[str] | None = None) -> list[LogFile]:
	"""The logs in a folder, grouped by log and oldest first within each; `names` limits the logs read."""
	found = []
	try:
		entries = sorted(Path(folder).expanduser().iterdir())
	except OSError:
		return []
	for path in entries:
		match = _ROTATED.fullmatch(path.name)
		if not match or not path.is_file():
			continue
		base = match.group("base")
		if names is not None and base not in names:
			continue
		if names is None and _SKIPPED_BASES.match(base):
			continue
		found.append(LogFile(path, base, _rotation(match.group("suffix"))))
	return sorted(found, key=_age_order)


def given_files(paths: list) -> tuple[list[LogFile], list[str]]:
	"""Log files named one by one (any folder, any name), oldest rotation first; warnings for the rest."""
	found, warnings = [], []
	for path in (Path(p).expanduser() for p in paths):
		if not path.is_file():
			warnings.append(f"{path}: not a file that can be read.")
			continue
		match = _ROTATED.fullmatch(path.name)
		base, suffix = (match.group("base"), match.group("suffix")) if match else (path.name, None)
		found.append(LogFile(path, base, _rotation(suffix)))
	return sorted(found, key=_age_order), warnings


def analyze(
	folder: str | os.PathLike | None,
	since: TimeLike = None,
	until: TimeLike = None,
	top: int | None = 20,
	names: list[str] | None = None,
	monitor: bool = True,
	files: list | None = None,
) -> LogDigest:
	"""Counts by level and by log, first/last times and the top error groups of a bench's logs/ folder, or
	of the log `files` given one by one (then `folder` is not read)."""
	window = Window.of(since, until)
	if files:
		files, problems = given_files(files)
		digest = LogDigest(", ".join(str(f.path) for f in files) or "(no file)", window.since, window.until)
		digest.warnings += problems
	else:
		folder = Path(folder).expanduser()
		digest = LogDigest(str(folder), window.since, window.until)
		files = discover(folder, names)
		if not folder.is_dir():
			digest.warnings.append(f"{folder}: not a folder that can be read; pass the bench's logs/ folder.")
			return digest
	if not files:
		digest.warnings.append(
			f"{digest.folder}: no log files found (expected frappe.log, web.error.log ...)."
		)
	# files given one by one: no bench, so no site names to mask
	groups = ErrorGroups(sites=bench_sites(Path(folder).expanduser().parent / "sites") if folder else ())
	text_logs = [f for f in files if f.base != MONITOR_LOG]
	for log in text_logs:
		digest.files.append(_read_file(log, window, digest, groups))
	digest.error_groups, digest.distinct_errors = groups.top(top), len(groups.groups) + groups.dropped_groups
	for group in digest.error_groups:
		group.solutions = [m.solution_id for m in match(group.samples[0])] if group.samples else []
	if groups.dropped_groups:
		digest.warnings.append(
			f"More than {groups.max_groups:,} distinct errors: the {groups.dropped_groups:,} rarest were dropped."
		)
	if digest.undated_records and window.bounded:
		digest.warnings.append(
			f"{digest.undated_records:,} record(s) carry no date and were left out of the time window."
		)
	monitors = [f.path for f in files if f.base == MONITOR_LOG]
	if monitor and monitors:
		digest.monitor = monitor_stats(monitors, since=window.since, until=window.until)
		digest.bytes_read += digest.monitor.bytes_read
		digest.warnings.extend(digest.monitor.warnings)
	return digest


def bench_sites(sites: Path) -> tuple[str, ...]:
	"""The site names of a bench (its sites/ folders with a site_config.json), masked in messages."""
	try:
		return tuple(sorted(p.parent.name for p in sites.glob("*/site_config.json")))[:200]
	except OSError:
		return ()


def _read_file(log: LogFile, window: Window, digest: LogDigest, groups: ErrorGroups) -> FileSummary:
	summary = FileSummary(log.path.name)
	if window.since is not None:
		try:
			if log.path.stat().st_mtime < window.since:
				summary.skipped = "last written before the window"
				return summary
		except OSError:
			pass  # read_lines reports it
	report = ReadReport(log.path.name)
	by_level, keep = digest.by_level, lambda level: level in ERROR_LEVELS
	bounded = window.bounded
	for record in parse_records(read_lines(log.path, report), keep):
		ts = record.timestamp
		if ts is None:
			digest.undated_records += 1
			if bounded:
				continue
		elif bounded and not window.contains(ts):
			continue
		summary.records += 1
		by_level[record.level] = by_level.get(record.level, 0) + 1
		if ts is not None:
			_extend(summary, ts)
		if record.is_error:
			_add_error(record, log.base, digest, groups)
	summary.bytes_read = report.bytes_read
	digest.bytes_read += report.bytes_read
	digest.records += summary.records
	digest.by_file[log.base] = digest.by_file.get(log.base, 0) + summary.records
	if summary.first_seen is not None:
		_extend(digest, summary.first_seen)
		_extend(digest, summary.last_seen)
	digest.warnings.extend(report.messages())
	return summary


MAX_MINUTES = 50_000  # of the per-minute error histogram (about 35 days); later minutes are not counted


def _add_error(record: LogRecord, base: str, digest: LogDigest, groups: ErrorGroups) -> None:
	digest.errors_by_file[base] = digest.errors_by_file.get(base, 0) + 1
	groups.add(record.text, record.timestamp, base)
	if record.timestamp is not None:
		minute, per_minute = int(record.timestamp // 60), digest.errors_per_minute
		if minute in per_minute or len(per_minute) < MAX_MINUTES:
			per_minute[minute] = per_minute.get(minute, 0) + 1


def _extend(span, ts: float) -> None:
	if span.first_seen is None or ts < span.first_seen:
		span.first_seen = ts
	if span.last_seen is None or ts > span.last_seen:
		span.last_seen = ts


def _rotation(suffix: str | None) -> tuple[int, ...]:
	if not suffix:
		return ()
	return tuple(int(part) for part in suffix.split("-") if part)


def _age_order(log: LogFile) -> tuple:
	# .1, .2 ... : higher is older; dates (-20240501, .2024-05-01): lower is older; the live file last
	if not log.rotation:
		return (log.base, 2, ())
	if len(log.rotation) == 1 and log.rotation[0] < 10_000:
		return (log.base, 0, (-log.rotation[0],))
	return (log.base, 1, log.rotation)
