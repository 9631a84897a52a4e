"""System: CPU (without sleeping a second), load against cores, memory and swap."""

from __future__ import annotations

import os
import threading
import time

import psutil

from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status

_cpu_lock = threading.Lock()
_cpu_primed_at = time.monotonic()
psutil.cpu_percent(interval=None)  # prime: later calls measure since the previous one
MIN_SAMPLE_S = 0.05  # shortest window worth reading
MAX_SAMPLE_S = 10.0  # an older previous sample would average away a current spike


def cpu_percent() -> float:
	"""CPU use over the last 0.05 to 10 s: since the previous call when recent, else a fresh 50 ms window."""
	global _cpu_primed_at
	with _cpu_lock:
		elapsed = time.monotonic() - _cpu_primed_at
		if elapsed > MAX_SAMPLE_S:
			psutil.cpu_percent(interval=None)
			elapsed = 0.0
		if elapsed < MIN_SAMPLE_S:
			time.sleep(MIN_SAMPLE_S - elapsed)
		value = psutil.cpu_percent(interval=None)
		_cpu_primed_at = time.monotonic()
	return value


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
	status = max(
		probe.graded(pct, probe.threshold("cpu_warning_pct"), probe.threshold("cpu_critical_pct")),
		probe.graded(
			per_core, probe.threshold("load_warning_per_core"), probe.threshold("load_critical_per_core")
		),
		key=lambda s: s.rank,
	)
	metrics = [
		Metric("cpu", round(pct, 1), "%"),
		Metric("cores", cores, "cores"),
		Metric("load_1m", round(load1, 2)),
		Metric("load_5m", round(load5, 2)),
		Metric("load_15m", round(load15, 2)),
		Metric("load_per_core", round(per_core, 2)),
	]
	summary = f"CPU {pct:.0f}% busy; load {load1:.2f} / {load5:.2f} / {load15:.2f} on {cores} cores."
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
		Metric("available", round(vm.available / 2**30, 2), "GiB"),
		Metric("available_pct", round(available_pct, 1), "%"),
		Metric("swap_used", round(swap.used / 2**30, 2), "GiB"),
		Metric("swap_used_pct", round(swap.percent, 1), "%"),
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
