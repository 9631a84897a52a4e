# Copyright (c) 2026, frappe_diagnostics contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document
from frappe.query_builder import Interval
from frappe.query_builder.functions import Now


class ErrorGroupLog(Document):
	"""Written by frappe_diagnostics.site.errorgroups: one row per grouped Error Log."""

	@staticmethod
	def clear_old_logs(days: int = 14) -> None:
		"""Log Settings' clean-up: rows older than `days`, and rows whose Error Log is gone."""
		table = frappe.qb.DocType("Error Group Log")
		frappe.db.delete(table, filters=(table.creation < (Now() - Interval(days=days))))
		frappe.db.sql(
			"delete gl from `tabError Group Log` gl left join `tabError Log` el on el.name = gl.error_log "
			"where el.name is null"
		)
