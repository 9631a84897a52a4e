"""Troubleshooters over REST: one POST method per catalog entry (generated), each storing a Diagnostic Run
of its kind; and the catalog itself for the desk's Troubleshoot menu."""

import frappe
from frappe import _

from frappe_diagnostics.api import publish, require_manager
from frappe_diagnostics.troubleshooters import catalog as troubleshooters

METHODS = publish(globals(), __name__)  # startup, database, performance, explain, logs, slowlog …


def load_hooked() -> None:
	"""The troubleshooters the site's apps add (`diagnostics_troubleshooters` hook), with their methods."""
	if troubleshooters.load_hooks(frappe.get_hooks("diagnostics_troubleshooters")):
		METHODS.extend(name for name in publish(globals(), __name__) if name not in METHODS)


def __getattr__(name: str):
	"""Another app's troubleshooter method, published when first asked for (Frappe resolves it by name)."""
	if name.startswith("__") or not getattr(frappe.local, "site", None):
		raise AttributeError(name)
	load_hooked()
	if name in METHODS:
		return globals()[name]
	raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@frappe.whitelist(methods=["GET"])
def catalog() -> list[dict]:
	"""The troubleshooters the desk offers: label, question, REST method and the inputs of its dialog."""
	require_manager()
	load_hooked()
	return [entry.describe(_) for entry in troubleshooters.on(troubleshooters.DESK)]
