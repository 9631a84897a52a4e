"""Who may read metrics and readiness details: a user with the Diagnostics Metrics role (API key and secret,
`Authorization: token key:secret`), a System Manager, or a scraper sending the bearer token set in
Diagnostics Settings (`Authorization: Bearer <token>`).

Frappe refuses any request whose Authorization header it cannot match to a user, so the token is matched in
an auth hook, only on the metrics and readiness paths, and the request then runs as the metrics service
user: a Website User holding the Diagnostics Metrics role and nothing else.
"""

from __future__ import annotations

import hmac

import frappe

from frappe_diagnostics.site.install import METRICS_ROLE, METRICS_USER

READERS = (METRICS_ROLE, "System Manager")
TOKEN_PATHS = (
	"/api/method/frappe_diagnostics.api.metrics.scrape",
	"/api/method/frappe_diagnostics.api.probes.ready",
)


def authenticate() -> None:
	"""auth_hooks: a valid bearer token on a metrics path makes the request the metrics service user."""
	request = getattr(frappe.local, "request", None)
	if request is None or request.path not in TOKEN_PATHS or frappe.session.user not in ("", "Guest"):
		return
	scheme, _, given = frappe.get_request_header("Authorization", "").partition(" ")
	if scheme.lower() != "bearer" or not given.strip():
		return
	expected = metrics_token()
	if expected and hmac.compare_digest(given.strip().encode(), expected.encode()):
		if frappe.db.exists("User", {"name": METRICS_USER, "enabled": 1}):
			frappe.set_user(METRICS_USER)


def metrics_token() -> str | None:
	from frappe.utils.password import get_decrypted_password

	return get_decrypted_password(
		"Diagnostics Settings", "Diagnostics Settings", "metrics_token", raise_exception=False
	)


def may_read_metrics() -> bool:
	user = frappe.session.user
	return user not in ("", "Guest") and bool(set(READERS) & set(frappe.get_roles(user)))
