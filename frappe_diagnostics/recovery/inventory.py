"""The backup sets of a site: every file of one backup grouped, with age, sizes, completeness, encryption.

Listing reads names and sizes only (no file is opened); integrity.py reads the contents.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from frappe_diagnostics.engine.result import Metric, Status
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.knowledge.timewindow import iso
from frappe_diagnostics.recovery.naming import CONFIG, DATABASE, KINDS, STAMP, BackupFile, parse, slug_of

DEFAULT_FOLDER = "private/backups"


@dataclass
class BackupSet:
	stamp: str
	slug: str
	files: dict[str, BackupFile] = field(default_factory=dict)
	taken_at: float = 0.0  # epoch seconds

	@property
	def database(self) -> BackupFile | None:
		return self.files.get(DATABASE)

	@property
	def partial(self) -> bool:
		return bool(self.database and self.database.partial)

	@property
	def encrypted(self) -> bool:
		return any(f.encrypted for k, f in self.files.items() if k != CONFIG)

	@property
	def missing(self) -> list[str]:
		return [k for k in KINDS if k not in self.files]

	@property
	def complete(self) -> bool:
		"""All four parts: database, public files, private files and site config."""
		return not self.missing

	@property
	def restorable(self) -> bool:
		"""A whole-site database dump that is not empty: what a restore and the recovery point need."""
		return bool(self.database and not self.partial and self.database.size > 0)

	@property
	def folder(self) -> Path | None:
		first = next(iter(self.files.values()), None)
		return first.path.parent if first else None

	@property
	def size(self) -> int:
		return sum(f.size for f in self.files.values())

	def age_s(self, now: float | None = None) -> float:
		return max(0.0, (now or time.time()) - self.taken_at)

	def matches(self, spec: str) -> bool:
		"""SET as operators give it: the set's timestamp, or the name (or path) of any of its files."""
		spec = spec.strip()
		if STAMP.match(spec):
			return spec == self.stamp
		name = Path(spec).name
		return any(f.name == name for f in self.files.values())

	def describe(self, now: float | None = None) -> dict:
		return {
			"set": self.stamp,
			"site_slug": self.slug,
			"taken_at": iso(self.taken_at),
			"age_h": round(self.age_s(now) / 3600, 2),
			"partial": self.partial,
			"encrypted": self.encrypted,
			"complete": self.complete,
			"missing": self.missing,
			"size_bytes": self.size,
			"folder": str(self.folder or ""),
			"files": {k: {"name": f.name, "size_bytes": f.size} for k, f in self.files.items()},
		}


def stamp_time(bset: BackupSet, time_zone: str | None = None) -> float:
	"""Epoch seconds a set was taken: its stamp, which Frappe writes in the site's time zone (System
	Settings); when that zone is unknown (the database is down), the oldest of its files' times."""
	try:
		zone = ZoneInfo(time_zone) if time_zone else None
	except (ZoneInfoNotFoundError, ValueError):
		zone = None
	if zone is None:
		return min((f.mtime for f in bset.files.values()), default=0.0)
	return datetime.strptime(bset.stamp, "%Y%m%d_%H%M%S").replace(tzinfo=zone).timestamp()


def backup_folders(ctx) -> list[Path]:
	"""The site's backup folder (site_config `backup_path`, default private/backups), then the extra folders
	of Diagnostics Settings (absolute, or relative to the bench)."""
	folders = []
	if ctx.site_path:
		folders.append(Path(ctx.site_path) / str(ctx.conf.get("backup_path") or DEFAULT_FOLDER))
	for extra in getattr(ctx.settings, "backup_folders", ()):
		path = Path(extra).expanduser()
		if not path.is_absolute() and ctx.bench_path:
			path = Path(ctx.bench_path) / path
		folders.append(path)
	unique = []
	for folder in folders:
		if folder.resolve() not in [f.resolve() for f in unique]:
			unique.append(folder)
	return unique


