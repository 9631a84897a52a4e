"""Property-based fuzzing of every parser that reads untrusted text: each never raises anything but its
documented error, and the SQL gate never accepts what is not a single read-only SELECT.

The suite runs a bounded number of examples per property (profile "ci": reproducible, no example database);
`python benchmarks/fuzz.py` runs the same properties with many more (profile "deep"), and times them.
Crashes found are kept as regression tests (`@example`).
"""

from __future__ import annotations

import io
import json
import os
import shlex
import tempfile
from pathlib import Path

import sqlglot
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlglot import exp
from sqlglot.tokens import TokenType

from frappe_diagnostics.engine.context import read_json_file
from frappe_diagnostics.engine.redact import MASK, Redactor
from frappe_diagnostics.engine.shell import command
from frappe_diagnostics.engine.steps import action, parse_action
from frappe_diagnostics.knowledge.logrecords import parse_records
from frappe_diagnostics.knowledge.slowlog import digest
from frappe_diagnostics.knowledge.timewindow import parse_since
from frappe_diagnostics.knowledge.tracebacks import fingerprint_error
from frappe_diagnostics.troubleshooters.sql_guard import QueryRejected, explainable_sql, validate_select

settings.register_profile(
	"ci",
	max_examples=int(os.environ.get("DIAG_FUZZ_EXAMPLES", "150")),
	deadline=None,  # time is bounded by the input sizes here and measured in benchmarks/fuzz.py
	derandomize=True,
	database=None,
	suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
	"deep",
	max_examples=int(os.environ.get("DIAG_FUZZ_EXAMPLES", "3000")),
	deadline=None,
	database=None,
	suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("DIAG_FUZZ_PROFILE", "ci"))

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
numbers = st.one_of(
	st.integers(min_value=-(10**25), max_value=10**25).map(str),
	st.floats(allow_nan=True, allow_infinity=True).map(repr),
	st.sampled_from(["nan", "inf", "-1", "1e999", "99999999999999", "0x10", ""]),
)


def lines_of(templates: list[str]) -> st.SearchStrategy[bytes]:
	"""Lines shaped like a real log (templates filled with hostile numbers and words) mixed with noise."""
	shaped = st.builds(
		lambda t, n1, n2, w: t.format(n1=n1, n2=n2, w=w).encode("utf-8", "surrogatepass"),
		st.sampled_from(templates),
		numbers,
		numbers,
		words,
	)
	noise = st.one_of(st.binary(max_size=120), words.map(lambda w: w.encode()))
	return st.lists(st.one_of(shaped, shaped, noise), max_size=40).map(b"\n".join)


# --- slow log ----------------------------------------------------------------------------------------

SLOW_LINES = [
	"# Time: {n1}",
	"# Time: 240501 10:{n1}:00",
	"# Time: 2024-05-01T10:00:{n1}Z",
	"# User@Host: {w}[{w}] @ {w} [{n1}]  Id: {n2}",
	"# Thread_id: {n1}  Schema: {w}  QC_hit: No",
	"# Query_time: {n1}  Lock_time: {n2}  Rows_sent: {n1}  Rows_examined: {n2}",
	"# Query_time: {n1}  Lock_time: {n2}  Rows_sent: 1  Rows_examined: 2 Full_scan: Yes",
	"SET timestamp={n1};",
	"use {w};",
	"SELECT * FROM `tab{w}` WHERE name = '{w}' AND x IN ({n1}, {n2});",
	"# administrator command: {w};",
	"/usr/sbin/mariadbd, Version: {w}. started with:",
	"{w};",
]


@given(lines_of(SLOW_LINES), st.sampled_from([None, "24h", "1970-01-02", "30d"]))
@example(
	b"# Query_time: 2.0  Lock_time: 0.0  Rows_sent: 1  Rows_examined: 1\nSET timestamp=1e999;\nSELECT 1;",
	"24h",
)
@example(
	b"# Query_time: 2.0  Lock_time: 0  Rows_sent: 1  Rows_examined: 1\nSET timestamp=99999999999999;\nSELECT 1;",
	None,
)
def test_the_slow_log_parser_never_raises(data, since):
	result = digest(io.BytesIO(data), since=parse_since(since) if since else None)
	json.dumps(result.to_dict(), default=str)  # every value is reportable, first/last seen included
	assert result.queries >= sum(g.count for g in result.groups)  # the top groups are part of the whole
	assert result.fingerprints >= len(result.groups)


# --- log records and tracebacks ------------------------------------------------------------------------

LOG_LINES = [
	"{n1}-05-01 10:00:00,{n2} ERROR frappe {w}",
	"2024-{n1}-01 10:00:{n2},000 INFO frappe.web {w}",
	"[2024-05-01 10:00:00 +{n1}] [{n2}] [ERROR] {w}",
	"[{w}] [{n1}] [INFO] {w}",
	"Traceback (most recent call last):",
	'  File "apps/{w}/{w}.py", line {n1}, in {w}',
	"    {w}",
	"{w}Error: {w}",
	"pymysql.err.OperationalError: ({n1}, '{w}')",
	"During handling of the above exception, another exception occurred:",
	"The above exception was the direct cause of the following exception:",
]


@given(lines_of(LOG_LINES))
def test_the_log_record_parser_never_raises(data):
	for record in parse_records(data.split(b"\n")):
		assert isinstance(record.text, str)


@given(lines_of(LOG_LINES).map(lambda b: b.decode("utf-8", "replace")))
@example("Traceback (most recent call last):\n" * 50 + "KeyError: 'x'")
def test_the_traceback_fingerprint_never_raises(text):
	found = fingerprint_error(text)
	assert found == fingerprint_error(text)  # the same text, the same group


