"""The site context inside a Frappe process (request, job or bench command).

It reads frappe.conf and the site's paths once, in the calling thread; checks then use their own
connections, so nothing they do touches frappe.db or frappe.local.
"""

from __future__ import annotations

from frappe_diagnostics.engine.context import SiteContext
from frappe_diagnostics.engine.settings import Settings


class FrappeContext(SiteContext):
	kind = "frappe"

	def __init__(self):
		import frappe
		from frappe.utils import get_bench_path, get_system_timezone

		super().__init__(
			frappe.local.site,
			conf=dict(frappe.conf),
			bench_path=get_bench_path(),
			site_path=frappe.get_site_path(),
		)
		self.hook_entries = list(dict.fromkeys(frappe.get_hooks("diagnostics_checks")))
		self.troubleshooter_entries = list(dict.fromkeys(frappe.get_hooks("diagnostics_troubleshooters")))
		try:
			self.time_zone = get_system_timezone()
		except Exception:
			self.time_zone = None
		self.settings = load_settings()


def load_settings() -> Settings:
	"""Diagnostics Settings as engine Settings; defaults when the DocType is not installed yet."""
	import frappe

	if not frappe.db.exists("DocType", "Diagnostics Settings"):
		return Settings()
	doc = frappe.get_cached_doc("Diagnostics Settings")
	return Settings.from_mapping(
		{
			"check_budget_ms": doc.check_budget_ms,
			"run_budget_s": doc.run_budget_s,
			"parallel": doc.parallel,
			"disabled_checks": doc.disabled_checks or "",
			"threshold_overrides": doc.threshold_overrides or "",
			"backup_folders": doc.get("backup_folders") or "",
		}
	)
