"""The database troubleshooter on a real database with real damage, and the advisor on every server shape."""

from __future__ import annotations

import pytest

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.troubleshooters.database import diagnose_database
from frappe_diagnostics.troubleshooters.db_advisor import RULES, advise
from frappe_diagnostics.troubleshooters.db_integrity import quote


@pytest.fixture
def damaged(site_sql):
	"""A parent/child pair with an orphan, a Link to a missing record, a stray table, a wrong engine, a share of a deleted user."""
	statements = [
		"CREATE TABLE `tabDiag Parent` (name varchar(140) PRIMARY KEY, customer varchar(140))",
		"CREATE TABLE `tabDiag Child` (name varchar(140) PRIMARY KEY, parent varchar(140), parenttype varchar(140))",
		"CREATE TABLE `tabDiag Customer` (name varchar(140) PRIMARY KEY)",
		"CREATE TABLE `tabGhost Table` (name varchar(140) PRIMARY KEY)",
		"CREATE TABLE `tabDiag Legacy` (name varchar(140) PRIMARY KEY) ENGINE=MyISAM",
		"INSERT INTO `tabDocType` (name, istable) VALUES ('Diag Parent', 0), ('Diag Child', 1), ('Diag Customer', 0), ('Diag Legacy', 0)",
		"INSERT INTO `tabDocField` VALUES ('f1', 'Diag Parent', 'customer', 'Link', 'Diag Customer')",
		"INSERT INTO `tabDiag Customer` VALUES ('C1')",
		"INSERT INTO `tabDiag Parent` VALUES ('P1', 'C1'), ('P2', 'C-GONE'), ('P3', NULL)",
		"INSERT INTO `tabDiag Child` VALUES ('c1', 'P1', 'Diag Parent'), ('c2', 'P-DELETED', 'Diag Parent')",
		"INSERT INTO `tabUser` VALUES ('alive@example.com', 1)",
		"INSERT INTO `tabDocShare` VALUES ('s1', 'alive@example.com', 'ToDo'), ('s2', 'gone@example.com', 'ToDo')",
	]
	for statement in statements:
		site_sql(statement)
	yield
	for table in ("Diag Parent", "Diag Child", "Diag Customer", "Ghost Table", "Diag Legacy"):
		site_sql(f"DROP TABLE IF EXISTS `tab{table}`")
	for table in ("tabDocType", "tabDocField", "tabDocShare", "tabUser"):
		site_sql(f"DELETE FROM `{table}`")


def steps(d):
	return {s.check_id: s for s in d.steps}


def test_damage_is_found_with_counts_and_fixes(bench, damaged):
	d = diagnose_database(bench.context(), doctype="Diag Parent")
	by_id = steps(d)
	assert by_id["database.connectivity"].status is Status.OK
	orphans = by_id["database.orphan_children"]
	assert orphans.status is Status.WARNING
	assert orphans.findings[0].evidence == {"Diag Child → Diag Parent": 1}
	links = by_id["database.links"]
	assert links.findings[0].evidence == {"customer → Diag Customer": 1}
	stray = by_id["database.stray_tables"]
	assert "tabGhost Table" in stray.findings[0].evidence["tables"]
	users = by_id["database.deleted_users"]
	assert users.metric("tabDocShare") == 1
	hygiene = by_id["database.schema_hygiene"]
	engines = next(f.evidence for f in hygiene.findings if "engine" in f.message)
	assert engines == {"tabDiag Legacy": "MyISAM (declared InnoDB)"}
	assert d.status is Status.WARNING


def test_unknown_doctype_and_unnamed_check_table(bench, damaged):
	by_id = steps(diagnose_database(bench.context(), doctype="No Such Doctype"))
	assert by_id["database.links"].status is Status.ERROR
	assert "There is no DocType named 'No Such Doctype'" in by_id["database.links"].summary
	assert "database.check_table" not in by_id


def test_check_table_runs_only_on_a_named_existing_table(bench, damaged, site_sql):
	by_id = steps(diagnose_database(bench.context(), table="tabDiag Parent"))
	assert by_id["database.check_table"].status is Status.OK
	assert "ran only because this table was named" in by_id["database.check_table"].summary
	hostile = steps(diagnose_database(bench.context(), table="tabDiag Parent`; DROP TABLE `tabDiag Customer"))
	assert hostile["database.check_table"].status is Status.ERROR
	assert site_sql("SELECT COUNT(*) AS n FROM `tabDiag Customer`")[0]["n"] == 1


def test_a_down_database_stops_after_the_connection_steps(bench):
	from conftest import free_port

	bench.conf["db_port"] = free_port()
	bench.write()
	d = diagnose_database(bench.context())
	assert [s.check_id for s in d.steps][:1] == ["database.connectivity"]
	assert "database.advisor" not in steps(d)
	assert d.likely_cause.check_id == "database.connectivity"


