"""Time a metrics scrape: it reads stored results and cheap counters, never runs a check, and must stay
under 20 ms on a site with 1M Error Log rows.

    python benchmarks/metrics_scrape.py                       # a scratch site database, built here
    python benchmarks/metrics_scrape.py --error-logs 200000 -n 50
    /path/to/bench/env/bin/python benchmarks/metrics_scrape.py --bench ~/frappe-bench --site s1  # in a site
    python benchmarks/metrics_scrape.py --url https://s1/api/method/frappe_diagnostics.api.metrics.scrape \
        --token "$TOKEN"                                      # end to end over HTTP

The scratch database holds N Error Log rows (default 1,000,000), 30 days of five-minute health runs
(8,640 runs, 25 results each) and 500 Error Groups; the scrape is the bench collector's (the same SQL as
the site endpoint, over its own connection, kept between scrapes as a scraper's is).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the tests' scratch sites

TARGET_MS = 20
CHECKS = 25
RUNS = 8640


def fill(root, db: dict, error_logs: int) -> None:
	"""Rows made by INSERT … SELECT over MariaDB's sequence tables: a million in seconds."""
	now = datetime.now(timezone.utc).replace(tzinfo=None)
	with root.cursor() as cur:
		cur.execute(f"USE `{db['name']}`")
		cur.execute(
			"INSERT INTO `tabError Log` (name, creation, modified, method, error) "
			"SELECT CONCAT('EL-', seq), %s - INTERVAL seq SECOND, %s, 'frappe.handler.execute', "
			"CONCAT('Traceback (most recent call last):\\nValueError: row ', seq) FROM seq_1_to_"
			+ str(error_logs),
			(now, now),
		)
		cur.execute(
			"INSERT INTO `tabDiagnostic Run` SELECT CONCAT('DR-', seq), %s - INTERVAL seq * 5 MINUTE, "
			"'Health Check', IF(MOD(seq, 7) = 0, 'Warning', 'OK'), 'Scheduler', 0, "
			"%s - INTERVAL seq * 5 MINUTE, %s - INTERVAL seq * 5 MINUTE, 80 FROM seq_1_to_" + str(RUNS),
			(now, now, now),
		)
		cur.execute(
			"INSERT INTO `tabDiagnostic Result` SELECT CONCAT('DR-', r.seq, '-', c.seq), CONCAT('DR-', r.seq), "
			"'Diagnostic Run', CONCAT('check.', c.seq), 'OK', 5 "
			f"FROM seq_1_to_{RUNS} r JOIN seq_1_to_{CHECKS} c"
		)
		cur.execute(
			"INSERT INTO `tabError Group` SELECT CONCAT('EG-', seq), IF(MOD(seq, 3) = 0, 'Resolved', 'Open'), "
			"%s - INTERVAL seq MINUTE FROM seq_1_to_500",
			(now,),
		)


def time_collector(bench: Path, scrapes: int) -> tuple[list[float], bytes]:
	from frappe_diagnostics.observe.bench import BenchCollector
	from frappe_diagnostics.observe.exposition import render

	collector = BenchCollector(bench, parallel=1)
	timings, text = [], b""
	for i in range(scrapes + 1):
		t0 = time.perf_counter()
		now = time.time()
		sites, benches = collector.snapshots(now)
		text = render(sites, benches, now)
		if i:  # the first opens the connection
			timings.append((time.perf_counter() - t0) * 1000)
	collector.close()
	return timings, text


def time_in_site(bench: Path, site: str, scrapes: int) -> list[float]:
	import os

	import frappe

	from frappe_diagnostics.site.metrics import exposition

	os.chdir(bench / "sites")
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		exposition()
		timings = []
		for _ in range(scrapes):
			t0 = time.perf_counter()
			exposition()
			timings.append((time.perf_counter() - t0) * 1000)
		return timings
	finally:
		frappe.destroy()


def time_http(url: str, token: str | None, scrapes: int) -> list[float]:
	import urllib.request

	headers = {"Authorization": f"Bearer {token}"} if token else {}
	timings = []
	for _ in range(scrapes + 1):
		t0 = time.perf_counter()
		with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
			r.read()
		timings.append((time.perf_counter() - t0) * 1000)
	return timings[1:]


def scratch(error_logs: int, scrapes: int) -> tuple[list[float], bytes]:
	from conftest import Bench, root_connection
	from stored_sites import create_site_db, drop_site_db

	root = root_connection()
	db = create_site_db(root, "_diagscrape")
	try:
		t0 = time.perf_counter()
		fill(root, db, error_logs)
		print(
			f"built {error_logs:,} Error Logs, {RUNS:,} runs × {CHECKS} results, 500 groups in {time.perf_counter() - t0:.1f} s"
		)
		with tempfile.TemporaryDirectory() as tmp:
			return time_collector(Bench(Path(tmp) / "frappe-bench", db).root, scrapes)
	finally:
		drop_site_db(root, db)
		root.close()


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("-n", "--scrapes", type=int, default=100)
	parser.add_argument("--error-logs", type=int, default=1_000_000)
	parser.add_argument("--bench", type=Path)
	parser.add_argument("--site")
	parser.add_argument("--url")
	parser.add_argument("--token")
	args = parser.parse_args(argv)
	if args.url:
		where, timings = f"HTTP {args.url}", time_http(args.url, args.token, args.scrapes)
	elif args.bench:
		where, timings = (
			f"in site {args.site}",
			time_in_site(args.bench.expanduser(), args.site, args.scrapes),
		)
	else:
		timings, text = scratch(args.error_logs, args.scrapes)
		where = f"scratch site, {args.error_logs:,} Error Logs ({len(text):,} bytes of exposition)"
	median, worst = statistics.median(timings), max(timings)
	p95 = sorted(timings)[round(0.95 * (len(timings) - 1))]
	verdict = "ok" if median < TARGET_MS else "MISSES the target"
	print(
		f"{where}: {len(timings)} scrapes, median {median:.2f} ms, p95 {p95:.2f} ms, max {worst:.2f} ms "
		f"(target < {TARGET_MS} ms) [{verdict}]"
	)
	return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
	raise SystemExit(main())
