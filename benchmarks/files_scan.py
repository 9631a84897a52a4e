"""Wall time and peak memory of the files consistency scan (`diagnostics files`, step files.scan).

    python benchmarks/files_scan.py                        # 1,000,000 File rows and ~1,000,000 files
    python benchmarks/files_scan.py --rows 100000          # a quick run
    python benchmarks/files_scan.py --rows 100000 --rows 1000000   # grows one data set: memory stays flat
    python benchmarks/files_scan.py --repeat 3             # three scans of the same data (noisy machines)

Builds a Frappe-shaped `tabFile` in a throw-away database and a throw-away bench folder whose files
folders hold empty files (names of many shapes: spaces, unicode, emoji, quotes, dot files, long names;
a quarter flat in files/ as Frappe stores them, the rest in 500 subfolders, some nested), with 1 % of
records missing on disk, 1 % orphan files, 0.5 % wrong privacy, 0.5 % remote URLs, 0.5 % folder records.
Each scan runs in a fresh process; its counts are checked against what was planted. Everything is
removed afterwards, also on failure or Ctrl-C. Target: under 30 s for 1M, peak RSS flat.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from health_run import root_connection, throwaway_site

TARGET_S = 30
BATCH = 5000
TABLE = """CREATE TABLE `tabFile` (
	`name` varchar(255) NOT NULL, `creation` datetime(6), `modified` datetime(6), `modified_by` varchar(255),
	`owner` varchar(255), `docstatus` int(1) NOT NULL DEFAULT 0, `parent` varchar(255),
	`parentfield` varchar(255), `parenttype` varchar(255), `idx` int(8) NOT NULL DEFAULT 0,
	`file_name` varchar(140), `file_url` longtext, `module` varchar(255), `attached_to_name` varchar(140),
	`file_size` bigint(20) NOT NULL DEFAULT 0, `attached_to_doctype` varchar(140),
	`is_private` int(1) NOT NULL DEFAULT 0, `file_type` varchar(140), `is_home_folder` int(1) NOT NULL DEFAULT 0,
	`is_attachments_folder` int(1) NOT NULL DEFAULT 0, `thumbnail_url` text, `folder` varchar(255),
	`is_folder` int(1) NOT NULL DEFAULT 0, `attached_to_field` varchar(140), `old_parent` varchar(140),
	`content_hash` varchar(140), `uploaded_to_dropbox` int(1) NOT NULL DEFAULT 0,
	`uploaded_to_google_drive` int(1) NOT NULL DEFAULT 0, `_user_tags` text, `_comments` text, `_assign` text,
	`_liked_by` text, PRIMARY KEY (`name`), KEY `parent` (`parent`),
	KEY `attached_to_doctype_attached_to_name_index` (`attached_to_doctype`, `attached_to_name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC"""
INSERT = (
	"INSERT INTO `tabFile` (name, creation, modified, modified_by, owner, file_name, file_url, is_private, "
	"is_folder, file_size, folder, attached_to_doctype, attached_to_name, file_type) "
	"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"  # only %s: one statement per batch
)
STAMP = ("2024-03-01 10:00:00", "2024-03-01 10:00:00", "Administrator", "Administrator")
SHAPES = (
	"invoice-{i:07d}.pdf",
	"Scan 2024-03-01 {i} (1).jpg",
	"Rechnung_Müller_Größe_{i}.pdf",
	"报告_季度_{i}.xlsx",
	"photo 😀 {i}.PNG",
	"weird #{i} 50% & 'quote' [x].csv",
	".hidden-{i}",
	"cafe\u0301 {i}.txt",  # a decomposed é
	"long-{i}-" + "n" * 180 + ".txt",
	"UPPER.Case.{i}.JPG",
)


def planted(i: int) -> tuple[str, str, str, int, int]:
	"""(case, kind, path under the files folder, record is_private, is_folder) of row i: deterministic."""
	case = {0: "missing", 1: "missing", 2: "orphan", 3: "orphan", 4: "privacy", 5: "remote", 6: "folder"}
	case = case.get(i % 200, "ok")
	kind = "private" if i % 5 == 0 else "public"
	folder = "" if i % 4 == 0 else f"d{i % 500:03d}/" + ("deep/er/" if i % 7 == 0 else "")
	path = folder + SHAPES[i % len(SHAPES)].format(i=i)
	private = int(kind == "private") ^ int(case == "privacy")
	return case, kind, path, private, int(case == "folder")


def record(i: int) -> tuple:
	case, kind, path, private, _ = planted(i)
	# 10 hex digits like Frappe's hash names, but rising with i: InnoDB appends instead of splitting pages
	name = format(i, "07x") + format(i * 2654435761 % 4096, "03x")
	if case in ("folder", "orphan"):  # a folder record; an orphan's file on disk has no record
		return (f"Home/{name}", *STAMP, name, None, 0, 1, 0, "Home", None, None, None)
	if case == "remote":
		url = f"https://cdn.example.com/{path}"
	else:
		url = ("/private/files/" if kind == "private" else "/files/") + path
	attached = ("Sales Invoice", f"SINV-{i:07d}") if i % 3 else (None, None)
	file_name = path.rsplit("/", 1)[-1][:140]
	return (
		name,
		*STAMP,
		file_name,
		url,
		private,
		0,
		i % 100_000,
		"Home/Attachments",
		*attached,
		path[-3:].upper(),
	)


def expected(rows: int) -> Counter:
	counts = Counter(planted(i)[0] for i in range(rows))
	return Counter(
		records=rows - counts["folder"] - counts["orphan"],
		external=counts["remote"],
		missing=counts["missing"],
		orphans=counts["orphan"],
		wrong_privacy=counts["privacy"],
		files_on_disk=rows - counts["missing"] - counts["remote"] - counts["folder"],
	)


def build(site_path: Path, db, start: int, stop: int) -> None:
	"""Add rows and files start..stop-1; the database inserts one batch while the next files are made."""
	made: set[Path] = set()
	batch, pending = [], None
	insert = ThreadPoolExecutor(1)
	for i in range(start, stop):
		case, kind, path, _, _ = planted(i)
		if case not in ("missing", "remote", "folder"):
			target = site_path / kind / "files" / path
			if target.parent not in made:
				target.parent.mkdir(parents=True, exist_ok=True)
				made.add(target.parent)
			if case == "orphan" and i % 400 == 2:  # copied in from an old system: a latin-1 name
				target = bytes(target.parent) + b"/" + target.name.encode("latin-1")
			os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
		batch.append(record(i))
		if len(batch) >= BATCH:
			if pending:
				pending.result()
			pending, batch = insert.submit(db.cursor().executemany, INSERT, batch), []
	for job in (pending, insert.submit(db.cursor().executemany, INSERT, batch)):
		if job:
			job.result()
	insert.shutdown()


def rss_mb() -> float:
	return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def scan_here(bench: str, site: str) -> None:
	"""The measured side, in its own process: one scan, its counts, wall time and peak RSS as JSON."""
	from frappe_diagnostics.checks import files_scan
	from frappe_diagnostics.engine.context import StandaloneContext

	ctx = StandaloneContext(Path(bench), site)
	before, cpu = rss_mb(), time.process_time()
	t0 = time.perf_counter()
	result = files_scan.scan(ctx)
	seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu
	keys = ("records", "external", "missing", "orphans", "wrong_privacy", "files_on_disk")
	counts = {k: getattr(result, k) for k in keys}
	print(
		json.dumps(
			{"seconds": seconds, "cpu": cpu, "rss_before_mb": before, "peak_rss_mb": rss_mb(), **counts}
		)
	)


def measure(bench: Path, site: str) -> dict:
	cmd = [sys.executable, __file__, "--scan-only", str(bench), site]
	scratch = (
		bench / "tmp"
	)  # the scan's SQLite file lives in the bench folder: removed with it, even if killed
	scratch.mkdir(exist_ok=True)
	env = {**os.environ, "TMPDIR": str(scratch)}
	done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
	if done.returncode:
		raise SystemExit(f"the scan failed:\n{done.stderr}")
	return json.loads(done.stdout)


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument(
		"--rows", type=int, action="append", help="File rows (repeat to grow one data set); default 1000000"
	)
	parser.add_argument("--repeat", type=int, default=1, help="scans per size (the median is judged)")
	parser.add_argument("--scan-only", nargs=2, metavar=("BENCH", "SITE"), help=argparse.SUPPRESS)
	args = parser.parse_args(argv)
	if args.scan_only:
		scan_here(*args.scan_only)
		return 0
	return run(sorted(set(args.rows or [1_000_000])), max(1, args.repeat))


def run(sizes: list[int], repeat: int) -> int:
	signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill cleans up too, like Ctrl-C
	runs = {}
	with throwaway_site() as (bench, site):
		site_path = bench / "sites" / site
		db = root_connection()  # utf8mb4, PyMySQL's default
		try:
			db.cursor().execute(
				f"USE `{json.loads((site_path / 'site_config.json').read_text())['db_name']}`"
			)
			db.cursor().execute(TABLE)
			built = 0
			print(
				f"{'rows':>10} {'files':>10} {'build s':>8} {'scan s':>7} {'CPU s':>6} {'RSS MB':>15}  counts"
			)
			for rows in sizes:
				t0 = time.perf_counter()
				build(site_path, db, built, rows)
				built, build_s = rows, time.perf_counter() - t0
				scans = [report(rows, build_s, measure(bench, site)) for _ in range(repeat)]
				runs[rows] = sorted(scans, key=lambda g: g["seconds"])[len(scans) // 2]  # the median run
		finally:
			db.close()
			print("removing the scratch database and files ...", flush=True)
	return verdict(runs)


def report(rows: int, build_s: float, got: dict) -> dict:
	want = expected(rows)
	got["ok"] = all(got[k] == v for k, v in want.items())
	rss = f"{got['rss_before_mb']:.1f} -> {got['peak_rss_mb']:.1f}"
	print(
		f"{rows:>10,} {got['files_on_disk']:>10,} {build_s:>8.1f} {got['seconds']:>7.1f} {got['cpu']:>6.1f} "
		f"{rss:>15}  {'as planted' if got['ok'] else f'WRONG: {got} != {dict(want)}'}",
		flush=True,
	)
	return got


def verdict(runs: dict[int, dict]) -> int:
	"""0 when every count is as planted, runs of 1M+ rows take under 30 s per 1M, and peak RSS from
	100k rows up grows by less than a quarter (below that, SQLite's fixed page cache is still filling)."""
	wrong = [rows for rows, got in runs.items() if not got["ok"]]
	slow = [r for r, got in runs.items() if r >= 1_000_000 and got["seconds"] >= TARGET_S * r / 1_000_000]
	peaks = [got["peak_rss_mb"] for rows, got in sorted(runs.items()) if rows >= 100_000]
	growing = len(peaks) > 1 and peaks[-1] > 1.25 * peaks[0]
	print(f"counts: {'WRONG at ' + str(wrong) if wrong else 'as planted'}")
	print(
		f"time: {'MISSES' if slow else 'meets'} the {TARGET_S} s per 1M rows target (judged at 1M rows and up)"
	)
	if len(peaks) > 1:
		print(f"memory: peak RSS {peaks[0]} -> {peaks[-1]} MB: {'GROWS' if growing else 'flat'}")
	return 1 if wrong or slow or growing else 0


if __name__ == "__main__":
	raise SystemExit(main())
