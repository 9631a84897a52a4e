"""Throughput and memory of the slow-log digest, side by side with pt-query-digest when it is installed.

    python benchmarks/slowlog_digest.py                 # 100 MB generated into a temp dir
    python benchmarks/slowlog_digest.py --gb            # also 1 GB (the 100 MB log streamed 10 times)
    python benchmarks/slowlog_digest.py --log /var/log/mysql/mariadb-slow.log --no-pt

Each measurement runs in a fresh process so its peak RSS is its own; tracemalloc's peak (the digest's own
allocations) comes from a second, untimed run. Targets: >= 10 MB/s on one core, peak under 60 MB, memory
flat from 100 MB to 1 GB, >= 99.5 % of queries grouped under the same query ID as pt-query-digest.
"""

from __future__ import annotations

import argparse
import io
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

from frappe_diagnostics.knowledge.slowlog import digest
from frappe_diagnostics.knowledge.sqlfingerprint import fingerprint, query_id

TARGET_MBS, TARGET_PEAK_MB, TARGET_AGREEMENT = 10.0, 60.0, 0.995


class Repeated(io.RawIOBase):
	"""A file read `times` times in a row, as one stream: 1 GB of log without 1 GB of disk."""

	def __init__(self, path: Path, times: int) -> None:
		self.path, self.left, self.handle = path, times, None

	def readable(self) -> bool:
		return True

	def readinto(self, buffer) -> int:
		while self.left:
			if self.handle is None:
				self.handle = open(self.path, "rb")
			n = self.handle.readinto(buffer)
			if n:
				return n
			self.handle.close()
			self.handle, self.left = None, self.left - 1
		return 0


def child(path: str, times: int, legacy: bool, trace: bool) -> dict:
	source = io.BufferedReader(Repeated(Path(path), times), 1 << 20) if times > 1 else path
	if trace:
		tracemalloc.start()
	started = time.perf_counter()
	result = digest(source, top=None, legacy_quotes=legacy)
	seconds = time.perf_counter() - started
	peak = tracemalloc.get_traced_memory()[1] if trace else 0
	out = {
		"seconds": seconds,
		"bytes": result.bytes_read,
		"queries": result.queries,
		"groups": {g.query_id: g.count for g in result.groups},
		"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
		"traced_mb": peak / 2**20,
		"warnings": result.warnings,
	}
	return out


def measure(path: Path, times: int, legacy: bool, trace: bool = True) -> dict:
	def run(trace: bool) -> dict:
		cmd = [sys.executable, __file__, "--child", str(path), "--times", str(times)]
		cmd += ["--legacy"] if legacy else []
		cmd += ["--trace"] if trace else []
		return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)

	timed = run(trace=False)
	timed["traced_mb"] = (
		run(trace=True)["traced_mb"] if trace else None
	)  # tracemalloc is slow: small runs only
	return timed


def pt_digest(path: Path) -> tuple[float, dict[str, int], str]:
	version = subprocess.run(["pt-query-digest", "--version"], capture_output=True, text=True).stdout.split()[
		-1
	]
	started = time.perf_counter()
	out = subprocess.run(
		["pt-query-digest", "--output", "json", "--limit", "100%:1000000", str(path)],
		capture_output=True,
		text=True,
		check=True,
	).stdout
	seconds = time.perf_counter() - started
	classes = json.loads(out[out.index("{") :])["classes"]
	return seconds, {"0x" + c["checksum"][-16:]: int(c["query_count"]) for c in classes}, version


def agreement(ours: dict[str, int], theirs: dict[str, int]) -> float:
	"""The share of pt's queries that we put under the same query ID."""
	total = sum(theirs.values())
	return sum(min(n, ours.get(qid, 0)) for qid, n in theirs.items()) / total if total else 1.0


def report(label: str, data: dict) -> None:
	mb = data["bytes"] / 1e6
	rate = mb / data["seconds"]
	print(
		f"{label:>16}: {mb:8.0f} MB  {data['queries']:>10,} queries  {data['seconds']:7.1f} s  {rate:6.1f} MB/s"
		f"  peak RSS {data['rss_mb']:5.1f} MB  traced peak {_mb(data['traced_mb'])}  "
		f"[{'ok' if rate >= TARGET_MBS and data['rss_mb'] < TARGET_PEAK_MB else 'MISSED'}]"
	)
	for warning in data["warnings"][:3]:
		print(f"{'':>18}warning: {warning}")


def _mb(value: float | None) -> str:
	return "  n/a   " if value is None else f"{value:5.1f} MB"


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--log", type=Path, help="an existing slow log (default: generate one)")
	parser.add_argument("--size-mb", type=float, default=100)
	parser.add_argument("--gb", action="store_true", help="also digest 1 GB (the log streamed 10 times)")
	parser.add_argument("--no-pt", action="store_true", help="skip pt-query-digest even if installed")
	parser.add_argument("--out", type=Path, help="where to generate (default: a temp dir, removed after)")
	parser.add_argument("--child", help=argparse.SUPPRESS)
	parser.add_argument("--times", type=int, default=1, help=argparse.SUPPRESS)
	parser.add_argument("--legacy", action="store_true", help=argparse.SUPPRESS)
	parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.child:
		print(json.dumps(child(args.child, args.times, args.legacy, args.trace)))
		return 0

	workdir = Path(args.out or tempfile.mkdtemp(prefix="slowlog-bench-"))
	try:
		path = args.log
		if path is None:
			from gen_logs import write_slow_log

			workdir.mkdir(parents=True, exist_ok=True)
			path = workdir / "mariadb-slow.log"
			started = time.perf_counter()
			entries = write_slow_log(path, int(args.size_mb * 1e6))
			print(f"generated {path} ({entries:,} entries) in {time.perf_counter() - started:.1f} s")
		has_pt = shutil.which("pt-query-digest") and not args.no_pt
		legacy = False
		if has_pt:
			version = subprocess.run(["pt-query-digest", "--version"], capture_output=True, text=True).stdout
			legacy = tuple(int(x) for x in version.split()[-1].split(".")[:2]) < (3, 4)
		print(f"one core: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; legacy quotes: {legacy}")
		base = measure(path, 1, legacy)
		report("digest", base)
		if args.gb:
			big = measure(path, 10, legacy, trace=False)
			report("digest x10", big)
			growth = big["rss_mb"] - base["rss_mb"]
			sizes = f"{base['bytes'] / 1e6:.0f} MB to {big['bytes'] / 1e6:.0f} MB"
			print(f"{'memory growth':>16}: {growth:+.1f} MB peak RSS from {sizes}")
		if has_pt:
			seconds, theirs, version = pt_digest(path)
			mb = base["bytes"] / 1e6
			share = agreement(base["groups"], theirs)
			print(
				f"{'pt-query-digest':>16}: {version}, {seconds:.1f} s, {mb / seconds:.1f} MB/s, {len(theirs)} classes"
			)
			print(f"{'side by side':>16}: ours {mb / base['seconds']:.1f} MB/s vs pt {mb / seconds:.1f} MB/s")
			verdict = "ok" if share >= TARGET_AGREEMENT else "MISSED"
			print(f"{'agreement':>16}: {share:.4%} of queries under the same query ID [{verdict}]")
		else:
			print("pt-query-digest not run (not installed, or --no-pt)")
		sample = "SELECT * FROM `tabItem` WHERE name = 'X'"
		print(f"{'example':>16}: {fingerprint(sample)!r} -> {query_id(fingerprint(sample))}")
	finally:
		if args.out is None:
			shutil.rmtree(workdir, ignore_errors=True)
	return 0


if __name__ == "__main__":
	sys.exit(main())
