"""The analysers on any file, with no bench: slowlog and logs on files named one by one, explain on a
database named in the environment; their new options (--top N|all, --order-by, --until, filters)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from frappe_diagnostics.troubleshooters.catalog import BadInput, Input

ENTRY = """# User@Host: {user}[{user}] @ localhost [127.0.0.1]
# Thread_id: 1  Schema: {db}  QC_hit: No
# Query_time: {seconds}  Lock_time: 0.000100  Rows_sent: 1  Rows_examined: {examined}
SET timestamp={ts};
{sql};
"""
T0 = 1_714_554_000  # 2024-05-01 09:00:00 UTC


def slow_log(path: Path, entries) -> Path:
	path.write_text("".join(ENTRY.format(**e) for e in entries))
	return path


@pytest.fixture
def two_logs(tmp_path):
	a = slow_log(
		tmp_path / "host-a-slow.log",
		[
			{
				"user": "u1",
				"db": "site1",
				"seconds": 5.0,
				"examined": 900,
				"ts": T0,
				"sql": "SELECT * FROM `tabItem` WHERE name = 'a'",
			},
			{
				"user": "u1",
				"db": "site1",
				"seconds": 0.5,
				"examined": 10,
				"ts": T0 + 60,
				"sql": "SELECT 1 FROM `tabUser` WHERE name = 'x'",
			},
			{
				"user": "u1",
				"db": "site1",
				"seconds": 0.5,
				"examined": 10,
				"ts": T0 + 61,
				"sql": "SELECT 1 FROM `tabUser` WHERE name = 'y'",
			},
		],
	)
	b = slow_log(
		tmp_path / "host-b-slow.log.1",
		[
			{
				"user": "u2",
				"db": "site2",
				"seconds": 0.5,
				"examined": 10,
				"ts": T0 + 120,
				"sql": "SELECT 1 FROM `tabUser` WHERE name = 'z'",
			},
			{
				"user": "u2",
				"db": "site2",
				"seconds": 9.0,
				"examined": 5,
				"ts": T0 + 7200,
				"sql": "SELECT * FROM `tabItem` WHERE name = 'late'",
			},
		],
	)
	return [a, b]


def cli(*args, cwd, env=None):
	"""The console script in a fresh interpreter, from a folder that is no bench."""
	cmd = [sys.executable, "-m", "frappe_diagnostics.cli", *map(str, args)]
	return subprocess.run(
		cmd, capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})}, timeout=60
	)


def groups(done) -> list[dict]:
	"""The digest's groups; these runs pass --fail-on never, so the exit code says only that it answered."""
	assert done.returncode == 0, done.stderr
	return json.loads(done.stdout)["groups"]


def test_slowlog_reads_files_from_anywhere_as_one_log(two_logs, tmp_path):
	found = groups(
		cli("slowlog", *two_logs, "--since", "2024-01-01", "--json", "--fail-on", "never", cwd=tmp_path)
	)
	assert [(g["count"], round(g["total_time"], 1)) for g in found] == [(2, 14.0), (3, 1.5)]
	assert found[0]["databases"] == ["site1", "site2"] and found[0]["users"] == ["u1", "u2"]
	assert found[0]["p50_time"] == pytest.approx(5.0, rel=0.05) and found[0]["max_time"] == 9.0


def test_slowlog_options(two_logs, tmp_path):
	base = ["slowlog", *two_logs, "--since", "2024-01-01", "--json", "--fail-on", "never"]
	by_count = groups(cli(*base, "--order-by", "count", "--top", "1", cwd=tmp_path))
	assert [g["count"] for g in by_count] == [3]
	by_max = groups(cli(*base, "--order-by", "max", cwd=tmp_path))
	assert by_max[0]["max_time"] == 9.0
	until = groups(cli(*base, "--until", "2024-05-01T09:30:00+00:00", cwd=tmp_path))
	assert [(g["count"], g["total_time"]) for g in until] == [(1, 5.0), (3, 1.5)]  # 11:00 is after the window
	site2 = groups(cli(*base, "--filter-db", "site2", cwd=tmp_path))
	assert sorted(g["count"] for g in site2) == [1, 1]
	u1 = groups(cli(*base, "--filter-user", "u1", "--top", "all", cwd=tmp_path))
	assert sorted(g["count"] for g in u1) == [1, 2]


