import frappe

from frappe_diagnostics.tests.utils import TestCase


class TestDiagnosticsSettings(TestCase):
	def settings(self, **values):
		doc = frappe.get_single("Diagnostics Settings")
		doc.update(values)
		return doc

	def test_unknown_check_ids_are_refused_with_the_known_ones(self):
		with self.assertRaisesRegex(
			frappe.ValidationError, "Unknown check id\\(s\\): nope.x. Known ids: .*database.connectivity"
		):
			self.settings(disabled_checks="system.cpu\nnope.x").save()

	def test_threshold_overrides_are_validated(self):
		with self.assertRaisesRegex(frappe.ValidationError, "not valid JSON"):
			self.settings(threshold_overrides="{bad").save()
		with self.assertRaisesRegex(
			frappe.ValidationError, "has no threshold speed; its thresholds are: free_warning_pct"
		):
			self.settings(threshold_overrides='{"filesystem.disk_space": {"speed": 1}}').save()
		with self.assertRaisesRegex(frappe.ValidationError, "must be a number"):
			self.settings(threshold_overrides='{"filesystem.disk_space": {"free_warning_pct": "x"}}').save()

	def test_overrides_and_disabled_checks_reach_the_runner(self):
		from frappe_diagnostics.site.service import run_health

		self.settings(
			disabled_checks="system.cpu",
			threshold_overrides='{"system.memory": {"available_warning_pct": 101, "available_critical_pct": 0}}',
			check_budget_ms=1000,
		).save()
		try:
			result, _ = run_health(checks=["system.cpu", "system.memory"], store=False)
			by_id = {r.check_id: r for r in result.results}
			self.assertEqual(by_id["system.cpu"].status.value, "skipped")
			self.assertEqual(by_id["system.memory"].status.value, "warning")
		finally:
			self.settings(disabled_checks="", threshold_overrides="").save()

	def test_budget_out_of_range(self):
		with self.assertRaisesRegex(frappe.ValidationError, "between 50 and 60000"):
			self.settings(check_budget_ms=10).save()
