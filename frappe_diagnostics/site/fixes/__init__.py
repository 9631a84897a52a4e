"""Fixes applied on purpose: dry run (the exact change and a confirmation), apply (with it), revert.

An action is one string, as diagnoses offer it: `grant_permission?doctype=ToDo&role=Blogger&ptype=read`;
`revert?log=DFL-2026-00001` undoes an applied fix from its recorded before-state.
"""

from __future__ import annotations

import frappe

from frappe_diagnostics.engine.steps import action as action_string
from frappe_diagnostics.engine.steps import parse_action
from frappe_diagnostics.site.fixes import audit, tokens
from frappe_diagnostics.site.fixes.actions import ACTIONS
from frappe_diagnostics.site.fixes.tokens import FixRefused

REVERT = "revert"


def _diff(before, after, prefix: str = "") -> list[dict]:
	"""Leaf-by-leaf differences of `after` against `before` (keys of `after` only)."""
	out = []
	for key, want in (after or {}).items():
		have = (before or {}).get(key) if isinstance(before, dict) else None
		path = f"{prefix}{key}"
		if isinstance(want, dict) and isinstance(have, dict):
			out += _diff(have, want, path + ".")
		elif have != want:
			out.append({"field": path, "before": have, "after": want})
	return out


def _resolve(text: str):
	name, raw = parse_action(text)
	if not name:
		raise ValueError(
			"Name the fix: an action a diagnosis offers, e.g. 'enable_user?user=someone@example.com'."
		)
	if name == REVERT:
		return name, raw
	if name not in ACTIONS:
		choices = ", ".join([*ACTIONS, REVERT])
		raise ValueError(f"Unknown fix {name!r}; choose one of: {choices}.")
	return name, ACTIONS[name].clean(raw)


def plan(text: str) -> dict:
	"""What applying `text` would change now: before, after, the changed fields. ValueError for bad input."""
	name, params = _resolve(text)
	if name == REVERT:
		return _revert_plan(params.get("log", ""))
	act = ACTIONS[name]
	before = act.snapshot(params)
	after = act.desired(params, before)
	doctype, target = act.target(params)
	changes = _diff(before, after)
	return {
		"action": action_string(name, **params),
		"name": name,
		"title": act.title,
		"params": params,
		"target_doctype": doctype,
		"target_name": target,
		"description": act.describe(params),
		"before": before,
		"after": after,
		"changes": changes,
		"reversible": act.reversible,
		"noop": not changes,
	}


def _revert_plan(log_name: str) -> dict:
	log = audit.load(log_name)
	act = ACTIONS.get(log.action, None)
	if log.status != "Applied":
		raise FixRefused(f"{log.name} is {log.status}: only an applied fix can be reverted.")
	if not act or not act.reversible:
		raise FixRefused(
			f"{log.name} ({log.action}) cannot be reverted: {act.title if act else 'unknown fix'} is one-way."
		)
	params = audit.parsed(log, "parameters")
	recorded_after, recorded_before = audit.parsed(log, "after"), audit.parsed(log, "before")
	now = act.snapshot(params)
	if _diff(now, recorded_after):
		raise FixRefused(
			f"{log.target_doctype} {log.target_name} changed since {log.name} was applied "
			f"({', '.join(d['field'] for d in _diff(now, recorded_after))}): reverting would undo someone else's "
			"change. Revert by hand."
		)
	doctype, target = act.target(params)
	return {
		"action": action_string(REVERT, log=log.name),
		"name": REVERT,
		"title": f"Revert {log.name}",
		"params": {"log": log.name},
		"target_doctype": doctype,
		"target_name": target,
		"description": f"Undo {log.name}: {log.description}",
		"before": now,
		"after": {k: v for k, v in recorded_before.items() if k in recorded_after},
		"changes": _diff(now, recorded_before),
		"reversible": False,
		"noop": False,
	}


def dry_run(text: str) -> dict:
	"""The plan, plus a confirmation for this user that `apply` requires (none when nothing would change)."""
	result = plan(text)
	if result["noop"]:
		result.update(
			confirmation=None, message="Nothing to change: the state is already what this fix would set."
		)
		return result
	token, ttl = tokens.issue(result, frappe.session.user)
	result.update(confirmation=token, expires_in_s=ttl)
	return result


def apply(text: str, confirmation: str | None, trigger: str = "API", run: str | None = None) -> dict:
	"""Apply a fix whose dry run the caller confirmed; records a Diagnostic Fix Log (also when it fails)."""
	current = plan(text)
	if current["noop"]:
		raise FixRefused("Nothing to change: the state is already what this fix would set.")
	tokens.verify(confirmation, current, frappe.session.user)
	tokens.claim(confirmation, current, frappe.session.user)  # spent from here on, whatever happens next
	frappe.db.savepoint("diagnostics_fix")
	try:
		after = _execute(current)
	except Exception as e:
		frappe.db.rollback(save_point="diagnostics_fix")
		frappe.clear_last_message()
		if current["name"] == REVERT:
			raise FixRefused(f"Reverting failed, nothing was changed: {type(e).__name__}: {e}") from e
		log = audit.record(
			current, "Failed", trigger, run, after=current["before"], error=f"{type(e).__name__}: {e}"
		)
		frappe.db.commit()  # the failure stays on record even though the request fails
		raise FixRefused(
			f"The fix failed and nothing was changed ({log.name}): {type(e).__name__}: {e}"
		) from e
	if current["name"] == REVERT:
		return audit.as_dict(frappe.get_doc("Diagnostic Fix Log", current["params"]["log"]))
	return audit.as_dict(audit.record(current, "Applied", trigger, run, after=after))


def _execute(current: dict):
	if current["name"] == REVERT:
		log = audit.load(current["params"]["log"])
		act = ACTIONS[log.action]
		params = audit.parsed(log, "parameters")
		act.revert(params, audit.parsed(log, "before"), audit.parsed(log, "after"))
		audit.mark_reverted(log)
		return None
	act = ACTIONS[current["name"]]
	act.apply(current["params"], current["before"])
	return act.snapshot(current["params"])
