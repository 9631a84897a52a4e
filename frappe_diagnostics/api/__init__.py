"""Whitelisted methods: thin, System Manager only, POST for anything that changes state.

The troubleshooters' methods are generated from the catalog (`publish`), typed from its declared inputs
so Frappe validates them (a bad number is an HTTP 417 with a message, never a 500).
"""

import inspect
import json

import frappe
from frappe import _

from frappe_diagnostics.troubleshooters import catalog

ROLE = "System Manager"
ANNOTATION = {
	"str": str | None,
	"choice": str | None,
	"float": float | None,
	"int": int | None,
	"list": list | str | None,
	"limit": str | int | None,
}


def require_manager() -> None:
	frappe.only_for(ROLE)


def require_metrics_reader() -> None:
	"""Metrics and readiness details: the Diagnostics Metrics role (read-only, nothing else) or a manager."""
	from frappe_diagnostics.site.scrape_auth import READERS

	frappe.only_for(list(READERS))


def as_list(value) -> list[str]:
	"""Accept a list, a JSON list or a comma-separated string from a request."""
	if not value:
		return []
	if isinstance(value, str):
		value = value.strip()
		if value.startswith("["):
			try:
				value = json.loads(value)
			except ValueError:
				frappe.throw(_("Could not read {0} as a JSON list.").format(value), frappe.ValidationError)
		else:
			value = value.split(",")
	if not isinstance(value, list | tuple):
		frappe.throw(
			_("Expected a list of names, got {0}.").format(type(value).__name__), frappe.ValidationError
		)
	return [str(v).strip() for v in value if str(v).strip()]


def bounded(value: int | None, default: int, low: int = 1, high: int = 500) -> int:
	"""A count from a request, kept within limits (typed arguments have already refused non-numbers)."""
	return max(low, min(high, default if value is None else int(value)))


def trigger_of(value: str | None) -> str:
	"""The trigger a request may claim: Desk or API."""
	from frappe_diagnostics.site.records import REQUEST_TRIGGERS, trigger

	return trigger(value, REQUEST_TRIGGERS)


def answer(entry: catalog.Troubleshooter, trigger: str | None, inputs: dict) -> dict:
	"""Run a troubleshooter for a request and return its stored run with the question and likely cause."""
	from frappe_diagnostics.site.service import troubleshoot
	from frappe_diagnostics.site.store import run_as_dict

	try:
		diagnosis, doc = troubleshoot(entry.name, catalog.REST, trigger=trigger_of(trigger), **inputs)
	except catalog.BadInput as e:  # the request is wrong (a missing or ill-typed input): HTTP 417
		frappe.throw(str(e), frappe.ValidationError, title=_("Cannot run the troubleshooter"))
	except ValueError as e:  # the troubleshooter declined, for a reason that is itself the answer
		return refusal(entry, str(e))
	data = run_as_dict(doc)
	cause = diagnosis.likely_cause
	data.update(question=diagnosis.question, likely_cause=cause.check_id if cause else None, refused=False)
	if entry.verdict:
		data["verdict"] = diagnosis.verdict
	if getattr(diagnosis, "deeper", None):  # the doctor: the troubleshooter that goes deeper
		data["deeper"] = diagnosis.deeper
	return data


def refusal(entry: catalog.Troubleshooter, message: str) -> dict:
	"""An expected refusal (a rejected statement, no bench folder, …) as an answer: HTTP 200, nothing stored."""
	from frappe_diagnostics.site.store import site_redactor

	return {
		"refused": True,
		"message": site_redactor().text(message),
		"troubleshooter": entry.name,
		"kind": entry.kind,
		"question": _(entry.question),
	}


def troubleshooter_method(entry: catalog.Troubleshooter, module: str):
	"""A whitelisted POST method for a catalog entry, with its declared inputs as typed keyword arguments."""
	specs = entry.inputs_on(catalog.REST)
	params = [
		inspect.Parameter(s.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=ANNOTATION[s.type])
		for s in specs
	]
	params.append(
		inspect.Parameter("trigger", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=str | None)
	)

	def method(**kwargs):
		require_manager()
		trigger = kwargs.pop("trigger", None)
		return answer(entry, trigger, {s.name: kwargs.get(s.name) for s in specs})

	method.__name__ = method.__qualname__ = entry.rest.rsplit(".", 1)[1]
	method.__module__ = module
	method.__doc__ = f"{entry.question} Stored as a Diagnostic Run of kind {entry.kind}."
	method.__signature__ = inspect.Signature(params)
	method.__annotations__ = {p.name: p.annotation for p in params}
	return frappe.whitelist(methods=["POST"])(method)


def publish(namespace: dict, module: str) -> list[str]:
	"""Define in `namespace` the REST methods of every catalog entry whose method lives in `module`."""
	names = []
	for entry in catalog.on(catalog.REST):
		where, _, name = entry.rest.rpartition(".")
		if where == module:
			namespace[name] = troubleshooter_method(entry, module)
			names.append(name)
	return names
