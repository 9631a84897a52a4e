"""Idempotent set-up after install and migrate: default Diagnostics Settings, seeded Error Solutions."""

import frappe

DEFAULTS = {
	"enable_scheduled_runs": 1,
	"frequency": "Hourly",
	"check_budget_ms": 1000,
	"run_budget_s": 20,
	"parallel": 4,
	"retention_days": 30,
}


def after_install():
	settings = frappe.get_single("Diagnostics Settings")
	for field, value in DEFAULTS.items():
		if not settings.get(field):
			settings.set(field, value)
	settings.flags.ignore_permissions = True
	settings.save()
	seed()


def after_migrate():
	seed()


def seed():
	from frappe_diagnostics.errors.seed import seed_solutions

	counts = seed_solutions()
	print(f"frappe_diagnostics: error solutions {counts}")
