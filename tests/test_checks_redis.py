"""Redis and background-job checks against real Redis servers and real RQ queues."""

from __future__ import annotations

import time

from conftest import free_port
from helpers import run_one
from rq import Queue, Worker

from frappe_diagnostics.engine.registry import registry
from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.engine.runner import run_checks
from frappe_diagnostics.engine.settings import Settings


def test_redis_cache_and_queue_are_healthy(bench, extra_redis):
	url = extra_redis()
	bench.common.update(redis_cache=url, redis_queue=url)
	bench.write()
	for check_id in ("redis.cache", "redis.queue"):
		result = run_one(bench.context(), check_id)
		assert result.status is Status.OK, result.summary
		assert result.metric("latency") < 20
		assert result.metric("version")
		assert result.metric("maxmemory") == "no limit"


def test_low_hit_rate_warns_only_when_memory_pressure_evicts_keys(bench, extra_redis):
	import redis as redis_lib

	url = extra_redis("--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru")
	bench.common["redis_cache"] = url
	bench.write()
	client = redis_lib.Redis.from_url(url)
	for _ in range(1500):
		client.get("absent")
	cold = run_one(bench.context(), "redis.cache")
	assert cold.status is Status.OK and cold.metric("hit_rate") == 0.0  # misses alone: a cold cache
	for i in range(400):
		client.set(f"filler:{i}", "x" * 20_000)
	assert int(client.info("stats")["evicted_keys"]) > 0
	pressed = run_one(bench.context(), "redis.cache")
	assert pressed.status is Status.CRITICAL  # memory at maxmemory
	messages = [f.message for f in pressed.findings]
	assert messages == [
		"Redis memory is close to maxmemory",
		"Keys are evicted for lack of memory and most lookups miss",
	]


def test_stopped_redis_port_is_critical_and_job_checks_skip(bench):
	bench.common["redis_queue"] = f"redis://127.0.0.1:{free_port()}"
	bench.write()
	run = run_checks(bench.context(), registry.select(tags=["jobs"]), settings=Settings(parallel=1))
	by_id = {r.check_id: r for r in run.results}
	assert by_id["redis.queue"].status is Status.CRITICAL
	assert "connection refused" in by_id["redis.queue"].summary
	assert "background job" in by_id["redis.queue"].findings[0].message
	# redis.queue runs first (parallel=1, registry order) and records the failure: the job checks skip
	assert by_id["jobs.queues"].status is Status.SKIPPED
	assert by_id["jobs.queues"].summary.startswith("Skipped: redis_queue is unreachable (connection refused")


def test_hung_redis_is_reported_by_its_check_and_the_run_completes(bench, silent_server):
	"""A Redis that accepts and never answers: the check's own timeout (3/4 of its budget) names it."""
	bench.common["redis_cache"] = f"redis://127.0.0.1:{silent_server.port}"
	bench.write()
	checks = [registry.get("redis.cache"), registry.get("database.connectivity")]
	run = run_checks(bench.context(), checks, settings=Settings(check_budget_ms=400))
	by_id = {r.check_id: r for r in run.results}
	assert by_id["redis.cache"].status is Status.CRITICAL
	assert by_id["redis.cache"].summary == (
		"Redis cache is unreachable: it accepted the connection but did not answer in time "
		"(Timeout reading from socket)."
	)
	assert by_id["database.connectivity"].status is Status.OK


def test_memory_limit_and_eviction_policy_of_the_queue_redis(bench, extra_redis):
	url = extra_redis("--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru")
	bench.common["redis_queue"] = url
	bench.write()
	result = run_one(bench.context(), "redis.queue", memory_warning_pct=1, memory_critical_pct=100)
	assert result.status is Status.WARNING
	messages = " ".join(f.message for f in result.findings)
	assert "evict" in messages and "maxmemory" in messages
	assert result.metric("maxmemory") == 2.0


