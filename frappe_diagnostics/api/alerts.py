"""The alerts sent (firing, repeated, resolved), newest first: what the console shows."""

import frappe

from frappe_diagnostics.api import bounded, require_manager


@frappe.whitelist(methods=["GET"])
def recent(limit: int | None = 20) -> list[dict]:
	"""The latest Diagnostic Alerts: subject (site or check id), event, status, when, run, summary."""
	require_manager()
	from frappe_diagnostics.site.alerts import recent as latest_alerts

	return latest_alerts(bounded(limit, 20, high=200))
