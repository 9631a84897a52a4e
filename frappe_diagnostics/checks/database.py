"""Database health: connectivity, connection headroom, slow queries, lock waits."""

from __future__ import annotations

import statistics
import time

from frappe_diagnostics.engine.probe import ServiceUnavailable
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status
from frappe_diagnostics.engine.shell import bench


@check(
	"database.connectivity",
	title="Database connectivity",
	tags=("database", "startup"),
	thresholds={"latency_warning_ms": 50, "latency_critical_ms": 500},
)
def connectivity(probe):
	t0 = time.perf_counter()
	try:
		probe.db()
	except ServiceUnavailable as e:
		return probe.result(
			Status.CRITICAL,
			f"Cannot connect to the database {probe.site.db_target()}: {e.reason}.",
			findings=[Finding("The site's database is unreachable", {"target": probe.site.db_target()})],
			fixes=connection_fixes(e.reason, probe.site.name),
		)
	connect_ms = (time.perf_counter() - t0) * 1000
	timings = []
	for _ in range(3):
		t1 = time.perf_counter()
		probe.sql("SELECT 1")
		timings.append((time.perf_counter() - t1) * 1000)
	latency = statistics.median(timings)
	version = probe.sql_value("SELECT VERSION()")
	status = probe.graded(
		latency, probe.threshold("latency_warning_ms"), probe.threshold("latency_critical_ms")
	)
	metrics = [
		Metric("query_latency", round(latency, 2), "ms", headline=True),
		Metric("connect", round(connect_ms, 2), "ms"),
	]
	metrics.append(Metric("server_version", version))
	summary = f"Database answers in {latency:.1f} ms (MariaDB {version})."
	if status is not Status.OK:
		summary = f"Database is slow to answer: {latency:.0f} ms for SELECT 1."
		return probe.result(
			status,
			summary,
			metrics=metrics,
			findings=[Finding("Round trips to the database are slow", {"median_ms": round(latency, 1)})],
			fixes=[Fix("Check the database host's load and the network between it and the bench.")],
		)
	return probe.ok(summary, metrics=metrics)


def connection_fixes(reason: str, site: str) -> list[Fix]:
	if reason.startswith("access denied"):
		return [
			Fix(
				"The user or password in site_config.json does not match the database. Restore the right "
				"db_password, or reset the user's password as the MariaDB root user.",
				command=bench(site, "set-config", "db_password", "<the right password>"),
			)
		]
	if reason.startswith("database does not exist"):
		return [
			Fix(
				"The site's database is gone or its user lost its grant: check SHOW DATABASES as root; restore "
				"it from a backup if it is gone.",
				command=bench(site, "restore", "<backup.sql.gz>"),
			)
		]
	if reason.startswith("connection timed out"):
		return [
			Fix(
				"The database host does not answer: check that it is up and that no firewall drops port 3306."
			)
		]
	if reason.startswith("host name not found"):
		return [Fix("db_host in the site config names a host that does not resolve; correct it.")]
	return [
		Fix(
			"Start MariaDB and make sure it listens where db_host/db_port say.",
			command="sudo systemctl start mariadb",
		)
	]


@check(
	"database.connections",
	title="Database connections",
	tags=("database", "startup"),
	thresholds={"usage_warning_pct": 80, "usage_critical_pct": 95},
)
def connections(probe):
	status_vars = probe.status_vars(
		"Threads_connected", "Max_used_connections", "Connection_errors_max_connections"
	)
	limit = int(probe.variables("max_connections").get("max_connections", 0) or 0)
	in_use = int(status_vars.get("Threads_connected", 0))
	peak = int(status_vars.get("Max_used_connections", 0))
	refused = int(status_vars.get("Connection_errors_max_connections", 0))
	usage = 100.0 * in_use / limit if limit else 0.0
	status = probe.graded(usage, probe.threshold("usage_warning_pct"), probe.threshold("usage_critical_pct"))
	metrics = [
		Metric("in_use", in_use, "connections", headline=True),
		Metric("max_connections", limit, "connections"),
		Metric("usage", round(usage, 1), "%", headline=True),
		Metric("peak_since_start", peak, "connections"),
		Metric("refused_at_limit", refused, "connections"),
	]
	findings, fixes = [], []
	if refused:
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		findings.append(
			Finding("Connections were refused because max_connections was reached", {"refused": refused})
		)
	if status is not Status.OK:
		fixes.append(
			Fix(
				"Look for leaking or idle connections (SHOW PROCESSLIST), then raise max_connections in the "
				"MariaDB config if the load is real.",
				command="mysql -e 'SET GLOBAL max_connections = 500'",
			)
		)
	summary = f"{in_use} of {limit} connections in use ({usage:.0f}%), peak {peak}."
	return probe.result(status, summary, metrics=metrics, findings=findings, fixes=fixes)


