"""EXPLAIN is no yes/no oracle over data: credential tables and secret columns are refused, and plan rows whose
`Extra` depends on the data say only that the optimiser answered from an index."""

from __future__ import annotations

import pytest
from test_query_analyser import site_connection

from frappe_diagnostics.engine.credentials import CREDENTIAL_TABLES, SECRET_COLUMNS
from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.troubleshooters.query import explain_query
from frappe_diagnostics.troubleshooters.sql_guard import QueryRejected, validate_select


@pytest.mark.parametrize("table", sorted(CREDENTIAL_TABLES))
def test_every_credential_table_is_refused_with_its_reason(table):
	with pytest.raises(QueryRejected) as refused:
		validate_select(f"SELECT MIN(name) FROM `{table}` WHERE name >= 'f4' AND name < 'f5'")
	assert str(refused.value) == (
		f"The query reads `{table}`, which holds {CREDENTIAL_TABLES[table]}; the analyser refuses it, "
		"because even a plan can reveal what such a table holds."
	)


@pytest.mark.parametrize(
	"sql",
	[
		"SELECT MIN(sid) FROM `tabSessions` WHERE sid >= 'f4' AND sid < 'f5'",
		"SELECT 1 FROM tabsessions",  # MariaDB on Linux: table names are case-sensitive, refuse both
		"SELECT 1 FROM `TABSESSIONS`",
		"SELECT 1 FROM `tabUser` u JOIN `__Auth` a ON a.name = u.name",
		"SELECT 1 FROM `tabUser` WHERE name IN (SELECT name FROM `tabOAuth Bearer Token`)",
		"WITH t AS (SELECT * FROM `tabOAuth Client`) SELECT 1 FROM t",
		"SELECT 1 FROM site_db.`tabSessions`",
	],
)
def test_credential_tables_are_refused_wherever_they_appear(sql):
	with pytest.raises(QueryRejected, match="the analyser refuses it"):
		validate_select(sql)


@pytest.mark.parametrize("column", sorted(SECRET_COLUMNS))
def test_secret_columns_are_refused_on_any_table(column):
	sql = f"SELECT name FROM `tabUser` WHERE name = 'Administrator' AND `{column}` LIKE 'a%'"
	with pytest.raises(QueryRejected) as refused:
		validate_select(sql)
	assert str(refused.value) == (
		f"The query uses the column `{column}`, which holds secrets (passwords, keys or tokens); "
		"the analyser refuses it, because even a plan can reveal what it holds."
	)


def test_ordinary_user_queries_stay_accepted():
	validate_select("SELECT name, enabled FROM `tabUser` WHERE enabled = 1 AND user_type = 'System User'")


# --- the plan of a MIN/MAX over a range answers from the data: the answer must not depend on it ----------


@pytest.fixture
def probe_table(root_db, site_db):
	table = f"`{site_db['name']}`.`tabDiag Probe`"
	with root_db.cursor() as cur:
		cur.execute(f"CREATE TABLE {table} (name varchar(140) PRIMARY KEY, v int) ENGINE=InnoDB")
		cur.executemany(f"INSERT INTO {table} VALUES (%s, 0)", [(f"a{i:03d}",) for i in range(50)])
	yield table
	with root_db.cursor() as cur:
		cur.execute(f"DROP TABLE IF EXISTS {table}")


def explained(site_db, sql):
	with site_connection(site_db) as conn:
		diagnosis = explain_query(conn, sql, site="test.local")
	return [
		(s.check_id, s.status, s.summary, [(m.name, m.value) for m in s.metrics]) for s in diagnosis.steps[1:]
	]


DATA_DEPENDENT = [
	"SELECT MIN(name) FROM `tabDiag Probe` WHERE name >= 'f4' AND name < 'f5'",  # min/max row or not
	"SELECT v FROM `tabDiag Probe` WHERE name = 'f4x' AND v = 0",  # const row or impossible WHERE
]


@pytest.mark.parametrize("sql", DATA_DEPENDENT)
def test_a_data_dependent_plan_says_the_same_whatever_the_data(site_db, root_db, probe_table, sql):
	absent = explained(site_db, sql)
	with root_db.cursor() as cur:
		cur.execute(f"INSERT INTO {probe_table} VALUES ('f4x', 0)")
	present = explained(site_db, sql)
	assert absent == present
	assert absent[0][1] is Status.OK
	assert absent[0][2] == "The optimiser answered from an index without reading rows."


def test_the_masked_words_never_appear(site_db, probe_table):
	steps = explained(site_db, DATA_DEPENDENT[0])
	text = repr(steps).lower()
	for word in ("no matching", "optimized away", "impossible", "const table"):
		assert word not in text
