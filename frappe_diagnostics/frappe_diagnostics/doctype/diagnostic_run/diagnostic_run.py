# Copyright (c) 2026, frappe_diagnostics contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class DiagnosticRun(Document):
	"""Written only by frappe_diagnostics.site.store; read-only for users."""

	@staticmethod
	def clear_old_logs(days: int = 30) -> None:
		"""Log Settings' daily clean-up (days: its Diagnostic Run row, = Diagnostics Settings' retention)."""
		from frappe_diagnostics.site.retention import delete_runs_older_than

		delete_runs_older_than(days)


def on_doctype_update():
	"""The newest run of a kind (and the newest scheduled one) is one index read, however long the history:
	what every screen, the metrics scrape, readiness and the alerts ask for."""
	frappe.db.add_index("Diagnostic Run", ["kind", "creation"], "kind_creation")
	frappe.db.add_index("Diagnostic Run", ["kind", "`trigger`", "creation"], "kind_trigger_creation")
