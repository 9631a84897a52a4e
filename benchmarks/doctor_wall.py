"""Wall time of the standalone startup doctor, interpreter start included: N fresh processes.

    python benchmarks/doctor_wall.py                                   # a throw-away local site
    python benchmarks/doctor_wall.py --busy 4                          # ... with 4 busy processes running
    python benchmarks/doctor_wall.py --bench ~/frappe-bench --site site1.local --compare-bench-doctor

Target: under 0.5 s median on a healthy site (`bench doctor` takes about 2.6 s and reports far less), and
exit 0 (no check cut off by its budget) however busy the machine is. Every figure is printed with the
machine state it was taken in: cores, load average and CPU use by other processes before the runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from health_run import p95, throwaway_site

TARGET_S = 0.5


def wall(cmd: list[str], cwd: Path, runs: int) -> tuple[list[float], list[int]]:
	times, codes = [], []
	for _ in range(runs):
		t0 = time.perf_counter()
		done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
		times.append(time.perf_counter() - t0)
		codes.append(done.returncode)
	return times, codes


def cut_off(doctor: list[str], cwd: Path) -> list[str]:
	"""The checks of one doctor run that overran their budget (the failure the budget exists for)."""
	done = subprocess.run([*doctor, "--json"], cwd=cwd, capture_output=True, text=True, check=False)
	data = json.loads(done.stdout)
	results = [r for part in data.values() for r in part["results"]]
	return [r["check_id"] for r in results if "was cut off" in r["summary"]]


def machine_state() -> str:
	busy = psutil.cpu_percent(interval=1.0)
	load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
	return f"{os.cpu_count()} cores, CPU {busy:.0f}% busy, load average {load} (1/5/15 min)"


@contextlib.contextmanager
def busy_processes(count: int):
	"""`count` processes spinning on the CPU while the doctor is timed (a loaded machine, on purpose)."""
	procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
	try:
		yield
	finally:
		for proc in procs:
			proc.kill()
			proc.wait()


def report(label: str, times: list[float]) -> float:
	median = statistics.median(times)
	print(f"{label:<44} median {median:.3f} s   p95 {p95(times):.3f} s   ({len(times)} runs)")
	return median


def measure(bench: Path, site: str, runs: int, compare: bool, busy: int = 0) -> int:
	doctor = [sys.executable, "-m", "frappe_diagnostics.cli", "doctor", "--bench", str(bench), "--site", site]
	with busy_processes(busy):
		print(f"machine: {machine_state()}{f' ({busy} busy processes started)' if busy else ''}")
		times, codes = wall(doctor, bench, runs)
		cut = cut_off(doctor, bench)
	median = report("frappe-diagnostics doctor (standalone)", times)
	print(f"exit codes: {sorted(set(codes))} (the site's own state decides them)")
	print(f"checks cut off by their budget in a run under the same load: {', '.join(cut) or 'none'}")
	if compare and shutil.which("bench"):
		report("bench doctor", wall(["bench", "doctor"], bench, min(runs, 5))[0])
	verdict = "meets" if median < TARGET_S else "MISSES"
	print(f"\nthe standalone doctor {verdict} the {TARGET_S} s target")
	return 0


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("-n", "--runs", type=int, default=10)
	parser.add_argument("--busy", type=int, default=0, help="start this many busy processes while timing")
	parser.add_argument("--bench", type=Path)
	parser.add_argument("--site")
	parser.add_argument(
		"--compare-bench-doctor", action="store_true", help="also time `bench doctor` (needs bench)"
	)
	args = parser.parse_args(argv)
	if args.bench:
		return measure(args.bench.resolve(), args.site, args.runs, args.compare_bench_doctor, args.busy)
	with throwaway_site() as (bench, site):
		return measure(bench, site, args.runs, False, args.busy)


if __name__ == "__main__":
	raise SystemExit(main())
