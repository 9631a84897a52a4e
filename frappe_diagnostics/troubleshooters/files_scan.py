"""The full consistency scan of a site's files: File records against the files on disk, in flat memory.

Both sides are streamed (an unbuffered cursor over `tabFile`, `os.scandir` over public/ and private/files)
into a throw-away SQLite file on disk, and compared there with joins: memory stays flat whether the site
has a thousand files or a million. Framework-free.
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


def walk(root: Path) -> Iterator[tuple[str, os.stat_result]]:
	"""(path relative to root, stat) of every regular file under root, streaming (no list of names)."""
	stack = [""]
	while stack:
		relative = stack.pop()
		try:
			with os.scandir(root / relative if relative else root) as entries:
				for entry in entries:
					name = f"{relative}/{entry.name}" if relative else entry.name
					try:
						if entry.is_dir(follow_symlinks=False):
							stack.append(name)
						elif entry.is_file(follow_symlinks=False):
							yield name, entry.stat(follow_symlinks=False)
					except OSError:
						continue
		except OSError:
			continue


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


def scan(ctx, samples: int = 20, timeout_s: float = 600) -> ScanResult:
	"""Compare every File record of the site with every file in its files folders."""
	started = time.perf_counter()
	result = ScanResult()
	with tempfile.TemporaryDirectory(prefix="diag-files-") as work:
		db = sqlite3.connect(os.path.join(work, "scan.db"))
		db.executescript(
			"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-8000;"
			"CREATE TABLE disk (key TEXT PRIMARY KEY, size INT, readable INT) WITHOUT ROWID;"
			"CREATE TABLE rec (key TEXT, name TEXT, is_private INT, size INT);"
		)
		_load_disk(db, ctx.site_path, result)
		_load_records(db, ctx, result, timeout_s)
		db.execute("CREATE INDEX rec_key ON rec (key)")
		_compare(db, result, samples)
		db.close()
	result.seconds = round(time.perf_counter() - started, 2)
	return result


def _load_disk(db, site_path: Path, result: ScanResult) -> None:
	uid, gids = bench_user(site_path)
	for kind, parts in FOLDERS.items():
		root = Path(site_path).joinpath(*parts)
		batch = []
		for relative, st in walk(root):
			folder = f"{'/'.join(parts)}/{relative.rsplit('/', 1)[0] if '/' in relative else ''}".rstrip("/")
			usage = result.per_folder.setdefault(folder, {"files": 0, "bytes": 0})
			usage["files"] += 1
			usage["bytes"] += st.st_size
			result.files_on_disk += 1
			result.disk_bytes += st.st_size
			batch.append((f"{kind}:{relative}", st.st_size, int(readable_by(st, uid, gids))))
			if len(batch) >= BATCH:
				db.executemany("INSERT OR IGNORE INTO disk VALUES (?, ?, ?)", batch)
				batch.clear()
		db.executemany("INSERT OR IGNORE INTO disk VALUES (?, ?, ?)", batch)
	db.commit()


def _load_records(db, ctx, result: ScanResult, timeout_s: float) -> None:
	import pymysql

	conn = ctx.connect_db(timeout_s=timeout_s)
	try:
		with conn.cursor(pymysql.cursors.SSCursor) as cur:
			cur.execute("SELECT name, file_url, is_private, file_size FROM `tabFile` WHERE is_folder = 0")
			batch = []
			for name, file_url, is_private, size in cur:
				result.records += 1
				key = url_key(file_url)
				if key is None:
					result.external += bool(file_url)
					continue
				batch.append((f"{key[0]}:{key[1]}", name, int(is_private or 0), int(size or 0)))
				if len(batch) >= BATCH:
					db.executemany("INSERT INTO rec VALUES (?, ?, ?, ?)", batch)
					batch.clear()
			db.executemany("INSERT INTO rec VALUES (?, ?, ?, ?)", batch)
	finally:
		conn.close()
	db.commit()


def _compare(db, result: ScanResult, limit: int) -> None:
	def rows(query: str) -> list:
		return db.execute(query + f" LIMIT {int(limit)}").fetchall()

	missing = "FROM rec WHERE NOT EXISTS (SELECT 1 FROM disk WHERE disk.key = rec.key)"
	orphans = "FROM disk WHERE NOT EXISTS (SELECT 1 FROM rec WHERE rec.key = disk.key)"
	privacy = (
		"FROM rec WHERE (is_private = 1 AND key LIKE 'public:%') OR (is_private = 0 AND key LIKE 'private:%')"
	)
	result.missing = db.execute(f"SELECT COUNT(*) {missing}").fetchone()[0]
	result.orphans, result.orphan_bytes = db.execute(
		f"SELECT COUNT(*), COALESCE(SUM(size), 0) {orphans}"
	).fetchone()
	result.wrong_privacy = db.execute(f"SELECT COUNT(*) {privacy}").fetchone()[0]
	result.unreadable = db.execute("SELECT COUNT(*) FROM disk WHERE readable = 0").fetchone()[0]
	result.samples = {
		"missing": [
			{"file": n, "path": _path(k)} for n, k in rows(f"SELECT name, key {missing} ORDER BY key")
		],
		"orphans": [
			{"path": _path(k), "bytes": s} for k, s in rows(f"SELECT key, size {orphans} ORDER BY key")
		],
		"wrong_privacy": [
			{"file": n, "path": _path(k), "is_private": p}
			for n, k, p in rows(f"SELECT name, key, is_private {privacy} ORDER BY key")
		],
		"unreadable": [_path(k) for (k,) in rows("SELECT key FROM disk WHERE readable = 0 ORDER BY key")],
	}


def _path(key: str) -> str:
	kind, _, relative = key.partition(":")
	return "/".join((*FOLDERS[kind], relative))


def orphan_paths(ctx, limit: int) -> list[tuple[str, int]]:
	"""(path under the site folder, bytes) of up to `limit` orphan files, sorted: the quarantine's input."""
	result = scan(ctx, samples=limit)
	return [(o["path"], o["bytes"]) for o in result.samples["orphans"]]
