"""Run retention through Frappe's Log Settings, as Frappe's own logs do: Diagnostic Run is a log type
(the `default_log_clearing_doctypes` hook and `DiagnosticRun.clear_old_logs`), Frappe's daily
`run_log_clean_up` deletes the old runs, and Diagnostics Settings' "Keep runs for (days)" is the days of
that Log Settings row: a change on either side is made on the other."""

import frappe
from frappe.utils import add_to_date, cint, now_datetime

DOCTYPE = "Diagnostic Run"


def delete_runs_older_than(days: int) -> int:
	"""Delete runs (with their results, steps and alerts) created more than `days` ago; how many."""
	cutoff = add_to_date(now_datetime(), days=-max(1, cint(days)))
	names = frappe.get_all(DOCTYPE, filters={"creation": ("<", cutoff)}, pluck="name", limit=10_000)
	if names:
		frappe.db.delete("Diagnostic Alert", {"diagnostic_run": ("in", names)})
		frappe.db.delete("Diagnostic Result", {"parenttype": DOCTYPE, "parent": ("in", names)})
		frappe.db.delete("Recovery Step", {"parenttype": DOCTYPE, "parent": ("in", names)})
		frappe.db.delete(DOCTYPE, {"name": ("in", names)})
	return len(names)


def log_settings_days() -> int | None:
	row = frappe.db.get_value("Logs To Clear", {"parent": "Log Settings", "ref_doctype": DOCTYPE}, "days")
	return cint(row) if row is not None else None


def register(days: int) -> None:
	"""Log Settings' Diagnostic Run row keeps `days` (added when missing)."""
	if log_settings_days() == cint(days):
		return
	doc = frappe.get_doc("Log Settings")
	doc.register_doctype(DOCTYPE, cint(days))
	doc.flags.ignore_permissions = True
	doc.save()


def register_configured() -> None:
	"""After install and migrate: the row exists with the operator's retention before any clean-up runs
	(else Log Settings would add it with the hook's default)."""
	register(frappe.db.get_single_value("Diagnostics Settings", "retention_days") or 30)


def on_log_settings_update(doc, method=None) -> None:
	"""An operator changed the row in Log Settings: Diagnostics Settings shows the same number."""
	days = next((cint(r.days) for r in doc.logs_to_clear if r.ref_doctype == DOCTYPE), None)
	if days and days != cint(frappe.db.get_single_value("Diagnostics Settings", "retention_days")):
		frappe.db.set_single_value("Diagnostics Settings", "retention_days", days)
		frappe.clear_document_cache("Diagnostics Settings", "Diagnostics Settings")
