# Copyright (c) 2026, frappe_diagnostics contributors
# For license information, please see license.txt

from frappe.model.document import Document


class DiagnosticRun(Document):
	"""Written only by frappe_diagnostics.site.store; read-only for users."""
