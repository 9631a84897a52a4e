"""The full consistency scan of a site's files: File records against the files on disk, in flat memory.

Both sides are streamed as bytes (an unbuffered cursor over `tabFile`, `os.scandir` over public/ and
private/files) into a throw-away SQLite file on disk, and compared there by index: memory stays flat
whether the site has a thousand files or a million (benchmarks/files_scan.py). Framework-free.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from frappe_diagnostics.checks.filesystem import PROBE_PREFIX

BATCH = 10_000
FOLDERS = {"public": ("public", "files"), "private": ("private", "files")}


@dataclass
class ScanResult:
	records: int = 0
	external: int = 0  # File records pointing at another server
	files_on_disk: int = 0
	disk_bytes: int = 0
	missing: int = 0
	orphans: int = 0
	orphan_bytes: int = 0
	wrong_privacy: int = 0
	unreadable: int = 0
	per_folder: dict[str, dict] = field(default_factory=dict)
	samples: dict[str, list] = field(default_factory=dict)
	seconds: float = 0.0

	def to_dict(self) -> dict:
		return asdict(self)


def url_key(file_url: str | None) -> tuple[str, str] | None:
	"""("public"|"private", path under that files folder) for a File's URL; None for remote or odd URLs."""
	url = (file_url or "").strip()
	if url.startswith("/private/files/"):
		return "private", url[len("/private/files/") :]
	if url.startswith("/files/"):
		return "public", url[len("/files/") :]
	return None


def disk_path(site_path: Path, file_url: str) -> Path | None:
	key = url_key(file_url)
	if key is None or not key[1] or ".." in Path(key[1]).parts:
		return None
	return Path(site_path).joinpath(*FOLDERS[key[0]], key[1])


PROBE = os.fsencode(PROBE_PREFIX)  # filesystem.writable's own probe files are not uploads


def tree(root: bytes) -> Iterator[tuple[bytes, bytes, os.stat_result]]:
	"""(folder relative to root with a trailing slash or b"", name, stat) of every regular file under root,
	streaming; bytes throughout, so names that are not UTF-8 pass unharmed, and one folder's files come
	together (callers account per folder once)."""
	stack = [b""]
	while stack:
		folder = stack.pop()
		try:
			with os.scandir(root + b"/" + folder if folder else root) as entries:
				for entry in entries:
					try:
						if entry.is_file(follow_symlinks=False):
							if not entry.name.startswith(PROBE):
								yield folder, entry.name, entry.stat(follow_symlinks=False)
						elif entry.is_dir(follow_symlinks=False):
							stack.append(folder + entry.name + b"/")
					except OSError:
						continue
		except OSError:
			continue


def walk(root: Path) -> Iterator[tuple[str, os.stat_result]]:
	"""(path relative to root, stat) of every regular file under root, streaming (no list of names); a
	name that is not UTF-8 comes escaped (\\xff), so it can be printed, stored and looked up safely."""
	for folder, name, st in tree(os.fsencode(root)):
		yield _path(folder + name), st


def readable_by(st: os.stat_result, uid: int, gids: set[int]) -> bool:
	"""Whether the bench's user may read a file, from its mode bits (root reads anything, so no access())."""
	if uid == 0:
		return True
	if st.st_uid == uid:
		return bool(st.st_mode & stat.S_IRUSR)
	if st.st_gid in gids:
		return bool(st.st_mode & stat.S_IRGRP)
	return bool(st.st_mode & stat.S_IROTH)


def bench_user(site_path: Path) -> tuple[int, set[int]]:
	"""The user the bench runs as: the owner of the site folder, and that user's groups."""
	st = os.stat(site_path)
	try:
		import pwd

		name = pwd.getpwuid(st.st_uid).pw_name
		gids = set(os.getgrouplist(name, st.st_gid))
	except (KeyError, ImportError, OSError):
		gids = {st.st_gid}
	return st.st_uid, gids


class Smallest:
	"""The `limit` items with the smallest keys, in bounded memory: samples of the rare findings, sorted."""

	def __init__(self, limit: int):
		self.limit, self.items = limit, []

	def add(self, key: bytes, item) -> None:
		self.items.append((key, item))
		if len(self.items) >= 2 * self.limit + 64:
			self.items = self._smallest()

	def _smallest(self) -> list:
		return sorted(self.items, key=lambda entry: entry[0])[: self.limit]

	def result(self) -> list:
		return [item for _, item in self._smallest()]


