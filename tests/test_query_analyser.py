"""The query analyser: hostile input never reaches MariaDB, Frappe's own queries pass, and EXPLAIN runs
read-only under a time limit against a real table."""

from __future__ import annotations

import re
from pathlib import Path

import pymysql
import pytest
from conftest import DB_HOST, DB_PORT

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.troubleshooters.query import diagnose_query, explain_query
from frappe_diagnostics.troubleshooters.sql_guard import (
	MAX_QUERY_CHARS,
	QueryRejected,
	QueryShape,
	explainable_sql,
	validate_select,
)

WORKLOAD = Path(__file__).parent / "data" / "frappe_workload.sql"
SITE = "test.local"
ITEM_ROWS = 3000

# (query, words the rejection must contain)
HOSTILE = [
	# statements other than SELECT
	("DROP TABLE `tabUser`", "starts with DROP"),
	("DELETE FROM `tabUser`", "starts with DELETE"),
	("UPDATE `tabUser` SET enabled = 0", "starts with UPDATE"),
	("INSERT INTO `tabNote` (name) VALUES ('x')", "starts with INSERT"),
	("REPLACE INTO `tabNote` (name) VALUES ('x')", "starts with REPLACE"),
	("CREATE TABLE evil (a int)", "starts with CREATE"),
	("ALTER TABLE `tabUser` ADD COLUMN x int", "starts with ALTER"),
	("TRUNCATE `tabUser`", "starts with TRUNCATE"),
	("SET @x = 1", "starts with SET"),
	("SET GLOBAL max_connections = 1", "starts with SET"),
	("CALL evil_procedure()", "starts with CALL"),
	("DO SLEEP(5)", "starts with DO"),
	("HANDLER `tabUser` OPEN", "starts with HANDLER"),
	("LOAD DATA INFILE '/etc/passwd' INTO TABLE t", "starts with LOAD"),
	("GRANT ALL ON *.* TO 'evil'@'%'", "starts with GRANT"),
	("LOCK TABLES `tabUser` WRITE", "starts with LOCK"),
	("UNLOCK TABLES", "starts with UNLOCK"),
	("SHOW TABLES", "starts with SHOW"),
	("SHOW PROCESSLIST", "starts with SHOW"),
	("EXPLAIN SELECT 1", "starts with EXPLAIN"),
	("ANALYZE SELECT * FROM `tabUser`", "starts with ANALYZE"),
	("DESCRIBE `tabUser`", "starts with DESCRIBE"),
	("KILL 1", "starts with KILL"),
	("FLUSH TABLES", "starts with FLUSH"),
	("START TRANSACTION", "starts with START"),
	("COMMIT", "starts with COMMIT"),
	("PREPARE s FROM 'DELETE FROM t'", "starts with PREPARE"),
	("EXECUTE s", "starts with EXECUTE"),
	("USE mysql", "starts with USE"),
	("TABLE `tabUser`", "starts with TABLE"),
	("VALUES (1), (2)", "starts with VALUES"),
	("WITH x AS (SELECT 1) DELETE FROM `tabUser`", "DELETE statement"),
	("WITH x AS (SELECT 1) UPDATE `tabUser` SET enabled = 0", "UPDATE statement"),
	# a second statement
	("SELECT 1; DROP TABLE `tabUser`", "2 statements"),
	("SELECT 1; SELECT 2", "2 statements"),
	("SELECT name FROM `tabUser`;\nDELETE FROM `tabUser`", "2 statements"),
	("SELECT 1 -- a comment\n; UPDATE `tabUser` SET enabled = 0", "2 statements"),
	("SELECT 1 # a comment\n; DELETE FROM `tabUser`", "2 statements"),
	("SELECT 'a;b'; SET @x = 1", "2 statements"),
	# executable comments, also where a lexer might think they are inside a string
	("SELECT 1 /*! , SLEEP(5) */", "executable comment"),
	("SELECT 1 /*!50000 , SLEEP(5) */", "executable comment"),
	("SELECT 1 /*M!100000 , SLEEP(5) */", "executable comment"),
	("SELECT 1 /*m! , SLEEP(5) */", "executable comment"),
	("SELECT 1 /*!INTO OUTFILE '/tmp/x' */", "executable comment"),
	("SELECT '/*!', 1", "executable comment"),
	("SELECT 'a\\' /*! , SLEEP(5) */ '", "executable comment"),
	('SELECT "a\\" /*!, SLEEP(5) */ "', "executable comment"),
	# writing out of a SELECT
	("SELECT name INTO OUTFILE '/tmp/users' FROM `tabUser`", "INTO OUTFILE"),
	("SELECT name FROM `tabUser` INTO OUTFILE '/tmp/users'", "INTO OUTFILE"),
	("SELECT name FROM `tabUser` INTO DUMPFILE '/tmp/users'", "DUMPFILE"),
	("SELECT name INTO @who FROM `tabUser` LIMIT 1", "INTO"),
	("SELECT name FROM `tabUser` LIMIT 1 INTO @who", "INTO @variable"),
	# locking reads
	("SELECT name FROM `tabUser` FOR UPDATE", "row locks"),
	("SELECT name FROM `tabUser` LOCK IN SHARE MODE", "row locks"),
	("SELECT name FROM `tabUser` FOR SHARE", "row locks"),
	("SELECT name FROM `tabUser` FOR UPDATE NOWAIT", "row locks"),
	("SELECT name FROM `tabUser` FOR UPDATE SKIP LOCKED", "row locks"),
	("SELECT name FROM `tabUser` FOR UPDATE WAIT 5", "row locks"),
	("SELECT current FROM `tabSeries` WHERE name = 'SINV-' FOR UPDATE", "row locks"),
	("SELECT * FROM (SELECT name FROM `tabUser` FOR UPDATE) AS u", "row locks"),
	("SELECT name FROM `tabUser` UNION SELECT name FROM `tabRole` FOR UPDATE", "row locks"),
	# functions that wait, lock, read files, run commands or leak through errors
	("SELECT SLEEP(5)", "SLEEP()"),
	("select sleep (5)", "SLEEP()"),
	("SELECT `sleep`(5)", "SLEEP()"),
	("SELECT name FROM `tabUser` WHERE name = (SELECT SLEEP(5))", "SLEEP()"),
	("SELECT name FROM `tabUser` WHERE SLEEP(5) = 0 UNION SELECT 'x'", "SLEEP()"),
	("WITH s AS (SELECT SLEEP(5) AS z) SELECT * FROM s", "SLEEP()"),
	("SELECT BENCHMARK(100000000, MD5('x'))", "BENCHMARK()"),
	("SELECT LOAD_FILE('/etc/passwd')", "LOAD_FILE()"),
	("SELECT GET_LOCK('deploy', 10)", "GET_LOCK()"),
	("SELECT RELEASE_LOCK('deploy')", "RELEASE_LOCK()"),
	("SELECT RELEASE_ALL_LOCKS()", "RELEASE_ALL_LOCKS()"),
	("SELECT IS_FREE_LOCK('deploy')", "IS_FREE_LOCK()"),
	("SELECT IS_USED_LOCK('deploy')", "IS_USED_LOCK()"),
	("SELECT MASTER_POS_WAIT('bin.000001', 4)", "MASTER_POS_WAIT()"),
	("SELECT SOURCE_POS_WAIT('bin.000001', 4)", "SOURCE_POS_WAIT()"),
	("SELECT MASTER_GTID_WAIT('0-1-100')", "MASTER_GTID_WAIT()"),
	("SELECT sys_exec('rm -rf /')", "SYS_EXEC()"),
	("SELECT sys_eval('id')", "SYS_EVAL()"),
	("SELECT NEXTVAL(invoice_seq)", "NEXTVAL()"),
	("SELECT NEXT VALUE FOR invoice_seq", "sequence"),
	("SELECT LAST_INSERT_ID(42)", "LAST_INSERT_ID()"),
	("SELECT EXTRACTVALUE(1, CONCAT(0x7e, (SELECT name FROM `tabUser` LIMIT 1)))", "EXTRACTVALUE()"),
	("SELECT UPDATEXML(1, CONCAT(0x7e, USER()), 1)", "UPDATEXML()"),
	("SELECT evil_udf(1)", "not a built-in"),
	("SELECT `evil fn`(1)", "not a built-in"),
	("SELECT otherdb.evil_fn(1)", "stored function"),
	# user variables
	("SELECT @x := 1", "assigns a user variable"),
	("SELECT name FROM `tabUser` WHERE (@n := @n + 1) > 0", "assigns a user variable"),
	# PROCEDURE ANALYSE
	("SELECT name FROM `tabUser` PROCEDURE ANALYSE()", "PROCEDURE"),
	("SELECT name FROM `tabUser` PROCEDURE ANALYSE(10, 2000)", "PROCEDURE"),
	# passwords and server accounts
	("SELECT * FROM `__Auth`", "passwords"),
	("SELECT user, password FROM mysql.user", "passwords"),
	("SELECT * FROM performance_schema.threads", "passwords"),
	# parameters never substituted
	("SELECT name FROM `tabUser` WHERE name = %s", "placeholders"),
	("SELECT name FROM `tabUser` WHERE name = %(user)s", "placeholders"),
	("SELECT name FROM `tabUser` WHERE name = ?", "placeholders"),
	# empty, broken, huge
	("", "empty"),
	("   \n\t ", "empty"),
	(";", "no statement"),
	("-- just a comment", "no statement"),
	("SELECT 'unterminated", "could not be read"),
	("SELECT 1 /* unterminated", "could not be read"),
	("SELECT FROM WHERE", "could not be parsed"),
	("SELECT 1\x00; DROP TABLE t", "NUL"),
	("SELECT " + "(" * 3000 + "1" + ")" * 3000, "too deeply"),
	("SELECT '" + "x" * MAX_QUERY_CHARS + "'", "at most 100,000"),
]

