"""Seeds Error Solution records from the bundled knowledge base; never overwrites an operator's edits."""

from __future__ import annotations

import hashlib
import json
import re

import frappe

from frappe_diagnostics.knowledge.solutions import Solution, Step, load_solutions, parse_solution

COMMAND = re.compile(r"^(?P<text>.*?)\s*`(?P<command>[^`]+)`\s*$")


def seed_solutions() -> dict[str, int]:
	"""Insert new seeded solutions, update unedited ones whose seed changed; returns counts."""
	counts = {"inserted": 0, "updated": 0, "kept_user_edits": 0, "unchanged": 0}
	for solution in load_solutions():
		values = record_values(solution)
		name = frappe.db.get_value(
			"Error Solution",
			{"solution_id": solution.id},
			["name", "seed_hash", "user_modified"],
			as_dict=True,
		)
		if not name:
			doc = frappe.get_doc({"doctype": "Error Solution", **values, "is_standard": 1})
			doc.flags.from_seed = True
			doc.insert(ignore_permissions=True)
			counts["inserted"] += 1
		elif name.user_modified:
			counts["kept_user_edits"] += 1
		elif name.seed_hash != values["seed_hash"]:
			doc = frappe.get_doc("Error Solution", name.name)
			doc.update(values)
			doc.flags.from_seed = True
			doc.save(ignore_permissions=True)
			counts["updated"] += 1
		else:
			counts["unchanged"] += 1
	return counts


def record_values(solution: Solution) -> dict:
	data = solution.to_dict()
	resolution = [
		f"{s['text']} `{s['command']}`" if s.get("command") else s["text"] for s in data["resolution"]
	]
	return {
		"solution_id": solution.id,
		"title": solution.title[:140],
		"exception_types": "\n".join(data["patterns"]["exceptions"]),
		"error_codes": "\n".join(str(c) for c in data["patterns"]["mariadb_errors"]),
		"message_patterns": "\n".join(data["patterns"]["messages"]),
		"description": solution.description,
		"causes": "\n".join(data["causes"]),
		"resolution": "\n".join(resolution),
		"prevention": "\n".join(data["prevention"]),
		"links": "\n".join(data["links"]),
		"seed_hash": hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest(),
	}


def solutions_from_records() -> list[Solution]:
	"""The enabled Error Solution records (seeded and the operators' own) as matchable solutions."""
	key = frappe.db.sql("select max(modified), count(*) from `tabError Solution`")[0]
	cache = getattr(frappe.local, "diagnostics_solutions", None)
	if cache and cache[0] == key:
		return cache[1]
	solutions = []
	for row in frappe.get_all("Error Solution", filters={"enabled": 1}, fields=["*"]):
		try:
			solutions.append(parse_solution(_entry(row), where=f"Error Solution {row.name}"))
		except ValueError:
			continue  # validated on save; a record edited in the database directly is skipped
	frappe.local.diagnostics_solutions = (key, solutions)
	return solutions


def _entry(row) -> dict:
	lines = lambda text: [line.strip() for line in (text or "").splitlines() if line.strip()]  # noqa: E731
	steps = []
	for line in lines(row.resolution):
		m = COMMAND.match(line)
		steps.append({"text": m.group("text") if m else line, "command": m.group("command") if m else None})
	return {
		"id": row.solution_id,
		"title": row.title,
		"patterns": {
			"exceptions": lines(row.exception_types),
			"mariadb_errors": [int(c) for c in lines(row.error_codes) if c.isdigit()],
			"messages": lines(row.message_patterns),
		},
		"description": frappe.utils.strip_html(row.description or "") or row.title,
		"causes": lines(row.causes) or ["(not given)"],
		"resolution": steps or [{"text": "(not given)", "command": None}],
		"prevention": lines(row.prevention),
		"links": lines(row.links),
	}


__all__ = ["Step", "record_values", "seed_solutions", "solutions_from_records"]


def match_records(text: str, limit: int = 3) -> list[dict]:
	"""The Error Solution records that best fit a message or traceback, with the reason each matched."""
	from frappe_diagnostics.knowledge.solutions import match

	found = match(text, solutions_from_records(), limit=limit)
	ids = [m.solution_id for m in found]
	rows = (
		frappe.get_all(
			"Error Solution", filters={"solution_id": ("in", ids)}, fields=["name", "title", "solution_id"]
		)
		if ids
		else []
	)
	by_id = {r.solution_id: r for r in rows}
	return [
		{
			"solution": by_id[m.solution_id].name if m.solution_id in by_id else m.solution_id,
			"title": by_id[m.solution_id].title if m.solution_id in by_id else "",
			"score": m.score,
			"reason": m.reason,
		}
		for m in found
	]
