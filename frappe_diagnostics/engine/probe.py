"""What a running check holds: its thresholds, its connections, and a way to cut it off."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable

from frappe_diagnostics.engine.result import CheckResult, Finding, Fix, Metric, Status

MISSING_TABLE = 1146  # MariaDB: the table does not exist


def missing_table(error: Exception) -> bool:
	"""Whether a database error says the table does not exist (a site without that DocType yet)."""
	args = getattr(error, "args", None)
	return bool(args) and args[0] == MISSING_TABLE


class ServiceUnavailable(Exception):
	"""A service the check needs is down; the check is skipped, the connectivity check reports it."""

	def __init__(self, service: str, reason: str):
		super().__init__(f"{service} unreachable: {reason}")
		self.service = service
		self.reason = reason


class Resources:
	"""Connections shared by one run: idle database connections are reused; failures are remembered."""

	def __init__(self, ctx):
		self.ctx = ctx
		self._idle: list = []
		self._lock = threading.Lock()
		self.failures: dict[str, str] = {}

	def checkout_db(self, timeout_s: float):
		with self._lock:
			if "database" in self.failures:
				raise ServiceUnavailable("database", self.failures["database"])
			conn = self._idle.pop() if self._idle else None
		if conn is None:
			try:
				conn = self.ctx.connect_db(timeout_s=timeout_s)
			except LookupError as e:
				reason = f"not configured ({e})"
				with self._lock:
					self.failures.setdefault("database", reason)
				raise ServiceUnavailable("database", reason) from e
			except Exception as e:
				reason = describe_db_error(e)
				with self._lock:
					self.failures.setdefault("database", reason)
				raise ServiceUnavailable("database", reason) from e
		# the server stops a statement at `timeout_s`; the socket waits longer, so the server's clean
		# interruption (not a lost connection) is what the check sees
		conn._read_timeout = timeout_s + max(0.5, timeout_s)
		_set_statement_time(conn, timeout_s)
		return conn

	def checkin_db(self, conn) -> None:
		with self._lock:
			if conn.open and len(self._idle) < 8:
				self._idle.append(conn)
				return
		_close_quietly(conn)

	def note_failure(self, service: str, reason: str) -> None:
		with self._lock:
			self.failures.setdefault(service, reason)

	def close(self) -> None:
		with self._lock:
			idle, self._idle = self._idle, []
		for conn in idle:
			_close_quietly(conn)


SERVICE_SHARE = 0.75  # a service call may use this share of the remaining budget; the runner cuts at 100 %


class Probe:
	"""Handed to a check function: thresholds, SQL and Redis access, and result builders.

	Database statements and Redis calls time out at three quarters of the check's remaining budget, so a
	hung service is reported by the check itself (or as an interrupted query); the runner's cut at the
	full budget is the backstop for anything else.
	"""

	def __init__(self, ctx, definition, resources: Resources, budget_ms: float, thresholds: dict):
		self.site = ctx
		self.definition = definition
		self.resources = resources
		self.budget_ms = budget_ms
		self.deadline = time.monotonic() + budget_ms / 1000
		self.thresholds = thresholds
		self.aborted = False
		self.waiting_on = ""  # the service the check last called, for the runner's cut-off message
		self.redis_used = ""  # the last redis_<kind> it opened: a Redis error later is that server's
		self._db = None
		self._redis: list = []
		self._lock = threading.Lock()

	# thresholds and time
	def threshold(self, name: str) -> float:
		return self.thresholds[name]

	def remaining_s(self) -> float:
		return max(0.05, self.deadline - time.monotonic())

	def service_timeout_s(self) -> float:
		"""How long one database or Redis call may take: a share of what is left of the budget."""
		return max(0.05, self.remaining_s() * SERVICE_SHARE)

	# database
	def db(self):
		if self._db is None:
			self._check_aborted()
			self.waiting_on = "the database"
			conn = self.resources.checkout_db(self.service_timeout_s())
			with self._lock:
				self._db = conn
			if self.aborted:
				self.abort()
				self._check_aborted()
		return self._db

	def sql(self, query: str, args: Iterable | dict | None = None) -> list[dict]:
		conn = self.db()
		self.waiting_on = "the database"
		with conn.cursor() as cur:
			cur.execute(query, args)
			return list(cur.fetchall())

	def sql_value(self, query: str, args=None, default=None):
		rows = self.sql(query, args)
		return next(iter(rows[0].values())) if rows else default

	def single_value(self, doctype: str, field: str, default=None):
		"""A field of a single DocType as stored in tabSingles (text), or `default` when none is stored."""
		value = self.sql_value(
			"SELECT value FROM `tabSingles` WHERE doctype = %s AND field = %s", (doctype, field)
		)
		return default if value is None else value

	def system_setting(self, field: str, default=None):
		return self.single_value("System Settings", field, default)

	def status_vars(self, *names: str) -> dict[str, str]:
		return self._show("SHOW GLOBAL STATUS", names)

	def variables(self, *names: str) -> dict[str, str]:
		return self._show("SHOW GLOBAL VARIABLES", names)

	def _show(self, statement: str, names) -> dict[str, str]:
		placeholders = ", ".join(["%s"] * len(names))
		rows = self.sql(f"{statement} WHERE Variable_name IN ({placeholders})", list(names))
		return {r["Variable_name"]: r["Value"] for r in rows}

	# redis
	def redis(self, kind: str):
		"""A fresh client for redis_<kind>; raises ServiceUnavailable if an earlier check found it down."""
		self._check_aborted()
		key = f"redis_{kind}"
		if key in self.resources.failures:
			raise ServiceUnavailable(key, self.resources.failures[key])
		self.waiting_on = self.redis_used = key
		client = self.site.redis_client(kind, timeout_s=self.service_timeout_s())
		with self._lock:
			self._redis.append(client)
		return client

	# results
	def result(self, status: Status, summary: str, metrics=(), findings=(), fixes=()) -> CheckResult:
		return CheckResult(
			check_id=self.definition.id,
			status=status,
			summary=summary,
			metrics=[m if isinstance(m, Metric) else Metric(*m) for m in metrics],
			findings=[f if isinstance(f, Finding) else Finding(*f) for f in findings],
			fixes=[f if isinstance(f, Fix) else Fix(*f) for f in fixes],
		)

	def ok(self, summary: str, **kw) -> CheckResult:
		return self.result(Status.OK, summary, **kw)

	def skipped(self, summary: str, **kw) -> CheckResult:
		return self.result(Status.SKIPPED, summary, **kw)

	def graded(self, value: float, warning: float, critical: float, higher_is_worse: bool = True) -> Status:
		"""Status of a value against a warning and a critical threshold."""
		sign = 1 if higher_is_worse else -1
		if sign * value >= sign * critical:
			return Status.CRITICAL
		if sign * value >= sign * warning:
			return Status.WARNING
		return Status.OK

	# lifecycle
	def release(self) -> None:
		with self._lock:
			conn, self._db = self._db, None
			clients, self._redis = self._redis, []
		if conn is not None:
			self.resources.checkin_db(conn)
		for client in clients:
			_close_quietly(client)

	def abort(self) -> None:
		"""Cut the check off: kill its query on the server and shut its sockets, so its thread ends."""
		self.aborted = True
		with self._lock:
			conn, self._db = self._db, None
			clients, self._redis = self._redis, []
		if conn is not None:
			_kill_query(self.site, conn)
			_shutdown(getattr(conn, "_sock", None))
		for client in clients:
			try:
				client.connection_pool.disconnect()
			except Exception:
				pass

	def _check_aborted(self) -> None:
		if self.aborted:
			raise TimeoutError("check was cut off at its time budget")


def describe_db_error(error: Exception) -> str:
	"""A short reason for a failed database connection: refused, timeout, DNS, access denied..."""
	code = error.args[0] if error.args and isinstance(error.args[0], int) else None
	text = str(error.args[1] if len(error.args) > 1 else error)
	if code == 1045:
		return f"access denied ({text})"
	if code == 1049:
		return f"database does not exist ({text})"
	if code == 1044:
		return f"database does not exist or the user has no rights on it ({text})"
	if code == 2003:
		lowered = text.lower()
		if "timed out" in lowered:
			return f"connection timed out ({text})"
		if "name or service not known" in lowered or "nodename nor servname" in lowered:
			return f"host name not found ({text})"
		return f"connection refused ({text})"
	return f"{type(error).__name__}: {text}"


def _set_statement_time(conn, timeout_s: float) -> None:
	# MariaDB aborts any statement, lock waits included, that runs past this
	if "mariadb" in (conn.get_server_info() or "").lower():
		with conn.cursor() as cur:
			cur.execute("SET SESSION max_statement_time = %s", (round(max(0.05, timeout_s), 3),))


def _kill_query(ctx, conn) -> None:
	thread_id = getattr(conn, "thread_id", lambda: None)()
	if not thread_id:
		return
	try:
		killer = ctx.connect_db(timeout_s=1.0)
	except Exception:
		return
	try:
		with killer.cursor() as cur:
			cur.execute("KILL QUERY %s", (int(thread_id),))
	except Exception:
		pass
	finally:
		_close_quietly(killer)


def _shutdown(sock) -> None:
	if sock is None:
		return
	try:
		sock.shutdown(socket.SHUT_RDWR)
	except OSError:
		pass


def _close_quietly(thing) -> None:
	try:
		thing.close()
	except Exception:
		pass