# Looks like trouble to a string test, but is harmless: must be accepted.
TRICKY_BUT_HARMLESS = [
	"SELECT 'a; DROP TABLE `tabUser`' AS note",
	"SELECT name FROM `tabNote` WHERE content LIKE '%SLEEP(5)%'",
	"SELECT name FROM `tabNote` WHERE title = 'FOR UPDATE' -- a comment",
	"SELECT name FROM `tabNote` WHERE title = 'INTO OUTFILE /tmp/x' /* an ordinary comment */",
	"SELECT 1;",
	"SELECT 1; -- trailing comment",
	"(SELECT name FROM `tabUser`) UNION ALL (SELECT name FROM `tabRole`)",
	"SELECT @@max_statement_time, @@version",
	"SELECT name, @row AS previous FROM `tabUser`",
]


def _id(case) -> str:
	sql = case[0] if isinstance(case, tuple) else case
	return re.sub(r"\s+", " ", sql)[:40] or "<empty>"


class NoDatabase:
	"""A connection that records any use; the hostile tests assert it was never touched."""

	server_status = 0

	def __init__(self):
		self.used = []

	def cursor(self, *args):
		self.used.append("cursor")
		raise AssertionError("a rejected query reached the database")


@pytest.mark.parametrize(("sql", "reason"), HOSTILE, ids=[_id(c) for c in HOSTILE])
def test_hostile_input_is_rejected_before_the_database(sql, reason):
	with pytest.raises(QueryRejected) as rejected:
		validate_select(sql)
	assert reason.lower() in str(rejected.value).lower()

	conn = NoDatabase()
	diagnosis = explain_query(conn, sql, site=SITE)
	assert conn.used == []
	assert [(s.check_id, s.status) for s in diagnosis.steps] == [("query.validate", Status.CRITICAL)]
	assert diagnosis.steps[0].summary == str(rejected.value)


