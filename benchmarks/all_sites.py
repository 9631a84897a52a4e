"""Every site of one bench: 50 scratch sites (each its own database on the local MariaDB, the shared Redis),
all checked by `frappe-diagnostics check --all-sites`; wall time and peak load.

    python benchmarks/all_sites.py                    # 50 sites, --parallel 4
    python benchmarks/all_sites.py --sites 20 --parallel 1,4,8

Peak load is sampled every 50 ms while the command runs: the database connections it adds
(Threads_connected over the idle count), the command's resident memory and its CPU time. The sites and
their databases are removed afterwards. Also shown: how fifty hourly sites' scheduled runs spread over
the hour (fleet/stagger.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the tests' scratch sites


def threads_connected(conn) -> int:
	with conn.cursor() as cur:
		cur.execute("SHOW GLOBAL STATUS LIKE 'Threads_connected'")
		return int(cur.fetchone()[1])


def measure(bench: Path, parallel: int, root) -> dict:
	idle = threads_connected(root)
	cmd = [sys.executable, "-m", "frappe_diagnostics.cli", "check", "--all-sites", "--bench", str(bench)]
	cmd += ["--json", "--parallel", str(parallel), "--total-budget-s", "600", "--fail-on", "never"]
	peak = {"connections": 0, "rss_mb": 0.0}
	done = threading.Event()
	started = time.perf_counter()
	proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
	watched = psutil.Process(proc.pid)

	def sample():
		while not done.is_set():
			try:
				peak["rss_mb"] = max(peak["rss_mb"], watched.memory_info().rss / 2**20)
				peak["cpu_s"] = sum(watched.cpu_times()[:2])
			except psutil.Error:
				pass
			peak["connections"] = max(peak["connections"], threads_connected(root) - idle)
			time.sleep(0.05)

	sampler = threading.Thread(target=sample, daemon=True)
	sampler.start()
	out, _err = proc.communicate(timeout=900)
	wall = time.perf_counter() - started
	done.set()
	sampler.join(2)
	data = json.loads(out)
	return {
		"parallel": parallel,
		"wall_s": wall,
		"sites": len(data["sites"]),
		"statuses": Counter(s["status"] for s in data["sites"]),
		"services_checked": {name: len(run["results"]) for name, run in data["services"].items()},
		**peak,
	}


def stagger_spread(sites: int) -> tuple[int, int]:
	from frappe_diagnostics.fleet.stagger import offset_s

	minutes = Counter(offset_s(f"site{i:03d}.example.com", 60) // 60 for i in range(sites))
	return len(minutes), max(minutes.values())


def main(argv=None) -> int:
	from conftest import Bench, root_connection
	from stored_sites import add_site, create_site_db, drop_site_db

	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--sites", type=int, default=50)
	parser.add_argument("--parallel", default="4", help="comma-separated: one measurement each")
	args = parser.parse_args(argv)
	root = root_connection()
	dbs = []
	try:
		t0 = time.perf_counter()
		dbs = [create_site_db(root, "_diagfleet") for _ in range(args.sites)]
		with tempfile.TemporaryDirectory() as tmp:
			bench = Bench(Path(tmp) / "frappe-bench", dbs[0], site="site000.local")
			for i, db in enumerate(dbs[1:], start=1):
				add_site(bench, f"site{i:03d}.local", db)
			print(
				f"built a bench of {args.sites} sites in {time.perf_counter() - t0:.1f} s; "
				f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
			)
			for parallel in (int(p) for p in args.parallel.split(",")):
				r = measure(bench.root, parallel, root)
				print(
					f"--parallel {parallel}: {r['sites']} sites in {r['wall_s']:.2f} s "
					f"({r['sites'] / r['wall_s']:.1f} sites/s); peak +{r['connections']} database connections, "
					f"{r['rss_mb']:.0f} MB RSS, {r.get('cpu_s', 0):.1f} s CPU; statuses {dict(r['statuses'])}; "
					f"shared services checked once: {r['services_checked']}"
				)
	finally:
		for db in dbs:
			drop_site_db(root, db)
		root.close()
	distinct, most = stagger_spread(args.sites)
	print(
		f"scheduled hourly runs of {args.sites} sites start in {distinct} different minutes, at most {most} in one"
	)
	return 0


if __name__ == "__main__":
	raise SystemExit(main())
