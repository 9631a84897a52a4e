"""A bench's logs/ folder: records, levels, time windows, rotated and gzip files, errors, monitor stats."""

from __future__ import annotations

import gzip
import os
import shutil
import time
from pathlib import Path

import pytest

from frappe_diagnostics.knowledge.logfiles import analyze, discover, monitor_stats
from frappe_diagnostics.knowledge.logrecords import parse_records
from frappe_diagnostics.knowledge.monitorlog import endpoint

FIXTURES = Path(__file__).parent / "data" / "knowledge" / "logs"
T10 = 1714557600.0  # 2024-05-01 10:00:00 UTC


@pytest.fixture(autouse=True)
def utc(monkeypatch):
	# frappe's log times are the server's local time: pin it so the expected epochs hold everywhere
	monkeypatch.setenv("TZ", "UTC")
	time.tzset()
	yield
	monkeypatch.undo()
	time.tzset()


@pytest.fixture
def logs(tmp_path: Path) -> Path:
	folder = tmp_path / "logs"
	shutil.copytree(FIXTURES, folder)
	older = folder / "frappe.log.2.gz"
	older.write_bytes(
		gzip.compress(b"2024-05-01 08:00:00,000 ERROR frappe Failed to send email to c@d.com for SINV-1\n")
	)
	(folder / "redis-cache.log").write_text("1:M 01 May 2024 10:00:00.000 * Ready to accept connections\n")
	for path in folder.iterdir():
		os.utime(path, (T10 + 7200, T10 + 7200))
	os.utime(older, (T10 - 3600, T10 - 3600))
	return folder


def test_discover_orders_rotations_oldest_first_and_skips_redis(logs):
	names = [f.path.name for f in discover(logs)]
	assert names[:3] == ["frappe.log.2.gz", "frappe.log.1", "frappe.log"]
	assert "redis-cache.log" not in names and "monitor.json.log" in names
	assert [f.path.name for f in discover(logs, names=["web.error.log"])] == ["web.error.log"]


def test_analyze_counts_levels_files_and_groups_errors(logs):
	digest = analyze(logs)
	assert digest.by_file == {"frappe.log": 9, "scheduler.log": 3, "web.error.log": 3, "worker.error.log": 3}
	assert digest.by_level == {"ERROR": 7, "INFO": 9, "WARNING": 1, "CRITICAL": 1}
	assert digest.errors_by_file == {"frappe.log": 5, "web.error.log": 2, "worker.error.log": 1}
	assert digest.records == 18 and digest.undated_records == 1
	assert digest.first_seen == T10 - 7200 and digest.last_seen == T10 + 3600
	deadlock = next(g for g in digest.error_groups if g.db_error_code)
	assert (deadlock.count, deadlock.db_error_code, deadlock.exception_type) == (
		3,
		1213,
		"pymysql.err.OperationalError",
	)
	assert deadlock.files == ["frappe.log", "worker.error.log"]
	assert deadlock.frames == ["erpnext.stock.stock_ledger:make_sl_entries", "frappe.database.database:sql"]
	assert deadlock.first_seen == T10 + 1.1 and deadlock.last_seen == T10 + 570.4
	assert len(deadlock.samples) == 2 and "Traceback" in deadlock.samples[0]
	assert "mariadb-deadlock" in deadlock.solutions
	email = next(g for g in digest.error_groups if g.message == "Failed to send email to ? for ?")
	assert email.count == 3 and email.exception_type == ""
	timeout = next(g for g in digest.error_groups if g.message == "WORKER TIMEOUT (?)")
	assert timeout.last_seen == T10 + 180 - 7200, "gunicorn's +0200 offset is applied"
	assert digest.distinct_errors == 4 and digest.warnings == [
		"monitor log: skipped 1 line(s) that are not JSON objects."
	]


def test_time_window_and_files_last_written_before_it(logs):
	digest = analyze(logs, since=T10, until=T10 + 600)
	assert digest.by_level == {"ERROR": 5, "INFO": 6, "WARNING": 1}
	skipped = {f.name: f.skipped for f in digest.files}
	assert skipped["frappe.log.2.gz"] == "last written before the window" and skipped["frappe.log"] is None
	assert any("carry no date" in w for w in digest.warnings)
	assert digest.monitor.requests == 4 and digest.monitor.jobs == 2