def test_the_hostile_table_is_large_enough():
	assert len(HOSTILE) >= 50


@pytest.mark.parametrize("sql", TRICKY_BUT_HARMLESS, ids=[_id(c) for c in TRICKY_BUT_HARMLESS])
def test_harmless_text_that_looks_hostile_is_accepted(sql):
	validate_select(sql)


def load_workload() -> list[str]:
	chunks = [c.strip() for c in re.split(r"\n\s*\n", WORKLOAD.read_text())]
	return [c for c in chunks if c and not all(line.startswith("--") for line in c.splitlines())]


def test_frappe_workload_is_accepted():
	queries = load_workload()
	rejected = []
	for sql in queries:
		try:
			validate_select(sql)
		except QueryRejected as e:
			rejected.append(f"{e} <- {sql[:120]}")
	assert len(queries) >= 200
	assert (len(queries) - len(rejected)) / len(queries) >= 0.99, "\n".join(rejected)


# the test site has only a few of these tables, with few columns: name resolution may fail, parsing not
SCHEMA_ERRORS = {1146, 1054, 1052}  # no such table, no such column, ambiguous column


def test_workload_as_sent_is_valid_mariadb(site_db):
	# what MariaDB receives is rendered from the parsed tree: it must still be MariaDB's syntax
	codes = {}
	with site_connection(site_db) as conn:
		for sql in load_workload():
			diagnosis = explain_query(conn, sql, site=SITE)
			for step in diagnosis.steps:
				code = step.findings[0].evidence.get("error_code") if step.findings else None
				if code is not None:
					codes.setdefault(code, []).append(
						f"{step.summary} <- {diagnosis.inputs['explained_sql']}"
					)
	assert set(codes) <= SCHEMA_ERRORS, {c: found[:3] for c, found in codes.items() if c not in SCHEMA_ERRORS}


