"""Idempotent set-up after install and migrate: default Diagnostics Settings, seeded Error Solutions, the
Error Group list's columns."""

import frappe

from frappe_diagnostics.engine.settings import DEFAULTS


def after_install():
	stored = frappe.db.get_singles_dict("Diagnostics Settings")
	settings = frappe.get_single("Diagnostics Settings")
	settings.fill_defaults(unset={f for f in DEFAULTS if f not in stored})
	settings.flags.ignore_permissions = True
	settings.save()
	seed()


def after_migrate():
	seed()


def seed():
	from frappe_diagnostics.site.errorgroups import ensure_list_settings
	from frappe_diagnostics.site.seed import seed_solutions

	ensure_list_settings()
	counts = seed_solutions()
	print(f"frappe_diagnostics: error solutions {counts}")
