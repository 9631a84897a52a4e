"""Groups Error Log entries into Error Group records, incrementally, through the one grouping path.

A watermark (creation, name) in Diagnostics Settings marks the last Error Log processed; the scheduled job
and the back-fill command both move it forward in batches, committing each batch. The grouping itself is
knowledge.errorgroups (the same as the log analysis); site.errorgroups writes the records.
"""

from __future__ import annotations

import frappe
from frappe.utils import get_datetime

from frappe_diagnostics.knowledge.errorgroups import ErrorGroups, fingerprint, headline
from frappe_diagnostics.site.errorgroups import Occurrences, link_error_logs, write_groups
from frappe_diagnostics.site.store import site_redactor

STATUSES = ("Open", "Ignored", "Resolved")
LIST_FIELDS = (
	"name",
	"title",
	"status",
	"count",
	"last_7_days",
	"first_occurrence",
	"last_occurrence",
	"solution",
	"match_reason",
	"method",
	"normalized_message",
)
EPOCH = "1970-01-01 00:00:00"


def watermark() -> tuple[str, str]:
	settings = frappe.db.get_singles_dict("Diagnostics Settings")
	return str(settings.get("error_log_watermark") or EPOCH), settings.get("error_log_watermark_name") or ""


def set_watermark(creation, name: str) -> None:
	frappe.db.set_single_value(
		"Diagnostics Settings", {"error_log_watermark": creation, "error_log_watermark_name": name}
	)


def pending_count() -> int:
	creation, name = watermark()
	return frappe.db.sql(
		"select count(*) from `tabError Log` where creation > %s or (creation = %s and name > %s)",
		(creation, creation, name),
	)[0][0]


def next_batch(size: int) -> list[dict]:
	return rows_after(*watermark(), size)


def rows_after(creation, name: str, size: int) -> list[dict]:
	"""Error Logs after (creation, name) in that order: an index range with the patch's index."""
	return frappe.db.sql(
		"select name, creation, method, error from `tabError Log` "
		"where creation > %s or (creation = %s and name > %s) order by creation, name limit %s",
		(creation, creation, name, size),
		as_dict=True,
	)


def process_error_logs(batch_size: int = 500, max_batches: int | None = None, progress=None) -> int:
	"""Group every Error Log after the watermark; returns how many were processed."""
	done, total = 0, pending_count()
	redactor = site_redactor()
	while max_batches is None or max_batches > 0:
		rows = next_batch(batch_size)
		if not rows:
			break
		apply_batch(rows, redactor)
		set_watermark(rows[-1].creation, rows[-1].name)
		frappe.db.commit()
		done += len(rows)
		if progress:
			progress(done, total)
		max_batches = None if max_batches is None else max_batches - 1
	return done


def apply_batch(rows: list[dict], redactor) -> None:
	groups = ErrorGroups(max_groups=len(rows) + 1, sites=(frappe.local.site,))
	seen: dict[str, Occurrences] = {}
	for row in rows:
		found = groups.add(row.error or row.method or "", None, "Error Log")
		seen.setdefault(found.key, Occurrences()).add(row, headline(found.exception_type, found.message))
	write_groups(groups.groups, seen, redactor)


def link_grouped_error_logs(batch_size: int = 1000) -> int:
	"""Link the Error Logs grouped before groups kept their Error Logs (up to the watermark) to their
	groups, without counting them again; returns how many were linked. Idempotent."""
	groups = dict(frappe.get_all("Error Group", fields=["fingerprint", "name"], as_list=True))
	mark, mark_name = watermark()
	until, redactor = (get_datetime(mark), mark_name), site_redactor()
	cursor, linked = (EPOCH, ""), 0
	while rows := [r for r in rows_after(*cursor, batch_size) if (r.creation, r.name) <= until]:
		done = set(
			frappe.get_all(
				"Error Group Log", {"error_log": ("in", [r.name for r in rows])}, pluck="error_log"
			)
		)
		links = []
		for row in rows:
			found = fingerprint(row.error or row.method or "", frappe.local.site)
			if row.name not in done and found.key in groups:
				text = redactor.text(headline(found.exception_type, found.message))
				links.append((groups[found.key], row.name, row.creation, text))
		link_error_logs(links)
		frappe.db.commit()
		linked, cursor = linked + len(links), (rows[-1].creation, rows[-1].name)
	return linked


def list_groups(status: str | None = None, since=None, limit: int = 20) -> list[dict]:
	"""Error groups, most frequent first: what `diagnostics errors` and `api.errors.groups` both list.

	`since` (30m, 24h, 7d or a date, local time) keeps the groups seen since then. ValueError for bad input.
	"""
	from frappe.utils import convert_utc_to_system_timezone

	from frappe_diagnostics.knowledge.timewindow import parse_since

	filters = {}
	if status:
		if status not in STATUSES:
			raise ValueError(f"Status must be one of {', '.join(STATUSES)}.")
		filters["status"] = status
	if since:
		start = parse_since(since)
		filters["last_occurrence"] = (">=", convert_utc_to_system_timezone(start).replace(tzinfo=None))
	rows = frappe.get_all(
		"Error Group", filters=filters, fields=list(LIST_FIELDS), order_by="count desc", limit=limit
	)
	return [dict(r) for r in rows]
