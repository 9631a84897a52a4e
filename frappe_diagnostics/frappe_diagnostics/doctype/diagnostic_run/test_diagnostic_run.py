"""The one writer: a run stored with its results, and no secret ever stored or returned."""

import json

import frappe

from frappe_diagnostics.engine.registry import check, registry
from frappe_diagnostics.engine.result import Finding
from frappe_diagnostics.site.service import run_health
from frappe_diagnostics.site.store import run_as_dict
from frappe_diagnostics.tests.utils import TestCase

SECRETS = {
	"db_password": None,
	"encryption_key": "Pl4nted-Encryption-Key-xyz",
	"api_secret": "Pl4nted-api-secret-123",
}


class TestDiagnosticRun(TestCase):
	def test_run_is_stored_with_one_result_per_check(self):
		result, doc = run_health(checks=["system.cpu", "system.memory"], trigger="API")
		self.assertEqual(doc.checks_total, 2)
		self.assertEqual([r.check_id for r in doc.results], ["system.cpu", "system.memory"])
		self.assertEqual(doc.status, result.status.label)
		metrics = json.loads(doc.results[0].metrics)
		self.assertEqual(metrics[0]["unit"], "%")
		self.assertTrue(doc.name.startswith("DR-"))

	def test_no_stored_or_returned_text_contains_a_secret(self):
		conf = frappe.local.conf
		planted = {**SECRETS, "db_password": conf.db_password}
		saved = {k: conf.get(k) for k in planted}
		conf.update({k: v for k, v in planted.items() if v})

		@check("leaky.store", title="Leaky")
		def leaky(probe):
			c = probe.site.conf
			return probe.ok(
				f"pw {c['db_password']} key {c['encryption_key']}",
				findings=[
					Finding(
						f"secret {c['api_secret']}",
						{"token": "tok-raw-123456", "dsn": f"mysql://u:{c['db_password']}@h/d"},
					)
				],
			)

		try:
			_, doc = run_health(checks=["leaky.store"], trigger="API")
			stored = frappe.as_json(frappe.get_doc("Diagnostic Run", doc.name).as_dict())
			returned = frappe.as_json(run_as_dict(doc))
			for value in [*planted.values(), "tok-raw-123456"]:
				self.assertNotIn(value, stored)
				self.assertNotIn(value, returned)
			self.assertIn("********", stored)
		finally:
			registry.unregister("leaky.store")
			conf.update(saved)

	def test_users_cannot_create_or_edit_runs(self):
		meta = frappe.get_meta("Diagnostic Run")
		perms = [p for p in meta.permissions if p.role == "System Manager"]
		self.assertTrue(perms and perms[0].read and not perms[0].write and not perms[0].create)
