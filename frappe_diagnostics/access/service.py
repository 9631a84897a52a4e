"""The one path every surface (desk, REST, bench) takes to run an access diagnosis and store it."""

from __future__ import annotations

from frappe_diagnostics.store import save_diagnosis


def why_no_login(user: str, ip: str | None = None, trigger: str = "CLI", store: bool = True):
	"""Returns (Diagnosis, Diagnostic Run or None). ValueError for bad input."""
	from frappe_diagnostics.access.login import diagnose_login

	diagnosis = diagnose_login(user, ip=ip)
	return diagnosis, save_diagnosis(diagnosis, trigger) if store else None


def why_denied(
	user: str,
	doctype: str,
	name: str | None = None,
	ptype: str = "read",
	trigger: str = "CLI",
	store: bool = True,
):
	"""Returns (Diagnosis, Diagnostic Run or None). ValueError for bad input."""
	from frappe_diagnostics.access.permissions import diagnose_permission

	diagnosis = diagnose_permission(user, doctype, name=name, ptype=ptype or "read")
	return diagnosis, save_diagnosis(diagnosis, trigger) if store else None
