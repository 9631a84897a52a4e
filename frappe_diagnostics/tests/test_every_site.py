"""`bench --site all diagnostics run`: each site in its own process, its run stored in its own database."""

import frappe
from frappe.utils import get_bench_path

from frappe_diagnostics.commands.allsites import run_every_site
from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.tests.utils import TestCase


class TestEverySite(TestCase):
	def test_each_site_runs_in_its_own_process_and_a_broken_one_does_not_stop_the_others(self):
		site = frappe.local.site
		frappe.db.commit()
		result = run_every_site([site, "no-such-site.invalid"], f"{get_bench_path()}/sites", True, 120, 2)
		by_site = {s.site: s for s in result.sites}
		stored = by_site[site].summary.rsplit("Stored as ", 1)[1].rstrip(".")
		self.assertEqual(
			frappe.db.get_value("Diagnostic Run", stored, "status").lower(), by_site[site].status.value
		)
		self.assertEqual(
			len(by_site[site].run.results), frappe.db.count("Diagnostic Result", {"parent": stored})
		)
		self.assertEqual(by_site["no-such-site.invalid"].status, Status.ERROR)
		self.assertIn("The site's run failed", by_site["no-such-site.invalid"].summary)

	def test_the_total_budget_bounds_the_whole_run(self):
		result = run_every_site([frappe.local.site], f"{get_bench_path()}/sites", False, 1e-9, 1)
		self.assertEqual(result.sites[0].status, Status.SKIPPED)
