"""Time the full health-check set: N runs in one process; median and p95 per check and overall.

    python benchmarks/health_run.py                      # a throw-away site on the local MariaDB/Redis
    python benchmarks/health_run.py --bench ~/frappe-bench --site site1.local -n 50

Target: a full run on a healthy local site under 150 ms median.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pymysql

from frappe_diagnostics.engine.context import StandaloneContext
from frappe_diagnostics.engine.registry import registry
from frappe_diagnostics.engine.runner import run_checks

TARGET_MS = 150


def p95(values):
	ordered = sorted(values)
	return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def root_connection():
	return pymysql.connect(
		host=os.environ.get("DIAG_TEST_DB_HOST", "127.0.0.1"),
		port=int(os.environ.get("DIAG_TEST_DB_PORT", "3306")),
		user=os.environ.get("DIAG_TEST_DB_ROOT_USER", "root"),
		password=os.environ.get("DIAG_TEST_DB_ROOT_PASSWORD", ""),
		autocommit=True,
	)


@contextmanager
def throwaway_site():
	"""A bench folder and a Frappe-shaped database on the local services; removed afterwards."""
	root = root_connection()
	name, password = f"_diagbench_{secrets.token_hex(4)}", secrets.token_urlsafe(12)
	with root.cursor() as cur:
		cur.execute(f"CREATE DATABASE `{name}`")
		cur.execute(f"CREATE USER '{name}'@'%%' IDENTIFIED BY %s", (password,))
		cur.execute(f"GRANT ALL ON `{name}`.* TO '{name}'@'%'")
		cur.execute(f"USE `{name}`")
		cur.execute(
			"CREATE TABLE `tabSessions` (user varchar(140), sid varchar(140), lastupdate datetime(6))"
		)
		cur.execute(
			"CREATE TABLE `tabError Log` (name varchar(140) primary key, creation datetime(6), method varchar(140))"
		)
		cur.execute("CREATE TABLE `tabSingles` (doctype varchar(140), field varchar(140), value text)")
	try:
		with tempfile.TemporaryDirectory() as tmp:
			bench = Path(tmp) / "frappe-bench"
			site = bench / "sites" / "bench.local"
			for folder in (
				"apps",
				"logs",
				"sites/bench.local/private/files",
				"sites/bench.local/public/files",
			):
				(bench / folder).mkdir(parents=True)
			redis_url = os.environ.get("DIAG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
			common = {"redis_cache": redis_url, "redis_queue": redis_url, "bench_id": f"diagbench-{name}"}
			(bench / "sites" / "common_site_config.json").write_text(json.dumps(common))
			(site / "site_config.json").write_text(json.dumps({"db_name": name, "db_password": password}))
			yield bench, "bench.local"
	finally:
		with root.cursor() as cur:
			cur.execute(f"DROP DATABASE `{name}`")
			cur.execute(f"DROP USER '{name}'@'%'")
		root.close()


def measure(bench: Path, site: str, runs: int) -> dict:
	ctx = StandaloneContext(bench, site)
	ctx.load_settings()
	registry.load_hooks(ctx.hook_entries)
	checks = registry.all(scope="site")
	run_checks(ctx, checks)  # warm-up: imports, first connections
	overall, per_check = [], {c.id: [] for c in checks}
	statuses = {}
	for _ in range(runs):
		t0 = time.perf_counter()
		run = run_checks(ctx, checks)
		overall.append((time.perf_counter() - t0) * 1000)
		for result in run.results:
			per_check[result.check_id].append(result.duration_ms)
			statuses[result.check_id] = result.status.value
	return {"overall": overall, "per_check": per_check, "statuses": statuses}


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("-n", "--runs", type=int, default=30)
	parser.add_argument("--bench", type=Path)
	parser.add_argument("--site")
	parser.add_argument("--json", action="store_true")
	args = parser.parse_args(argv)
	if args.bench:
		data = measure(args.bench, args.site, args.runs)
	else:
		with throwaway_site() as (bench, site):
			data = measure(bench, site, args.runs)
	report = {
		"runs": args.runs,
		"overall_ms": {"median": statistics.median(data["overall"]), "p95": p95(data["overall"])},
		"checks_ms": {
			cid: {"median": statistics.median(v), "p95": p95(v), "status": data["statuses"][cid]}
			for cid, v in sorted(data["per_check"].items())
		},
		"target_median_ms": TARGET_MS,
	}
	if args.json:
		print(json.dumps(report, indent=2))
	else:
		print(f"{'check':<28} {'median ms':>10} {'p95 ms':>10}  status")
		for cid, row in report["checks_ms"].items():
			print(f"{cid:<28} {row['median']:>10.2f} {row['p95']:>10.2f}  {row['status']}")
		o = report["overall_ms"]
		verdict = "meets" if o["median"] < TARGET_MS else "MISSES"
		print(
			f"\nfull run over {args.runs} runs: median {o['median']:.1f} ms, p95 {o['p95']:.1f} ms ({verdict} the {TARGET_MS} ms target)"
		)
	return 0


if __name__ == "__main__":
	raise SystemExit(main())
