"""Unusual data gives answers, never tracebacks: config files that are not UTF-8, a slow log from the far
future, windows that overflow."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from frappe_diagnostics.knowledge.slowlog import digest
from frappe_diagnostics.knowledge.timewindow import parse_since

BROKEN = b'{"db_name": "x\xff\xfey"}'  # 0xff is never UTF-8; at byte offset 14


@pytest.mark.parametrize(
	("relative", "content", "offset"),
	[
		("sites/test.local/site_config.json", BROKEN, 14),
		("sites/common_site_config.json", BROKEN, 14),
		("sites/currentsite.txt", b"test.local\xff\n", 10),
		("sites/apps.txt", b"frappe\nfrappe_diagnostics\nsh\xe9p\n", 28),
	],
)
@pytest.mark.parametrize("command", ["check", "doctor"])
def test_a_config_file_that_is_not_utf8_is_a_configuration_finding(bench, relative, content, offset, command):
	path = bench.root / relative
	path.write_bytes(content)
	site = () if relative.endswith("currentsite.txt") else ("--site", bench.site)
	done = bench.cli(command, "--bench", str(bench.root), *site, "--json")
	assert "Traceback" not in done.stderr and "UnicodeDecodeError" not in done.stderr, done.stderr
	data = json.loads(done.stdout)
	results = data["doctor"]["results"] if command == "doctor" else data["results"]
	config = next(r for r in results if r["check_id"] == "configuration.site_config")
	assert config["status"] == "critical"
	message = f"{path}: not valid UTF-8 (byte 0x{content[offset]:02x} at offset {offset})"
	assert message in [f["message"] for f in config["findings"]]
	assert done.returncode == 2


def test_a_far_future_set_timestamp_is_skipped_with_a_warning(tmp_path):
	entry = (
		"# Time: 240501 10:00:00\n# Query_time: 2.0  Lock_time: 0.0  Rows_sent: 1  Rows_examined: 10\n"
		"SET timestamp={ts};\nSELECT 1;\n"
	)
	path = tmp_path / "slow.log"
	path.write_text(
		entry.format(ts=99_999_999_999_999) + entry.format(ts=1714557600) + entry.format(ts="1e999")
	)
	result = digest(path, since="1970-01-02", until=datetime(2100, 1, 1, tzinfo=timezone.utc))
	assert result.queries == 3
	assert (
		f"{path}: 2 entries had a SET timestamp outside 1970–9999; their time was read from "
		"their '# Time:' line where there is one." in result.warnings
	)


def test_the_slowlog_command_answers_for_a_far_future_log(bench, tmp_path):
	path = tmp_path / "slow.log"
	path.write_text(
		"# Query_time: 2.0  Lock_time: 0.0  Rows_sent: 1  Rows_examined: 10\n"
		"SET timestamp=99999999999999;\nSELECT 1;\n"
	)
	done = bench.cli("slowlog", "--site", bench.site, "--path", str(path), "--since", "30d", "--json")
	assert "Traceback" not in done.stderr, done.stderr
	data = json.loads(done.stdout)
	read = next(r for r in data["results"] if r["check_id"] == "slowlog.read")
	assert read["status"] == "warning", read  # its time is unknown: it is counted, and the answer says so
	assert [g["count"] for g in data["groups"]] == [1] and done.returncode == 0  # below --fail-on


@pytest.mark.parametrize("since", ["99999999999d", "1e308d", "100000w", "9" * 400 + "h", "31y"])
def test_overflowing_windows_are_refused_with_a_message(since):
	with pytest.raises(ValueError, match="--since"):
		parse_since(since)


def test_an_overflowing_window_on_the_command_line_is_bad_usage(bench):
	done = bench.cli("logs", "--bench", str(bench.root), "--since", "99999999999d")
	assert done.returncode == 64
	assert "reaches too far back; give at most 30 years" in done.stderr
	assert "Traceback" not in done.stderr
