"""Fixes that put a document back, applied through the fix framework (dry run, signed confirmation, Diagnostic
Fix Log, revert): from a backup set's dump (the rows as the backup holds them), or from Frappe's own
Deleted Document copy."""

from __future__ import annotations

from contextlib import contextmanager

import frappe
from frappe.utils import cint

from frappe_diagnostics.recovery import documents, inventory
from frappe_diagnostics.recovery.verify import find_key
from frappe_diagnostics.site.context import FrappeContext


def _need(params: dict, key: str) -> str:
	value = (params.get(key) or "").strip()
	if not value:
		raise ValueError(f"Missing parameter {key!r}.")
	return value


def _children(doctype: str) -> list[str]:
	return sorted({f.options for f in frappe.get_meta(doctype).get_table_fields() if f.options})


def _columns(table: str) -> set[str]:
	return set(frappe.db.get_table_columns(table[3:]))


@contextmanager
def _in_transaction():
	"""frappe.db's own connection, returning values as text (as a dump writes them) for the moment."""
	frappe.db.sql("SELECT 1")  # connected
	conn = frappe.db._conn
	saved, conn.decoders = conn.decoders, {}
	try:
		yield conn
	finally:
		conn.decoders = saved


class RestoreDocument:
	name, title, reversible = "restore_document", "Restore a document from a backup", True

	def clean(self, p):
		doctype, name, stamp = _need(p, "doctype"), _need(p, "name"), _need(p, "set")
		meta = frappe.get_meta(doctype) if frappe.db.exists("DocType", doctype) else None
		if meta is None or meta.issingle or meta.istable or meta.is_virtual:
			raise ValueError(f"{doctype!r} is not a DocType whose documents are restored row by row.")
		try:
			inventory.select(FrappeContext(), stamp)
		except LookupError as e:
			raise ValueError(str(e)) from None
		return {"doctype": doctype, "name": name, "set": stamp}

	def target(self, p):
		return p["doctype"], p["name"]

	def snapshot(self, p):
		with _in_transaction() as conn:  # what this request sees, uncommitted changes included
			return documents.live_record(conn, p["doctype"], p["name"], _children(p["doctype"])).as_state()

	def desired(self, p, before):
		key = ("diag_restore_document", p["doctype"], p["name"], p["set"])
		cached = frappe.local.flags.get(key)
		if cached is None:
			ctx = FrappeContext()
			bset = inventory.select(ctx, p["set"])
			record, _columns_of = documents.from_dump(
				bset, find_key(ctx, bset)[0], p["doctype"], p["name"], _children(p["doctype"])
			)
			if not record.exists:
				raise ValueError(f"{p['doctype']} {p['name']} is not in backup set {p['set']}.")
			cached = _live_shape(p["doctype"], record.as_state())
			frappe.local.flags[key] = cached
		return cached

	def describe(self, p):
		return f"Put {p['doctype']} {p['name']} back as backup set {p['set']} holds it (its row and child rows); revert puts back what is live now."

	def apply(self, p, before):
		_write(p["doctype"], p["name"], self.desired(p, before))

	def revert(self, p, before, after):
		_write(p["doctype"], p["name"], before)


def _live_shape(doctype: str, state: dict) -> dict:
	"""The backup's rows with only the columns the live tables have (a newer schema keeps its defaults)."""
	main = _columns(f"tab{doctype}")
	children = {}
	for table, rows in state["children"].items():
		if table[3:] in _children(doctype):
			keep = _columns(table)
			children[table] = [{k: v for k, v in r.items() if k in keep} for r in rows]
	return {"exists": True, "row": {k: v for k, v in state["row"].items() if k in main}, "children": children}


def _write(doctype: str, name: str, state: dict) -> None:
	"""Replace the document's rows (main and child) with `state`'s, or remove them when it did not exist."""
	frappe.db.sql(f"DELETE FROM `tab{doctype}` WHERE name = %s", (name,))
	for child in _children(doctype):
		frappe.db.sql(f"DELETE FROM `tab{child}` WHERE parent = %s AND parenttype = %s", (name, doctype))
	if state.get("exists"):
		_insert(f"tab{doctype}", [state["row"]])
		for table, rows in state.get("children", {}).items():
			_insert(table, rows)
	frappe.clear_document_cache(doctype, name)


def _insert(table: str, rows: list[dict]) -> None:
	for row in rows:
		columns = list(row)
		names = ", ".join(f"`{c}`" for c in columns)
		marks = ", ".join(["%s"] * len(columns))
		frappe.db.sql(f"INSERT INTO `{table}` ({names}) VALUES ({marks})", [row[c] for c in columns])


class RestoreDeletedDocument:
	name, title, reversible = "restore_deleted_document", "Restore a deleted document", True

	def clean(self, p):
		name = _need(p, "name")
		row = frappe.db.get_value("Deleted Document", name, ["deleted_doctype", "deleted_name"], as_dict=True)
		if not row:
			raise ValueError(f"There is no Deleted Document {name!r}.")
		return {"name": name, "doctype": row.deleted_doctype, "document": row.deleted_name}

	def target(self, p):
		return p["doctype"], p["document"]

	def snapshot(self, p):
		restored, new_name = frappe.db.get_value("Deleted Document", p["name"], ["restored", "new_name"])
		names = [n for n in (p["document"], new_name) if n]
		return {"exists": any(frappe.db.exists(p["doctype"], n) for n in names), "restored": cint(restored)}

	def desired(self, p, before):
		return {"exists": True, "restored": 1}

	def describe(self, p):
		return (
			f"Restore {p['doctype']} {p['document']} from Frappe's Deleted Document {p['name']} (the copy taken "
			"when it was deleted; Frappe may give it a new name, kept as the Deleted Document's new_name)."
		)

	def apply(self, p, before):
		from frappe.core.doctype.deleted_document.deleted_document import restore

		if before["exists"]:
			raise ValueError(f"{p['doctype']} {p['document']} exists again: nothing to restore.")
		restore(p["name"], alert=False)

	def revert(self, p, before, after):
		restored_as = frappe.db.get_value("Deleted Document", p["name"], "new_name") or p["document"]
		frappe.delete_doc(p["doctype"], restored_as, ignore_permissions=True, delete_permanently=True)
		frappe.db.set_value("Deleted Document", p["name"], {"restored": before["restored"], "new_name": None})


ACTIONS = (RestoreDocument(), RestoreDeletedDocument())
