"""Wall time of the standalone startup doctor, interpreter start included: N fresh processes.

    python benchmarks/doctor_wall.py                                   # a throw-away local site
    python benchmarks/doctor_wall.py --bench ~/frappe-bench --site site1.local --compare-bench-doctor

Target: under 0.5 s median on a healthy site (`bench doctor` takes about 2.6 s and reports far less).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from health_run import p95, throwaway_site

TARGET_S = 0.5


def wall(cmd: list[str], cwd: Path, runs: int) -> list[float]:
	times = []
	for _ in range(runs):
		t0 = time.perf_counter()
		subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
		times.append(time.perf_counter() - t0)
	return times


def report(label: str, times: list[float]) -> float:
	median = statistics.median(times)
	print(f"{label:<44} median {median:.3f} s   p95 {p95(times):.3f} s   ({len(times)} runs)")
	return median


def measure(bench: Path, site: str, runs: int, compare: bool) -> int:
	doctor = [sys.executable, "-m", "frappe_diagnostics.cli", "doctor", "--bench", str(bench), "--site", site]
	median = report("frappe-diagnostics doctor (standalone)", wall(doctor, bench, runs))
	if compare and shutil.which("bench"):
		report("bench doctor", wall(["bench", "doctor"], bench, min(runs, 5)))
	verdict = "meets" if median < TARGET_S else "MISSES"
	print(f"\nthe standalone doctor {verdict} the {TARGET_S} s target")
	return 0


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("-n", "--runs", type=int, default=10)
	parser.add_argument("--bench", type=Path)
	parser.add_argument("--site")
	parser.add_argument(
		"--compare-bench-doctor", action="store_true", help="also time `bench doctor` (needs bench)"
	)
	args = parser.parse_args(argv)
	if args.bench:
		return measure(args.bench.resolve(), args.site, args.runs, args.compare_bench_doctor)
	with throwaway_site() as (bench, site):
		return measure(bench, site, args.runs, False)


if __name__ == "__main__":
	raise SystemExit(main())
