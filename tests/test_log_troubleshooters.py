"""Log analysis and the slow-log digest as troubleshooters, on real files: rotated, gzipped and damaged."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone

import pytest
from conftest import free_port

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.knowledge.timewindow import parse_since
from frappe_diagnostics.troubleshooters.logs import diagnose_logs
from frappe_diagnostics.troubleshooters.slowlog import diagnose_slowlog

DEADLOCK = """{ts} ERROR frappe New Exception collected in error log
Traceback (most recent call last):
  File "apps/erpnext/erpnext/stock/stock_ledger.py", line {n}, in make_sl_entries
    sle_doc = make_entry(sle)
pymysql.err.OperationalError: (1213, 'Deadlock found when trying to get lock; try restarting transaction')
"""


def stamp(minutes_ago: int) -> str:
	return (datetime.now() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%d %H:%M:%S,000")


@pytest.fixture
def logs(bench):
	folder = bench.root / "logs"
	lines = [f"{stamp(i)} INFO frappe request ok\n" for i in range(50)]
	lines += [DEADLOCK.format(ts=stamp(5 + i), n=100 + i) for i in range(4)]
	(folder / "frappe.log").write_text("".join(lines))
	with gzip.open(folder / "frappe.log.1.gz", "wt") as f:
		f.write(DEADLOCK.format(ts=stamp(60 * 30), n=7))  # 30 hours ago: outside a 24 h window
	(folder / "worker.error.log").write_bytes(b"\x00\x01\x02binary junk\xff\xfe" * 100)
	(folder / "web.error.log").write_text(
		"x" * (2 << 20) + "\n" + f"{stamp(1)} ERROR gunicorn worker timeout\n"
	)
	return folder


def test_logs_in_a_window_with_groups_and_solutions(bench, logs):
	d = diagnose_logs(bench.context(), since="24h")
	steps = {s.check_id: s for s in d.steps}
	assert d.kind == "Log Analysis"
	groups = steps["logs.error_groups"]
	deadlock = next(f for f in groups.findings if "OperationalError" in f.message)
	assert deadlock.evidence["count"] == 4
	# a person reads the message as logged, not the normalised form with its "?" placeholders
	assert deadlock.message == (
		"OperationalError: (1213, 'Deadlock found when trying to get lock; try restarting transaction')"
	)
	assert deadlock.evidence["solution"]
	assert any("deadlock" in (f.description + (f.command or "")).lower() or f.command for f in groups.fixes)
	read = steps["logs.read"]
	assert read.status is Status.WARNING  # binary file and a gigantic line: partial result, said so
	assert "partial" in read.summary
	wider = diagnose_logs(bench.context(), since="3d")
	deadlock_3d = next(
		f
		for f in {s.check_id: s for s in wider.steps}["logs.error_groups"].findings
		if "OperationalError" in f.message
	)
	assert deadlock_3d.evidence["count"] == 5


def test_logs_cli_works_without_a_site_and_with_the_database_down(bench, logs):
	bench.conf["db_port"] = free_port()
	bench.write()
	done = bench.cli("logs", "--bench", str(bench.root), "--since", "24h", "--json")
	data = json.loads(done.stdout)
	assert data["kind"] == "Log Analysis"
	# 4 deadlocks and a worker timeout in minutes: a few errors per hour (ok), groups and a partial read warn
	statuses = {r["check_id"]: r["status"] for r in data["results"]}
	assert statuses == {"logs.read": "warning", "logs.levels": "ok", "logs.error_groups": "warning"}
	assert done.returncode == 0 and "Traceback" not in done.stderr
	bad = bench.cli("logs", "--bench", str(bench.root), "--since", "yesterday-ish")
	assert bad.returncode == 64 and "--since takes 30m, 24h, 7d, 2w, or a date" in bad.stderr


def test_parse_since_reads_durations_dates_as_local_time_and_refuses_the_rest():
	now = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
	assert parse_since("30m", now=now) == datetime(2026, 11, 30, 11, 30, tzinfo=timezone.utc)
	assert parse_since("2w", now=now) == datetime(2026, 11, 16, 12, 0, tzinfo=timezone.utc)
	assert parse_since(6, now=now) == datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)
	local_midnight = datetime(2026, 11, 1).astimezone()  # the one convention: naive = local time
	assert parse_since("2026-11-01", now=now) == local_midnight.astimezone(timezone.utc)
	assert parse_since("2026-11-01T13:00+02:00", now=now) == datetime(2026, 11, 1, 11, 0, tzinfo=timezone.utc)
	with pytest.raises(ValueError, match="--since takes 30m, 24h"):
		parse_since("soon", now=now)
	with pytest.raises(ValueError, match="reaches too far back"):
		parse_since("99999999999d", now=now)


SLOW = """# Time: {t}
# User@Host: u[u] @ localhost [127.0.0.1]
# Thread_id: 3  Schema: site  QC_hit: No
# Query_time: {q}  Lock_time: 0.000100  Rows_sent: 1  Rows_examined: 200000
SET timestamp={ts};
select name from `tabSales Invoice` where customer = '{c}' order by posting_date desc limit 1;
"""


def test_slowlog_digest_groups_by_fingerprint_and_suggests_explain(bench, tmp_path):
	now = datetime.now(timezone.utc)
	entries = []
	for i, customer in enumerate(("ACME", "Globex", "Initech")):
		when = now - timedelta(minutes=10 * (i + 1))
		entries.append(
			SLOW.format(
				t=when.strftime("%y%m%d %H:%M:%S"), q=f"{2 + i}.0", ts=int(when.timestamp()), c=customer
			)
		)
	path = tmp_path / "slow.log"
	path.write_text("".join(entries) + "# Time: 2611")  # a truncated last entry
	d = diagnose_slowlog(bench.context(), path=str(path), since="24h")
	groups = {s.check_id: s for s in d.steps}["slowlog.groups"]
	assert groups.metric("queries") == 3 and groups.metric("fingerprints") == 1
	assert groups.status is Status.WARNING
	assert groups.findings[0].evidence["rows_examined"] == 600000
	assert groups.fixes[0].command.startswith(f"bench --site {bench.site} diagnostics explain")


def test_slowlog_missing_file_is_a_clear_error(bench, tmp_path):
	with pytest.raises(ValueError, match="does not exist"):
		diagnose_slowlog(bench.context(), path=str(tmp_path / "nope.log"))
