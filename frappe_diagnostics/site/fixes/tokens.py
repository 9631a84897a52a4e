"""Confirmation tokens: a dry run signs its exact plan for one user; applying needs that signature back.

The token is `<expiry>.<nonce>.<hmac>`, the HMAC over the action, the before/after states, the user, the
expiry and the nonce (so each dry run issues its own),
keyed by the site's encryption key. A changed state, another user or another fix gives another HMAC.
Each token works once: `claim` records it as a Diagnostic Fix Confirmation named by its hash and commits
before the fix runs, so the primary key lets exactly one of two racing requests through, and no cache
clear, Redis outage or revert makes it usable again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import timedelta

import frappe
from frappe.utils import now_datetime

TTL_S = 15 * 60
CLAIMS = "Diagnostic Fix Confirmation"
SPENT = "That confirmation was already used. Run the dry run again."


class FixRefused(Exception):
	"""A fix that may not be applied as asked (no or wrong confirmation, state changed, nothing to do)."""


def _key() -> bytes:
	from frappe.utils.password import get_encryption_key

	return hashlib.sha256(b"frappe_diagnostics.fix|" + get_encryption_key().encode()).digest()


def _digest(plan: dict, user: str, expires: int, nonce: str) -> str:
	body = {
		"action": plan["action"],
		"before": plan["before"],
		"after": plan["after"],
		"user": user,
		"exp": expires,
		"nonce": nonce,
	}
	text = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
	return hmac.new(_key(), text.encode(), hashlib.sha256).hexdigest()


def issue(plan: dict, user: str) -> tuple[str, int]:
	frappe.db.delete(CLAIMS, {"expires_on": ("<", now_datetime())})  # spent marks of expired tokens
	expires, nonce = int(time.time()) + TTL_S, secrets.token_hex(8)  # two dry runs, two confirmations
	return f"{expires}.{nonce}.{_digest(plan, user, expires, nonce)}", TTL_S


def _claim_name(token: str) -> str:
	return hashlib.sha256(str(token).encode()).hexdigest()


def verify(token: str | None, plan: dict, user: str) -> None:
	"""Raise FixRefused with a message that says what to do, unless `token` confirms exactly this plan."""
	if not token:
		raise FixRefused(
			"Applying a fix needs the confirmation from its dry run: run the dry run (plan_fix), check what "
			"would change, then send its `confirmation` back with the same action."
		)
	expires_text, nonce, digest = ([*str(token).split(".", 2), "", ""])[:3]
	if not expires_text.isdigit():
		raise FixRefused("That confirmation is not one a dry run issued. Run the dry run again.")
	if int(expires_text) < time.time():
		raise FixRefused(
			"That confirmation has expired (15 minutes). Run the dry run again and confirm its plan."
		)
	if not nonce or not digest:
		raise FixRefused("That confirmation is not one a dry run issued. Run the dry run again.")
	if not hmac.compare_digest(digest, _digest(plan, user, int(expires_text), nonce)):
		raise FixRefused(
			"That confirmation does not match this plan: it was issued for another fix or another user, or the "
			"situation changed since the dry run. Run the dry run again and confirm what it shows."
		)
	if frappe.db.exists(CLAIMS, _claim_name(token)):
		raise FixRefused(SPENT)


def claim(token: str, plan: dict, user: str) -> None:
	"""Mark `token` spent before its fix runs, durably: committed at once (with what the request did so far,
	which is only reading). A token claimed before, by this or a racing request, raises FixRefused."""
	left_s = max(0, int(str(token).partition(".")[0]) - time.time())
	expires = now_datetime() + timedelta(seconds=left_s)  # in the site's time zone, as now_datetime() is
	doc = frappe.get_doc(
		{"doctype": CLAIMS, "action": plan["action"][:140], "user": user, "expires_on": expires}
	)
	doc.flags.ignore_permissions = True
	try:
		doc.insert(set_name=_claim_name(token))
	except frappe.DuplicateEntryError:
		frappe.db.rollback()
		frappe.clear_last_message()
		raise FixRefused(SPENT) from None
	frappe.db.commit()
