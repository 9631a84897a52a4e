# Copyright (c) 2026, frappe_diagnostics contributors
# For license information, please see license.txt

from frappe.model.document import Document


class DiagnosticFixConfirmation(Document):
	"""A spent fix confirmation; written only by frappe_diagnostics.site.fixes.tokens."""