def test_rendering_keeps_mariadb_spellings():
	assert explainable_sql(validate_select("select 1 from dual where 'a' regexp 'b'")) == (
		"SELECT 1 FROM dual WHERE 'a' REGEXP 'b'"
	)
	assert "/*" not in explainable_sql(validate_select("SELECT 1 /* note */ FROM `tabUser` -- end"))


def test_shape_finds_each_alias_and_ranks_its_columns():
	tree = validate_select(
		"select si.name from `tabSales Invoice` si "
		"join `tabSales Invoice Item` sii on sii.parent = si.name "
		"where si.customer = 'C1' and ifnull(si.status, '') = 'Paid' "
		"and si.name in (select parent from `tabPayment Schedule` where due_date < curdate()) "
		"order by si.posting_date"
	)
	shape = QueryShape(tree)
	assert shape.aliases == {
		"si": "tabSales Invoice",
		"sii": "tabSales Invoice Item",
		"tabPayment Schedule": "tabPayment Schedule",
	}
	assert shape.columns_for("si") == [
		("customer", "WHERE"),
		("name", "WHERE"),
		("posting_date", "ORDER BY"),
		("status", "WHERE (inside a function)"),
	]
	assert shape.columns_for("sii") == [("parent", "JOIN ON")]
	assert shape.columns_for("tabPayment Schedule") == [("due_date", "WHERE")]


# --- against a real table ----------------------------------------------------------------------------


def site_connection(site_db, cursorclass=pymysql.cursors.DictCursor):
	"""Connect as the site's own database user, as the analyser does."""
	return pymysql.connect(
		host=DB_HOST,
		port=DB_PORT,
		user=site_db["name"],
		password=site_db["password"],
		database=site_db["name"],
		autocommit=True,
		cursorclass=cursorclass,
	)


