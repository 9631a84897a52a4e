"""Database checks against the real MariaDB, including a real lock wait and a down server."""

from __future__ import annotations

import threading
import time

import pymysql
from conftest import free_port, root_connection
from helpers import run_one

from frappe_diagnostics.engine.registry import check, registry
from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.engine.runner import run_checks
from frappe_diagnostics.engine.settings import Settings


def test_connectivity_reports_latency_and_version(bench):
	result = run_one(bench.context(), "database.connectivity")
	assert result.status is Status.OK, result.summary
	assert "MariaDB" in str(result.metric("server_version"))
	assert 0 < result.metric("query_latency") < 50


def test_connectivity_slow_threshold_gives_warning(bench):
	result = run_one(
		bench.context(), "database.connectivity", latency_warning_ms=0, latency_critical_ms=10_000
	)
	assert result.status is Status.WARNING
	assert result.summary.startswith("Database is slow to answer")


def test_wrong_password_is_access_denied_with_the_fix(bench):
	bench.conf["db_password"] = "not-the-password"
	bench.write()
	result = run_one(bench.context(), "database.connectivity")
	assert result.status is Status.CRITICAL
	assert "access denied" in result.summary
	assert "db_password" in result.fixes[0].description


def test_refused_database_is_critical_and_dependent_checks_are_skipped(bench):
	bench.conf["db_port"] = free_port()
	bench.write()
	run = run_checks(bench.context(), registry.select(tags=["database"]), settings=Settings(parallel=1))
	by_id = {r.check_id: r for r in run.results}
	assert by_id["database.connectivity"].status is Status.CRITICAL
	assert "connection refused" in by_id["database.connectivity"].summary
	for other in ("database.connections", "database.slow_queries", "database.locks"):
		assert by_id[other].status is Status.SKIPPED, by_id[other].summary
		assert "database is unreachable" in by_id[other].summary
	assert run.status is Status.CRITICAL


def test_missing_database_says_so(bench, site_db):
	bench.conf["db_name"] = site_db["name"] + "_gone"
	bench.conf["db_user"] = site_db["name"]
	bench.write()
	result = run_one(bench.context(), "database.connectivity")
	assert result.status is Status.CRITICAL
	assert "does not exist" in result.summary or "access denied" in result.summary


def test_connections_match_the_server(bench, root_db):
	result = run_one(bench.context(), "database.connections")
	with root_db.cursor() as cur:
		cur.execute("SELECT @@max_connections")
		limit = cur.fetchone()[0]
	assert result.metric("max_connections") == limit
	assert result.metric("in_use") >= 1
	assert result.status is Status.OK
	warned = run_one(bench.context(), "database.connections", usage_warning_pct=0, usage_critical_pct=101)
	assert warned.status is Status.WARNING and warned.fixes


def test_slow_queries_reports_the_log_state(bench, root_db):
	result = run_one(bench.context(), "database.slow_queries")
	with root_db.cursor() as cur:
		cur.execute("SELECT @@slow_query_log")
		on = bool(cur.fetchone()[0])
	assert result.metric("slow_log") == ("on" if on else "off")
	assert ("slow log on" if on else "slow log off") in result.summary
	if not on:
		assert any("slow query log is off" in f.message for f in result.findings)


def hold_row_lock(site_db, seconds: float):
	"""Hold a row lock from a root connection in a thread; returns (thread, ready event)."""
	ready = threading.Event()

	def holder():
		conn = root_connection(database=site_db["name"])
		conn.autocommit(False)
		with conn.cursor() as cur:
			cur.execute("SELECT * FROM diag_lock_target WHERE id = 1 FOR UPDATE")
			ready.set()
			time.sleep(seconds)
		conn.rollback()
		conn.close()

	thread = threading.Thread(target=holder, daemon=True)
	thread.start()
	assert ready.wait(5)
	return thread


def test_a_check_stuck_in_a_lock_wait_is_cut_and_its_query_killed(bench, site_db, root_db):
	@check("testlock.wait", title="Waits on a row lock")
	def waits(probe):
		probe.sql("SELECT * FROM diag_lock_target WHERE id = 1 FOR UPDATE")
		return probe.ok("got the lock")

	try:
		holder = hold_row_lock(site_db, 3)
		t0 = time.monotonic()
		run = run_checks(
			bench.context(), [registry.get("testlock.wait")], settings=Settings(check_budget_ms=300)
		)
		elapsed = time.monotonic() - t0
		result = run.results[0]
		assert result.status is Status.ERROR
		assert (
			"budget of 300 ms" in result.summary
			or "interrupted" in result.summary.lower()
			or "max_statement_time" in result.summary
		)
		assert elapsed < 1.5
		time.sleep(0.2)
		with root_db.cursor() as cur:
			cur.execute(
				"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE db = %s AND info LIKE %s",
				(site_db["name"], "%diag_lock_target WHERE id = 1 FOR UPDATE%"),
			)
			still_waiting = cur.fetchone()[0]
		assert still_waiting <= 1, "the cut-off check's query is still waiting on the server"
		holder.join(5)
	finally:
		registry.unregister("testlock.wait")


def test_locks_check_sees_a_transaction_waiting(bench, site_db):
	holder = hold_row_lock(site_db, 2.5)
	waiter_done = threading.Event()

	def waiter():
		conn = root_connection(database=site_db["name"])
		try:
			with conn.cursor() as cur:
				cur.execute("SET SESSION innodb_lock_wait_timeout = 2")
				cur.execute("UPDATE diag_lock_target SET v = v + 1 WHERE id = 1")
		except pymysql.err.OperationalError:
			pass
		finally:
			conn.close()
			waiter_done.set()

	threading.Thread(target=waiter, daemon=True).start()
	time.sleep(1.2)
	result = run_one(bench.context(), "database.locks", wait_warning_s=1, wait_critical_s=60)
	assert result.metric("current_row_lock_waits") >= 1
	assert result.status is Status.WARNING, result.summary
	assert "waiting for row locks" in result.summary
	waiter_done.wait(5)
	holder.join(5)
	assert run_one(bench.context(), "database.locks").status is Status.OK
