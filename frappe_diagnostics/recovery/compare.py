"""What a restored backup holds, beside the live site: tables, row counts, core tables, apps, patches.

Reads two databases on the same server through the root connection; writes nothing. Counts are exact
(COUNT(*)) within a statement time limit, else the server's estimate, marked as such.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from frappe_diagnostics.knowledge.frappeapps import (
	INSTALLED_APPS_SQL,
	app_dir,
	app_file,
	declared_patches,
	describe_expected,
	expected_version,
	parse_installed_apps,
	versions_match,
)
from frappe_diagnostics.recovery.scratch import quote

CORE_TABLES = (
	"tabDocType",
	"tabDocField",
	"tabUser",
	"tabHas Role",
	"tabDefaultValue",
	"tabSingles",
	"__Auth",
)
COUNT_LIMIT_S = 10


@dataclass
class Counted:
	rows: int | None
	exact: bool = True


@dataclass
class Contents:
	"""One database as Frappe sees it."""

	name: str
	tables: dict[str, str] = field(default_factory=dict)  # table -> BASE TABLE, SEQUENCE, VIEW
	counts: dict[str, Counted] = field(default_factory=dict)
	doctype_tables: dict[str, str] = field(
		default_factory=dict
	)  # table -> DocType, for tables Frappe expects
	apps: list[str] | None = None
	versions: dict[str, str] = field(default_factory=dict)
	patches: set[str] = field(default_factory=set)
	unreadable: dict[str, str] = field(default_factory=dict)  # core table -> error


def _rows(conn, sql: str, args=None) -> list[tuple]:
	with conn.cursor() as cur:
		cur.execute(sql, args)
		return list(cur.fetchall())


def read(conn, database: str, count_limit_s: float = COUNT_LIMIT_S, known: dict | None = None) -> Contents:
	"""`known`: exact row counts already had (a dump's, counted as it loaded): no COUNT(*) for those tables."""
	found = Contents(database)
	rows = _rows(
		conn,
		"SELECT table_name, table_type, table_rows FROM information_schema.tables WHERE table_schema = %s",
		(database,),
	)
	estimates = {name: int(estimate or 0) for name, _kind, estimate in rows}
	found.tables = {name: kind for name, kind, _rows_ in rows}
	for table, kind in found.tables.items():
		if kind == "BASE TABLE" and known and table in known:
			found.counts[table] = Counted(int(known[table]))
		elif kind == "BASE TABLE":
			found.counts[table] = _count(conn, database, table, estimates[table], count_limit_s)
	for table in CORE_TABLES:
		try:
			_rows(conn, f"SELECT 1 FROM {quote(database)}.{quote(table)} LIMIT 1")
		except Exception as e:
			found.unreadable[table] = _error(e)
	if "tabDocType" not in found.unreadable:
		found.doctype_tables = _doctype_tables(conn, database)
		try:
			found.doctype_modified = dict(
				_rows(conn, f"SELECT name, modified FROM {quote(database)}.`tabDocType`")
			)
		except Exception:
			found.doctype_modified = {}  # a tabDocType without `modified` is not Frappe's: nothing to compare
	if "tabDefaultValue" not in found.unreadable:
		found.apps = parse_installed_apps(
			_value(
				conn, INSTALLED_APPS_SQL.replace("`tabDefaultValue`", f"{quote(database)}.`tabDefaultValue`")
			)
		)
	if "tabInstalled Application" in found.tables:
		found.versions = dict(
			_rows(conn, f"SELECT app_name, app_version FROM {quote(database)}.`tabInstalled Application`")
		)
	if "tabPatch Log" in found.tables:
		found.patches = {
			p for (p,) in _rows(conn, f"SELECT patch FROM {quote(database)}.`tabPatch Log`") if p
		}
	return found


def _count(conn, database: str, table: str, estimate: int, limit_s: float) -> Counted:
	try:
		rows = _rows(
			conn,
			f"SET STATEMENT max_statement_time = {float(limit_s)} FOR SELECT COUNT(*) FROM {quote(database)}.{quote(table)}",
		)
		return Counted(int(rows[0][0]))
	except Exception:
		return Counted(estimate, exact=False)


def _value(conn, sql: str):
	rows = _rows(conn, sql)
	return rows[0][0] if rows else None


def _doctype_tables(conn, database: str) -> dict[str, str]:
	columns = {
		c
		for (c,) in _rows(
			conn,
			"SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = 'tabDocType'",
			(database,),
		)
	}
	virtual = " AND IFNULL(is_virtual, 0) = 0" if "is_virtual" in columns else ""
	names = _rows(
		conn, f"SELECT name FROM {quote(database)}.`tabDocType` WHERE IFNULL(issingle, 0) = 0{virtual}"
	)
	return {f"tab{name}": name for (name,) in names}


def _error(error: Exception) -> str:
	return str(error.args[1] if len(error.args) > 1 else error)


@dataclass
class Difference:
	table: str
	backup: int | None
	live: int | None
	exact: bool

	@property
	def lost(self) -> int:
		"""Rows the live table has beyond the backup (what restoring it would take away)."""
		return max(0, (self.live or 0) - (self.backup or 0))


def row_differences(backup: Contents, live: Contents) -> list[Difference]:
	"""Tables whose row counts differ, biggest difference first."""
	out = []
	for table in sorted(set(backup.counts) | set(live.counts)):
		b, lv = backup.counts.get(table), live.counts.get(table)
		b_rows, l_rows = (b.rows if b else None), (lv.rows if lv else None)
		if b_rows != l_rows:
			exact = bool((b is None or b.exact) and (lv is None or lv.exact))
			out.append(Difference(table, b_rows, l_rows, exact))
	return sorted(out, key=lambda d: -abs((d.live or 0) - (d.backup or 0)))


def missing_doctype_tables(backup: Contents) -> list[str]:
	"""Tables of DocTypes the backup itself declares, absent from the backup: a broken backup."""
	return sorted(t for t in backup.doctype_tables if t not in backup.tables)


def newer_doctype_tables(backup: Contents, live: Contents) -> list[str]:
	"""DocType tables the live site has and the backup does not know: created after the backup was taken."""
	return sorted(t for t in live.doctype_tables if t in live.tables and t not in backup.tables)


def _version_key(version: str) -> tuple:
	return tuple(int(n) for n in re.findall(r"\d+", version.split("(")[0])[:3])


@dataclass
class AppState:
	app: str
	backup_version: str | None
	code_version: str | None
	in_bench: bool
	pending_patches: int = 0
	downgrade: bool = False


def apps_against_code(backup: Contents, bench) -> list[AppState]:
	"""Each app the backup has installed: present in the bench? recorded version vs the code's; patches the
	code declares that the backup has not run (a migrate after restoring runs them)."""
	out = []
	for app in backup.apps or []:
		expected = expected_version(bench, app)
		recorded = backup.versions.get(app)
		state = AppState(app, recorded, describe_expected(expected), app_dir(bench, app) is not None)
		patches = app_file(bench, app, "patches.txt")
		if patches is not None:
			state.pending_patches = len([p for p in declared_patches(patches) if p not in backup.patches])
		if recorded and expected[0] and versions_match(recorded, expected) is False:
			try:
				state.downgrade = _version_key(recorded) > _version_key(expected[0])
			except ValueError:
				state.downgrade = False
		out.append(state)
	return out


def doctypes_behind(backup: Contents, bench) -> list[str]:
	"""DocTypes whose JSON in the apps' code is newer than (or missing from) the backup: what a migrate syncs,
	the way Frappe decides it (the JSON's `modified` against tabDocType's)."""
	behind = []
	for app in backup.apps or []:
		folder = app_dir(bench, app)
		for path in sorted((folder / app).glob("*/doctype/*/*.json")) if folder else []:
			try:
				data = json.loads(path.read_text(encoding="utf-8"))
			except (OSError, ValueError):
				continue
			if not isinstance(data, dict) or data.get("doctype") != "DocType" or not data.get("name"):
				continue
			stored = backup.doctype_modified.get(data["name"])
			if stored is None or _moment(data.get("modified")) > _moment(stored):
				behind.append(data["name"])
	return behind


def _moment(value) -> datetime:
	if isinstance(value, datetime):
		return value
	try:
		return datetime.fromisoformat(str(value))
	except ValueError:
		return datetime.min
