"""Health runs over REST: run (POST), latest, history and checks (GET)."""

import frappe
from frappe import _

from frappe_diagnostics.api import as_list, bounded, require_manager, trigger_of


@frappe.whitelist(methods=["POST"])
def run(
	checks: str | list | None = None,
	tags: str | list | None = None,
	trigger: str | None = None,
	progress_key: str | None = None,
) -> dict:
	"""Run health checks now (`checks`, `tags`: lists or comma-separated), store the run and return it.
	With `progress_key`, progress is also kept for `progress(key)` (for a desk without socket.io)."""
	require_manager()
	from frappe_diagnostics.site.service import run_health
	from frappe_diagnostics.site.store import run_as_dict

	# `bench execute` calls this without a request: that is the command line
	trigger = trigger_of(trigger) if getattr(frappe.local, "request", None) else "CLI"
	progress = progress_reporter(progress_key) if trigger == "Desk" or progress_key else None
	try:
		_result, doc = run_health(
			checks=as_list(checks), tags=as_list(tags), trigger=trigger, on_progress=progress
		)
	except KeyError as e:
		frappe.throw(e.args[0], frappe.ValidationError, title=_("Unknown check"))
	return run_as_dict(doc)


@frappe.whitelist(methods=["GET"])
def latest(kind: str = "Health Check", include_partial: bool = False) -> dict | None:
	"""The last stored run of a kind (full runs only unless `include_partial`), or null."""
	require_manager()
	from frappe_diagnostics.site.store import latest_run, run_as_dict

	doc = latest_run(kind, include_partial=bool(include_partial))
	if doc is None:
		frappe.response["message"] = None  # an explicit null: Frappe leaves out a None return value
		return None
	return run_as_dict(doc)


@frappe.whitelist(methods=["GET"])
def checks() -> list[dict]:
	"""The registered site checks: id, title, tags, the thresholds in effect, and whether they are disabled."""
	require_manager()
	from frappe_diagnostics.cli.shared import describe_checks
	from frappe_diagnostics.engine.runner import load_checks
	from frappe_diagnostics.site.service import site_context

	ctx = site_context()
	return describe_checks(load_checks(ctx.hook_entries).all(scope="site"), ctx.settings)


@frappe.whitelist(methods=["GET"])
def history(kind: str = "Health Check", limit: int | None = 30, include_partial: bool = False) -> list[dict]:
	"""The last `limit` runs of a kind, oldest first, for trend charts."""
	require_manager()
	from frappe_diagnostics.site.store import run_history

	return run_history(kind, bounded(limit, 30), include_partial=bool(include_partial))


@frappe.whitelist(methods=["GET"])
def progress(key: str | None = None) -> dict | None:
	"""The progress of the asking user's run started with this `progress_key`: done, total, the last check."""
	require_manager()
	return frappe.cache.get_value(_progress_cache_key(key)) if key else None


def _progress_cache_key(key: str) -> str:
	clean = "".join(c for c in str(key) if c.isalnum() or c in "-_")[:64]
	return f"frappe_diagnostics:progress:{frappe.session.user}:{clean}"


def progress_reporter(key: str | None = None):
	"""Live progress to the desk user who started the run (socket.io), and, with a key, a progress record
	the desk polls when socket.io is not connected. Never fails the run."""

	def report(done: int, total: int, result) -> None:
		data = {"done": done, "total": total, "check_id": result.check_id, "status": result.status.value}
		try:
			frappe.publish_realtime("diagnostics_progress", data, user=frappe.session.user)
		except Exception:
			pass
		if key:
			try:
				frappe.cache.set_value(_progress_cache_key(key), data, expires_in_sec=600)
			except Exception:
				pass

	return report
