# Copyright (c) 2026, frappe_diagnostics contributors
# For license information, please see license.txt

from frappe.model.document import Document


class RecoveryStep(Document):
	pass
