"""Troubleshooters over REST: one POST method per catalog entry (generated), each storing a Diagnostic Run
of its kind; and the catalog itself for the desk's Troubleshoot menu."""

import frappe
from frappe import _

from frappe_diagnostics.api import publish, require_manager
from frappe_diagnostics.troubleshooters import catalog as troubleshooters

METHODS = publish(globals(), __name__)  # startup, database, performance, explain, logs, slowlog …


@frappe.whitelist(methods=["GET"])
def catalog() -> list[dict]:
	"""The troubleshooters the desk offers: label, question, REST method and the inputs of its dialog."""
	require_manager()
	return [entry.describe(_) for entry in troubleshooters.on(troubleshooters.DESK)]
