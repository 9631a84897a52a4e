"""Frappe's monitor.json.log (site_config "monitor": 1): request and job timings, one JSON object a line.

	{"duration": 5021, "request": {"method": "GET", "path": "/api/method/ping", "status_code": 200, ...},
	 "site": "site1.local", "timestamp": "2024-05-01 10:00:00.123456+00:00", "transaction_type": "request"}
	{"duration": 90211, "job": {"method": "frappe.email.queue.flush", "scheduled": true, "wait": 1200}, ...}

Durations and waits are microseconds in the log and milliseconds here. Quantiles come from LogHistograms.
"""

from __future__ import annotations

import heapq
import json
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from frappe_diagnostics.knowledge.quantiles import LogHistogram
from frappe_diagnostics.knowledge.sources import ReadReport, display_name, read_lines
from frappe_diagnostics.knowledge.timewindow import TimeLike, Window, iso

MAX_KEYS = 2000  # endpoints or job methods tracked; the rest are counted under "(other)"
_DOC_PATH = re.compile(r"^(/api/(?:resource|v2/document)/[^/]+)/.+$|^(/app/[^/]+)/.+$")
_STATIC = ("/assets/", "/files/", "/private/files/", "/socket.io/")


@dataclass
class TimingStats:
	key: str
	count: int
	p50_ms: float
	p95_ms: float
	max_ms: float
	total_ms: float
	errors: int = 0  # requests answered 5xx
	wait_p50_ms: float | None = None  # jobs: time queued before a worker took them
	wait_p95_ms: float | None = None
	wait_max_ms: float | None = None


@dataclass
class SlowRequest:
	timestamp: float | None
	site: str
	method: str
	path: str
	status_code: int | None
	duration_ms: float
	uuid: str = ""

	def to_dict(self) -> dict[str, Any]:
		return {**asdict(self), "timestamp": iso(self.timestamp)}


@dataclass
class MonitorStats:
	requests: int = 0
	jobs: int = 0
	endpoints: list[TimingStats] = field(default_factory=list)  # by total time, worst first
	job_methods: list[TimingStats] = field(default_factory=list)
	slowest_requests: list[SlowRequest] = field(default_factory=list)
	queue_wait: TimingStats | None = None  # all jobs together
	first_seen: float | None = None
	last_seen: float | None = None
	bad_lines: int = 0
	bytes_read: int = 0
	warnings: list[str] = field(default_factory=list)

	def to_dict(self) -> dict[str, Any]:
		data = asdict(self)
		data["first_seen"], data["last_seen"] = iso(self.first_seen), iso(self.last_seen)
		data["slowest_requests"] = [r.to_dict() for r in self.slowest_requests]
		return data


class _Timing:
	__slots__ = ("errors", "hist", "wait")

	def __init__(self) -> None:
		self.hist, self.wait, self.errors = LogHistogram(), None, 0