@pytest.fixture(scope="module")
def diag_item(root_db, site_db):
	"""`tabDiag Item`: 3000 rows, `item_code` indexed, `status` and `warehouse` not."""
	table = f"`{site_db['name']}`.`tabDiag Item`"
	rows = [
		(f"DI-{i:05d}", f"SKU-{i:05d}", ("Open", "Closed")[i % 2], f"WH-{i % 7}", i) for i in range(ITEM_ROWS)
	]
	with root_db.cursor() as cur:
		cur.execute(
			f"""CREATE TABLE {table} (name varchar(140) PRIMARY KEY, item_code varchar(140),
			status varchar(20), warehouse varchar(140), qty int, KEY item_code (item_code)) ENGINE=InnoDB"""
		)
		cur.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s)", rows)
		cur.execute(f"ANALYZE TABLE {table}")
		cur.fetchall()
	yield table
	with root_db.cursor() as cur:
		cur.execute(f"DROP TABLE IF EXISTS {table}")


def plan_steps(diagnosis):
	return [s for s in diagnosis.steps if s.check_id.startswith("query.plan")]


def test_full_scan_on_unindexed_column_suggests_the_bench_index_command(site_db, diag_item):
	with site_connection(site_db) as conn:
		diagnosis = explain_query(
			conn, "SELECT name, qty FROM `tabDiag Item` WHERE status = 'Open'", site=SITE
		)
	assert [s.check_id for s in diagnosis.steps] == ["query.validate", "query.plan.1"]
	step = diagnosis.steps[1]
	assert step.status is Status.WARNING, step.summary
	assert step.metric("access") == "ALL"
	assert step.metric("rows") >= ITEM_ROWS * 0.5
	assert step.summary.startswith("Full table scan of `tabDiag Item`")
	assert step.fixes[0].command == (
		f"bench --site {SITE} add-database-index --doctype 'Diag Item' --column status"
	)
	assert diagnosis.likely_cause is step


def test_an_indexed_column_is_never_suggested(site_db, diag_item):
	sql = "SELECT name FROM `tabDiag Item` d WHERE d.item_code LIKE '%42%' AND d.warehouse = 'WH-1'"
	with site_connection(site_db) as conn:
		step = explain_query(conn, sql, site=SITE).steps[1]
	assert step.status is Status.WARNING
	assert "(as `d`)" in step.summary
	assert step.fixes[0].command.endswith("--doctype 'Diag Item' --column warehouse")


def test_filesort_points_at_the_order_by_column(site_db, diag_item):
	sql = "SELECT name FROM `tabDiag Item` WHERE item_code > 'SKU-00010' ORDER BY qty DESC"
	with site_connection(site_db) as conn:
		step = explain_query(conn, sql, site=SITE).steps[1]
	assert any("filesort" in f.message for f in step.findings), step.summary
	commands = [f.command for f in step.fixes if f.command]
	assert f"bench --site {SITE} add-database-index --doctype 'Diag Item' --column qty" in commands


def test_indexed_lookup_is_ok_in_every_step(site_db, diag_item):
	with site_connection(site_db) as conn:
		diagnosis = explain_query(conn, "SELECT name FROM `tabDiag Item` WHERE item_code = 'SKU-00042'")
	assert diagnosis.status is Status.OK, diagnosis.summary
	assert all(s.status is Status.OK for s in diagnosis.steps)
	plan = plan_steps(diagnosis)[0]
	assert plan.metric("key") == "item_code"
	assert plan.metric("access") == "ref"
	assert plan.findings == [] and plan.fixes == []
	assert diagnosis.likely_cause is None


def test_tuple_rows_give_the_same_plan(site_db, diag_item):
	sql = "SELECT name FROM `tabDiag Item` WHERE status = 'Open'"
	with site_connection(site_db) as a, site_connection(site_db, pymysql.cursors.Cursor) as b:
		as_dicts, as_tuples = explain_query(a, sql), explain_query(b, sql)
	assert [s.to_dict()["metrics"] for s in as_dicts.steps] == [
		s.to_dict()["metrics"] for s in as_tuples.steps
	]
	assert as_tuples.steps[1].status is Status.WARNING


