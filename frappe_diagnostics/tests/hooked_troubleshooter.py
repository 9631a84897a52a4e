"""A troubleshooter as another app declares it: a module named in its `diagnostics_troubleshooters` hook
(the bench tests add this module to the hook; see test_catalog_surfaces.py)."""

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.steps import OK, step
from frappe_diagnostics.troubleshooters import catalog
from frappe_diagnostics.troubleshooters.declare import IN_SITE, Input, Troubleshooter


def greet(ctx, name: str = "world") -> Diagnosis:
	return Diagnosis("Web", f"Hello {name}?", [step("greet.hello", "Hello", OK, f"hello {name}")])


catalog.register(
	Troubleshooter(
		"hooked_greeting",
		"Does another app's troubleshooter answer?",
		"Web",
		"frappe_diagnostics.tests.hooked_troubleshooter:greet",
		"Greet",
		inputs=(Input("name", "Whom to greet."),),
		surfaces=IN_SITE,
	)
)
