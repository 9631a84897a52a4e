"""One document and its child rows, read straight out of a backup dump (streaming, no restore), beside the
live record. Framework-free: the live side is read with the site's own database user."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field

from frappe_diagnostics.recovery import sqldump
from frappe_diagnostics.recovery.streams import open_plain

TABLE_FIELDS = ("Table", "Table MultiSelect")


@dataclass
class Record:
	"""A document as rows: the main row and its child rows per child table (each a dict of column: text)."""

	row: dict | None = None
	children: dict[str, list[dict]] = field(default_factory=dict)

	@property
	def exists(self) -> bool:
		return self.row is not None

	def as_state(self) -> dict:
		return {"exists": self.exists, "row": self.row, "children": self.children}


@contextmanager
def raw_connection(ctx):
	"""The site's database with every value as text (no conversion), as a dump writes them."""
	conn = ctx.connect_db(timeout_s=10.0)
	conn.decoders = {}
	try:
		yield conn
	finally:
		conn.close()


def query(conn, sql: str, args=None) -> list[dict]:
	import pymysql

	with conn.cursor(pymysql.cursors.DictCursor) as cur:
		cur.execute(sql, args)
		return [dict(r) for r in cur.fetchall()]


def doctype_info(conn, doctype: str) -> dict:
	"""The DocType as the live site declares it; ValueError when it cannot be recovered row by row."""
	rows = query(conn, "SELECT * FROM `tabDocType` WHERE name = %s", (doctype,))
	if not rows:
		raise LookupError(
			f"There is no DocType {doctype!r} on this site (deleted with its data, or misspelt)."
		)
	info = rows[0]
	if str(info.get("issingle")) == "1":
		raise ValueError(
			f"{doctype} is a single DocType (kept in tabSingles): restore it with a full restore."
		)
	if str(info.get("istable")) == "1":
		raise ValueError(f"{doctype} is a child table: recover its parent document instead.")
	children = query(
		conn,
		"SELECT options FROM `tabDocField` WHERE parent = %s AND fieldtype IN %s",
		(doctype, TABLE_FIELDS),
	)
	try:
		children += query(
			conn,
			"SELECT options FROM `tabCustom Field` WHERE dt = %s AND fieldtype IN %s",
			(doctype, TABLE_FIELDS),
		)
	except Exception:
		pass  # a site without Custom Field has no custom child tables
	return {"name": info["name"], "children": sorted({c["options"] for c in children if c["options"]})}


def live_record(conn, doctype: str, name: str, children: list[str]) -> Record:
	"""The live rows; table names come from tabDocType/tabDocField, never from input."""
	rows = query(conn, f"SELECT * FROM `tab{_safe(doctype)}` WHERE name = %s", (name,))
	record = Record(rows[0] if rows else None)
	for child in children:
		try:
			found = query(
				conn,
				f"SELECT * FROM `tab{_safe(child)}` WHERE parent = %s AND parenttype = %s ORDER BY parentfield, idx",
				(name, doctype),
			)
		except Exception:
			continue  # a child DocType whose table is gone
		if found:
			record.children[f"tab{child}"] = found
	return record


def _safe(name: str) -> str:
	if "`" in name:
		raise ValueError(f"Unusable table name {name!r}.")
	return name


def from_dump(
	bset, key: str | None, doctype: str, name: str, children: list[str] | None
) -> tuple[Record, dict]:
	"""The document's rows in the set's dump (one streaming pass) and the dump's columns of those tables;
	without the list of child tables (the live site unreadable), any table's rows that name it as parent."""
	main, wanted = f"tab{doctype}", {f"tab{c}" for c in children or ()}
	needle = sqldump.literal(name)
	record, columns = Record(), {}
	file = bset.database
	with open_plain(file.path, key, file.encrypted) as reader:
		for kind, table, payload in sqldump.events(reader):
			if table != main and children is not None and table not in wanted:
				continue
			if kind == "columns":
				columns[table] = payload
				continue
			if needle not in payload:
				continue
			for values in sqldump.parse_rows(payload):
				row = dict(zip(columns.get(table, []), values, strict=False))
				if table == main and row.get("name") == name:
					record.row = row
				elif table != main and row.get("parent") == name and row.get("parenttype") == doctype:
					record.children.setdefault(table, []).append(row)
	for rows in record.children.values():
		rows.sort(key=lambda r: (str(r.get("parentfield")), int(r.get("idx") or 0)))
	return record, columns


def differences(backup: Record, live: Record, limit: int = 200) -> dict:
	"""Field by field (main row) and row by row (children): what a restore of the document would change."""
	out = {"fields": {}, "children": {}}
	if backup.row and live.row:
		for column in sorted(set(backup.row) | set(live.row)):
			if column in live.row and _text(backup.row.get(column)) != _text(live.row.get(column)):
				out["fields"][column] = {
					"backup": _short(backup.row.get(column), limit),
					"live": _short(live.row.get(column), limit),
				}
	for table in sorted(set(backup.children) | set(live.children)):
		was = {r.get("name"): r for r in backup.children.get(table, [])}
		now = {r.get("name"): r for r in live.children.get(table, [])}
		changed = [
			n
			for n in was.keys() & now.keys()
			if {k: _text(v) for k, v in was[n].items() if k in now[n]}
			!= {k: _text(v) for k, v in now[n].items() if k in was[n]}
		]
		entry = {
			"only_in_backup": sorted(was.keys() - now.keys()),
			"only_live": sorted(now.keys() - was.keys()),
			"changed": sorted(changed),
		}
		if any(entry.values()):
			out["children"][table] = entry
	return out


def _text(value):
	return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def _short(value, limit: int):
	"""A value short enough to show: long text cut at a word with "…", long JSON described, never cut."""
	value = _text(value)
	if not isinstance(value, str) or len(value) <= limit:
		return value
	described = _json_described(value)
	if described:
		return described
	cut = value[:limit].rsplit(" ", 1)[0] if " " in value[:limit] else value[:limit]
	return cut + "…"


def _json_described(text: str) -> str | None:
	stripped = text.strip()
	if not stripped.startswith(("{", "[")):
		return None
	try:
		data = json.loads(stripped)
	except ValueError:
		return None
	if isinstance(data, dict):
		return f"(JSON: {len(data)} keys, {len(text):,} characters)"
	if isinstance(data, list):
		return f"(JSON: a list of {len(data)}, {len(text):,} characters)"
	return None
