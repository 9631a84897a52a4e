# Copyright (c) 2026, frappe_diagnostics contributors
# For license information, please see license.txt

import json

import frappe
from frappe import _
from frappe.model.document import Document

from frappe_diagnostics.engine.settings import DEFAULTS, LIMITS


class DiagnosticsSettings(Document):
	def before_validate(self):
		self.fill_defaults()

	def fill_defaults(self, unset: set | None = None):
		"""Empty fields (and those named in `unset`, never stored yet) take the one table of defaults in
		engine/settings.py (which the DocType JSON's defaults copy, checked by tests/test_settings_defaults.py)."""
		for fieldname, default in DEFAULTS.items():
			if self.get(fieldname) in (None, "") or fieldname in (unset or ()):
				self.set(fieldname, default.value)

	def on_update(self):
		from frappe_diagnostics.site.retention import register

		register(self.retention_days)  # Frappe's Log Settings deletes the older runs

	def validate(self):
		self.validate_limits()
		self.validate_disabled_checks()
		self.validate_threshold_overrides()
		self.validate_alert_recipients()
		self.validate_readiness_checks()
		self.validate_webhook_url()

	def validate_alert_recipients(self):
		from frappe.utils import validate_email_address

		emails = [line.strip() for line in (self.alert_recipients or "").splitlines() if line.strip()]
		for email in emails:
			if not validate_email_address(email):
				frappe.throw(_("{0} is not an email address; give one address per line.").format(email))
		self.alert_recipients = "\n".join(emails)

	def validate_readiness_checks(self):
		ids = [line.strip() for line in (self.readiness_checks or "").splitlines() if line.strip()]
		unknown = [i for i in ids if i not in known_checks()]
		if unknown:
			frappe.throw(_("Unknown readiness check id(s): {0}.").format(", ".join(unknown)))
		self.readiness_checks = "\n".join(ids)

	def validate_webhook_url(self):
		url = (self.alert_webhook_url or "").strip()
		if url and not set(url) <= {"*"} and not url.startswith(("https://", "http://")):
			frappe.throw(_("The webhook URL must start with https:// (or http:// inside your network)."))

	def validate_limits(self):
		for fieldname, (low, high) in LIMITS.items():
			value = self.get(fieldname)
			if value and not low <= value <= high:
				frappe.throw(
					_("{0} must be between {1} and {2}; it is {3}.").format(
						_(self.meta.get_label(fieldname)), low, high, value
					),
					title=_("Value out of range"),
				)

	def validate_disabled_checks(self):
		known = known_checks()
		ids = [line.strip() for line in (self.disabled_checks or "").splitlines() if line.strip()]
		unknown = [i for i in ids if i not in known]
		if unknown:
			frappe.throw(
				_("Unknown check id(s): {0}. Known ids: {1}.").format(
					", ".join(unknown), ", ".join(sorted(known))
				),
				title=_("Unknown check"),
			)
		self.disabled_checks = "\n".join(ids)

	def validate_threshold_overrides(self):
		text = (self.threshold_overrides or "").strip()
		if not text:
			self.threshold_overrides = None  # no noisy "null → ''" version entries
			return
		try:
			overrides = json.loads(text)
		except ValueError as e:
			invalid(_("Threshold overrides are not valid JSON: {0}.").format(e))
		if not isinstance(overrides, dict):
			invalid(_('Threshold overrides must be a JSON object like {"check id": {"threshold": 10}}.'))
		known = known_checks()
		for check_id, values in overrides.items():
			if check_id not in known:
				invalid(_("Unknown check id {0} in threshold overrides.").format(check_id))
			defaults = known[check_id]
			if not isinstance(values, dict):
				invalid(_("Overrides for {0} must be an object of threshold: number.").format(check_id))
			for key, value in values.items():
				if key not in defaults:
					names = ", ".join(defaults) or _("none")
					invalid(
						_("{0} has no threshold {1}; its thresholds are: {2}.").format(check_id, key, names)
					)
				if isinstance(value, bool) or not isinstance(value, int | float):
					invalid(_("Threshold {0}.{1} must be a number, not {2}.").format(check_id, key, value))
		self.threshold_overrides = json.dumps(overrides, indent=1, sort_keys=True)


def invalid(message: str):
	frappe.throw(message, title=_("Invalid threshold override"))


def known_checks() -> dict[str, dict]:
	"""check id -> default thresholds, for every site check of every installed app."""
	from frappe_diagnostics.engine.runner import load_checks

	checks = load_checks(frappe.get_hooks("diagnostics_checks")).all(scope="site")
	return {c.id: dict(c.thresholds) for c in checks}
