"""System: CPU (without sleeping a second), load against cores, memory and swap."""

from __future__ import annotations

import os
import threading
import time

import psutil

from frappe_diagnostics.checks.verdicts import undecided
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status

_cpu_lock = threading.Lock()
_own = psutil.Process()
MIN_SAMPLE_S = 0.05  # shortest window worth reading
MAX_SAMPLE_S = 10.0  # an older sample would average away a current spike


def _sample() -> tuple[float, float, float]:
	"""(monotonic time, system busy+idle seconds, busy seconds of other processes)."""
	times = psutil.cpu_times()
	total = sum(times)
	idle = times.idle + getattr(times, "iowait", 0.0)
	own = sum(_own.cpu_times()[:2])
	return time.monotonic(), total, total - idle - own


_last = _sample()


def cpu_percent() -> float | None:
	"""CPU used by other processes over the last 0.05 to 10 s; our own work is not counted. None when
	the counters did not advance (they cannot be read, as in some containers)."""
	global _last
	with _cpu_lock:
		if time.monotonic() - _last[0] > MAX_SAMPLE_S:
			_last = _sample()
		wait = MIN_SAMPLE_S - (time.monotonic() - _last[0])
		if wait > 0:
			time.sleep(wait)
		now = _sample()
		before, _last = _last, now
	total = now[1] - before[1]
	busy = now[2] - before[2]
	return max(0.0, min(100.0, 100.0 * busy / total)) if total > 0 else None


@check(
	"system.cpu",
	title="CPU and load",
	tags=("system", "performance"),
	thresholds={
		"cpu_warning_pct": 85,
		"cpu_critical_pct": 97,
		"load_warning_per_core": 1.5,
		"load_critical_per_core": 3,
	},
	scope=("site", "host"),
)
def cpu(probe):
	pct = cpu_percent()
	cores = psutil.cpu_count() or 1
	load1, load5, load15 = os.getloadavg()
	per_core = load5 / cores
	if pct is None:
		return undecided(
			probe,
			"the CPU time counters did not advance, so CPU use cannot be measured here.",
			{"load_5m": round(load5, 2), "cores": cores},
			"Check that /proc/stat is readable by the bench's user (some containers hide it).",
		)
	status = max(
		probe.graded(pct, probe.threshold("cpu_warning_pct"), probe.threshold("cpu_critical_pct")),
		probe.graded(
			per_core, probe.threshold("load_warning_per_core"), probe.threshold("load_critical_per_core")
		),
		key=lambda s: s.rank,
	)
	metrics = [
		Metric("cpu", round(pct, 1), "%", headline=True),
		Metric("cores", cores, "cores"),
		Metric("load_1m", round(load1, 2)),
		Metric("load_5m", round(load5, 2)),
		Metric("load_15m", round(load15, 2)),
		Metric("load_per_core", round(per_core, 2), headline=True),
	]
	summary = f"CPU {pct:.0f}% busy (other processes); load {load1:.2f} / {load5:.2f} / {load15:.2f} on {cores} cores."
	if status is Status.OK:
		return probe.ok(summary, metrics=metrics)
	return probe.result(
		status,
		summary,
		metrics=metrics,
		findings=[
			Finding(
				"The machine is CPU-bound", {"cpu_pct": round(pct, 1), "load_per_core": round(per_core, 2)}
			)
		],
		fixes=[Fix("Find the busy processes (top -o %CPU); lower gunicorn/worker counts or add cores.")],
	)


@check(
	"system.memory",
	title="Memory and swap",
	tags=("system", "performance"),
	thresholds={"available_warning_pct": 15, "available_critical_pct": 5, "swap_warning_pct": 80},
	scope=("site", "host"),
)
def memory(probe):
	vm = psutil.virtual_memory()
	swap = psutil.swap_memory()
	available_pct = 100.0 * vm.available / vm.total
	status = probe.graded(
		available_pct,
		probe.threshold("available_warning_pct"),
		probe.threshold("available_critical_pct"),
		higher_is_worse=False,
	)
	findings = []
	if swap.total and swap.percent >= probe.threshold("swap_warning_pct"):
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		findings.append(Finding("Swap is nearly full", {"swap_used_pct": swap.percent}))
	metrics = [
		Metric("total", round(vm.total / 2**30, 2), "GiB"),
		Metric("available", round(vm.available / 2**30, 2), "GiB", headline=True),
		Metric("available_pct", round(available_pct, 1), "%", headline=True),
		Metric("swap_used", round(swap.used / 2**30, 2), "GiB"),
		Metric("swap_used_pct", round(swap.percent, 1), "%", headline=True),
	]
	summary = f"{vm.available / 2**30:.1f} GiB of {vm.total / 2**30:.1f} GiB memory available ({available_pct:.0f}%); swap {swap.percent:.0f}% used."
	if status is Status.OK:
		return probe.ok(summary, metrics=metrics)
	if status is not Status.OK and not findings:
		findings.append(Finding("Little memory is left", {"available_pct": round(available_pct, 1)}))
	return probe.result(
		status,
		summary,
		metrics=metrics,
		findings=findings,
		fixes=[
			Fix("Find what uses memory (ps aux --sort=-rss | head); fewer gunicorn workers, or more RAM.")
		],
	)
