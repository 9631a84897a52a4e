"""Prometheus metrics from stored results and cheap counters, parsed back with prometheus_client's parser."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
import redis
from conftest import REDIS_URL, Bench, free_port
from prometheus_client.parser import text_string_to_metric_families
from stored_sites import add_site, create_site_db, drop_site_db, store_run

from frappe_diagnostics.observe.exposition import render
from frappe_diagnostics.observe.snapshot import CheckState, SiteSnapshot, StoredRun


def samples(text: str) -> dict[tuple, float]:
	"""(metric name, sorted label items) -> value, for every sample of an exposition."""
	found = {}
	for family in text_string_to_metric_families(text):
		for s in family.samples:
			found[(s.name, tuple(sorted(s.labels.items())))] = s.value
	return found


def value(found: dict, name: str, **labels) -> float:
	return found[("frappe_diagnostics_" + name, tuple(sorted(labels.items())))]


@pytest.fixture(scope="module")
def stored_db(root_db):
	db = create_site_db(root_db)
	yield db
	drop_site_db(root_db, db)


@pytest.fixture
def stored_bench(tmp_path, stored_db, root_db):
	bench = Bench(tmp_path / "frappe-bench", stored_db)
	yield bench
	with root_db.cursor() as cur:
		cur.execute(f"USE `{stored_db['name']}`")
		for table in ("tabDiagnostic Run", "tabDiagnostic Result", "tabError Group"):
			cur.execute(f"DELETE FROM `{table}`")
	client = redis.Redis.from_url(REDIS_URL)
	keys = list(client.scan_iter(f"*{bench.bench_id}*", count=1000))
	if keys:
		client.delete(*keys)


def utc_naive(seconds_ago: float) -> datetime:
	return (datetime.now(timezone.utc) - timedelta(seconds=seconds_ago)).replace(tzinfo=None)


def test_a_scrape_shows_the_stored_run_not_a_fresh_one(stored_bench, stored_db, root_db):
	results = {"database.connectivity": "OK", "redis.queue": "Critical", "system.cpu": "Error"}
	store_run(root_db, stored_db, "OK", {"database.connectivity": "OK"}, utc_naive(7200))
	store_run(root_db, stored_db, "Critical", results, utc_naive(120))
	with root_db.cursor() as cur:
		cur.execute(f"USE `{stored_db['name']}`")
		cur.executemany(
			"INSERT INTO `tabError Group` VALUES (%s, %s, %s)",
			[
				("g1", "Open", utc_naive(600)),
				("g2", "Open", utc_naive(86400)),
				("g3", "Resolved", utc_naive(60)),
			],
		)
	backups = stored_bench.site_path / "private" / "backups"
	backups.mkdir(parents=True)
	dump = backups / "20261130_010000-test_local-database.sql.gz"
	dump.write_bytes(b"x")
	os.utime(dump, (time.time() - 3600, time.time() - 3600))
	stored_bench.conf["diagnostics_debug"] = {
		"log": "DFL-1",
		"started": time.time(),
		"expires": time.time() + 600,
	}
	stored_bench.write()

	done = stored_bench.cli("metrics", "--bench", str(stored_bench.root))
	assert done.returncode == 0, done.stderr
	found = samples(done.stdout)
	site = stored_bench.site
	# redis is up on this machine: the scrape reports what was stored, it never runs the checks
	assert value(found, "check_status", site=site, check="redis.queue", status="critical") == 1
	for other in ("ok", "warning", "error", "skipped"):
		assert value(found, "check_status", site=site, check="redis.queue", status=other) == 0
	assert value(found, "check_status", site=site, check="system.cpu", status="error") == 1
	assert value(found, "check_duration_seconds", site=site, check="database.connectivity") == 0.005
	assert value(found, "run_status", site=site, status="critical") == 1
	assert 120 <= value(found, "run_age_seconds", site=site) < 600
	assert value(found, "check_errors", site=site) == 1
	assert value(found, "error_groups_open", site=site) == 2
	assert value(found, "error_groups_new_last_hour", site=site) == 2  # g1 and g3, whatever their status
	assert 3600 <= value(found, "backup_age_seconds", site=site) < 4000
	assert value(found, "debug_session_active", site=site) == 1
	assert not [k for k in found if k[0] == "frappe_diagnostics_collector_failed"]


def test_queues_and_workers_come_from_rq_keys(stored_bench):
	from rq import Queue, Worker
	from rq.registry import FailedJobRegistry

	conn = redis.Redis.from_url(REDIS_URL)
	queue = Queue(f"{stored_bench.bench_id}:default", connection=conn)
	jobs = [queue.enqueue("os.getcwd") for _ in range(3)]
	FailedJobRegistry(queue=queue).add(jobs[0], ttl=600, exc_string="boom")
	queue.remove(jobs[0])
	worker = Worker([queue], connection=conn, name=f"w-{stored_bench.bench_id}")
	worker.register_birth()
	try:
		done = stored_bench.cli("metrics", "--bench", str(stored_bench.root))
	finally:
		worker.register_death()
	found = samples(done.stdout)
	bench_id = stored_bench.bench_id
	assert value(found, "queue_waiting_jobs", bench=bench_id, queue="default") == 2
	assert value(found, "queue_failed_jobs", bench=bench_id, queue="default") == 1
	assert value(found, "queue_waiting_jobs", bench=bench_id, queue="short") == 0
	assert value(found, "workers_alive", bench=bench_id, queue="default") == 1
	assert value(found, "workers_alive", bench=bench_id, queue="long") == 0
	assert value(found, "queue_oldest_job_age_seconds", bench=bench_id, queue="default") < 300


def test_one_broken_site_is_named_and_the_others_still_report(stored_bench, stored_db, root_db):
	store_run(root_db, stored_db, "OK", {"database.connectivity": "OK"}, utc_naive(60))
	add_site(stored_bench, "broken.local", {"name": stored_db["name"], "password": "wrong-password"})
	done = stored_bench.cli("metrics", "--bench", str(stored_bench.root))
	found = samples(done.stdout)
	assert value(found, "collector_failed", site="broken.local", collector="database") == 1
	assert value(found, "run_status", site=stored_bench.site, status="ok") == 1
	assert "wrong-password" not in done.stdout + done.stderr


def test_textfile_for_node_exporter(stored_bench, stored_db, root_db, tmp_path):
	store_run(root_db, stored_db, "Warning", {"system.memory": "Warning"}, utc_naive(30))
	target = tmp_path / "frappe.prom"
	done = stored_bench.cli("metrics", "--bench", str(stored_bench.root), "--textfile", str(target))
	assert done.returncode == 0, done.stderr
	found = samples(target.read_text())
	assert value(found, "check_status", site=stored_bench.site, check="system.memory", status="warning") == 1


def test_served_metrics_need_the_bearer_token(stored_bench, stored_db, root_db):
	store_run(root_db, stored_db, "OK", {"database.connectivity": "OK"}, utc_naive(30))
	port = free_port()
	env = {**os.environ, "DIAG_METRICS_TOKEN": "scrape-secret-1234"}
	cmd = [sys.executable, "-m", "frappe_diagnostics.cli", "metrics", "--bench", str(stored_bench.root)]
	server = subprocess.Popen([*cmd, "--port", str(port)], env=env, stderr=subprocess.PIPE)
	url = f"http://127.0.0.1:{port}/metrics"
	try:
		deadline = time.monotonic() + 20
		while True:
			try:
				urllib.request.urlopen(url, timeout=2)
			except urllib.error.HTTPError as e:
				assert e.code == 401
				break
			except OSError:
				assert time.monotonic() < deadline, "the metrics server did not start"
				time.sleep(0.1)
		request = urllib.request.Request(url, headers={"Authorization": "Bearer scrape-secret-1234"})
		with urllib.request.urlopen(request, timeout=5) as response:
			assert response.status == 200
			found = samples(response.read().decode())
		assert value(found, "run_status", site=stored_bench.site, status="ok") == 1
	finally:
		server.terminate()
		server.wait(10)


def test_exposition_escapes_hostile_label_values():
	weird = 'we"ird\\site\nname'
	run = StoredRun("DR-1", "warning", 1_700_000_000.0, 0.1, [CheckState('my"check', "warning", 0.2)])
	text = render([SiteSnapshot(weird, run=run)], now=1_700_000_060.0).decode()
	found = samples(text)
	assert value(found, "check_status", site=weird, check='my"check', status="warning") == 1
	assert value(found, "run_age_seconds", site=weird) == 60
	assert "\nname" not in text  # the newline is escaped: no sample is split over two lines
