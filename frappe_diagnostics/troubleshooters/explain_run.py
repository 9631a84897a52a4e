"""Running EXPLAIN: plain EXPLAIN of a validated statement in a read-only transaction under
max_statement_time, always rolled back; plan rows whose wording depends on the data all read the same.
Framework-free (a pymysql connection)."""

from __future__ import annotations

SERVER_STATUS_IN_TRANS = 1  # pymysql.constants.SERVER_STATUS


class BusyConnection(Exception):
	"""The connection has an open transaction, which START TRANSACTION would silently commit."""


def run_explain(conn, sql: str, tables: list[str], timeout_s: float) -> tuple[list[dict], dict[str, set]]:
	"""Plain EXPLAIN in a read-only transaction under max_statement_time; always rolled back.

	Returns the plan rows (lower-case keys) and, per table, the columns that lead an index.
	"""
	if getattr(conn, "server_status", 0) & SERVER_STATUS_IN_TRANS:
		raise BusyConnection()
	with conn.cursor() as cur:
		cur.execute("SELECT @@SESSION.max_statement_time AS v")
		previous = _first_value(cur.fetchone())
		cur.execute("SET SESSION max_statement_time = %s", (round(min(max(timeout_s, 0.1), 60.0), 3),))
		try:
			cur.execute("START TRANSACTION READ ONLY")
			try:
				cur.execute(f"EXPLAIN {sql}")
				rows = [_without_data(row) for row in _dict_rows(cur)]
				indexed = _leading_index_columns(cur, tables)
			finally:
				quietly(cur.execute, "ROLLBACK")
		finally:
			quietly(cur.execute, "SET SESSION max_statement_time = %s", (previous,))
	return rows, indexed


# Plan rows that the optimiser answered by reading the data (a const row found or not, MIN/MAX found or
# not): repeated as they are, EXPLAIN would answer yes/no questions about rows. They all read the same.
DATA_DEPENDENT_EXTRA = (
	"no matching",
	"optimized away",
	"noticed after reading const",
	"const row not found",
	"unique row not found",
)
FROM_INDEX_EXTRA = "the optimiser answered from an index"
FROM_INDEX = "The optimiser answered from an index without reading rows."


def _without_data(row: dict) -> dict:
	extra = str(row.get("extra") or "").lower()
	if row.get("type") in ("const", "system") or any(words in extra for words in DATA_DEPENDENT_EXTRA):
		return {"id": row.get("id"), "select_type": row.get("select_type"), "extra": FROM_INDEX_EXTRA}
	return row


def _leading_index_columns(cur, tables: list[str]) -> dict[str, set]:
	# only to tell an unindexed column from an indexed one; the plan stands without it
	if not tables:
		return {}
	marks = ", ".join(["%s"] * len(tables))
	query = "SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE "
	try:
		cur.execute(
			f"{query}TABLE_SCHEMA = DATABASE() AND SEQ_IN_INDEX = 1 AND TABLE_NAME IN ({marks})", tables
		)
		found: dict[str, set] = {}
		for row in _dict_rows(cur):
			found.setdefault(row["t"], set()).add(str(row["c"]).lower())
		return found
	except Exception:
		return {}


def _dict_rows(cur) -> list[dict]:
	names = [d[0] for d in cur.description or ()]
	return [_lower_keys(row, names) for row in cur.fetchall() or ()]


def _lower_keys(row, names: list[str]) -> dict:
	pairs = row.items() if isinstance(row, dict) else zip(names, row, strict=False)
	return {str(k).lower(): v for k, v in pairs}


def _first_value(row):
	if row is None:
		return None
	return next(iter(row.values())) if isinstance(row, dict) else row[0]


def quietly(fn, *args) -> None:
	try:
		fn(*args)
	except Exception:
		pass
