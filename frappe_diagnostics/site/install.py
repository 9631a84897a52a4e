"""Idempotent set-up after install and migrate: default Diagnostics Settings, the Diagnostics Metrics role,
seeded Error Solutions, the Error Group list's columns."""

import frappe

from frappe_diagnostics.engine.settings import DEFAULTS

METRICS_ROLE = "Diagnostics Metrics"


def after_install():
	fill_unset_defaults()
	ensure_metrics_role()
	seed()


def after_migrate():
	fill_unset_defaults()
	ensure_metrics_role()
	seed()


def fill_unset_defaults():
	"""Settings never stored yet (a fresh install, or fields added by an upgrade) take their defaults."""
	stored = frappe.db.get_singles_dict("Diagnostics Settings")
	unset = {f for f in DEFAULTS if f not in stored}
	if unset:  # written as they are: an upgrade must not fail on an operator's older, now-invalid value
		frappe.db.set_single_value("Diagnostics Settings", {f: DEFAULTS[f].value for f in sorted(unset)})


def ensure_metrics_role():
	"""A role that may read metrics and readiness details, and nothing else: no desk access, no DocType."""
	if frappe.db.exists("Role", METRICS_ROLE):
		return
	role = frappe.get_doc({"doctype": "Role", "role_name": METRICS_ROLE, "desk_access": 0})
	role.insert(ignore_permissions=True)


def seed():
	from frappe_diagnostics.site.errorgroups import ensure_list_settings
	from frappe_diagnostics.site.seed import seed_solutions

	ensure_list_settings()
	counts = seed_solutions()
	print(f"frappe_diagnostics: error solutions {counts}")
