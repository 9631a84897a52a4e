# Copyright (c) 2026, frappe_diagnostics contributors
# For license information, please see license.txt

import re

import frappe
from frappe import _
from frappe.model.document import Document


class ErrorSolution(Document):
	def validate(self):
		self.validate_patterns()
		self.mark_user_edit()

	def validate_patterns(self):
		for line in (self.message_patterns or "").splitlines():
			if line.strip():
				try:
					re.compile(line.strip())
				except re.error as e:
					frappe.throw(
						_("Message pattern {0} is not a valid regular expression: {1}.").format(line, e)
					)
		for line in (self.error_codes or "").splitlines():
			if line.strip() and not line.strip().isdigit():
				frappe.throw(_("Error code {0} must be a number, e.g. 1213.").format(line.strip()))

	def mark_user_edit(self):
		# edits made in the desk survive upgrades: the seeder leaves such records alone
		if self.is_standard and not self.flags.from_seed and not self.is_new():
			self.user_modified = 1