def monitor_stats(
	sources: str | os.PathLike | list,
	since: TimeLike = None,
	until: TimeLike = None,
	top: int | None = 20,
	slowest: int = 10,
	site: str | None = None,
) -> MonitorStats:
	"""p50/p95 per endpoint and per job method, the slowest requests and job queue waits in a window.

	`sources` is a monitor.json.log path (plain or gzip), a binary file object, or a list of them.
	A bench logs every site into one file: `site` keeps only that site's entries.
	"""
	window = Window.of(since, until)
	stats = MonitorStats()
	endpoints: dict[str, _Timing] = {}
	methods: dict[str, _Timing] = {}
	waits = LogHistogram()
	heap: list[tuple[float, int, dict]] = []
	for source in sources if isinstance(sources, list | tuple) else [sources]:
		report = ReadReport(display_name(source))
		for line in read_lines(source, report):
			entry = _entry(line)
			if entry is None:
				stats.bad_lines += line.strip() != b""
				continue
			ts = _timestamp(entry.get("timestamp"))
			if (window.bounded and not window.contains(ts)) or (
				site and entry.get("site") not in (None, site)
			):
				continue
			if ts is not None:
				stats.first_seen = ts if stats.first_seen is None else min(stats.first_seen, ts)
				stats.last_seen = ts if stats.last_seen is None else max(stats.last_seen, ts)
			duration = _ms(entry.get("duration"))
			if entry.get("transaction_type") == "request" or "request" in entry:
				stats.requests += 1
				request = entry.get("request") or {}
				status = request.get("status_code")
				timing = _slot(endpoints, endpoint(str(request.get("path") or "?")))
				timing.hist.add(duration)
				timing.errors += isinstance(status, int) and status >= 500
				item = (duration, stats.requests, {"entry": entry, "ts": ts})
				if len(heap) < slowest:
					heapq.heappush(heap, item)
				elif heap and duration > heap[0][0]:
					heapq.heapreplace(heap, item)
			elif "job" in entry:
				stats.jobs += 1
				job = entry.get("job") or {}
				timing = _slot(methods, str(job.get("method") or "?"))
				timing.hist.add(duration)
				wait = _ms(job.get("wait"))
				timing.wait = timing.wait or LogHistogram()
				timing.wait.add(wait)
				waits.add(wait)
		stats.bytes_read += report.bytes_read
		stats.warnings.extend(report.messages())
	if stats.bad_lines:
		stats.warnings.append(f"monitor log: skipped {stats.bad_lines:,} line(s) that are not JSON objects.")
	stats.endpoints = _ranked(endpoints, top)
	stats.job_methods = _ranked(methods, top)
	stats.slowest_requests = [_slow(item) for item in sorted(heap, reverse=True)]
	stats.queue_wait = _timing("(all jobs)", waits) if waits.count else None
	return stats


def endpoint(path: str) -> str:
	"""A request path with its variable part folded: /api/resource/Item/ITEM-001 -> /api/resource/Item/:name."""
	path = path.split("?", 1)[0] or "/"
	for prefix in _STATIC:
		if path.startswith(prefix):
			return prefix + "*"
	found = _DOC_PATH.match(path)
	if found:
		return (found.group(1) or found.group(2)) + "/:name"
	return path[:200]


def _entry(line: bytes) -> dict | None:
	if not line.startswith(b"{"):
		return None
	try:
		entry = json.loads(line)
	except ValueError:
		return None
	return entry if isinstance(entry, dict) else None


def _timestamp(value) -> float | None:
	if not isinstance(value, str):
		return None
	try:
		stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
	except ValueError:
		return None
	return stamp.timestamp()


def _ms(microseconds) -> float:
	return microseconds / 1000.0 if isinstance(microseconds, int | float) else 0.0


def _slot(table: dict[str, _Timing], key: str) -> _Timing:
	timing = table.get(key)
	if timing is None:
		if len(table) >= MAX_KEYS:
			key = "(other)"
			timing = table.get(key)
		if timing is None:
			timing = table[key] = _Timing()
	return timing


def _ranked(table: dict[str, _Timing], top: int | None) -> list[TimingStats]:
	ranked = sorted(table.items(), key=lambda item: -item[1].hist.total)
	out = []
	for key, timing in ranked if top is None else ranked[:top]:
		stats = _timing(key, timing.hist)
		stats.errors = timing.errors
		if timing.wait is not None:
			stats.wait_p50_ms, stats.wait_p95_ms = timing.wait.quantile(0.5), timing.wait.quantile(0.95)
			stats.wait_max_ms = timing.wait.max
		out.append(stats)
	return out


def _timing(key: str, hist: LogHistogram) -> TimingStats:
	return TimingStats(key, hist.count, hist.quantile(0.5), hist.quantile(0.95), hist.max, hist.total)


def _slow(item: tuple[float, int, dict]) -> SlowRequest:
	duration, _, data = item
	entry = data["entry"]
	request = entry.get("request") or {}
	status = request.get("status_code")
	return SlowRequest(
		timestamp=data["ts"],
		site=str(entry.get("site") or ""),
		method=str(request.get("method") or ""),
		path=str(request.get("path") or "")[:500],
		status_code=status if isinstance(status, int) else None,
		duration_ms=duration,
		uuid=str(entry.get("uuid") or ""),
	)
