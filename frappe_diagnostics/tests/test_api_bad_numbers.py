"""Every whitelisted method that takes a number or a yes/no answers bad values with HTTP 417 and a message
naming the argument, never a 500. (Frappe itself reads "1e999" and "nan" as a true yes/no.)"""

from __future__ import annotations

import frappe

from frappe_diagnostics.tests.utils import TestCase, call, http_client, make_user

MANAGER = "diag-badnumbers-manager@example.com"
BAD = {"number": ["ten", "1e999", "[1]", "0x10", "nan"], "yes/no": ["ten", "maybe", "[1]", "0x10"]}

# (method, HTTP, the numeric or yes/no argument, other arguments it needs)
METHODS = [
	("frappe_diagnostics.api.health.history", "GET", "limit", {}),
	("frappe_diagnostics.api.health.history", "GET", "include_partial", {}),
	("frappe_diagnostics.api.health.latest", "GET", "include_partial", {}),
	("frappe_diagnostics.api.errors.groups", "GET", "limit", {}),
	("frappe_diagnostics.api.errors.match", "POST", "limit", {"text": "Deadlock found"}),
	("frappe_diagnostics.api.access.fix_log", "GET", "limit", {}),
	("frappe_diagnostics.api.troubleshoot.performance", "POST", "hours", {}),
]


class TestBadNumbers(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(MANAGER, ("System Manager",))

	def test_bad_numbers_give_417_with_the_argument_named(self):
		client = http_client(MANAGER)
		for method, http, argument, others in METHODS:
			for value in BAD["yes/no" if argument == "include_partial" else "number"]:
				with self.subTest(method=method, argument=argument, value=value):
					response = call(client, method, http, {**others, argument: value})
					body = response.get_data(as_text=True)
					self.assertEqual(response.status_code, 417, body[:500])
					self.assertIn(argument, body)
					self.assertNotIn("Traceback", frappe.parse_json(body).get("exception") or "")

	def test_good_numbers_still_work(self):
		client = http_client(MANAGER)
		for method, http, argument, others in METHODS:
			value = "1" if argument != "include_partial" else "true"
			if argument == "hours":
				continue  # a performance run is slow and tested elsewhere
			with self.subTest(method=method, argument=argument):
				response = call(client, method, http, {**others, argument: value})
				self.assertEqual(response.status_code, 200, response.get_data(as_text=True)[:500])