def test_thresholds_decide_what_a_large_scan_is(site_db, diag_item):
	sql = "SELECT name FROM `tabDiag Item` WHERE status = 'Open'"
	with site_connection(site_db) as conn:
		relaxed = explain_query(conn, sql, thresholds={"scan_rows": 10_000})
		strict = explain_query(conn, sql, thresholds={"large_rows": 1000, "huge_rows": 2000})
	assert relaxed.status is Status.OK
	assert "small table" in relaxed.steps[1].summary
	assert strict.steps[1].status is Status.CRITICAL
	assert "very large read" in strict.steps[1].summary


def test_rejected_query_gives_one_critical_validate_step(site_db):
	with site_connection(site_db) as real:
		conn = Recorder(real)
		diagnosis = explain_query(conn, "DELETE FROM `tabDiag Item`", site=SITE)
	assert conn.statements == []
	assert len(diagnosis.steps) == 1
	step = diagnosis.steps[0]
	assert (step.check_id, step.status) == ("query.validate", Status.CRITICAL)
	assert "starts with DELETE" in step.summary
	assert diagnosis.likely_cause is step


def test_unknown_table_is_a_critical_explain_step(site_db):
	with site_connection(site_db) as conn:
		diagnosis = explain_query(conn, "SELECT name FROM `tabNo Such DocType` WHERE x = 1", site=SITE)
	step = diagnosis.steps[-1]
	assert (step.check_id, step.status) == ("query.explain", Status.CRITICAL)
	assert step.summary == "Table `tabNo Such DocType` does not exist in this site's database."
	assert step.fixes[0].command == f"bench --site {SITE} migrate"
	assert diagnosis.status is Status.CRITICAL


def test_unknown_column_is_a_critical_explain_step(site_db, diag_item):
	with site_connection(site_db) as conn:
		step = explain_query(conn, "SELECT colour FROM `tabDiag Item`").steps[-1]
	assert (step.check_id, step.status, step.summary) == (
		"query.explain",
		Status.CRITICAL,
		"Column `colour` does not exist.",
	)


class Recorder:
	"""Wraps a real connection: records every statement and can look around just before EXPLAIN."""

	def __init__(self, conn, before_explain=None, fail_explain=None):
		self.conn, self.before_explain, self.fail_explain = conn, before_explain, fail_explain
		self.statements = []

	@property
	def server_status(self):
		return self.conn.server_status

	def cursor(self):
		return RecordingCursor(self, self.conn.cursor())


class RecordingCursor:
	def __init__(self, owner, cur):
		self.owner, self.cur = owner, cur

	def __enter__(self):
		return self

	def __exit__(self, *exc):
		self.cur.close()

	def __getattr__(self, name):
		return getattr(self.cur, name)

	def execute(self, query, args=None):
		self.owner.statements.append(query)
		if query.startswith("EXPLAIN"):
			if self.owner.before_explain:
				self.owner.before_explain(self.cur)
			if self.owner.fail_explain:
				raise self.owner.fail_explain
		return self.cur.execute(query, args)


def test_explain_runs_read_only_with_a_time_limit_and_is_rolled_back(site_db, diag_item):
	seen = {}

	def look_around(cur):
		# the same session, at the moment EXPLAIN is sent
		cur.execute("SELECT @@in_transaction AS in_tx, @@max_statement_time AS limit_s")
		seen.update(cur.fetchone())
		try:
			cur.execute("INSERT INTO `tabDiag Item` (name) VALUES ('DI-INTRUDER')")
		except pymysql.err.MySQLError as e:
			seen["write_error"] = e.args[0]

	with site_connection(site_db) as real:
		with real.cursor() as cur:
			cur.execute("SET SESSION max_statement_time = 0")
		conn = Recorder(real, before_explain=look_around)
		diagnosis = explain_query(
			conn, "SELECT name FROM `tabDiag Item` WHERE status = 'Open'", timeout_s=2.5
		)
		with real.cursor() as cur:
			cur.execute("SELECT @@in_transaction AS in_tx, @@max_statement_time AS limit_s")
			after = cur.fetchone()
			cur.execute("SELECT COUNT(*) AS n FROM `tabDiag Item` WHERE name = 'DI-INTRUDER'")
			intruders = cur.fetchone()["n"]

	assert diagnosis.steps[1].status is Status.WARNING
	assert seen == {"in_tx": 1, "limit_s": 2.5, "write_error": 1792}  # 1792: READ ONLY transaction
	assert after == {"in_tx": 0, "limit_s": 0}
	assert intruders == 0
	kinds = [re.sub(r"\s.*", "", s, flags=re.S) for s in conn.statements]
	assert kinds == ["SELECT", "SET", "START", "EXPLAIN", "SELECT", "ROLLBACK", "SET"]
	assert conn.statements[2] == "START TRANSACTION READ ONLY"
	assert conn.statements[3].startswith("EXPLAIN SELECT") and "ANALYZE" not in conn.statements[3]
	assert "information_schema.STATISTICS" in conn.statements[4]


