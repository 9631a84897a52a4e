"""The slow-log parser and digest on real files: plain, gzip, truncated, binary, gigantic lines."""

from __future__ import annotations

import gzip
import io
import shutil
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

import pytest

from frappe_diagnostics.knowledge import sources
from frappe_diagnostics.knowledge.slowlog import digest, iter_queries
from frappe_diagnostics.knowledge.sqlfingerprint import query_id

DATA = Path(__file__).parent / "data" / "knowledge"
SLOW_LOG = DATA / "mariadb-slow.log"
INVOICES = (
	"select `name`, `customer` from `tabsales invoice` where `customer` = ? and `docstatus` = ? "
	"order by `modified` desc limit ?"
)

ENTRY = """# Time: 240501 10:{minute:02d}:00
# User@Host: app[app] @ localhost [127.0.0.1]
# Thread_id: {n}  Schema: app  QC_hit: No
# Query_time: {seconds:.6f}  Lock_time: 0.000010  Rows_sent: 1  Rows_examined: {n}
SET timestamp={ts};
SELECT * FROM `tabItem` WHERE `name` = 'ITEM-{n}';
"""


def entries(count: int, start: int = 1714557600) -> str:
	return "".join(
		ENTRY.format(minute=n % 60, n=n, seconds=(n % 100) / 100, ts=start + n * 60)
		for n in range(1, count + 1)
	)


def test_entries_are_parsed_with_their_properties():
	found = list(iter_queries(SLOW_LOG))
	assert len(found) == 7
	first = found[0]
	assert first.query.startswith("select `name`, `customer`\nfrom `tabSales Invoice`")
	assert not first.query.endswith(";")
	assert (first.query_time, first.lock_time, first.rows_sent, first.rows_examined) == (
		2.5,
		0.0001,
		20,
		150000,
	)
	assert (first.timestamp, first.db, first.user, first.host, first.thread_id) == (
		1714554301.0,
		"_1bb7c2d1",
		"_1bb7c2d1",
		"localhost",
		31,
	)
	assert first.full_scan and first.attributes["Filesort"] == "Yes" and first.attributes["QC_hit"] == "No"
	assert found[1].db == "_1bb7c2d1", "an empty Schema: is no database: the one before is inherited (pt)"
	assert found[5].admin and found[5].query == "administrator command: Quit"
	assert found[6].query.startswith("INSERT INTO `tabVersion`"), (
		"a server restart header ends the entry before it"
	)


def test_digest_groups_by_fingerprint_like_pt_query_digest():
	result = digest(SLOW_LOG, top=None)
	assert (result.queries, result.fingerprints, result.complete, result.warnings) == (7, 5, True, [])
	ids = {g.query_id: g for g in result.groups}
	# checksums as pt-query-digest 3.2.1 printed them for this file
	assert set(ids) == {
		"0x" + c[-16:]
		for c in (
			"39B1245CCFC04BA769633B58370340BA",
			"1F5F5F73C6BF1E2BFF8AA251675AB121",
			"998F9C8806DCADC11787FA1F6BE63B44",
			"041550D7ECF23FDF9ED473DAC63B22B7",
			"EDBC971AEC392917AA353644DE4C4CB4",
		)
	}
	top = result.groups[0]
	assert top.fingerprint.startswith("insert into `tabversion`") and top.total_time == 12.0
	invoices = next(g for g in result.groups if g.fingerprint == INVOICES)
	assert (invoices.count, invoices.total_time, invoices.max_time, invoices.p95_time) == (2, 4.0, 2.5, 2.5)
	assert (invoices.lock_time, invoices.rows_examined, invoices.rows_sent, invoices.full_scans) == (
		0.5001,
		159000,
		40,
		1,
	)
	assert invoices.sample.startswith("select `name`, `customer`\nfrom"), (
		"the sample is the slowest execution"
	)
	assert invoices.first_seen == 1714554301.0 and invoices.last_seen == 1714554302.0
	assert invoices.query_id == query_id(INVOICES)
	assert abs(sum(g.share for g in result.groups) - 1) < 1e-9


def test_top_limits_the_groups_but_not_the_totals():
	result = digest(SLOW_LOG, top=2)
	assert len(result.groups) == 2 and result.queries == 7 and result.fingerprints == 5
	assert result.groups[0].total_time >= result.groups[1].total_time


def test_time_window_keeps_entries_between_since_and_until():
	since = datetime(2024, 5, 1, 9, 6, tzinfo=timezone.utc)
	result = digest(SLOW_LOG, since=since, until="2024-05-01T09:30:00+00:00")
	assert result.queries == 4 and result.outside_window == 3
	assert result.first_seen == 1714554360.0 and result.last_seen == 1714554600.0
	with pytest.raises(ValueError, match="empty"):
		digest(SLOW_LOG, since="2024-05-02T00:00:00+00:00", until="2024-05-01T00:00:00+00:00")


def test_gzip_files_and_binary_streams_are_read_alike(tmp_path):
	packed = tmp_path / "slow.log.gz"
	packed.write_bytes(gzip.compress(SLOW_LOG.read_bytes()))
	renamed = tmp_path / "slow-compressed.log"  # gzip is detected by content, not by name
	shutil.copy(packed, renamed)
	expected = digest(SLOW_LOG).to_dict()["groups"]
	for source in (packed, renamed, io.BytesIO(packed.read_bytes()), io.BytesIO(SLOW_LOG.read_bytes())):
		assert digest(source).to_dict()["groups"] == expected


