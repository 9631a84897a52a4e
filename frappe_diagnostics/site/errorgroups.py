"""The one writer of Error Group records: a batch grouped by knowledge.errorgroups becomes records.

Per group: counts and the per-day trend, first/last seen, the latest sample, the message variants with
their counts (a real example of each, redacted), a title a person can read (the most frequent variant's
real message, redacted, cut at a word with an ellipsis), the normalised form, and one Error Group Log
row per Error Log so the group lists all its Error Logs.
"""

from __future__ import annotations

import json
from collections import Counter

import frappe
from frappe.utils import add_days, get_datetime, getdate, now_datetime, today

from frappe_diagnostics.knowledge.errorgroups import MAX_VARIANTS, ErrorGroup, fingerprint, headline
from frappe_diagnostics.knowledge.solutions import match
from frappe_diagnostics.site.seed import solutions_from_records

TREND_DAYS = 30
# the list's columns after the title: a site's own List View Settings for Error Group are kept
LIST_COLUMNS = (("status_field", "Status"), ("last_occurrence", "Last seen"), ("count", "Occurrences"))
LIST_COLUMNS += (("last_7_days", "Last 7 days"),)


class Occurrences:
	"""What the site knows about a group's Error Logs in one batch, beside what ErrorGroups counts."""

	def __init__(self) -> None:
		self.first = None
		self.last = None  # the newest Error Log row
		self.days: Counter = Counter()
		self.logs: list[tuple[str, object, str]] = []  # (Error Log name, creation, its own headline)

	def add(self, row, headline_text: str) -> None:
		if self.first is None or row.creation < self.first:
			self.first = row.creation
		if self.last is None or (row.creation, row.name) >= (self.last.creation, self.last.name):
			self.last = row
		self.days[str(getdate(row.creation))] += 1
		self.logs.append((row.name, row.creation, headline_text))


def write_groups(groups: dict[str, ErrorGroup], seen: dict[str, Occurrences], redactor) -> None:
	"""Insert or update one Error Group per group, and link every Error Log to its group."""
	keys = list(groups)
	existing = {
		row.fingerprint: row
		for row in frappe.get_all("Error Group", filters={"fingerprint": ("in", keys)}, fields=["*"])
	}  # one query for the batch, not one per group
	links = []
	for key in keys:
		doc = upsert_group(groups[key], seen[key], existing.get(key), redactor)
		links += [(doc.name, log, creation, redactor.text(text)) for log, creation, text in seen[key].logs]
	link_error_logs(links)


def upsert_group(group: ErrorGroup, seen: Occurrences, row, redactor):
	if row is None:
		doc = frappe.new_doc("Error Group")
		doc.update(
			{
				"fingerprint": group.key,
				"exception_type": group.exception_type[:140],
				"first_occurrence": seen.first,
				"frames": "\n".join(group.frames),
				"count": 0,
				"status": "Open",
			}
		)
	else:
		doc = frappe.get_doc({"doctype": "Error Group", **row})
		if doc.status == "Resolved":
			doc.status = "Open"
			doc.reopened = (doc.reopened or 0) + 1
	doc.count = (doc.count or 0) + group.count
	update_trend(doc, seen.days)
	update_variants(doc, group, redactor)
	last = seen.last
	if not doc.last_occurrence or get_datetime(last.creation) >= get_datetime(doc.last_occurrence):
		doc.last_occurrence = last.creation
		doc.sample_error_log = last.name
		doc.method = redactor.text(last.method or "")[:140]
		doc.sample = redactor.text(group.samples[-1])
	if not doc.solution:
		attach_solution(doc, group.samples[-1])
	doc.flags.ignore_permissions = True
	doc.save()
	return doc


def update_variants(doc, group: ErrorGroup, redactor) -> None:
	"""Merge the batch's message variants into the group's, keep the most frequent, retitle the group."""
	batch = [
		{"normalized": v.normalized, "example": redactor.text(v.example), "count": v.count}
		for v in group.top_variants()
	]
	set_variants(doc, json.loads(doc.message_variants or "[]") + batch, group.other_variants)