def test_queues_count_waiting_jobs_and_flag_missing_workers(bench, redis_client):
	queue = Queue(f"{bench.bench_id}:default", connection=redis_client)
	for i in range(3):
		queue.enqueue("builtins.print", i)
	ctx = bench.context()
	result = run_one(ctx, "jobs.queues", oldest_wait_warning_s=0, oldest_wait_critical_s=3600)
	assert result.metric("default.waiting") == 3
	assert result.metric("short.waiting") == 0
	assert result.status is Status.WARNING
	assert "default 3" in result.summary
	# the tile's headline is the totals; per-queue figures come on expand
	assert [(m.name, m.value) for m in result.headline_metrics][:2] == [("waiting", 3), ("failed", 0)]
	assert [m.name for m in result.headline_metrics] == ["waiting", "failed", "oldest_wait"]
	assert [f.link for f in result.fixes] == [None, "/app/rq-job?status=failed"]
	workers = run_one(ctx, "jobs.workers")
	assert workers.status is Status.CRITICAL
	assert "default" in workers.summary


def registered_worker(bench, redis_client, name: str) -> Worker:
	"""A worker registered on every queue of the bench, as a running `bench worker` is."""
	names = [f"{bench.bench_id}:{q}" for q in ("short", "default", "long")]
	worker = Worker([Queue(n, connection=redis_client) for n in names], connection=redis_client, name=name)
	worker.register_birth()
	return worker


def test_workers_listening_on_every_queue_are_ok(bench, redis_client):
	worker = registered_worker(bench, redis_client, f"{bench.bench_id}-w1")
	try:
		result = run_one(bench.context(), "jobs.workers")
		assert result.status is Status.OK, result.summary
		assert result.metric("default.workers") == 1
	finally:
		worker.register_death()


def test_queue_counters_are_read_without_changing_the_registries(bench, redis_client):
	from rq.job import Job
	from rq.registry import StartedJobRegistry

	queue = Queue(f"{bench.bench_id}:long", connection=redis_client)
	registry_ = StartedJobRegistry(queue=queue)
	live = Job.create("builtins.print", connection=redis_client, origin=queue.name)
	live.save()
	registry_.add(live, ttl=600)
	stale = Job.create("builtins.print", connection=redis_client, origin=queue.name)
	stale.save()
	redis_client.zadd(registry_.key, {stale.id: time.time() - 60})  # its worker died a minute ago
	result = run_one(bench.context(), "jobs.queues")
	assert result.metric("long.started") == 1
	assert redis_client.zcard(registry_.key) == 2  # rq's count would have cleaned the stale one up


def test_oldest_wait_is_read_from_the_head_of_a_long_backlog(bench, redis_client):
	from datetime import datetime, timedelta, timezone

	queue = Queue(f"{bench.bench_id}:short", connection=redis_client)
	jobs = [queue.enqueue("builtins.print", i) for i in range(300)]
	then = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=40)
	redis_client.hset(jobs[0].key, "enqueued_at", then.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
	result = run_one(bench.context(), "jobs.queues", oldest_wait_warning_s=600, oldest_wait_critical_s=1800)
	assert result.metric("short.waiting") == 300
	assert 2400 <= result.metric("short.oldest_wait") < 2460
	assert result.status is Status.CRITICAL


def test_workers_whose_key_expired_are_not_counted(bench, redis_client):
	names = [f"{bench.bench_id}:{q}" for q in ("short", "default", "long")]
	worker = Worker(
		[Queue(n, connection=redis_client) for n in names],
		connection=redis_client,
		name=f"{bench.bench_id}-w2",
	)
	worker.register_birth()
	redis_client.delete(worker.key)  # the worker died without deregistering; its heartbeat key expired
	try:
		result = run_one(bench.context(), "jobs.workers")
		assert result.metric("default.workers") == 0
		assert result.status is Status.WARNING
	finally:
		worker.register_death()