def test_truncated_gzip_gives_a_partial_digest_and_says_so(tmp_path):
	data = gzip.compress(entries(400).encode())
	cut = tmp_path / "cut.log.gz"
	cut.write_bytes(data[: len(data) // 2])
	result = digest(cut)
	assert not result.complete and 0 < result.queries < 400
	assert "truncated or corrupt" in result.warnings[0] and "cover what was read" in result.warnings[0]


def test_unreadable_and_binary_input_never_raise(tmp_path):
	missing = digest(tmp_path / "nope.log")
	assert missing.queries == 0 and not missing.complete and "cannot be read" in missing.warnings[0]
	folder = digest(tmp_path)
	assert not folder.complete and "cannot be read" in folder.warnings[0]
	binary = tmp_path / "mysqld"
	binary.write_bytes(bytes(range(256)) * 400)
	result = digest(binary)
	assert result.queries == 0 and "no slow-log entries found in 401 lines" in result.warnings[0]
	bad_gzip = tmp_path / "bad.gz"
	bad_gzip.write_bytes(b"\x1f\x8b" + b"not really gzip" * 10)
	assert not digest(bad_gzip).complete
	assert "binary mode" in digest(io.StringIO("# Query_time: 1")).warnings[0]


def test_not_a_slow_log_is_reported(tmp_path):
	path = tmp_path / "notes.log"
	path.write_text("")
	assert digest(path).warnings == []
	path.write_text("hello\nworld\n")
	assert "no slow-log entries" in digest(path).warnings[0]


def test_gigantic_lines_are_cut_and_reported(tmp_path):
	huge = (
		"SELECT * FROM `tabItem` WHERE `name` IN (" + ", ".join(f"'I-{n}'" for n in range(300_000)) + ");\n"
	)
	assert len(huge) > sources.MAX_LINE
	path = tmp_path / "huge.log"
	path.write_text(
		entries(2)
		+ ENTRY.format(minute=3, n=3, seconds=1, ts=1714557800).replace(
			"SELECT * FROM `tabItem` WHERE `name` = 'ITEM-3';\n", huge
		)
		+ entries(2, start=1714560000)
	)
	result = digest(path)
	assert result.queries == 5 and result.complete
	assert any("longer than 1 MiB were cut" in w for w in result.warnings)
	assert any(g.fingerprint.startswith("select * from `tabitem` where `name` in(") for g in result.groups)


def test_lines_with_nul_bytes_are_skipped(tmp_path):
	path = tmp_path / "crashed.log"
	path.write_bytes(entries(3).encode() + b"\x00" * 64 + b"\n" + entries(2, start=1714570000).encode())
	result = digest(path)
	assert result.queries == 5 and any("NUL bytes" in w for w in result.warnings)


def test_entries_split_across_read_chunks_parse_the_same(tmp_path, monkeypatch):
	path = tmp_path / "slow.log"
	path.write_bytes(SLOW_LOG.read_bytes())
	expected = [q.query for q in iter_queries(path)]
	monkeypatch.setattr(sources, "_CHUNK", 7)
	assert [q.query for q in iter_queries(path)] == expected


def test_the_log_ending_inside_an_entry_is_noted(tmp_path):
	path = tmp_path / "live.log"
	path.write_text(
		entries(2)
		+ "# Time: 240501 11:00:00\n# User@Host: app[app] @ localhost []\n"
		+ "# Query_time: 1.0  Lock_time: 0.0  Rows_sent: 0  Rows_examined: 0\n"
	)
	result = digest(path)
	assert (
		result.queries == 2
		and result.incomplete_entries == 1
		and "still be being written" in result.warnings[0]
	)


def test_many_distinct_statements_keep_a_bounded_number_of_groups(tmp_path):
	path = tmp_path / "distinct.log"
	body = "".join(
		ENTRY.format(minute=1, n=n, seconds=n / 1000, ts=1714557600 + n).replace(
			"`tabItem`", f"`tabT{chr(97 + n % 26)}{n}x`".replace("0", "o")
		)
		for n in range(1, 400)
	)
	path.write_text(body)
	result = digest(path, max_groups=40, top=None)
	assert result.queries == 399 and len(result.groups) <= 40
	assert result.fingerprints > 40 and "distinct queries" in result.warnings[0]
	assert result.groups[0].total_time == max(g.total_time for g in result.groups)


def test_p95_of_a_large_group_is_within_five_percent(tmp_path):
	path = tmp_path / "many.log"
	path.write_text(entries(1000))
	(group,) = digest(path).groups
	exact = sorted((n % 100) / 100 for n in range(1, 1001))[949]
	assert group.count == 1000 and abs(group.p95_time - exact) <= 0.05 * exact


def test_digest_is_json_ready():
	data = digest(SLOW_LOG).to_dict()
	assert data["first_seen"] == "2024-05-01T09:05:01+00:00" and data["groups"][0]["last_seen"].endswith(
		"+00:00"
	)


@pytest.mark.slow
def test_memory_stays_flat_as_the_log_grows(tmp_path, monkeypatch):
	monkeypatch.setattr(sources, "_CHUNK", 64 << 10)  # both logs span many read chunks

	def peak(count: int) -> int:
		path = tmp_path / f"slow-{count}.log"
		path.write_text(entries(count))
		tracemalloc.start()
		try:
			assert digest(path).queries == count
			return tracemalloc.get_traced_memory()[1]
		finally:
			tracemalloc.stop()

	small, large = peak(2_000), peak(20_000)
	assert large < small * 1.3 + 512 * 1024, f"peak {small:,} B for 2k entries, {large:,} B for 20k"
