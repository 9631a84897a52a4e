"""What was deleted or changed in a window, from Frappe's own records: Deleted Document, Version and
Activity Log. Their times are the site's local time (System Settings' time zone), as Frappe stores them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from frappe_diagnostics.engine.probe import missing_table

FRAPPE_DEFAULT_ZONE = "Asia/Kolkata"  # what Frappe uses when System Settings has no time zone


def site_local(moment: datetime, time_zone: str | None) -> datetime:
	"""An aware time as the naive local time the site's records use."""
	return moment.astimezone(ZoneInfo(time_zone or FRAPPE_DEFAULT_ZONE)).replace(tzinfo=None)


def since(query, start: datetime, limit: int = 20) -> dict:
	"""Counts per DocType (and operation) of what happened at or after `start` (naive site-local time).
	`query(sql, args)` returns rows as dicts; a missing table counts as nothing."""
	out = {}
	out["deleted"] = _safe(
		query,
		"SELECT deleted_doctype AS doctype, COUNT(*) AS n FROM `tabDeleted Document` WHERE creation >= %s GROUP BY deleted_doctype ORDER BY n DESC",
		(start,),
	)
	out["deleted_latest"] = _safe(
		query,
		f"SELECT name, deleted_doctype AS doctype, deleted_name, owner AS deleted_by, creation, restored FROM `tabDeleted Document` WHERE creation >= %s ORDER BY creation DESC LIMIT {int(limit)}",
		(start,),
	)
	out["changed"] = _safe(
		query,
		"SELECT ref_doctype AS doctype, COUNT(*) AS n, COUNT(DISTINCT docname) AS documents FROM `tabVersion` WHERE creation >= %s GROUP BY ref_doctype ORDER BY n DESC",
		(start,),
	)
	out["activity"] = _safe(
		query,
		"SELECT operation, COUNT(*) AS n FROM `tabActivity Log` WHERE creation >= %s GROUP BY operation ORDER BY n DESC",
		(start,),
	)
	return out


def _safe(query, sql: str, args) -> list[dict]:
	try:
		return [dict(r) for r in query(sql, args)]
	except Exception as e:
		if missing_table(e):
			return []
		raise


def totals(found: dict) -> dict:
	return {
		"deleted": sum(r["n"] for r in found.get("deleted", [])),
		"versions": sum(r["n"] for r in found.get("changed", [])),
		"documents_changed": sum(r["documents"] for r in found.get("changed", [])),
	}