def scan(folders, slugs: tuple[str, ...] = (), time_zone: str | None = None) -> list[BackupSet]:
	"""Every backup set in the folders (any site's), newest first. A set copied into two folders counts once
	(the first folder's copy)."""
	sets: dict[tuple[str, str], BackupSet] = {}
	for folder in folders:
		try:
			entries = sorted(os.scandir(folder), key=lambda e: e.name)
		except OSError:
			continue
		for entry in entries:
			try:
				if not entry.is_file():
					continue
				stat = entry.stat()
			except OSError:
				continue
			found = parse(Path(entry.path), slugs, stat=stat)
			if found is None:
				continue
			bset = sets.setdefault((found.stamp, found.slug), BackupSet(found.stamp, found.slug))
			if found.kind not in bset.files and (not bset.files or bset.folder == found.path.parent):
				bset.files[found.kind] = found
	for bset in sets.values():
		bset.taken_at = stamp_time(bset, time_zone)
	return sorted(sets.values(), key=lambda s: (s.taken_at, s.stamp), reverse=True)


def site_sets(ctx, include_other_sites: bool = False) -> list[BackupSet]:
	"""The site's backup sets, newest first (other sites' sets in the same folders only when asked)."""
	own = slug_of(ctx.name)
	found = scan(backup_folders(ctx), (own,), ctx.time_zone)
	return found if include_other_sites else [s for s in found if s.slug == own]


def newest_restorable(sets: list[BackupSet]) -> BackupSet | None:
	return next((s for s in sets if s.restorable), None)


def select(ctx, spec: str | None) -> BackupSet:
	"""The set an operator names (timestamp, a file's name, or a path to one of its files), else the newest
	whole-site set. LookupError says what exists."""
	sets = site_sets(ctx, include_other_sites=True)
	own = [s for s in sets if s.slug == slug_of(ctx.name)]
	if not spec:
		chosen = newest_restorable(own)
		if chosen is None:
			raise LookupError(_nothing(ctx, own))
		return chosen
	for candidates in (own, sets):
		for bset in candidates:
			if bset.matches(spec):
				return bset
	path = Path(spec).expanduser()
	if path.is_file():
		outside = scan([path.parent], (slug_of(ctx.name),), ctx.time_zone)
		for bset in outside:
			if bset.matches(path.name):
				return bset
		raise LookupError(
			f"{path.name} is not named like a Frappe backup file (YYYYMMDD_HHMMSS-site-database.sql.gz …)."
		)
	raise LookupError(f"No backup set {spec!r}. {_nothing(ctx, own, listing=True)}")


def _nothing(ctx, own: list[BackupSet], listing: bool = False) -> str:
	folders = ", ".join(str(f) for f in backup_folders(ctx)) or "no folder"
	if not own:
		return f"There is no backup of {ctx.name} in {folders}. Take one: {bench(ctx.name, 'backup', '--with-files')}"
	names = ", ".join(s.stamp for s in own[:5])
	if listing:
		return f"Sets of {ctx.name} (newest first): {names}."
	return f"No whole-site database backup of {ctx.name} in {folders} (sets found: {names})."


def recovery_point(
	sets, warning_h: float, critical_h: float, now: float | None = None
) -> tuple[Status, str, list]:
	"""Status, summary and metrics of the newest restorable set against the thresholds."""
	newest = newest_restorable(sets)
	if newest is None:
		return (
			Status.CRITICAL,
			"There is no whole-site database backup: nothing to recover from.",
			[Metric("sets", len(sets), "sets")],
		)
	age_h = newest.age_s(now) / 3600
	metrics = [
		Metric("recovery_point_age", round(age_h, 1), "h"),
		Metric("sets", len(sets), "sets"),
		Metric("newest_size", round(newest.size / 2**20, 1), "MiB"),
	]
	with_files = next((s for s in sets if s.complete and s.restorable), None)
	if with_files is not None:
		metrics.append(Metric("files_backup_age", round(with_files.age_s(now) / 3600, 1), "h"))
	status = Status.CRITICAL if age_h >= critical_h else Status.WARNING if age_h >= warning_h else Status.OK
	summary = (
		f"The newest backup ({newest.stamp}) is {age_h:.1f} h old: up to {age_h:.1f} h of data would be lost."
	)
	return status, summary, metrics
