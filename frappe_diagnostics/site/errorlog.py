"""Groups Error Log entries by fingerprint into Error Group records, incrementally.

A watermark (creation, name) in Diagnostics Settings marks the last Error Log processed; the scheduled job
and the back-fill command both move it forward in batches, committing each batch.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import frappe
from frappe.utils import add_days, get_datetime, getdate, today

from frappe_diagnostics.knowledge.solutions import match
from frappe_diagnostics.knowledge.tracebacks import fingerprint_error
from frappe_diagnostics.site.seed import solutions_from_records
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
)
SAMPLE_CHARS = 8000
TREND_DAYS = 30
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
	creation, name = watermark()
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
	seen: dict[str, dict] = {}
	for row in rows:
		text = row.error or row.method or ""
		fp = fingerprint_error(text)
		key = hashlib.sha1(fp.key.encode()).hexdigest()
		entry = seen.setdefault(
			key, {"fp": fp, "count": 0, "first": row.creation, "last": row, "text": text, "days": Counter()}
		)
		entry["count"] += 1
		entry["days"][str(getdate(row.creation))] += 1
		entry["last"], entry["text"] = row, text
	for key, entry in seen.items():
		upsert_group(key, entry, redactor)


def upsert_group(key: str, entry: dict, redactor) -> None:
	fp, last = entry["fp"], entry["last"]
	name = frappe.db.get_value("Error Group", {"fingerprint": key})
	doc = frappe.get_doc("Error Group", name) if name else frappe.new_doc("Error Group")
	if doc.is_new():
		title = (
			f"{fp.exception_type}: {fp.normalized_message}" if fp.normalized_message else fp.exception_type
		)
		doc.update(
			{
				"fingerprint": key,
				"title": redactor.text(title)[:140],
				"exception_type": fp.exception_type[:140],
				"first_occurrence": entry["first"],
				"frames": "\n".join(fp.frames),
				"count": 0,
				"status": "Open",
			}
		)
		attach_solution(doc, entry["text"])
	elif doc.status == "Resolved":
		doc.status = "Open"
		doc.reopened = (doc.reopened or 0) + 1
	doc.count = (doc.count or 0) + entry["count"]
	update_trend(doc, entry["days"])
	if not doc.last_occurrence or get_datetime(last.creation) >= get_datetime(doc.last_occurrence):
		doc.last_occurrence = last.creation
		doc.sample_error_log = last.name
		doc.method = (last.method or "")[:140]
		doc.sample = redactor.text(entry["text"][-SAMPLE_CHARS:])
	if not doc.solution:
		attach_solution(doc, entry["text"])
	doc.flags.ignore_permissions = True
	doc.save()


def attach_solution(doc, text: str) -> None:
	found = match(text, solutions_from_records(), limit=1)
	if found:
		doc.solution = frappe.db.get_value("Error Solution", {"solution_id": found[0].solution_id})
		doc.match_reason = found[0].reason


def update_trend(doc, days: Counter) -> None:
	"""Keep per-day counts for the last TREND_DAYS days and the 7-day total shown in the list."""
	counts = Counter(json.loads(doc.daily_counts or "{}"))
	counts.update(days)
	oldest = str(getdate(add_days(today(), -TREND_DAYS + 1)))
	kept = {day: n for day, n in sorted(counts.items()) if day >= oldest}
	week = str(getdate(add_days(today(), -6)))
	doc.daily_counts = json.dumps(kept)
	doc.last_7_days = sum(n for day, n in kept.items() if day >= week)


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
