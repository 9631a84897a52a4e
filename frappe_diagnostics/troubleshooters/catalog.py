"""The troubleshooters by name, as every surface calls them: fn(ctx, **inputs) -> Diagnosis."""

from __future__ import annotations

from collections.abc import Callable


def _startup(ctx, **_):
	from frappe_diagnostics.troubleshooters.startup import diagnose_startup

	return diagnose_startup(ctx)


def _database(ctx, doctype: str | None = None, table: str | None = None, **_):
	from frappe_diagnostics.troubleshooters.database import diagnose_database

	return diagnose_database(ctx, doctype=doctype or None, table=table or None)


def _performance(ctx, hours: float | str | None = None, **_):
	from frappe_diagnostics.troubleshooters.performance import diagnose_performance

	try:
		hours = float(hours) if hours not in (None, "") else 24.0
	except ValueError:
		raise ValueError(f"--hours must be a number of hours, not {hours!r}") from None
	return diagnose_performance(ctx, hours=hours)


def _explain(ctx, sql: str | None = None, **_):
	from frappe_diagnostics.troubleshooters.query import diagnose_query
	from frappe_diagnostics.troubleshooters.sql_guard import validate_select

	if not sql or not str(sql).strip():
		raise ValueError("Give one SELECT statement to explain.")
	validate_select(str(sql))  # QueryRejected (a ValueError) says why, before anything touches the database
	return diagnose_query(ctx, str(sql))


def _logs(ctx, since=None, **_):
	from frappe_diagnostics.troubleshooters.logs import diagnose_logs

	return diagnose_logs(ctx, since=since)


def _slowlog(ctx, path=None, since=None, **_):
	from frappe_diagnostics.troubleshooters.logs import diagnose_slowlog

	return diagnose_slowlog(ctx, path=path, since=since)


CATALOG: dict[str, Callable] = {
	"startup": _startup,
	"database": _database,
	"performance": _performance,
	"explain": _explain,
	"logs": _logs,
	"slowlog": _slowlog,
}


def register(name: str, fn: Callable) -> None:
	CATALOG[name] = fn


def get_troubleshooter(name: str) -> Callable:
	try:
		return CATALOG[name]
	except KeyError:
		raise KeyError(f"No troubleshooter {name!r}; choose one of: {', '.join(sorted(CATALOG))}") from None
