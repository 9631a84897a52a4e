"""A bench's queues and workers from RQ's own Redis keys: one pipelined round trip plus one per busy queue.

Keys as RQ 1.x writes them: rq:queue:<name> (a list of job ids, oldest first), rq:wip:<name> and
rq:failed:<name> (sorted sets), rq:workers (a set of worker keys, each a hash with `queues`).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from frappe_diagnostics.observe.snapshot import BenchSnapshot, QueueState


def read_queues(client, bench_id: str, queue_types: list[str], now: float | None = None) -> BenchSnapshot:
	"""Waiting, started and failed jobs, the oldest waiting job's age and live workers per queue type."""
	now = time.time() if now is None else now
	snap = BenchSnapshot(bench_id)
	names = [f"{bench_id}:{q}" for q in queue_types]
	pipe = client.pipeline(transaction=False)
	for name in names:
		pipe.llen(f"rq:queue:{name}")
		pipe.zcard(f"rq:wip:{name}")
		pipe.zcard(f"rq:failed:{name}")
		pipe.lindex(f"rq:queue:{name}", 0)
	pipe.smembers("rq:workers")
	replies = pipe.execute()
	listening = _workers(client, replies[-1])
	for i, (qtype, name) in enumerate(zip(queue_types, names, strict=True)):
		waiting, started, failed, first = replies[i * 4 : i * 4 + 4]
		oldest = _age(client, first, now) if first else None
		snap.queues.append(
			QueueState(qtype, int(waiting), int(started), int(failed), oldest, listening.get(name, 0))
		)
	return snap


def _workers(client, keys) -> dict[str, int]:
	"""Live workers per queue name: a worker whose hash has expired (no heartbeat) is not counted."""
	keys = sorted(keys or ())
	if not keys:
		return {}
	pipe = client.pipeline(transaction=False)
	for key in keys:
		pipe.hget(key, "queues")
	counts: dict[str, int] = {}
	for queues in pipe.execute():
		for name in (queues or b"").decode("utf-8", "replace").split(","):
			if name:
				counts[name] = counts.get(name, 0) + 1
	return counts


def _age(client, job_id: bytes, now: float) -> float | None:
	raw = client.hget(f"rq:job:{job_id.decode('utf-8', 'replace')}", "enqueued_at")
	if not raw:
		return None
	try:
		stamp = datetime.fromisoformat(raw.decode().replace("Z", "+00:00"))
	except ValueError:
		return None
	if stamp.tzinfo is None:
		stamp = stamp.replace(tzinfo=timezone.utc)
	return max(0.0, now - stamp.timestamp())
