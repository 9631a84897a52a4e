"""Liveness and readiness for load balancers and orchestrators.

Liveness: 200 "ok" when this web process serves and reaches its database; it runs no check and says
nothing else. Readiness: 200/503 from the latest stored results of the readiness checks (Diagnostics
Settings); only a caller allowed to read metrics sees which checks fail. Both are rate-limited per client
address with a counter that fails open: a probe must not fail because the limiter's Redis did.
"""

from __future__ import annotations

import json
import time

import frappe
from frappe.utils import get_system_timezone
from werkzeug.wrappers import Response

from frappe_diagnostics.engine.settings import DEFAULTS
from frappe_diagnostics.observe.stored import latest_states
from frappe_diagnostics.site.metrics import query

FAILING = ("critical", "error")


def liveness() -> Response:
	if limited("live"):
		return _text(429, "too many requests")
	try:
		frappe.db.sql("select 1")
	except Exception:
		return _text(503, "unavailable")
	return _text(200, "ok")


def readiness(detail: bool) -> Response:
	if limited("ready"):
		return _text(429, "too many requests")
	ids = readiness_checks()
	states = latest_states(query, ids, get_system_timezone())
	failing = [i for i in ids if states.get(i, ("",))[0] in FAILING]
	code = 503 if failing else 200
	if not detail:
		return _text(code, "not ready" if failing else "ready")
	now = time.time()
	body = {
		"ready": not failing,
		"failing": failing,
		"checks": {
			i: {"status": states[i][0], "age_s": round(now - states[i][1]) if states[i][1] else None}
			for i in ids
			if i in states
		},
		"never_checked": [i for i in ids if i not in states],
	}
	return _response(code, json.dumps(body), "application/json")


def readiness_checks() -> list[str]:
	text = frappe.db.get_single_value("Diagnostics Settings", "readiness_checks")
	text = text or DEFAULTS["readiness_checks"].value
	return [line.strip() for line in text.splitlines() if line.strip()]


def readiness_is_public() -> bool:
	return bool(frappe.db.get_single_value("Diagnostics Settings", "readiness_public"))


def limited(probe: str) -> bool:
	"""True when this client address went over the per-minute limit; False when Redis cannot say."""
	limit = DEFAULTS["probe_rate_limit"].clamp(
		frappe.db.get_single_value("Diagnostics Settings", "probe_rate_limit")
	)
	key = limit_key(probe, frappe.local.request_ip, current_window())
	try:
		pipe = frappe.cache.pipeline()
		pipe.incr(key)
		pipe.expire(key, 120)
		count, _ = pipe.execute()
	except Exception:
		return False
	return int(count) > limit


def current_window() -> int:
	return int(time.time() // 60)


def limit_key(probe: str, address: str, window: int) -> str:
	return frappe.cache.make_key(f"diagnostics-probe:{probe}:{address}:{window}")


def _text(code: int, text: str) -> Response:
	return _response(code, text + "\n", "text/plain; charset=utf-8")


def _response(code: int, body: str, content_type: str) -> Response:
	response = Response(body, status=code, content_type=content_type)
	response.headers["Cache-Control"] = "no-store"
	return response