def test_quote_refuses_names_it_cannot_quote_safely():
	assert quote("tabSales Invoice") == "`tabSales Invoice`"
	for bad in ("a`b", "x; drop", "", "a" * 200):
		with pytest.raises(ValueError):
			quote(bad)


MARIADB_10_6 = {
	"status": {
		"Max_used_connections": "140",
		"Connections": "1000",
		"Aborted_connects": "200",
		"Created_tmp_tables": "1000",
		"Created_tmp_disk_tables": "600",
		"Sort_merge_passes": "50",
		"Sort_scan": "100",
		"Sort_range": "100",
		"Threads_created": "900",
		"Open_files": "950",
		"Table_open_cache_hits": "100",
		"Table_open_cache_misses": "900",
	},
	"variables": {
		"version": "10.6.16-MariaDB",
		"max_connections": "151",
		"innodb_buffer_pool_size": str(128 * 2**20),
		"innodb_log_file_size": str(48 * 2**20),
		"innodb_log_files_in_group": "1",
		"tmp_table_size": str(16 * 2**20),
		"max_heap_table_size": str(16 * 2**20),
		"sort_buffer_size": str(2 * 2**20),
		"thread_cache_size": "8",
		"table_open_cache": "2000",
		"open_files_limit": "1000",
		"slow_query_log": "OFF",
		"log_bin": "ON",
		"expire_logs_days": "0",
		"innodb_file_per_table": "OFF",
		"character_set_server": "latin1",
		"collation_server": "latin1_swedish_ci",
	},
	"facts": {"ram_bytes": 8 * 2**30, "innodb_data_bytes": 4 * 2**30},
}


def test_every_rule_fires_on_a_badly_tuned_10_6_with_evidence_and_a_value():
	advice = {
		a.rule: a for a in advise(MARIADB_10_6["status"], MARIADB_10_6["variables"], MARIADB_10_6["facts"])
	}
	expected = {
		"buffer_pool",
		"connections",
		"aborted_connects",
		"tmp_disk_tables",
		"sort_merge_passes",
		"thread_cache",
		"table_cache",
		"open_files",
		"slow_log",
		"binlog",
		"file_per_table",
		"charset",
	}
	assert expected <= set(advice)
	assert advice["buffer_pool"].value == "4.8G" and advice["buffer_pool"].evidence["innodb_data"] == "4.0G"
	assert advice["tmp_disk_tables"].setting == "tmp_table_size and max_heap_table_size"
	assert advice["binlog"].severity == "warning"  # binlog on but never expiring


@pytest.mark.parametrize(
	"status,variables",
	[
		({}, {}),  # nothing at all
		(
			{"Connections": "0", "Created_tmp_tables": "0", "Sort_scan": "0"},
			{"max_connections": "0", "open_files_limit": "0"},
		),
		(
			{"Uptime": "1"},
			{"version": "11.4.2-MariaDB", "innodb_log_file_size": "100663296"},
		),  # 11.x: no files_in_group
		({"Table_open_cache_hits": "abc"}, {"innodb_buffer_pool_size": "n/a", "log_bin": "OFF"}),
	],
)
def test_the_advisor_never_divides_by_zero_or_crashes(status, variables):
	advise(status, variables, {"ram_bytes": 0, "innodb_data_bytes": 0})
	for rule in RULES:
		rule(status, variables, {})


def test_the_advisor_on_this_real_server(bench):
	"""The real server's settings are whatever this machine has: the advisor reads them and never errs."""
	step = steps(diagnose_database(bench.context()))["database.advisor"]
	assert step.status is not Status.ERROR, step.summary
	assert "MariaDB" in str(step.metric("server_version"))


def test_a_growing_error_log_is_named_with_its_growth_and_recurring_error_before_any_advice(bench, site_sql):
	from datetime import datetime, timedelta

	now = datetime.now().replace(microsecond=0)
	rows = [
		(
			f"e{i}",
			now - timedelta(minutes=i % 600),
			now - timedelta(minutes=i % 600),
			"app.api.sync_orders",
			"Traceback (most recent call last):\n  File \"app/api.py\", line 9, in sync\nKeyError: 'customer'",
		)
		for i in range(600)
	]
	for row in rows:
		site_sql(
			"INSERT INTO `tabError Log` (name, creation, modified, method, error) VALUES (%s, %s, %s, %s, %s)",
			row,
		)
	d = diagnose_database(bench.context())
	growth = steps(d)["database.log_growth"]
	assert growth.status is Status.WARNING
	assert growth.summary.startswith("tabError Log grew by 600 rows in the last 24 h (")
	assert growth.summary.endswith(
		"; the recurring error: KeyError: 'customer' (600 times, from app.api.sync_orders)."
	)
	assert growth.fixes[0].command == "bench --site test.local diagnostics errors --since 24h"
	failing = [s.check_id for s in d.steps if s.status.rank >= Status.WARNING.rank]
	assert failing[0] == "database.log_growth"
	assert d.likely_cause.check_id == "database.log_growth"
