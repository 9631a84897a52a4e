"""The metrics endpoint's work inside a site: this site's stored state and its bench's queues, rendered by
observe.exposition. Reads stored results and cheap counters only; never runs a check."""

from __future__ import annotations

import time

import frappe
from frappe.utils import get_bench_path, get_system_timezone
from werkzeug.wrappers import Response

from frappe_diagnostics.engine.context import SiteContext
from frappe_diagnostics.observe.bench import queue_snapshot
from frappe_diagnostics.observe.exposition import CONTENT_TYPE, render
from frappe_diagnostics.observe.snapshot import BenchSnapshot, SiteSnapshot
from frappe_diagnostics.observe.stored import read_site

QUEUE_TIMEOUT_S = 0.5


def query(sql: str, params: tuple = ()) -> list[dict]:
	return frappe.db.sql(sql, tuple(params), as_dict=True)


def site_snapshot(now: float) -> SiteSnapshot:
	return read_site(
		query, frappe.local.site, get_system_timezone(), frappe.get_site_path(), frappe.conf, now
	)


_clients: dict[str, object] = {}  # the queue Redis client per URL, kept for the life of the worker


def bench_snapshot(now: float) -> BenchSnapshot:
	ctx = SiteContext(frappe.local.site, conf=dict(frappe.conf), bench_path=get_bench_path())
	url = ctx.redis_url("queue") or ""
	if url not in _clients:
		try:
			_clients[url] = ctx.redis_client("queue", timeout_s=QUEUE_TIMEOUT_S)
		except Exception as e:
			return BenchSnapshot(ctx.bench_id(), failures={"queues": type(e).__name__})
	snap = queue_snapshot(_clients[url], ctx, now)
	if snap.failures:
		_clients.pop(url, None)  # reconnect at the next scrape
	return snap


def exposition() -> bytes:
	now = time.time()
	return render([site_snapshot(now)], [bench_snapshot(now)], now)


def scrape_response() -> Response:
	response = Response(exposition(), status=200, content_type=CONTENT_TYPE)
	response.headers["Cache-Control"] = "no-store"
	return response
