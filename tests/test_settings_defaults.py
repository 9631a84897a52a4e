"""Diagnostics Settings start from the one table of defaults (engine/settings.py), however the document is
made: the form, an API insert, or Frappe's init of singles at install (which skips the controller)."""

from __future__ import annotations

import json
from pathlib import Path

from frappe_diagnostics.engine.settings import DEFAULTS, doctype_defaults

DOCTYPE = (
	Path(__file__).resolve().parent.parent
	/ "frappe_diagnostics/frappe_diagnostics/doctype/diagnostics_settings/diagnostics_settings.json"
)


def test_the_doctype_json_holds_exactly_the_defaults_of_the_table():
	fields = json.loads(DOCTYPE.read_text())["fields"]
	found = {f["fieldname"]: f["default"] for f in fields if "default" in f}
	assert found == doctype_defaults(), "run `python -m frappe_diagnostics.engine.settings` to sync them"


def test_every_default_names_a_field_of_the_doctype():
	names = {f["fieldname"] for f in json.loads(DOCTYPE.read_text())["fields"]}
	assert set(DEFAULTS) <= names