def scan(ctx, samples: int = 20, timeout_s: float = 600) -> ScanResult:
	"""Compare every File record of the site with every file in its files folders.

	Both sides go, as bytes and in batches, into two unindexed SQLite tables; one index each, then the
	two NOT EXISTS counts. Rare findings (privacy, readability) are counted and sampled on the way in."""
	started = time.perf_counter()
	result = ScanResult()
	unreadable, privacy = Smallest(samples), Smallest(samples)
	with tempfile.TemporaryDirectory(prefix="diag-files-") as work:
		db = sqlite3.connect(os.path.join(work, "scan.db"))
		db.executescript(
			"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-8000;"
			"CREATE TABLE disk (key BLOB, size INT); CREATE TABLE rec (key BLOB, name TEXT);"
		)
		for batch in _disk_batches(ctx.site_path, result, unreadable):
			db.executemany("INSERT INTO disk VALUES (?, ?)", batch)
		for batch in _record_batches(ctx, result, privacy, timeout_s):
			db.executemany("INSERT INTO rec VALUES (?, ?)", batch)
		db.executescript("CREATE INDEX disk_key ON disk (key); CREATE INDEX rec_key ON rec (key);")
		_compare(db, result, samples)
		db.close()
	result.samples["wrong_privacy"] = privacy.result()
	result.samples["unreadable"] = unreadable.result()
	result.seconds = round(time.perf_counter() - started, 2)
	return result


def _disk_batches(site_path: Path, result: ScanResult, unreadable: Smallest) -> Iterator[list]:
	uid, gids = bench_user(site_path)
	batch = []
	for parts in FOLDERS.values():
		prefix = "/".join(parts).encode() + b"/"
		current, usage = None, None
		for folder, name, st in tree(os.fsencode(Path(site_path).joinpath(*parts))):
			if folder is not current:
				current, shown = folder, _path(prefix + folder).rstrip("/")
				usage = result.per_folder.setdefault(shown, {"files": 0, "bytes": 0})
			key = prefix + folder + name
			usage["files"] += 1
			usage["bytes"] += st.st_size
			if not readable_by(st, uid, gids):
				result.unreadable += 1
				unreadable.add(key, _path(key))
			batch.append((key, st.st_size))
			if len(batch) >= BATCH:
				yield batch
				batch = []
	yield batch
	result.files_on_disk = sum(u["files"] for u in result.per_folder.values())
	result.disk_bytes = sum(u["bytes"] for u in result.per_folder.values())


def _record_batches(ctx, result: ScanResult, privacy: Smallest, timeout_s: float) -> Iterator[list]:
	import pymysql

	conn = ctx.connect_db(timeout_s=timeout_s)
	try:
		with conn.cursor(pymysql.cursors.SSCursor) as cur:
			# bytes, not text: no decoding of a million URLs, and compared with the names on disk as bytes
			cur.execute(
				"SELECT name, is_private, CAST(file_url AS BINARY) FROM `tabFile` WHERE is_folder = 0"
			)
			batch = []
			for name, is_private, url in cur:
				result.records += 1
				url = (url or b"").strip()
				if url.startswith(b"/private/files/"):
					key, private_url = url[1:], True
				elif url.startswith(b"/files/"):
					key, private_url = b"public" + url, False
				else:
					result.external += bool(url)
					continue
				if bool(is_private) != private_url:
					result.wrong_privacy += 1
					privacy.add(key, {"file": name, "path": _path(key), "is_private": int(bool(is_private))})
				batch.append((key, name))
				if len(batch) >= BATCH:
					yield batch
					batch = []
			yield batch
	finally:
		conn.close()


def _compare(db, result: ScanResult, limit: int) -> None:
	def rows(query: str) -> list:
		return db.execute(query + f" ORDER BY key LIMIT {int(limit)}").fetchall()

	missing = "FROM rec WHERE NOT EXISTS (SELECT 1 FROM disk WHERE disk.key = rec.key)"
	orphans = "FROM disk WHERE NOT EXISTS (SELECT 1 FROM rec WHERE rec.key = disk.key)"
	result.missing = db.execute(f"SELECT COUNT(*) {missing}").fetchone()[0]
	result.orphans, result.orphan_bytes = db.execute(
		f"SELECT COUNT(*), COALESCE(SUM(size), 0) {orphans}"
	).fetchone()
	result.samples = {
		"missing": [{"file": n, "path": _path(k)} for n, k in rows(f"SELECT name, key {missing}")],
		"orphans": [{"path": _path(k), "bytes": s} for k, s in rows(f"SELECT key, size {orphans}")],
	}


def _path(key: bytes) -> str:
	"""The path under the site folder, printable and storable: a byte that is not UTF-8 shows as \\xff."""
	return key.decode(errors="backslashreplace")


def orphan_paths(ctx, limit: int) -> list[tuple[str, int]]:
	"""(path under the site folder, bytes) of up to `limit` orphan files, sorted: the quarantine's input
	(a name that is not UTF-8 comes escaped, names no file, and is left where it is)."""
	result = scan(ctx, samples=limit)
	return [(o["path"], o["bytes"]) for o in result.samples["orphans"]]