def set_variants(doc, variants: list[dict], other: int = 0) -> None:
	"""Variants with the same normalised form summed, the MAX_VARIANTS most frequent kept, and the title
	and normalised message taken from the most frequent."""
	by_form: dict[str, dict] = {}
	for variant in variants:
		kept = by_form.setdefault(variant["normalized"], {**variant, "count": 0})
		kept["count"] += variant["count"]
	ranked = sorted(by_form.values(), key=lambda v: (-v["count"], v["normalized"]))
	doc.other_variants = (doc.other_variants or 0) + other + sum(v["count"] for v in ranked[MAX_VARIANTS:])
	doc.message_variants = json.dumps(ranked[:MAX_VARIANTS], ensure_ascii=False)
	top = ranked[0] if ranked else {"example": "", "normalized": ""}
	doc.title = headline(doc.exception_type or "", top["example"] or top["normalized"]) or doc.exception_type
	doc.normalized_message = top["normalized"]


def rekey(doc) -> str:
	"""Fingerprint a stored group again from its sample (patches); a group without variants gets one."""
	text = doc.sample or doc.title or ""
	if "Traceback" not in text and '\n  File "' in f"\n{text}":  # the sample kept only the tail
		text = f"Traceback (most recent call last):\n{text}"
	found = fingerprint(text, frappe.local.site)
	doc.fingerprint = found.key
	if not doc.message_variants:
		example = {
			"normalized": found.normalized_message,
			"example": found.message[:500],
			"count": doc.count or 0,
		}
		set_variants(doc, [example])
	return found.key


def merge_into(survivor, doc) -> None:
	"""Fold group `doc` into `survivor`: counts, trend, first and last seen, variants, status."""
	survivor.count = (survivor.count or 0) + (doc.count or 0)
	survivor.reopened = (survivor.reopened or 0) + (doc.reopened or 0)
	update_trend(survivor, Counter(json.loads(doc.daily_counts or "{}")))
	if doc.first_occurrence and (
		not survivor.first_occurrence
		or get_datetime(doc.first_occurrence) < get_datetime(survivor.first_occurrence)
	):
		survivor.first_occurrence = doc.first_occurrence
	if doc.last_occurrence and (
		not survivor.last_occurrence
		or get_datetime(doc.last_occurrence) > get_datetime(survivor.last_occurrence)
	):
		for field in ("last_occurrence", "sample_error_log", "method", "sample"):
			survivor.set(field, doc.get(field))
	if "Open" in (survivor.status, doc.status):
		survivor.status = "Open"
	survivor.solution, survivor.match_reason = (
		survivor.solution or doc.solution,
		survivor.match_reason or doc.match_reason,
	)
	variants = json.loads(survivor.message_variants or "[]") + json.loads(doc.message_variants or "[]")
	set_variants(survivor, variants, doc.other_variants or 0)


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


def link_error_logs(links: list[tuple]) -> None:
	"""One Error Group Log row per Error Log (its creation as the row's), inserted in bulk."""
	if not links:
		return
	now, user = now_datetime(), frappe.session.user
	values = [
		(frappe.generate_hash(length=12), group, log, title, creation, now, user, user)
		for group, log, creation, title in links
	]
	fields = ["name", "error_group", "error_log", "title", "creation", "modified", "owner", "modified_by"]
	frappe.db.bulk_insert("Error Group Log", fields, values, ignore_duplicates=True)


def ensure_list_settings() -> None:
	"""Six columns for the Error Group list (Frappe shows four on a laptop screen, so "Last seen" and
	"Last 7 days" fell off); made once, an operator's own List View Settings win."""
	if frappe.db.exists("List View Settings", "Error Group"):
		return
	columns = [{"fieldname": name, "label": label} for name, label in LIST_COLUMNS]
	doc = frappe.new_doc("List View Settings")
	doc.update({"__newname": "Error Group", "total_fields": "6", "fields": json.dumps(columns)})
	doc.insert(ignore_permissions=True)
