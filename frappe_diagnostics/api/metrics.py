"""Prometheus metrics of this site (text exposition), for a user with the Diagnostics Metrics role or a
System Manager, or a scraper with the bearer token of Diagnostics Settings. Reads stored results only."""

import frappe

from frappe_diagnostics.api import require_metrics_reader


@frappe.whitelist(methods=["GET"])
def scrape():
	"""This site's checks, runs, Error Groups, backups, debug session and its bench's queues and workers."""
	require_metrics_reader()
	from frappe_diagnostics.site.metrics import scrape_response

	return scrape_response()
