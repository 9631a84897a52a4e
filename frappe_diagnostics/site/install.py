"""Idempotent set-up after install and migrate: default Diagnostics Settings, the Diagnostics Metrics role,
seeded Error Solutions, the Error Group list's columns."""

import frappe

from frappe_diagnostics.engine.settings import DEFAULTS
from frappe_diagnostics.site.retention import register_configured

METRICS_ROLE = "Diagnostics Metrics"
METRICS_USER = "metrics@frappe-diagnostics.invalid"  # scrapes with the bearer token run as this user


def after_install():
	after_migrate()


def after_migrate():
	fill_unset_defaults()
	ensure_metrics_role()
	seed()
	register_configured()  # run retention: a Log Settings row with the operator's days


def fill_unset_defaults():
	"""Settings never stored yet (a fresh install, or fields added by an upgrade) take their defaults."""
	stored = frappe.db.get_singles_dict("Diagnostics Settings")
	# blank, never saved: Frappe's init of singles at install wrote blanks (a save always fills this one)
	never_saved = "readiness_checks" in stored and not stored["readiness_checks"]
	unset = set(DEFAULTS) if never_saved else {f for f in DEFAULTS if f not in stored}
	if unset:  # written as they are: an upgrade must not fail on an operator's older, now-invalid value
		frappe.db.set_single_value("Diagnostics Settings", {f: DEFAULTS[f].value for f in sorted(unset)})


def ensure_metrics_role():
	"""A role that may read metrics and readiness details and nothing else (no desk access, no DocType),
	and the service user bearer-token scrapes run as: a Website User with that role, without a password."""
	if not frappe.db.exists("Role", METRICS_ROLE):
		role = frappe.get_doc({"doctype": "Role", "role_name": METRICS_ROLE, "desk_access": 0})
		role.insert(ignore_permissions=True)
	if not frappe.db.exists("User", METRICS_USER):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": METRICS_USER,
				"first_name": "Diagnostics Metrics",
				"user_type": "Website User",
				"send_welcome_email": 0,
				"roles": [{"role": METRICS_ROLE}],
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)


def seed():
	from frappe_diagnostics.site.errorgroups import ensure_list_settings
	from frappe_diagnostics.site.seed import seed_solutions

	ensure_list_settings()
	counts = seed_solutions()
	print(f"frappe_diagnostics: error solutions {counts}")
