"""Database checks against the real MariaDB, including a real lock wait and a down server."""

from __future__ import annotations

import threading
import time

from conftest import free_port, root_connection
from helpers import run_one

from frappe_diagnostics.engine.registry import check, registry
from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.engine.runner import run_checks
from frappe_diagnostics.engine.settings import Settings


def test_connectivity_reports_latency_and_version(bench):
	result = run_one(
		bench.context(), "database.connectivity", latency_warning_ms=10_000, latency_critical_ms=20_000
	)
	assert result.status is Status.OK, result.summary
	assert "MariaDB" in str(result.metric("server_version"))
	assert result.metric("query_latency") > 0


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
	# the site's user has rights on its own database only, so the server answers 1044 for a missing one
	assert "database does not exist or the user has no rights on it" in result.summary


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


def hold_row_lock(site_db):
	"""Hold a row lock from a root connection in a thread until the returned event is set."""
	ready, release = threading.Event(), threading.Event()

	def holder():
		conn = root_connection(database=site_db["name"])
		conn.autocommit(False)
		with conn.cursor() as cur:
			cur.execute("SELECT * FROM diag_lock_target WHERE id = 1 FOR UPDATE")
			ready.set()
			release.wait(30)
		conn.rollback()
		conn.close()

	thread = threading.Thread(target=holder, daemon=True)
	thread.start()
	assert ready.wait(10)
	return thread, release


def waiting_statements(root_db, site_db) -> int:
	with root_db.cursor() as cur:
		cur.execute(
			"SELECT COUNT(*) FROM information_schema.PROCESSLIST "
			"WHERE db = %s AND info LIKE %s AND id <> CONNECTION_ID()",
			(site_db["name"], "%diag_lock_target WHERE id = 1 FOR UPDATE%"),
		)
		return cur.fetchone()[0]


def poll(condition, what: str, timeout_s: float = 10):
	"""Wait until the server shows `condition`; fail with `what` if it never does.

	Every 0.25 s: InnoDB refreshes information_schema.INNODB_TRX only after 0.1 s without a read.
	"""
	deadline = time.monotonic() + timeout_s
	while time.monotonic() < deadline:
		if condition():
			return
		time.sleep(0.25)
	raise AssertionError(f"timed out waiting for {what}")


def lock_waiting_check(check_id: str, unlimited: bool):
	@check(check_id, title="Waits on a row lock")
	def waits(probe):
		if unlimited:  # switch the server's safety net off: only the runner can stop it now
			probe.sql("SET SESSION max_statement_time = 0")
		probe.sql("SELECT * FROM diag_lock_target WHERE id = 1 FOR UPDATE")
		return probe.ok("got the lock")

	return registry.get(check_id)


def test_a_check_stuck_in_a_lock_wait_is_stopped_by_the_server(bench, site_db, root_db):
	definition = lock_waiting_check("testlock.server", unlimited=False)
	holder, release = hold_row_lock(site_db)
	try:
		run = run_checks(bench.context(), [definition], settings=Settings(check_budget_ms=400))
		assert holder.is_alive(), "the run returned only after the lock was released"
		result = run.results[0]
		assert result.status is Status.ERROR
		assert result.summary.startswith(
			"Did not finish within its budget of 400 ms: the database stopped its query after"
		), result.summary
		# still holding the lock: only the server's stop can end the statement (it may take a moment to go)
		poll(lambda: waiting_statements(root_db, site_db) == 0, "the server to end the waiting statement")
	finally:
		release.set()
		holder.join(10)
		registry.unregister("testlock.server")


def test_a_check_the_server_cannot_stop_is_cut_and_its_query_killed(bench, site_db, root_db):
	definition = lock_waiting_check("testlock.runner", unlimited=True)
	holder, release = hold_row_lock(site_db)
	try:
		run = run_checks(bench.context(), [definition], settings=Settings(check_budget_ms=400))
		assert holder.is_alive(), "the run returned only after the lock was released"
		result = run.results[0]
		assert result.status is Status.ERROR
		assert result.summary == (
			"Did not finish within its budget of 400 ms and was cut off while waiting on the database: what it "
			"waits on (a service, or this machine) was too slow to answer in time; it may be healthy but slow, "
			"or hung."
		)
		poll(lambda: waiting_statements(root_db, site_db) == 0, "KILL QUERY to end the cut-off query")
	finally:
		release.set()
		holder.join(10)
		registry.unregister("testlock.runner")


def longest_lock_wait_s(root_db, site_db) -> float:
	"""How long a transaction of the test's own database has waited on a lock (other databases on the
	shared server are not ours to wait for)."""
	with root_db.cursor() as cur:
		cur.execute(
			"SELECT COALESCE(MAX(TIMESTAMPDIFF(MICROSECOND, t.trx_wait_started, NOW())), 0) / 1e6 "
			"FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p "
			"ON p.ID = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND p.DB = %s",
			(site_db["name"],),
		)
		return float(cur.fetchone()[0])


def start_waiter(site_db) -> threading.Event:
	"""An UPDATE from another connection that waits on the held row lock; the event is set when it ends."""
	done = threading.Event()

	def waiter():
		conn = root_connection(database=site_db["name"])
		try:
			with conn.cursor() as cur:
				cur.execute("SET SESSION innodb_lock_wait_timeout = 30")
				cur.execute("UPDATE diag_lock_target SET v = v + 1 WHERE id = 1")
		finally:
			conn.close()
			done.set()

	threading.Thread(target=waiter, daemon=True).start()
	return done


def set_process_privilege(root_db, site_db, granted: bool):
	with root_db.cursor() as cur:
		for host in ("%", "localhost"):
			verb = "GRANT PROCESS ON *.* TO" if granted else "REVOKE PROCESS ON *.* FROM"
			cur.execute(f"{verb} '{site_db['name']}'@'{host}'")


def test_locks_check_sees_a_transaction_of_its_own_database_waiting(bench, site_db, root_db):
	"""With PROCESS the check counts only its own database's waits: other databases cannot change it."""
	set_process_privilege(root_db, site_db, True)
	holder, release = hold_row_lock(site_db)
	waiter_done = start_waiter(site_db)
	try:
		poll(lambda: longest_lock_wait_s(root_db, site_db) >= 1.0, "the UPDATE to wait a second on the lock")
		result = run_one(bench.context(), "database.locks", wait_warning_s=1, wait_critical_s=3600)
	finally:
		release.set()
		waiter_done.wait(30)
		holder.join(10)
	try:
		after = run_one(bench.context(), "database.locks")
	finally:
		set_process_privilege(root_db, site_db, False)
	assert result.metric("current_row_lock_waits") == 1
	assert result.status is Status.WARNING, result.summary
	assert result.summary.startswith("1 transaction(s) are waiting for row locks in this site's database")
	assert after.status is Status.OK
	assert after.summary == "No transaction is waiting for a lock in this site's database."


def test_without_process_the_locks_check_says_it_sees_the_server_counter(bench, site_db, root_db):
	holder, release = hold_row_lock(site_db)
	waiter_done = start_waiter(site_db)
	try:
		poll(lambda: longest_lock_wait_s(root_db, site_db) >= 0.5, "the UPDATE to wait on the lock")
		result = run_one(bench.context(), "database.locks")
	finally:
		release.set()
		waiter_done.wait(30)
		holder.join(10)
	assert result.status is Status.WARNING
	assert "on the database server (all its databases)" in result.summary
	assert result.summary.endswith("needs the PROCESS privilege.")
