"""SQL fingerprints and query IDs match Percona's pt-query-digest (expected values produced by pt 3.x)."""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from frappe_diagnostics.knowledge.sqlfingerprint import fingerprint, query_id

CASES = [
	("SELECT * FROM `tabItem` WHERE name = 'ITEM-0001'", "select * from `tabitem` where name = ?"),
	(
		"select name from `tabUser` where enabled=1 and name in ('a@x.com', 'b@x.com', 'c@x.com')",
		"select name from `tabuser` where enabled=? and name in(?+)",
	),
	(
		"INSERT INTO `tabVersion` (`name`, `data`) VALUES ('a', '{}'), ('b', '{}'), ('c', '{}')",
		"insert into `tabversion` (`name`, `data`) values(?+)",
	),
	(
		"UPDATE t SET a = -1.5e3, b = 0xFF, c = NULL, d = TRUE WHERE id = 42",
		"update t set a = ?, b = ?ff, c = ?, d = ? where id = ?",
	),
	('select * from t where a = "dq" limit 10, 20', "select * from t where a = ? limit ?"),
	(
		"select * from t order by a ASC, b asc, c DESC limit 5 offset 10",
		"select * from t order by a, b, c desc limit ?",
	),
	("/* comment */ select 1 -- trailing\n", "select ? "),
	(
		"select /*!40001 SQL_NO_CACHE */ a from t # hash comment\nwhere b = 2",
		"select /*!? sql_no_cache */ a from t where b = ?",
	),
	("CALL refresh_stats(1, 'x')", "call refresh_stats"),
	("use `_1bb7c2d1`", "use ?"),
	("administrator command: Quit", "administrator command: Quit"),
	("SELECT /*!40001 SQL_NO_CACHE */ * FROM `tabItem`", "mysqldump"),
	(
		"select a from t union select a from t union all select a from t",
		"select a from t /*repeat union all*/",
	),
	(
		"select * from t where name = 'O\\'Brien' and note = 'C:\\\\path\\\\'",
		"select * from t where name = ? and note = ?",
	),
	(
		"select\n\t\tname\n\tfrom `tab2FA Settings`\n\twhere `value` = 'café'",
		"select name from `ta?fa settings` where `value` = ?",
	),
	(
		"REPLACE INTO `tabSingles` VALUES ('System Settings', 'x', '1'),('System Settings', 'y', '2')",
		"replace into `tabsingles` values(?+)",
	),
]


@pytest.mark.parametrize("query,expected", CASES)
def test_fingerprint_matches_pt_query_digest(query, expected):
	assert fingerprint(query) == expected


def test_legacy_quotes_reproduce_percona_toolkit_up_to_3_3():
	query = "select * from t where name = 'O\\'Brien' and note = 'C:\\\\path\\\\'"
	assert fingerprint(query, legacy_quotes=True) == "select * from t where name = ? and note = 'c:\\\\path\\"
	assert fingerprint("select 'a', \"b\"", legacy_quotes=True) == fingerprint("select 'a', \"b\"")


def test_only_ascii_letters_are_lowered_as_perl_lc_does_on_bytes():
	assert fingerprint("SELECT 'x' FROM ÉTÉ") == "select ? from ÉtÉ"


def test_query_id_is_the_tail_of_the_md5_in_upper_case_or_all_of_it():
	fp = "select * from `tabitem` where name = ?"
	digest = hashlib.md5(fp.encode()).hexdigest().upper()
	assert query_id(fp) == "0x" + digest[-16:]
	assert query_id(fp, full=True) == "0x" + digest
	assert query_id("administrator command: Quit", full=True) == "0xEDBC971AEC392917AA353644DE4C4CB4"


@pytest.mark.parametrize(
	"query",
	[
		"/* x " * 50_000,
		"INSERT INTO t VALUES (1) " * 20_000,
		"#" * 200_000 + "'",
		"-" * 200_000 + "'",
		"select a from t union " * 20_000,
		"select * from t order by " + ", ".join(f"a{i} asc" for i in range(20_000)),
		"'" * 200_001,
		"in (" * 100_000,
	],
	ids=["open-comments", "insert-values", "hashes", "dashes", "unions", "asc", "quotes", "in-lists"],
)
def test_adversarial_statements_give_a_fingerprint_no_longer_than_the_statement(query):
	"""Their speed is measured in benchmarks/adversarial.py; here: they finish and never grow."""
	assert len(fingerprint(query)) <= len(query)
	assert len(fingerprint(query, legacy_quotes=True)) <= len(query)


PT = shutil.which("pt-query-digest")


@pytest.mark.skipif(
	not (PT and shutil.which("perl")), reason="pt-query-digest (percona-toolkit) not installed"
)
def test_random_statements_fingerprint_like_the_installed_pt_query_digest(tmp_path: Path):
	rng = random.Random(5)
	tokens = "SELECT|select| |\n|\t|`tabItem`|WHERE|'a'|'O\\'B'|\"dq\"|123|-4.5|0xFF|NULL|TRUE|IN|(1, 2)"
	tokens += "|VALUES|UNION|ORDER BY|ASC|LIMIT 5, 10|/* c */|-- c\n|# h\n|café|,|(|)|ascore"
	tokens = tokens.split("|")
	queries = [
		"".join(rng.choice(tokens) + rng.choice(["", " "]) for _ in range(rng.randint(1, 25)))
		for _ in range(500)
	]
	script = tmp_path / "fp.pl"
	script.write_text(
		f'require "{PT}"; my $qr = QueryRewriter->new(); binmode STDOUT; my @q;\n'
		'{ local $/ = "\\0"; while (my $l = <STDIN>) { chop $l; push @q, $l; } }\n'
		'print $qr->fingerprint($_), "\\0" for @q;\n'
	)
	data = b"".join(q.encode() + b"\0" for q in queries)
	out = subprocess.run(
		["perl", str(script)], input=data, capture_output=True, check=True, timeout=60
	).stdout
	theirs = out.split(b"\0")[:-1]
	legacy = _pt_version() < (3, 4)
	mine = [fingerprint(q, legacy_quotes=legacy).encode("utf-8", "surrogateescape") for q in queries]
	assert mine == theirs


def _pt_version() -> tuple[int, ...]:
	out = subprocess.run([PT, "--version"], capture_output=True, text=True, timeout=30).stdout
	return tuple(int(x) for x in out.split()[-1].split(".")[:2])