def test_a_failing_explain_is_still_rolled_back_and_limits_restored(site_db):
	error = pymysql.err.OperationalError(
		1969, "Query execution was interrupted (max_statement_time exceeded)"
	)
	with site_connection(site_db) as real:
		conn = Recorder(real, fail_explain=error)
		diagnosis = explain_query(conn, "SELECT 1", timeout_s=1)
		with real.cursor() as cur:
			cur.execute("SELECT @@in_transaction AS in_tx")
			assert cur.fetchone()["in_tx"] == 0
	step = diagnosis.steps[-1]
	assert (step.check_id, step.status) == ("query.explain", Status.ERROR)
	assert step.summary == "EXPLAIN took longer than its 1 s limit and was stopped."
	assert conn.statements[-2:] == ["ROLLBACK", "SET SESSION max_statement_time = %s"]


def test_server_messages_that_could_carry_data_are_not_repeated(site_db):
	error = pymysql.err.InternalError(1105, "XPATH syntax error: '~secret-token'")
	with site_connection(site_db) as real:
		step = explain_query(Recorder(real, fail_explain=error), "SELECT 1", site=SITE).steps[-1]
	assert step.status is Status.ERROR
	assert "secret" not in str(step.to_dict())
	assert "MariaDB error 1105" in step.summary


def test_an_open_transaction_of_the_caller_is_left_alone(site_db, diag_item):
	with site_connection(site_db) as conn:
		conn.begin()
		with conn.cursor() as cur:
			cur.execute("UPDATE `tabDiag Item` SET qty = -1 WHERE name = 'DI-00001'")
		diagnosis = explain_query(conn, "SELECT name FROM `tabDiag Item`")
		conn.rollback()
		with conn.cursor() as cur:
			cur.execute("SELECT qty FROM `tabDiag Item` WHERE name = 'DI-00001'")
			assert cur.fetchone()["qty"] == 1
	step = diagnosis.steps[-1]
	assert (step.check_id, step.status) == ("query.explain", Status.ERROR)
	assert "open transaction" in step.summary


def test_diagnose_query_opens_and_closes_its_own_connection(bench, diag_item):
	ctx = bench.context()
	diagnosis = diagnose_query(ctx, "SELECT name FROM `tabDiag Item` WHERE item_code = 'SKU-00007'")
	assert diagnosis.kind == "Query"
	assert diagnosis.site == ctx.name == SITE
	assert diagnosis.status is Status.OK, diagnosis.summary
	assert diagnosis.to_dict()["inputs"]["explained_sql"].startswith("SELECT name FROM `tabDiag Item`")


def test_diagnose_query_reports_a_database_that_is_down(bench):
	bench.conf["db_port"] = 1  # nothing listens there
	bench.write()
	diagnosis = diagnose_query(bench.context(), "SELECT 1")
	step = diagnosis.steps[-1]
	assert (step.check_id, step.status) == ("query.explain", Status.ERROR)
	assert "connection failed" in step.summary
