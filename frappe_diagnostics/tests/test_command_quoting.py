"""Commands offered by the login and permission troubleshooters are safe to paste, even when the user's
email or a role name holds shell code (backticks are valid in an email address)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import frappe

from frappe_diagnostics.site.access.login import diagnose_login
from frappe_diagnostics.site.access.permissions import diagnose_permission
from frappe_diagnostics.tests.shell_safety import Planted, commands_of
from frappe_diagnostics.tests.utils import TestCase


class TestCommandQuoting(TestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.scratch = Path(tempfile.mkdtemp())
		self.planted = Planted(self.scratch / "run")
		self.email = "diag`pwned`@example.com"  # Frappe keeps it (lower-cased) as the user's name
		self.role = f"Diag {self.planted.text}"

	def tearDown(self):
		shutil.rmtree(self.scratch, ignore_errors=True)
		frappe.db.rollback()

	def _user(self, roles=()):
		user = frappe.get_doc(
			{"doctype": "User", "email": self.email, "first_name": "Diag", "send_welcome_email": 0}
		)
		for role in roles:
			user.append("roles", {"role": role})
		user.insert(ignore_permissions=True)
		return user

	def test_login_fixes_quote_an_email_that_holds_shell_code(self):
		user = self._user()
		frappe.db.set_value("User", user.name, "enabled", 0)
		diagnosis = diagnose_login(None, user.name)
		commands = commands_of(diagnosis.steps)
		self.assertTrue(any("set-password" in c for c in commands), commands)
		self.assertTrue(any("enable_user" in c for c in commands), commands)
		self.planted.check(commands)

	def test_permission_fixes_quote_a_role_name_that_holds_shell_code(self):
		frappe.get_doc({"doctype": "Role", "role_name": self.role, "desk_access": 1}).insert()
		user = self._user(roles=(self.role,))
		diagnosis = diagnose_permission(None, user.name, "Error Solution", ptype="read")
		commands = commands_of(diagnosis.steps)
		self.assertTrue(any("grant_permission" in c for c in commands), commands)
		self.planted.check(commands)
