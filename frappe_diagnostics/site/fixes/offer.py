"""A fix a diagnosis offers: the action string, and the bench command that applies it (quoted)."""

from __future__ import annotations

import frappe

from frappe_diagnostics.engine.result import Fix
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.engine.steps import action


def fix_action(description: str, fix: str, /, **params) -> Fix:
	act = action(fix, **params)
	site = getattr(frappe.local, "site", None) or "SITE"
	return Fix(description, command=bench(site, "diagnostics", "fix", act, "--apply"), action=act)
