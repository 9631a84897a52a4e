"""Frappe's request monitor log (logs/monitor.json.log, one JSON object a line): timings per endpoint and job.

Streams the file (and its rotated .1/.gz siblings); keeps at most RESERVOIR samples per endpoint, so memory
stays bounded however long the window.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from datetime import datetime, timezone
from pathlib import Path

RESERVOIR = 5000
ID_SEGMENT = re.compile(r"/(?:[0-9a-f]{8,}|\d+|[A-Z]{2,}-[\w.-]+)(?=/|$)")


class Samples:
	"""Count, total and a uniform reservoir of values, for percentiles in bounded memory."""

	def __init__(self, rng: random.Random):
		self.n, self.total, self.values, self.rng = 0, 0.0, [], rng

	def add(self, value: float) -> None:
		self.n += 1
		self.total += value
		if len(self.values) < RESERVOIR:
			self.values.append(value)
		else:
			slot = self.rng.randrange(self.n)
			if slot < RESERVOIR:
				self.values[slot] = value

	def percentile(self, q: float) -> float:
		if not self.values:
			return 0.0
		ordered = sorted(self.values)
		return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def monitor_files(log_dir: Path) -> list[Path]:
	base = Path(log_dir) / "monitor.json.log"
	rotated = sorted(Path(log_dir).glob("monitor.json.log.*"), key=lambda p: p.name, reverse=True)
	return [p for p in [*rotated, base] if p.is_file()]


def _lines(path: Path):
	opener = gzip.open if path.suffix == ".gz" else open
	with opener(path, "rt", encoding="utf-8", errors="replace") as f:
		yield from f


def _when(record: dict) -> datetime | None:
	try:
		stamp = datetime.fromisoformat(str(record.get("timestamp")).replace("Z", "+00:00"))
	except ValueError:
		return None
	return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def endpoint(record: dict) -> str:
	request = record.get("request") or {}
	path = ID_SEGMENT.sub("/<id>", str(request.get("path") or "?"))
	return f"{request.get('method', 'GET')} {path}"


def monitor_stats(
	log_dir: Path, since: datetime | None = None, until: datetime | None = None, site: str | None = None
) -> dict:
	rng = random.Random(0)
	endpoints: dict[str, Samples] = {}
	jobs: dict[str, tuple[Samples, Samples]] = {}
	all_requests, slowest, skipped = Samples(rng), [], 0
	for path in monitor_files(log_dir):
		for line in _lines(path):
			try:
				record = json.loads(line)
			except ValueError:
				skipped += 1
				continue
			when = _when(record)
			if (
				not isinstance(record, dict)
				or when is None
				or (since and when < since)
				or (until and when > until)
			):
				continue
			if site and record.get("site") not in (None, site):
				continue
			ms = float(record.get("duration") or 0) / 1000
			if record.get("transaction_type") == "request":
				key = endpoint(record)
				endpoints.setdefault(key, Samples(rng)).add(ms)
				all_requests.add(ms)
				slowest = sorted(
					[*slowest, {"endpoint": key, "ms": round(ms, 1), "at": when.isoformat()}],
					key=lambda r: -r["ms"],
				)[:10]
			else:
				job = record.get("job") or {}
				pair = jobs.setdefault(str(job.get("method") or "?"), (Samples(rng), Samples(rng)))
				pair[0].add(ms)
				pair[1].add(float(job.get("wait") or 0) / 1e6)
	return {
		"requests": all_requests.n,
		"job_count": sum(p[0].n for p in jobs.values()),
		"request_p50_ms": round(all_requests.percentile(0.5), 1),
		"request_p95_ms": round(all_requests.percentile(0.95), 1),
		"endpoints": {
			k: {"count": s.n, "p50_ms": round(s.percentile(0.5), 1), "p95_ms": round(s.percentile(0.95), 1)}
			for k, s in sorted(endpoints.items(), key=lambda kv: -kv[1].total)[:50]
		},
		"jobs": {
			k: {
				"count": d.n,
				"p50_ms": round(d.percentile(0.5), 1),
				"p95_ms": round(d.percentile(0.95), 1),
				"wait_p95_s": round(w.percentile(0.95), 1),
			}
			for k, (d, w) in sorted(jobs.items(), key=lambda kv: -kv[1][0].total)[:50]
		},
		"slowest": slowest,
		"unreadable_lines": skipped,
	}
