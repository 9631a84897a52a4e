"""Redis cache and Redis queue: reachable, latency, memory against maxmemory, hit rate, eviction policy."""

from __future__ import annotations

import statistics
import time

from frappe_diagnostics.engine.probe import ServiceUnavailable
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status

THRESHOLDS = {
	"latency_warning_ms": 20,
	"latency_critical_ms": 200,
	"memory_warning_pct": 80,
	"memory_critical_pct": 95,
	"hit_rate_warning_pct": 70,
	"min_lookups": 1000,
}
ROLE = {
	"cache": "Without the cache every request goes to the database and logins/sessions fail.",
	"queue": "Without the queue no background job, email or scheduled event runs.",
}


def redis_check(probe, kind: str):
	url_key = f"redis_{kind}"
	if not probe.site.redis_url(kind):
		return probe.skipped(f"{url_key} is not set in common_site_config.json.")
	try:
		client = probe.redis(kind)
		timings = []
		for _ in range(3):
			t0 = time.perf_counter()
			client.ping()
			timings.append((time.perf_counter() - t0) * 1000)
		info = client.info()
	except ServiceUnavailable as e:
		return _unreachable(probe, kind, e.reason)
	except Exception as e:
		reason = _reason(e)
		probe.resources.note_failure(url_key, reason)
		return _unreachable(probe, kind, reason)
	return _assess(probe, kind, statistics.median(timings), info)


def _assess(probe, kind, latency, info):
	used = int(info.get("used_memory", 0))
	limit = int(info.get("maxmemory", 0))
	policy = str(info.get("maxmemory_policy", ""))
	hits, misses = int(info.get("keyspace_hits", 0)), int(info.get("keyspace_misses", 0))
	lookups = hits + misses
	hit_rate = 100.0 * hits / lookups if lookups else None
	usage = 100.0 * used / limit if limit else None

	metrics = [
		Metric("latency", round(latency, 2), "ms", headline=True),
		Metric("used_memory", round(used / 2**20, 1), "MiB", headline=True),
		Metric("maxmemory", round(limit / 2**20, 1) if limit else "no limit", "MiB" if limit else ""),
		Metric(
			"hit_rate",
			round(hit_rate, 1) if hit_rate is not None else "n/a",
			"%" if hit_rate is not None else "",
		),
		Metric("evicted_keys", int(info.get("evicted_keys", 0)), "keys"),
		Metric("version", str(info.get("redis_version", "?"))),
	]
	statuses, findings, fixes = [Status.OK], [], []
	lat = probe.graded(latency, probe.threshold("latency_warning_ms"), probe.threshold("latency_critical_ms"))
	if lat is not Status.OK:
		statuses.append(lat)
		findings.append(Finding("Redis is slow to answer PING", {"median_ms": round(latency, 1)}))
		fixes.append(Fix("Check the Redis host's CPU and whether a slow command blocks it (SLOWLOG GET)."))
	if usage is not None:
		mem = probe.graded(
			usage, probe.threshold("memory_warning_pct"), probe.threshold("memory_critical_pct")
		)
		if mem is not Status.OK:
			statuses.append(mem)
			findings.append(Finding("Redis memory is close to maxmemory", {"used_pct": round(usage, 1)}))
			fixes.append(
				Fix(
					"Raise maxmemory in this Redis server's config, or find what fills it (redis-cli --bigkeys)."
				)
			)
	if kind == "queue" and limit and policy != "noeviction":
		statuses.append(Status.WARNING)
		findings.append(
			Finding("The queue Redis may evict keys: queued jobs can vanish", {"maxmemory_policy": policy})
		)
		fixes.append(
			Fix(
				"Set maxmemory-policy noeviction on the queue Redis.",
				command="redis-cli config set maxmemory-policy noeviction",
			)
		)
	evicted = int(info.get("evicted_keys", 0))
	if kind == "cache" and evicted and hit_rate is not None and lookups >= probe.threshold("min_lookups"):
		if hit_rate < probe.threshold("hit_rate_warning_pct"):
			statuses.append(Status.WARNING)
			evidence = {"hit_rate_pct": round(hit_rate, 1), "lookups": lookups, "evicted_keys": evicted}
			findings.append(Finding("Keys are evicted for lack of memory and most lookups miss", evidence))
			fixes.append(
				Fix(
					"Give the cache Redis more memory (maxmemory in its config, e.g. config/redis_cache.conf)."
				)
			)
	status = max(statuses, key=lambda s: s.rank)
	mem_text = f"{used / 2**20:.1f} MiB" + (f" of {limit / 2**20:.0f} MiB" if limit else " (no maxmemory)")
	hit_text = f", hit rate {hit_rate:.0f}%" if hit_rate is not None and kind == "cache" else ""
	summary = f"Redis {kind} answers in {latency:.1f} ms, uses {mem_text}{hit_text}."
	return probe.result(status, summary, metrics=metrics, findings=findings, fixes=fixes)


def _unreachable(probe, kind, reason):
	return probe.result(
		Status.CRITICAL,
		f"Redis {kind} is unreachable: {reason}.",
		findings=[Finding(ROLE[kind], {"setting": f"redis_{kind}"})],
		fixes=[
			Fix(
				f"Start the Redis {kind} server (in production it runs under supervisor or systemd).",
				command="sudo supervisorctl start all  # or: bench start (development)",
			)
		],
	)


def _reason(error: Exception) -> str:
	name = type(error).__name__
	text = str(error) or name
	if "Timeout" in name:
		return f"it accepted the connection but did not answer in time ({text})"
	if "refused" in text.lower():
		return f"connection refused ({text})"
	if "AuthenticationError" in name or "NOAUTH" in text or "WRONGPASS" in text:
		return f"authentication failed ({text})"
	return f"{name}: {text}"


@check("redis.cache", title="Redis cache", tags=("redis", "cache", "startup"), thresholds=THRESHOLDS)
def redis_cache(probe):
	return redis_check(probe, "cache")


@check("redis.queue", title="Redis queue", tags=("redis", "jobs", "startup"), thresholds=THRESHOLDS)
def redis_queue(probe):
	return redis_check(probe, "queue")
