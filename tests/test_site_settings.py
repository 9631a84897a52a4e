"""One way to get the site's settings: every troubleshooter that runs checks applies the site's threshold
overrides and disabled checks (Diagnostics Settings), whatever budgets it needs of its own."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.troubleshooters.database import diagnose_database

OVERRIDES = {"database.connections": {"usage_warning_pct": 0, "usage_critical_pct": 1000}}


@pytest.fixture
def site_settings(bench, site_sql):
	rows = {
		"disabled_checks": "database.locks",
		"threshold_overrides": json.dumps(OVERRIDES),
	}
	for field, value in rows.items():
		site_sql(
			"INSERT INTO `tabSingles` (doctype, field, value) VALUES ('Diagnostics Settings', %s, %s)",
			(field, value),
		)
	ctx = bench.context()
	ctx.load_settings()
	return ctx


def test_the_database_troubleshooter_applies_the_sites_overrides_and_disabled_checks(site_settings):
	steps = {s.check_id: s for s in diagnose_database(site_settings).steps}
	assert (steps["database.locks"].status, steps["database.locks"].summary) == (
		Status.SKIPPED,
		"Disabled in Diagnostics Settings.",
	)
	assert steps["database.connections"].status is Status.WARNING  # any use is over a 0 % warning


def test_no_troubleshooter_builds_its_own_settings():
	"""They take the site's through ctx.troubleshooter_settings(), the one place that applies them."""
	folder = Path(__file__).resolve().parent.parent / "frappe_diagnostics" / "troubleshooters"
	builders = [
		f"{path.name}:{node.lineno}"
		for path in sorted(folder.glob("*.py"))
		for node in ast.walk(ast.parse(path.read_text()))
		if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Settings"
	]
	assert builders == []
