"""The one writer of Diagnostic Fix Log: who applied what, when, with the state before and after."""

from __future__ import annotations

import json

import frappe
from frappe.utils import now_datetime

from frappe_diagnostics.site import records


def record(plan: dict, status: str, trigger: str, run: str | None = None, after=None, error: str = ""):
	doc = frappe.new_doc("Diagnostic Fix Log")
	doc.update(
		{
			"action": plan["name"],
			"status": status,
			"user": frappe.session.user,
			"trigger": records.trigger(trigger, ("Desk", "API", "CLI")),
			"applied_on": now_datetime(),
			"diagnostic_run": run if run and frappe.db.exists("Diagnostic Run", run) else None,
			"target_doctype": plan["target_doctype"],
			"target_name": plan["target_name"],
			"description": plan["description"],
			"parameters": records.dump(plan["params"], pretty=True),
			"before": records.dump(plan["before"], pretty=True),
			"after": records.dump(after if after is not None else plan["after"], pretty=True),
			"error": error[:1000] if error else None,
		}
	)
	doc.flags.ignore_permissions = True
	doc.insert()
	return doc


def mark_reverted(doc) -> None:
	doc.db_set({"status": "Reverted", "reverted_by": frappe.session.user, "reverted_on": now_datetime()})


def load(name: str):
	if not name or not frappe.db.exists("Diagnostic Fix Log", name):
		raise ValueError(f"There is no Diagnostic Fix Log {name!r}.")
	return frappe.get_doc("Diagnostic Fix Log", name)


def parsed(doc, field: str):
	return records.load(doc.get(field))


def as_dict(doc) -> dict:
	data = {
		f: doc.get(f)
		for f in (
			"name",
			"action",
			"status",
			"user",
			"trigger",
			"applied_on",
			"diagnostic_run",
			"target_doctype",
			"target_name",
			"description",
			"error",
			"reverted_by",
			"reverted_on",
		)
	}
	data.update(
		parameters=parsed(doc, "parameters"), before=parsed(doc, "before"), after=parsed(doc, "after")
	)
	return json.loads(frappe.as_json(data))
