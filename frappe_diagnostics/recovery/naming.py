"""Frappe's backup file names, read back: `YYYYMMDD_HHMMSS-<site_slug>[-partial]-database[-enc].sql.gz`,
`-files[-enc].tar|tgz`, `-private-files[-enc].tar|tgz`, `-site_config_backup[-enc].json`.

The slug is the site name with dots as underscores. Site names may contain dashes, so a name is first
read against the slugs we expect (the site's own), then by the general pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DATABASE, PUBLIC, PRIVATE, CONFIG = "database", "public", "private", "config"
KINDS = (DATABASE, PUBLIC, PRIVATE, CONFIG)
_SUFFIX = {"database": DATABASE, "files": PUBLIC, "private-files": PRIVATE, "site_config_backup": CONFIG}
_EXTENSIONS = {
	DATABASE: ("sql.gz", "sql"),
	PUBLIC: ("tar", "tgz"),
	PRIVATE: ("tar", "tgz"),
	CONFIG: ("json",),
}
_TAIL = r"(?P<partial>-partial)?-(?P<kind>database|private-files|files|site_config_backup)(?P<enc>-enc)?\.(?P<ext>sql\.gz|sql|tar|tgz|json)$"
PATTERN = re.compile(r"^(?P<stamp>\d{8}_\d{6})-(?P<slug>.+?)" + _TAIL)
STAMP = re.compile(r"^\d{8}_\d{6}$")


def slug_of(site: str) -> str:
	"""The part of a backup's name that names its site, as Frappe writes it."""
	return site.replace(".", "_")


@dataclass(frozen=True)
class BackupFile:
	path: Path
	stamp: str  # YYYYMMDD_HHMMSS in the site's time zone
	slug: str
	kind: str  # database, public, private or config
	partial: bool
	encrypted: bool  # named -enc (Frappe encrypts the dump and the tars; the config stays plain JSON)
	size: int
	mtime: float = 0.0

	@property
	def name(self) -> str:
		return self.path.name


def parse(path: Path, slugs: tuple[str, ...] = (), stat=None) -> BackupFile | None:
	"""The backup file a path names, or None when it is not named like one."""
	name = path.name
	found = None
	for slug in slugs:
		head = re.match(r"^(?P<stamp>\d{8}_\d{6})-" + re.escape(slug) + _TAIL, name)
		if head:
			found = head.groupdict() | {"slug": slug}
			break
	if found is None:
		match = PATTERN.match(name)
		if not match:
			return None
		found = match.groupdict()
	kind = _SUFFIX[found["kind"]]
	if found["ext"] not in _EXTENSIONS[kind] or (found["partial"] and kind != DATABASE):
		return None
	if stat is None:
		try:
			stat = path.stat()
		except OSError:
			stat = None
	return BackupFile(
		path=path,
		stamp=found["stamp"],
		slug=found["slug"],
		kind=kind,
		partial=bool(found["partial"]),
		encrypted=bool(found["enc"]),
		size=stat.st_size if stat else 0,
		mtime=stat.st_mtime if stat else 0.0,
	)