def test_slowlog_report_reads_like_pt_query_digest(two_logs, tmp_path):
	done = cli("slowlog", *two_logs, "--since", "2024-01-01", "--top", "all", cwd=tmp_path)
	text = done.stdout
	assert "5 slow statement(s), 15.5 s in all, 2 group(s); 2 shown, ranked by total time." in text
	assert "#1  0x" in text and "#2  0x" in text
	assert "rows   examined 905 (452 a call)  sent 2 (1.0 a call)  examined:sent 452:1" in text
	assert "where  site1, site2  by u1, u2" in text
	assert "$ frappe-diagnostics explain" in text  # no bench: no `bench --site` to suggest


def test_slowlog_and_logs_without_files_or_bench_are_bad_usage(tmp_path):
	for command in ("slowlog", "logs"):
		done = cli(command, cwd=tmp_path)
		assert done.returncode == 64
		assert "No bench found" in done.stderr


LOG = """{ts},100 ERROR frappe New Exception collected in error log
Traceback (most recent call last):
  File "apps/erpnext/erpnext/stock/stock_ledger.py", line 10, in make_sl_entries
    sle_doc = make_entry(sle)
pymysql.err.OperationalError: (1213, 'Deadlock found when trying to get lock; try restarting transaction')
"""


def test_logs_on_any_file_with_errors_per_minute(tmp_path):
	app = tmp_path / "app-2024.log"
	stamps = ["2024-05-01 09:00:05", "2024-05-01 09:00:40", "2024-05-01 09:02:10", "2024-05-01 09:30:00"]
	app.write_text("".join(LOG.format(ts=t) for t in stamps) + "2024-05-01 09:01:00,000 INFO frappe fine\n")
	args = ["logs", app, "--since", "2024-05-01T08:00:00+00:00", "--until", "2024-05-01T09:10:00+00:00"]
	data = json.loads(cli(*args, "--json", cwd=tmp_path).stdout)
	assert data["errors_per_minute"] == {
		"2024-05-01T09:00:00+00:00": 2,
		"2024-05-01T09:02:00+00:00": 1,
	}
	text = cli(*args, cwd=tmp_path, env={"TZ": "UTC"}).stdout
	assert "Errors per minute (UTC, 2024-05-01 09:00 to 09:02):" in text
	assert "  09:00  " + "█" * 40 + " 2" in text
	assert "  09:01\n" in text
	assert "  09:02  " + "█" * 20 + " 1" in text


def test_explain_without_a_bench_uses_the_database_named_in_the_environment(tmp_path, site_db):
	from conftest import DB_HOST, DB_PORT

	env = {
		"DIAG_DB_HOST": DB_HOST,
		"DIAG_DB_PORT": str(DB_PORT),
		"DIAG_DB_USER": site_db["name"],
		"DIAG_DB_PASSWORD": site_db["password"],
		"DIAG_DB_NAME": site_db["name"],
	}
	done = cli("explain", "SELECT name FROM `tabUser` WHERE enabled = 1", "--json", cwd=tmp_path, env=env)
	data = json.loads(done.stdout)
	assert data["kind"] == "Query"
	assert [s["check_id"] for s in data["results"]][:2] == ["query.validate", "query.plan.1"]
	missing = cli("explain", "SELECT 1", cwd=tmp_path, env={"DIAG_DB_NAME": ""})
	assert missing.returncode == 64 and "DIAG_DB_NAME" in missing.stderr


@pytest.mark.parametrize(("raw", "parsed"), [("all", None), ("ALL", None), ("5", 5), (None, 20), ("", 20)])
def test_a_limit_is_a_count_or_all(raw, parsed):
	assert Input("top", "How many.", type="limit", default="20", bounds=(1, 100)).parse(raw) == parsed


def test_limits_and_lists_refuse_or_clean_bad_values():
	with pytest.raises(BadInput, match="between 1 and 100"):
		Input("top", "How many.", type="limit", bounds=(1, 100)).parse("0")
	with pytest.raises(BadInput, match="must be a number"):
		Input("top", "How many.", type="limit").parse("some")
	files = Input("files", "Files.", type="list", positional=True)
	assert files.parse(("a.log", " ", "b.log")) == ["a.log", "b.log"]
	assert files.parse(()) is None