def test_gzip_truncated_and_binary_files_give_warnings_not_errors(logs):
	data = gzip.compress(("2024-05-01 10:00:00,000 INFO frappe hello\n" * 5000).encode())
	(logs / "frappe.log.3.gz").write_bytes(data[: len(data) // 2])
	(logs / "web.log").write_bytes(bytes(range(256)) * 100)
	digest = analyze(logs)
	assert any("frappe.log.3.gz: reading stopped" in w for w in digest.warnings)
	assert any("web.log: does not look like a text log" in w for w in digest.warnings)
	assert digest.by_file["frappe.log"] > 9


def test_missing_or_empty_folders(tmp_path):
	assert "not a folder" in analyze(tmp_path / "nope").warnings[0]
	assert "no log files" in analyze(tmp_path).warnings[0]


def test_long_records_keep_their_head_and_tail():
	lines = [b"2024-05-01 10:00:00,000 ERROR frappe boom", b"Traceback (most recent call last):"]
	lines += [b'  File "/b/apps/app/app/x.py", line %d, in f' % n for n in range(1000)]
	lines += [b"ValueError: the end"]
	(record,) = parse_records(lines)
	assert (
		record.text.startswith("boom")
		and record.text.endswith("ValueError: the end")
		and "\n...\n" in record.text
	)
	assert record.text.count("\n") < 400


def test_records_without_a_level_are_errors_only_with_a_traceback():
	lines = [b"2024-05-01 10:00:00,000 default: Job OK (1)", b"2024-05-01 10:00:01,000 [Job 2]: failed",
		b"Traceback (most recent call last):", b"KeyError: 'x'"]  # fmt: skip
	first, second = parse_records(lines)
	assert (first.level, first.has_level, second.level) == ("INFO", False, "ERROR")


def test_monitor_stats_per_endpoint_job_and_slowest(logs):
	stats = monitor_stats(logs / "monitor.json.log")
	assert (stats.requests, stats.jobs, stats.bad_lines) == (5, 2, 1)
	items = stats.endpoints[0]
	assert (items.key, items.count, items.p50_ms, items.p95_ms, items.errors) == (
		"/api/resource/Item/:name",
		2,
		2500.0,
		3500.0,
		1,
	)
	ping = next(e for e in stats.endpoints if e.key == "/api/method/ping")
	assert (ping.p50_ms, ping.p95_ms, ping.max_ms) == (5.0, 15.0, 15.0)
	flush = stats.job_methods[0]
	assert (flush.key, flush.count, flush.p50_ms, flush.wait_p95_ms, flush.wait_max_ms) == (
		"frappe.email.queue.flush",
		2,
		90.0,
		1200.0,
		1200.0,
	)
	assert stats.queue_wait.p50_ms == 800.0
	assert [r.duration_ms for r in stats.slowest_requests][:2] == [3500.0, 2500.0]
	assert stats.slowest_requests[0].status_code == 500 and stats.slowest_requests[0].path.startswith(
		"/api/resource/Item/"
	)
	window = monitor_stats(logs / "monitor.json.log", since=T10 + 60, until=T10 + 3600)
	assert (window.requests, window.jobs) == (2, 2)
	assert window.to_dict()["first_seen"] == "2024-05-01T10:01:00+00:00"


@pytest.mark.parametrize(
	"path,expected",
	[
		("/api/resource/Sales Invoice/SINV-0001", "/api/resource/Sales Invoice/:name"),
		("/app/sales-invoice/SINV-0001?x=1", "/app/sales-invoice/:name"),
		("/app/sales-invoice", "/app/sales-invoice"),
		("/assets/frappe/dist/js/desk.bundle.js", "/assets/*"),
		("/api/method/ping", "/api/method/ping"),
	],
)
def test_endpoints_fold_their_variable_part(path, expected):
	assert endpoint(path) == expected


def test_digest_is_json_ready(logs):
	data = analyze(logs).to_dict()
	assert {g["first_seen"] for g in data["error_groups"]} >= {
		"2024-05-01T10:00:01+00:00",
		"2024-05-01T08:00:00+00:00",
	}
	assert data["monitor"]["endpoints"][0]["key"] == "/api/resource/Item/:name"