@check(
	"database.slow_queries",
	title="Slow queries",
	tags=("database", "performance"),
	thresholds={"per_hour_warning": 60, "per_hour_critical": 600},
)
def slow_queries(probe):
	status_vars = probe.status_vars("Slow_queries", "Uptime", "Questions")
	variables = probe.variables("slow_query_log", "long_query_time", "slow_query_log_file")
	slow = int(status_vars.get("Slow_queries", 0))
	uptime_h = max(int(status_vars.get("Uptime", 1)) / 3600, 1 / 60)
	per_hour = slow / uptime_h
	log_on = str(variables.get("slow_query_log", "OFF")).upper() in ("ON", "1")
	long_time = float(variables.get("long_query_time") or 10)
	status = probe.graded(per_hour, probe.threshold("per_hour_warning"), probe.threshold("per_hour_critical"))
	metrics = [
		Metric("slow_queries", slow, "queries since start"),
		Metric("rate", round(per_hour, 1), "per hour", headline=True),
		Metric("long_query_time", long_time, "s"),
		Metric("slow_log", "on" if log_on else "off", headline=True),
	]
	findings, fixes = [], []
	if status is not Status.OK:
		findings.append(
			Finding("Queries slower than long_query_time are frequent", {"per_hour": round(per_hour, 1)})
		)
		fixes.append(
			Fix(
				"Find the worst statements in the slow log and add the indexes they need.",
				command="bench --site <site> diagnostics slowlog",
			)
		)
	if not log_on:
		findings.append(
			Finding(
				"The slow query log is off, so slow statements cannot be analysed", {"slow_query_log": "OFF"}
			)
		)
		fixes.append(
			Fix(
				"Turn the slow query log on (and persist it in the MariaDB config).",
				command='mysql -e "SET GLOBAL slow_query_log = 1; SET GLOBAL long_query_time = 1"',
			)
		)
	log_state = f"slow log {'on' if log_on else 'off'}"
	summary = f"{slow} slow queries since start ({per_hour:.1f}/hour over {long_time:g} s); {log_state}."
	return probe.result(status, summary, metrics=metrics, findings=findings, fixes=fixes)


@check(
	"database.locks",
	title="Lock waits",
	tags=("database", "performance"),
	thresholds={"wait_warning_s": 5, "wait_critical_s": 30},
)
def locks(probe):
	status_vars = probe.status_vars(
		"Innodb_row_lock_current_waits",
		"Innodb_row_lock_waits",
		"Innodb_row_lock_time_avg",
		"Table_locks_waited",
	)
	server_waits = int(status_vars.get("Innodb_row_lock_current_waits", 0))
	waiting = _site_waits(probe)
	if waiting is not None:
		current, where = len(waiting), "in this site's database"
		longest = max((int(r["waited_s"] or 0) for r in waiting), default=0)
	else:  # without PROCESS the site's user sees no other connection: the server's counter is all there is
		current, where, longest = server_waits, "on the database server (all its databases)", None
	metrics = [
		Metric("current_row_lock_waits", current, "transactions", headline=True),
		Metric("server_row_lock_waits", server_waits, "transactions"),
		Metric("longest_current_wait", longest if longest is not None else "n/a", "s" if longest else ""),
		Metric("row_lock_waits_since_start", int(status_vars.get("Innodb_row_lock_waits", 0)), "waits"),
		Metric("avg_row_lock_wait", int(status_vars.get("Innodb_row_lock_time_avg", 0)), "ms"),
		Metric("table_locks_waited", int(status_vars.get("Table_locks_waited", 0)), "waits"),
	]
	if not current:
		return probe.ok(f"No transaction is waiting for a lock {where}.", metrics=metrics)
	if longest is None:
		status = Status.WARNING
		summary = (
			f"{current} transaction(s) are waiting for row locks {where}; which ones and for how long needs "
			"the PROCESS privilege."
		)
	else:
		status = probe.graded(longest, probe.threshold("wait_warning_s"), probe.threshold("wait_critical_s"))
		summary = f"{current} transaction(s) are waiting for row locks {where}; the longest for {longest} s."
	findings = [Finding("Transactions are blocked on row locks", {"waiting": (waiting or [])[:5]})]
	fixes = [
		Fix(
			"Find the blocking transaction (long-running job or open console) and let it finish or end it; "
			"look for jobs that update the same documents concurrently."
		)
	]
	return probe.result(status, summary, metrics=metrics, findings=findings, fixes=fixes)


