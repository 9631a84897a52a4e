"""Performance troubleshooter: evidence from the real services, the monitor log, deduplicated recommendations."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone

import pytest

from frappe_diagnostics.engine.result import CheckResult, Fix, Status
from frappe_diagnostics.knowledge.monitorlog import monitor_stats
from frappe_diagnostics.troubleshooters.performance import EVIDENCE, diagnose_performance, recommendations


def request(at, path, ms, site="test.local", method="GET"):
	return {
		"site": site,
		"timestamp": at.isoformat(),
		"transaction_type": "request",
		"uuid": "u",
		"request": {"ip": "127.0.0.1", "method": method, "path": path, "status_code": 200},
		"duration": int(ms * 1000),
	}


def job(at, method, ms, wait_s, site="test.local"):
	return {
		"site": site,
		"timestamp": at.isoformat(),
		"transaction_type": "job",
		"uuid": "j",
		"job": {"method": method, "scheduled": False, "wait": int(wait_s * 1e6)},
		"duration": int(ms * 1000),
	}


@pytest.fixture
def monitor_log(bench):
	now = datetime.now(timezone.utc)
	records = [
		request(now - timedelta(minutes=i % 50), "/api/method/frappe.desk.reportview.get", 100 + i)
		for i in range(100)
	]
	records += [
		request(now - timedelta(minutes=5), f"/api/resource/Sales Invoice/SINV-{i:05d}", 12_000)
		for i in range(20)
	]
	records += [job(now - timedelta(minutes=3), "erpnext.stock.repost", 500, wait_s=300) for _ in range(10)]
	records += [request(now - timedelta(days=3), "/old", 99_999)]  # outside the window
	records += [request(now, "/other-site", 99_999, site="other.local")]
	(bench.root / "logs" / "monitor.json.log").write_text(
		"\n".join(json.dumps(r) for r in records) + "\nnot json\n"
	)
	with gzip.open(bench.root / "logs" / "monitor.json.log.1.gz", "wt") as f:
		f.write(json.dumps(request(now - timedelta(hours=2), "/api/method/ping", 5)) + "\n")
	bench.conf["monitor"] = 1
	bench.write()
	return now


def test_monitor_stats_keep_only_the_site_and_the_window(bench, monitor_log):
	logs = bench.root / "logs"
	files = [logs / "monitor.json.log.1.gz", logs / "monitor.json.log"]
	stats = monitor_stats(files, since=monitor_log - timedelta(hours=24), site=bench.site)
	assert stats.requests == 121  # not the other site's request, not the one three days old
	by_key = {e.key: e for e in stats.endpoints}
	assert by_key["/api/method/frappe.desk.reportview.get"].count == 100
	assert by_key["/api/resource/Sales Invoice/:name"].count == 20
	job = next(j for j in stats.job_methods if j.key == "erpnext.stock.repost")
	assert job.count == 10 and job.wait_p95_ms == pytest.approx(300_000, rel=0.05)
	assert stats.slowest_requests[0].duration_ms == pytest.approx(12_000, rel=0.01)
	assert stats.bad_lines == 1


def test_performance_diagnosis_flags_slow_endpoints_and_queue_waits(bench, monitor_log):
	d = diagnose_performance(bench.context(), hours=24)
	by_id = {s.check_id: s for s in d.steps}
	assert [s.check_id for s in d.steps][: len(EVIDENCE)] == list(EVIDENCE)
	monitor = by_id["performance.monitor"]
	assert monitor.status is Status.CRITICAL  # the Sales Invoice endpoint's p95 is 12 s
	messages = [f.message for f in monitor.findings]
	assert "Endpoints whose 95th percentile is slow" in messages
	assert "Jobs wait long in the queue before a worker takes them" in messages
	assert by_id["performance.recommendations"].affects_status is False


def test_monitor_off_says_how_to_turn_it_on(bench):
	step = {s.check_id: s for s in diagnose_performance(bench.context()).steps}["performance.monitor"]
	assert step.status is Status.SKIPPED
	assert step.fixes[0].command == f"bench --site {bench.site} set-config monitor 1"


def test_recommendations_are_deduplicated_and_name_their_evidence():
	fix = Fix("Start the workers.", "sudo supervisorctl start all")
	steps = [
		CheckResult("jobs.workers", Status.CRITICAL, "No worker.", fixes=[fix]),
		CheckResult("jobs.queues", Status.WARNING, "Backlog.", fixes=[fix, Fix("Read failed jobs.")]),
		CheckResult("system.cpu", Status.OK, "Fine.", fixes=[Fix("never shown")]),
	]
	rec = recommendations(steps)
	assert [f.description for f in rec.fixes] == [
		"Start the workers. (asked by jobs.workers, jobs.queues)",
		"Read failed jobs. (asked by jobs.queues)",
	]
	assert [f.command for f in rec.fixes] == ["sudo supervisorctl start all", None]
	assert rec.findings == []  # the evidence is in the steps above; the tile lists each fix once


def test_a_bad_window_is_refused(bench):
	with pytest.raises(ValueError, match="between a few minutes and 31 days"):
		diagnose_performance(bench.context(), hours=0)
