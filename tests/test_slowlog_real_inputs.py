"""Slow logs as real servers and tools write them (the defects D1-D8 found on percona-toolkit's corpus)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from frappe_diagnostics.knowledge.slowlog import digest, iter_queries

HEAD = "# User@Host: app[app] @ localhost []\n# Query_time: {t}  Lock_time: 0.000010  Rows_sent: 1  Rows_examined: 5\n"


def write(tmp_path: Path, text: str | bytes, name: str = "slow.log") -> Path:
	path = tmp_path / name
	path.write_bytes(text if isinstance(text, bytes) else text.encode())
	return path


def test_d1_undated_entries_are_kept_in_a_window_and_said(tmp_path):
	log = write(tmp_path, "".join(HEAD.format(t=1.5) + f"SELECT {n};\n" for n in range(3)))
	result = digest(log, since="2024-01-01", top=None)
	assert (result.queries, result.outside_window) == (3, 0)
	assert f"{log}: 3 entries carry no time" in " ".join(result.notes)


def test_d1_an_entry_without_a_time_line_inherits_the_last_one(tmp_path):
	text = "# Time: 240501 10:00:00\n" + HEAD.format(t=1) + "SELECT 1;\n" + HEAD.format(t=2) + "SELECT 2;\n"
	first, second = iter_queries(write(tmp_path, text))
	assert first.timestamp is not None and second.timestamp == first.timestamp


def test_d2_a_malformed_query_time_skips_that_field_and_warns(tmp_path):
	text = (
		"# Time: 081116 15:07:11\n# User@Host: user[user] @ host [10.1.65.120]\n"
		"# Query_time: 18446744073708.796870.000036  Lock_time: 0.000036  Rows_sent: 1  Rows_examined: 127\n"
		"SELECT * FROM mytbl;\n" + HEAD.format(t=2) + "SELECT 2;\n"
	)
	log = write(tmp_path, text)
	result = digest(log, top=None)
	assert (result.queries, result.total_time) == (2, 2.0)
	assert f"{log}: 1 header value(s) could not be read" in " ".join(result.warnings)
	bad = next(iter_queries(log))
	assert (bad.query_time, bad.lock_time, bad.rows_examined) == (0.0, 0.000036, 127)


def test_d3_query_time_is_read_from_headers_that_deviate(tmp_path):
	text = (
		"# Query_time: 0.526052  Lock_time: 0.037091  Rows_sent: 7  Rows_examined:40 \nSELECT 1;\n"
		"# Query_time: 7\nSELECT 2;\n"
	)
	first, second = iter_queries(write(tmp_path, text))
	assert (first.query_time, first.lock_time, first.rows_sent, first.rows_examined) == (
		0.526052,
		0.037091,
		7,
		40,
	)
	assert second.query_time == 7.0


def test_d4_a_trailing_blank_line_does_not_split_a_class(tmp_path):
	entry = HEAD.format(t=0.5) + "select foo;\n"
	result = digest(write(tmp_path, entry * 3 + "\n"), top=None)
	assert [(g.query_id, g.count) for g in result.groups] == [("0x7CE9953EA3A36141", 3)]


def test_d5_an_entry_that_is_only_use_db_is_kept_with_its_time(tmp_path):
	text = HEAD.format(t=0.25) + "use test_db;\n" + HEAD.format(t=0.5) + "update t set b = 1;\n"
	result = digest(write(tmp_path, text), top=None)
	assert (result.queries, result.total_time) == (2, 0.75)
	assert "0xE9800998ECF8427E" in {g.query_id for g in result.groups}  # pt-query-digest's class for it


def test_d6_the_schema_of_use_db_carries_to_later_entries(tmp_path):
	text = HEAD.format(t=1) + "use shop;\nSELECT 1;\n" + HEAD.format(t=1) + "SELECT 2;\n"
	result = digest(write(tmp_path, text), db="shop", top=None)
	assert (result.queries, result.filtered_out) == (2, 0)


def test_d7_binary_bytes_in_a_statement_keep_the_entry(tmp_path):
	text = b'# Query_time: 1\nfoo="\x1c\x02\x1d\x1f\x07\x01\x18good\x03\x16\x0e";\n'
	text += HEAD.format(t=2).encode() + b"INSERT INTO t VALUES (_binary '\x00\x01\xff');\n"
	result = digest(write(tmp_path, text), top=None)
	assert (result.queries, result.total_time, result.complete) == (2, 3.0, True)


def test_d8_json_output_is_valid_utf8_whatever_bytes_the_log_holds(tmp_path):
	log = write(tmp_path, HEAD.format(t=2).encode() + b"SELECT 'caf\xe9 \xff';\n")
	done = subprocess.run(
		[sys.executable, "-m", "frappe_diagnostics.cli", "slowlog", str(log), "--json"],
		capture_output=True,
		cwd=tmp_path,
	)
	assert done.returncode == 0, done.stderr
	data = json.loads(done.stdout.decode("utf-8"))
	assert data["groups"][0]["sample"] == "SELECT 'caf\\xe9 \\xff'"


def test_crlf_line_endings_are_read_and_said(tmp_path):
	text = (HEAD.format(t=1) + "SELECT 1;\n") * 2 + HEAD.format(t=1) + "SELECT\n  2;\n"
	log = write(tmp_path, text.replace("\n", "\r\n"))
	result = digest(log, top=None)
	assert (result.queries, [g.count for g in result.groups]) == (3, [3])
	assert f"{log}: lines end in CRLF (Windows line endings); they were read as plain newlines." in (
		result.notes
	)