def _site_waits(probe) -> list[dict] | None:
	"""Transactions of the site's own database waiting for a row lock; None without PROCESS to see them."""
	try:
		return probe.sql(
			"SELECT t.trx_mysql_thread_id AS thread, TIMESTAMPDIFF(SECOND, t.trx_wait_started, NOW()) AS waited_s "
			"FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p "
			"ON p.ID = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND p.DB = DATABASE() "
			"ORDER BY t.trx_wait_started LIMIT 10"
		)
	except Exception as e:
		if getattr(e, "args", (None,))[0] in (1227, 1044, 1142):
			return None
		raise


# what Frappe reads on every request or to boot at all: without any one of them the site does not start
CORE_TABLES = (
	"tabDocType",
	"tabDocField",
	"tabDocPerm",
	"tabSingles",
	"tabDefaultValue",
	"tabUser",
	"tabHas Role",
	"tabModule Def",
	"tabInstalled Application",
	"tabPatch Log",
)


@check("database.core_tables", title="Core tables readable", tags=("database", "startup"))
def core_tables(probe):
	placeholders = ", ".join(["%s"] * len(CORE_TABLES))
	present = {
		r["name"]
		for r in probe.sql(
			"SELECT table_name AS name FROM information_schema.tables "
			f"WHERE table_schema = DATABASE() AND table_name IN ({placeholders})",
			CORE_TABLES,
		)
	}
	missing = [t for t in CORE_TABLES if t not in present]
	unreadable = {}
	for table in CORE_TABLES:
		if table in present:
			try:
				probe.sql(f"SELECT 1 FROM `{table}` LIMIT 1")
			except ServiceUnavailable:
				raise
			except Exception as e:
				unreadable[table] = str(e)[:200]
	if not missing and not unreadable:
		return probe.ok(f"The {len(CORE_TABLES)} core tables ({', '.join(CORE_TABLES)}) are readable.")
	site = probe.site.name
	fixes = [
		Fix(
			"If only this table is gone (dropped by hand, a failed patch), migrate recreates it from its DocType "
			"(its rows are lost: restore them from a backup).",
			command=bench(site, "migrate"),
		),
		Fix(
			"If many tables are gone (an interrupted install or restore), restore the last good backup; do not "
			"run migrate on a half-restored database.",
			command=bench(site, "restore", "<path/to/database.sql.gz>"),
		),
	]
	if unreadable:
		fixes.append(
			Fix("A table that exists but cannot be read may be corrupt: check the MariaDB error log.")
		)
	if missing:
		named = ", ".join(missing)
		summary = f"Core table{'s' if len(missing) > 1 else ''} {named} {'are' if len(missing) > 1 else 'is'} missing: Frappe cannot boot without {'them' if len(missing) > 1 else 'it'}."
	else:
		summary = f"Core tables cannot be read: {', '.join(unreadable)}."
	return probe.result(
		Status.CRITICAL,
		summary,
		findings=[
			Finding("Core tables missing or unreadable", {"missing": missing, "unreadable": unreadable})
		],
		fixes=fixes,
	)
