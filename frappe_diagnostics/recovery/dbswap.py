"""Swap the live database's tables for restored ones in one statement: a single RENAME TABLE moving every
live table into a holding database and every restored table into the live one. MariaDB runs it atomically
(all renames or none; crash-safe since 10.6) and finishes it even when the client is killed after sending
it, so the live database always holds either all old tables or all new ones.
"""

from __future__ import annotations

from frappe_diagnostics.recovery import faults
from frappe_diagnostics.recovery.scratch import quote

LOCK_WAIT_S = (
	60  # how long the rename may wait for running transactions before it gives up (changing nothing)
)


def tables(conn, database: str) -> dict[str, str]:
	"""Table (and sequence, view) names of a database with their types."""
	with conn.cursor() as cur:
		cur.execute(
			"SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = %s",
			(database,),
		)
		return dict(cur.fetchall())


def exists(conn, database: str) -> bool:
	with conn.cursor() as cur:
		cur.execute("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = %s", (database,))
		return cur.fetchone()[0] == 1


def views(conn, *databases: str) -> list[str]:
	return [f"{db}.{t}" for db in databases for t, kind in tables(conn, db).items() if kind == "VIEW"]


def rename_statement(moves: list[tuple[str, str, str, str]]) -> str:
	"""One RENAME TABLE for (from_db, table, to_db, table) moves, in order."""
	parts = [f"{quote(a)}.{quote(t)} TO {quote(b)}.{quote(u)}" for a, t, b, u in moves]
	return "RENAME TABLE " + ", ".join(parts)


def swap(conn, live: str, incoming: str, hold: str, fault: str = "") -> int:
	"""Move live → hold and incoming → live in one statement; returns how many tables came in.

	Refuses views (RENAME cannot move a view between databases); Frappe sites have none.
	"""
	found = views(conn, live, incoming)
	if found:
		raise RuntimeError(
			f"Views cannot be swapped between databases ({', '.join(found[:5])}); drop or recreate them by hand."
		)
	old, new = sorted(tables(conn, live)), sorted(tables(conn, incoming))
	if not new:
		raise RuntimeError(f"{incoming} holds no tables: nothing to swap in.")
	with conn.cursor() as cur:
		cur.execute(
			f"CREATE DATABASE IF NOT EXISTS {quote(hold)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
		)
		cur.execute(f"SET SESSION lock_wait_timeout = {LOCK_WAIT_S}")
	statement = rename_statement([(live, t, hold, t) for t in old] + [(incoming, t, live, t) for t in new])
	if fault and faults.armed(fault):
		_send_and_die(conn, statement, fault)
	with conn.cursor() as cur:
		cur.execute(statement)
	return len(new)


def _send_and_die(conn, statement: str, fault: str) -> None:
	"""For the fault test: the statement reaches the server, then the client dies before the answer."""
	from pymysql.constants import COMMAND

	conn._execute_command(COMMAND.COM_QUERY, statement)
	faults.point(fault)


def committed(conn, incoming: str, hold: str) -> bool:
	"""Whether the swap happened: the restored tables left the incoming database (it had some, verified)."""
	return not (exists(conn, incoming) and tables(conn, incoming))


def unswap(conn, live: str, hold: str, undone: str, had_tables: bool = True, fault: str = "") -> None:
	"""The reverse: live → undone and hold → live in one statement, then the emptied databases go.
	Idempotent: with the held tables already back (hold empty), only the clean-up is left."""
	held = sorted(tables(conn, hold)) if exists(conn, hold) else []
	if held or not had_tables:
		moves = [(live, t, undone, t) for t in sorted(tables(conn, live))] + [
			(hold, t, live, t) for t in held
		]
		if moves:
			with conn.cursor() as cur:
				cur.execute(f"CREATE DATABASE IF NOT EXISTS {quote(undone)}")
				cur.execute(f"SET SESSION lock_wait_timeout = {LOCK_WAIT_S}")
			statement = rename_statement(moves)
			if fault and faults.armed(fault):
				_send_and_die(conn, statement, fault)
			with conn.cursor() as cur:
				cur.execute(statement)
	with conn.cursor() as cur:
		cur.execute(f"DROP DATABASE IF EXISTS {quote(undone)}")
		cur.execute(f"DROP DATABASE IF EXISTS {quote(hold)}")