# --- the SQL gate --------------------------------------------------------------------------------------

HOSTILE_PARTS = [
	"SELECT 1",
	"SELECT name FROM `tabUser`",
	" WHERE a = 1",
	" OR sleep(1)",
	"; DROP TABLE `tabUser`",
	"; SELECT 2",
	" /*! , SLEEP(5) */",
	" /*M!100000 DELETE */",
	" INTO OUTFILE '/tmp/x'",
	" INTO @a",
	" FOR UPDATE",
	" LOCK IN SHARE MODE",
	" UNION SELECT password FROM `__Auth`",
	" , @a := 1",
	" , load_file('/etc/passwd')",
	" , benchmark(1000, md5(1))",
	" , get_lock('x', 1)",
	" , my_udf(1)",
	" , db.fn(1)",
	"WITH x AS (DELETE FROM t) SELECT 1",
	"(SELECT 1)",
	" -- ;DROP\n",
	" # x\n",
	" '",
	' "',
	" `",
	"\\",
	" ? ",
	" %s ",
	"UPDATE `tabUser` SET enabled = 0",
	"INSERT INTO t VALUES (1)",
	"SET GLOBAL x = 1",
	"CALL p()",
	"DO sleep(1)",
	"EXPLAIN SELECT 1",
	"HANDLER t OPEN",
	"SHOW TABLES",
	" FROM `tabSessions`",
	" FROM mysql.user",
	" , extractvalue(1, 'x')",
	" , nextval(s)",
	"\x00",
	" PROCEDURE ANALYSE()",
	" , (SELECT 1 FROM dual FOR UPDATE)",
	" /* */ ",
	"\n;\n",
	" , `sleep`(1)",
]
sql_text = st.one_of(
	st.lists(st.sampled_from(HOSTILE_PARTS), min_size=1, max_size=8).map("".join),
	st.lists(st.one_of(st.sampled_from(HOSTILE_PARTS), words), min_size=1, max_size=6).map("".join),
	words,
)
FORBIDDEN_NODES = (exp.Into, exp.Lock, exp.PropertyEQ, exp.Placeholder, exp.Command, exp.Set, exp.DML)


@given(sql_text)
@example("SELECT 1 /*! , SLEEP(5) */")
@example("SELECT 1; DROP TABLE `tabUser`")
@example("SELECT 1 ' /* */  '")  # found by the deep run: a comment-like alias is no comment
def test_the_gate_accepts_only_a_single_read_only_select(sql):
	try:
		tree = validate_select(sql)
	except QueryRejected:
		return
	sent = explainable_sql(tree)
	statements = [s for s in sqlglot.parse(sent, read="mysql") if s is not None]
	assert len(statements) == 1, sent
	root = statements[0]
	while isinstance(root, exp.Subquery):
		root = root.this
	assert isinstance(root, exp.Select | exp.SetOperation), sent
	assert not any(isinstance(node, FORBIDDEN_NODES) for node in root.walk()), sent
	tokens = sqlglot.tokenize(sent, read="mysql")
	assert not any(t.comments or t.token_type is TokenType.SEMICOLON for t in tokens), sent
	assert explainable_sql(validate_select(sent)) == sent  # what is sent passes the gate again, unchanged


# --- configuration, windows, actions, quoting, redaction ----------------------------------------------

config_bytes = st.one_of(
	st.binary(max_size=300),
	st.recursive(
		st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), words),
		lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(words, inner, max_size=4)),
		max_leaves=20,
	).map(lambda v: json.dumps(v).encode()),
	st.integers(min_value=1, max_value=100_000).map(lambda n: b"[" * n + b"]" * n),
)


@given(config_bytes)
@example(b"[" * 100_000)
@example(b'{"db_name": "x\xff"}')
def test_the_site_config_reader_never_raises(data):
	with tempfile.TemporaryDirectory() as folder:
		path = Path(folder) / "site_config.json"
		path.write_bytes(data)
		conf, error = read_json_file(path)
	assert isinstance(conf, dict)
	assert error is None or set(error) >= {"file", "error"}


@given(st.one_of(words, numbers.map(lambda n: n + "d"), st.from_regex(r"\A\d{1,30}[smhdwy]\Z")))
@example("99999999999d")
@example("1e308d")
def test_the_since_parser_raises_only_value_error(text):
	try:
		parse_since(text)
	except ValueError as e:
		assert str(e)


@given(words)
@example("a?b=1&b=2&=3&%zz")
def test_action_strings_parse_and_round_trip(text):
	name, params = parse_action(text)
	assert isinstance(name, str) and all(isinstance(v, str) for v in params.values())
	if name and "?" not in name and params:
		assert parse_action(action(name, **params)) == (name, params)


@given(st.lists(words, min_size=1, max_size=6))
def test_every_suggested_command_splits_back_into_its_words(argv):
	assert shlex.split(command(*argv)) == argv


@given(
	words,
	st.sampled_from(["password", "db_password", "api_secret", "token", "pwd"]),
	st.sampled_from(["=", ": ", "='"]),
)
@example("", "password", "='")  # found by this test: a quote never closed kept the value
def test_redaction_never_raises_and_masks_a_keyed_secret(prefix, key, separator):
	secret = "Zq7-fuzz-s3cr3t"
	masked = Redactor().text(f"{prefix} {key}{separator}{secret} tail")
	assert secret not in masked and MASK in masked
