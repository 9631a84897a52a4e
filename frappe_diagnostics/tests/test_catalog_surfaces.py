"""Every troubleshooter of the catalog is reachable on each in-site surface it declares: the bench command,
the REST method (System Manager only, POST) and the desk's menu. The standalone surface is tested in the
standalone suite (tests/test_catalog.py)."""

import frappe

from frappe_diagnostics.tests.utils import (
	TestCase,
	bench_command,
	call,
	http_client,
	make_user,
	parse_json_output,
)
from frappe_diagnostics.troubleshooters import catalog

MANAGER = "diag-catalog-manager@example.com"
PLAIN = "diag-catalog-plain@example.com"


def example_inputs(entry, surface) -> dict:
	return {i.name: i.example for i in entry.inputs_on(surface) if i.required}


class TestCatalogSurfaces(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(MANAGER, ("System Manager",))
		make_user(PLAIN, ())

	def test_the_framework_free_catalog_names_frappes_permission_types(self):
		from frappe.permissions import rights

		self.assertEqual(set(catalog.PTYPES), set(rights))

	def test_every_bench_entry_is_a_command_that_answers_and_stores_its_kind(self):
		from frappe_diagnostics.commands import diagnostics

		for entry in catalog.on(catalog.BENCH):
			with self.subTest(entry=entry.name):
				self.assertIn(entry.command, diagnostics.commands)
				done = bench_command(
					"diagnostics", entry.command, *entry.example_args(catalog.BENCH), "--json"
				)
				self.assertNotIn("Traceback", done.stderr)
				data = parse_json_output(done.stdout)
				self.assertEqual(data["kind"], entry.kind)
				frappe.db.rollback()
				self.assertEqual(frappe.db.get_value("Diagnostic Run", data["name"], "kind"), entry.kind)

	def test_every_rest_entry_answers_a_manager_and_refuses_everyone_else(self):
		manager, plain, guest = http_client(MANAGER), http_client(PLAIN), http_client(None)
		for entry in catalog.on(catalog.REST):
			with self.subTest(entry=entry.name):
				args = example_inputs(entry, catalog.REST)
				response = call(manager, entry.rest, "POST", args)
				self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
				self.assertEqual(response.json["message"]["kind"], entry.kind)
				self.assertEqual(call(plain, entry.rest, "POST", args).status_code, 403)
				self.assertEqual(call(guest, entry.rest, "POST", args).status_code, 403)
				self.assertEqual(call(manager, entry.rest, "GET", args).status_code, 403)  # POST only

	def test_the_desk_menu_lists_exactly_the_desk_entries_with_their_methods(self):
		response = call(http_client(MANAGER), "frappe_diagnostics.api.troubleshoot.catalog", "GET")
		self.assertEqual(response.status_code, 200)
		listed = {e["name"]: e for e in response.json["message"]}
		self.assertEqual(set(listed), {e.name for e in catalog.on(catalog.DESK)})
		for entry in catalog.on(catalog.DESK):
			self.assertEqual(listed[entry.name]["method"], entry.rest)
			self.assertEqual(
				[i["name"] for i in listed[entry.name]["inputs"]],
				[i.name for i in entry.inputs_on(catalog.DESK)],
			)
			self.assertTrue(callable(frappe.get_attr(entry.rest)))


HOOKED = "frappe_diagnostics.tests.hooked_troubleshooter"


class TestAnotherAppsTroubleshooter(TestCase):
	"""A troubleshooter added through the `diagnostics_troubleshooters` hook reaches the desk menu and REST."""

	def setUp(self):
		import sys
		from unittest.mock import patch

		from frappe_diagnostics.api import troubleshoot

		real = frappe.get_hooks

		def get_hooks(hook=None, *args, **kwargs):
			found = real(hook, *args, **kwargs)
			return [*found, HOOKED] if hook == "diagnostics_troubleshooters" else found

		patcher = patch.object(frappe, "get_hooks", get_hooks)
		patcher.start()
		self.addCleanup(patcher.stop)
		self.addCleanup(sys.modules.pop, HOOKED, None)
		self.addCleanup(catalog.CATALOG.unregister, "hooked_greeting")
		self.addCleanup(lambda: troubleshoot.METHODS.remove("hooked_greeting"))

	def test_it_is_on_the_desk_menu_and_its_rest_method_answers_a_manager_only(self):
		manager = http_client(MANAGER)
		listed = call(manager, "frappe_diagnostics.api.troubleshoot.catalog", "GET").json["message"]
		self.assertIn("hooked_greeting", [e["name"] for e in listed])
		method = "frappe_diagnostics.api.troubleshoot.hooked_greeting"
		response = call(manager, method, "POST", {"name": "desk"})
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		self.assertEqual(
			(response.json["message"]["kind"], response.json["message"]["question"]),
			("Web", "Hello desk?"),
		)
		self.assertEqual(call(http_client(PLAIN), method, "POST", {"name": "x"}).status_code, 403)


class TestBenchCommandsAreDocumented(TestCase):
	def test_every_bench_command_and_option_is_in_the_docs(self):
		from pathlib import Path

		from frappe_diagnostics.cli.doclines import doc_files
		from frappe_diagnostics.commands import diagnostics

		root = Path(frappe.get_app_path("frappe_diagnostics")).parent
		readme = "\n".join(path.read_text() for path in doc_files(root))  # README.md and docs/
		for name, command in diagnostics.commands.items():
			self.assertTrue(f"diagnostics {name}" in readme, f"diagnostics {name} is not documented")
			for param in command.params:
				for opt in getattr(param, "opts", []):
					if opt.startswith("--"):
						self.assertTrue(opt in readme, f"diagnostics {name} {opt} is not documented")
