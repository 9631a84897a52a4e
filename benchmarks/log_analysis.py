"""Throughput and memory of the bench log analysis (frappe.log, web/worker error logs, monitor.json.log).

    python benchmarks/log_analysis.py                  # about 100 MB of mostly-info logs and 35 MB of
                                                       # error-dense logs, generated into a temp dir
    python benchmarks/log_analysis.py --gb             # also about 1 GB (generated; needs ~1 GB of disk)
    python benchmarks/log_analysis.py --logs ~/frappe-bench/logs

Each measurement runs in a fresh process so its peak RSS is its own. Throughput counts the bytes read
(decompressed for .gz files) per second of the process's own CPU time (wall time is shown too: on a
shared machine it measures the neighbours as well). The error-dense logs are the shape of a bench where
most records are tracebacks (about 78 % errors, ~800 bytes a record). Targets: >= 25 MB/s on one core on
both, memory flat from 100 MB to 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from frappe_diagnostics.knowledge.logfiles import analyze

TARGET_MBS = 25.0


def child(folder: str, trace: bool) -> dict:
	if trace:
		tracemalloc.start()
	started, cpu = time.perf_counter(), time.process_time()
	result = analyze(folder)
	seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
	return {
		"seconds": seconds,
		"cpu_seconds": cpu_seconds,
		"bytes": result.bytes_read,
		"records": result.records,
		"errors": sum(result.errors_by_file.values()),
		"groups": result.distinct_errors,
		"requests": result.monitor.requests if result.monitor else 0,
		"jobs": result.monitor.jobs if result.monitor else 0,
		"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
		"traced_mb": tracemalloc.get_traced_memory()[1] / 2**20 if trace else None,
		"warnings": result.warnings,
	}


def measure(folder: Path, trace: bool) -> dict:
	def run(with_trace: bool) -> dict:
		cmd = [sys.executable, __file__, "--child", str(folder)] + (["--trace"] if with_trace else [])
		return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)

	timed = run(False)
	timed["traced_mb"] = run(True)["traced_mb"] if trace else None
	return timed


def report(label: str, data: dict) -> None:
	mb = data["bytes"] / 1e6
	rate, wall = mb / data["cpu_seconds"], mb / data["seconds"]
	traced = "n/a" if data["traced_mb"] is None else f"{data['traced_mb']:.1f} MB"
	print(
		f"{label:>12}: {mb:7.0f} MB  {data['records']:>9,} records  {data['errors']:>8,} errors in "
		f"{data['groups']} groups  {data['requests'] + data['jobs']:>9,} monitor lines  "
		f"{data['cpu_seconds']:6.1f} s CPU  {rate:5.1f} MB/s (wall {wall:5.1f} MB/s)  "
		f"peak RSS {data['rss_mb']:.1f} MB  traced peak {traced}  [{'ok' if rate >= TARGET_MBS else 'MISSED'}]"
	)
	for warning in data["warnings"][:3]:
		print(f"{'':>12}warning: {warning}")


def generate(folder: Path, megabytes: float, dense: bool = False) -> None:
	from gen_logs import write_bench_logs, write_error_dense_logs

	started = time.perf_counter()
	write = write_error_dense_logs if dense else write_bench_logs
	files = write(folder, int(megabytes * 1e6))
	size = sum(f.stat().st_size for f in files) / 1e6
	print(
		f"generated {len(files)} files, {size:.0f} MB on disk, in {folder} ({time.perf_counter() - started:.1f} s)"
	)


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--logs", type=Path, help="an existing logs/ folder (default: generate one)")
	parser.add_argument("--size-mb", type=float, default=100)
	parser.add_argument("--dense-mb", type=float, default=35, help="size of the error-dense logs (0: skip)")
	parser.add_argument("--gb", action="store_true", help="also generate and analyse about 1 GB")
	parser.add_argument("--out", type=Path, help="where to generate (default: a temp dir, removed after)")
	parser.add_argument("--child", help=argparse.SUPPRESS)
	parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.child:
		print(json.dumps(child(args.child, args.trace)))
		return 0

	workdir = Path(args.out or tempfile.mkdtemp(prefix="logs-bench-"))
	try:
		print(f"one core: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
		if args.logs:
			report("logs", measure(args.logs, trace=True))
			return 0
		small = workdir / "logs-100mb"
		generate(small, args.size_mb)
		base = measure(small, trace=True)
		report("mostly info", base)
		if args.dense_mb:
			dense = workdir / "logs-dense"
			generate(dense, args.dense_mb, dense=True)
			report("error-dense", measure(dense, trace=True))
			shutil.rmtree(dense, ignore_errors=True)
		if args.gb:
			shutil.rmtree(small, ignore_errors=True)
			big = workdir / "logs-1gb"
			generate(big, args.size_mb * 10)
			large = measure(big, trace=False)
			report("~1 GB", large)
			growth = large["rss_mb"] - base["rss_mb"]
			sizes = f"{base['bytes'] / 1e6:.0f} MB to {large['bytes'] / 1e6:.0f} MB"
			print(f"{'growth':>10}: {growth:+.1f} MB peak RSS from {sizes}")
	finally:
		if args.out is None:
			shutil.rmtree(workdir, ignore_errors=True)
	return 0


if __name__ == "__main__":
	sys.exit(main())
