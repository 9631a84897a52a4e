"""Databases of our own on the site's server, never the live one: a scratch database for verification and
the incoming and holding databases of a restore. Names carry a prefix so leftovers are recognisable.

A database in use is marked by a named lock (GET_LOCK) held by the connection that uses it; the server
releases it when that connection ends, a SIGKILL included. A scratch database whose lock is free is a
leftover of an interrupted run, and the next run drops it.
"""

from __future__ import annotations

import hashlib
import secrets
import signal
import threading
import time
from contextlib import contextmanager

SCRATCH, INCOMING, HOLDING = "_diag_scratch_", "_diag_incoming_", "_diag_hold_"
PREFIXES = (SCRATCH, INCOMING, HOLDING)


def new_name(prefix: str, site: str) -> str:
	"""`<prefix><site hash>_<time>_<random>`: at most 64 characters, only [a-z0-9_]."""
	site_hash = hashlib.sha1(site.encode()).hexdigest()[:8]
	return f"{prefix}{site_hash}_{time.strftime('%Y%m%d%H%M%S')}_{secrets.token_hex(2)}"


def site_prefix(prefix: str, site: str) -> str:
	return f"{prefix}{hashlib.sha1(site.encode()).hexdigest()[:8]}_"


def loader_user(database: str) -> str:
	"""The user a dump is loaded with (recovery/loader.py): never a site's own user, which Frappe names like
	its database."""
	return "_diagld_" + hashlib.sha1(database.encode()).hexdigest()[:20]


def quote(name: str) -> str:
	"""A database or table name quoted for SQL (backticks doubled)."""
	return "`" + str(name).replace("`", "``") + "`"


def _lock_name(database: str) -> str:
	return ("diag:" + database)[:64]


def databases_like(conn, prefix: str) -> list[str]:
	with conn.cursor() as cur:
		cur.execute(
			"SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s", (_like(prefix),)
		)
		return sorted(row[0] for row in cur.fetchall())


def _like(prefix: str) -> str:
	return prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"


def drop_leftovers(conn, prefix: str = SCRATCH) -> list[str]:
	"""Drop databases with the prefix that no live connection holds; returns their names."""
	dropped = []
	for name in databases_like(conn, prefix):
		with conn.cursor() as cur:
			cur.execute("SELECT IS_FREE_LOCK(%s)", (_lock_name(name),))
			if cur.fetchone()[0] != 1:
				continue
		drop_database(conn, name)
		dropped.append(name)
	return dropped


def drop_database(conn, name: str) -> None:
	"""Drop one of our databases and the load user a killed load may have left with it."""
	with conn.cursor() as cur:
		cur.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
		for host in ("%", "localhost"):
			cur.execute("DROP USER IF EXISTS %s@%s", (loader_user(name), host))


def hold_lock(conn, database: str) -> None:
	with conn.cursor() as cur:
		cur.execute("SELECT GET_LOCK(%s, 0)", (_lock_name(database),))
		if cur.fetchone()[0] != 1:
			raise RuntimeError(f"{database} is in use by another run.")


def create(conn, database: str) -> None:
	with conn.cursor() as cur:
		cur.execute(f"CREATE DATABASE {quote(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")


def drop(conn, database: str) -> None:
	drop_database(conn, database)
	with conn.cursor() as cur:
		cur.execute("SELECT RELEASE_LOCK(%s)", (_lock_name(database),))


@contextmanager
def scratch_database(conn, site: str, prefix: str = SCRATCH):
	"""A new, locked, empty database that is dropped afterwards whatever happens (leftovers of earlier,
	killed runs are dropped first). Yields (name, leftovers dropped)."""
	leftovers = drop_leftovers(conn, prefix)
	name = new_name(prefix, site)
	hold_lock(conn, name)
	try:
		create(conn, name)
		yield name, leftovers
	finally:
		drop(conn, name)


@contextmanager
def terminate_as_interrupt():
	"""While the block runs, SIGTERM (a stop, a timeout, `kill`) raises KeyboardInterrupt, so `finally` blocks
	that drop our databases run. Only the main thread can set handlers; elsewhere this does nothing."""
	if threading.current_thread() is not threading.main_thread():
		yield
		return

	def interrupt(signum, frame):
		raise KeyboardInterrupt(f"stopped by signal {signum}")

	previous = signal.signal(signal.SIGTERM, interrupt)
	try:
		yield
	finally:
		signal.signal(signal.SIGTERM, previous)
