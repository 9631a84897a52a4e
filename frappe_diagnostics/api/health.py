"""Health runs over REST: run (POST), latest (GET), checks (GET)."""

import frappe
from frappe import _

from frappe_diagnostics.api import as_list, require_manager
from frappe_diagnostics.store import run_as_dict


@frappe.whitelist(methods=["POST"])
def run(checks=None, tags=None, trigger=None) -> dict:
	"""Run health checks now, store the run and return it."""
	require_manager()
	from frappe_diagnostics.service import run_health

	if trigger not in ("Desk", "API"):
		trigger = "API" if getattr(frappe.local, "request", None) else "CLI"
	progress = publish_progress if trigger == "Desk" else None
	try:
		_result, doc = run_health(
			checks=as_list(checks), tags=as_list(tags), trigger=trigger, on_progress=progress
		)
	except KeyError as e:
		frappe.throw(e.args[0], frappe.ValidationError, title=_("Unknown check"))
	return run_as_dict(doc)


@frappe.whitelist(methods=["GET"])
def latest(kind: str = "Health Check", include_partial: int = 0) -> dict | None:
	"""The last stored run of a kind (full runs only unless include_partial), or None."""
	require_manager()
	filters = {"kind": kind} if int(include_partial) else {"kind": kind, "partial": 0}
	name = frappe.db.get_value("Diagnostic Run", filters, "name", order_by="creation desc")
	return run_as_dict(frappe.get_doc("Diagnostic Run", name)) if name else None


@frappe.whitelist(methods=["GET"])
def checks() -> list[dict]:
	"""The registered checks: id, title, tags, thresholds (defaults), and whether settings disable them."""
	require_manager()
	from frappe_diagnostics.engine.registry import registry
	from frappe_diagnostics.service import site_context

	ctx = site_context()
	out = []
	for definition in sorted(registry.all(scope="site"), key=lambda c: c.id):
		row = definition.describe()
		row["thresholds"] = {**row["thresholds"], **ctx.settings.thresholds.get(definition.id, {})}
		row["disabled"] = definition.id in ctx.settings.disabled
		out.append(row)
	return out


@frappe.whitelist(methods=["GET"])
def history(kind: str = "Health Check", limit: int = 30) -> list[dict]:
	"""The last `limit` runs of a kind, oldest first, for trend charts."""
	require_manager()
	rows = frappe.get_all(
		"Diagnostic Run",
		filters={"kind": kind, "partial": 0},
		fields=["name", "started", "status", "checks_failing", "duration_ms"],
		order_by="creation desc",
		limit=max(1, min(int(limit), 500)),
	)
	return list(reversed(rows))


def publish_progress(done: int, total: int, result) -> None:
	"""Live progress to the desk user who started the run; never fails the run."""
	try:
		frappe.publish_realtime(
			"diagnostics_progress",
			{"done": done, "total": total, "check_id": result.check_id, "status": result.status.value},
			user=frappe.session.user,
		)
	except Exception:
		pass
