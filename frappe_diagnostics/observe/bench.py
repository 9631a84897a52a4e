"""Every site of a bench in one scrape, straight from the bench folder (no Frappe boot): each site's stored
state from its own database, each Redis queue server's queues once.

	frappe-diagnostics metrics --bench ~/frappe-bench --port 9311       # one Prometheus target per bench
	frappe-diagnostics metrics --bench ~/frappe-bench --textfile /var/lib/node_exporter/frappe.prom
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from frappe_diagnostics.engine.context import StandaloneContext, bench_sites
from frappe_diagnostics.observe.counters import read_queues
from frappe_diagnostics.observe.exposition import SnapshotCollector
from frappe_diagnostics.observe.snapshot import BenchSnapshot, SiteSnapshot
from frappe_diagnostics.observe.stored import debug_expiry, read_site

TIME_ZONE = "select value from `tabSingles` where doctype = 'System Settings' and field = 'time_zone'"


class _SiteReader:
	"""One site's database connection, kept between scrapes and reopened after an error."""

	def __init__(self, ctx: StandaloneContext, timeout_s: float):
		self.ctx, self.timeout_s, self.conn, self.tz = ctx, timeout_s, None, None

	def query(self, sql: str, params: tuple = ()) -> list[dict]:
		with self.conn.cursor() as cur:
			cur.execute(sql, params or None)
			return list(cur.fetchall())

	def read(self, now: float) -> SiteSnapshot:
		try:
			if self.conn is None:
				self.conn = self.ctx.connect_db(timeout_s=self.timeout_s)
				rows = self.query(TIME_ZONE)
				self.tz = rows[0]["value"] if rows else None
		except Exception as e:
			self.close()
			failures = {"database": f"{type(e).__name__}: {str(e)[:200]}"}
			return SiteSnapshot(self.ctx.name, debug_expires=debug_expiry(self.ctx.conf), failures=failures)
		snap = read_site(self.query, self.ctx.name, self.tz, self.ctx.site_path, self.ctx.conf, now)
		if snap.failures:
			self.close()  # the next scrape starts on a fresh connection
		return snap

	def close(self) -> None:
		if self.conn is not None:
			try:
				self.conn.close()
			except Exception:
				pass
		self.conn = None


class BenchCollector:
	"""A prometheus_client collector: every scrape reads every site of the bench, `parallel` at a time."""

	def __init__(self, bench: str | Path, parallel: int = 8, timeout_s: float = 2.0):
		self.bench = Path(bench)
		self.parallel, self.timeout_s = parallel, timeout_s
		self.readers: dict[str, _SiteReader] = {}
		self.lock = threading.Lock()

	def snapshots(self, now: float | None = None) -> tuple[list[SiteSnapshot], list[BenchSnapshot]]:
		now = time.time() if now is None else now
		with self.lock:
			readers = self._readers()
			with ThreadPoolExecutor(max_workers=max(1, min(self.parallel, len(readers)))) as pool:
				sites = list(pool.map(lambda r: r.read(now), readers))
			return sites, self._queues([r.ctx for r in readers], now)

	def collect(self):
		now = time.time()
		sites, benches = self.snapshots(now)
		yield from SnapshotCollector(sites, benches, now).collect()

	def _readers(self) -> list[_SiteReader]:
		names = bench_sites(self.bench)
		for gone in set(self.readers) - set(names):
			self.readers.pop(gone).close()
		for name in names:
			if name not in self.readers:
				self.readers[name] = _SiteReader(StandaloneContext(self.bench, name), self.timeout_s)
		return [self.readers[n] for n in names]

	def _queues(self, contexts: list[StandaloneContext], now: float) -> list[BenchSnapshot]:
		"""Each distinct queue server (and bench id) once, however many sites share it."""
		seen: dict[tuple, StandaloneContext] = {}
		for ctx in contexts:
			seen.setdefault((ctx.redis_url("queue"), ctx.bench_id(), tuple(ctx.queue_types())), ctx)
		return [bench_queues(ctx, now, self.timeout_s) for ctx in seen.values()]

	def close(self) -> None:
		for reader in self.readers.values():
			reader.close()


def bench_queues(ctx, now: float, timeout_s: float) -> BenchSnapshot:
	try:
		client = ctx.redis_client("queue", timeout_s=timeout_s)
	except Exception as e:
		return BenchSnapshot(ctx.bench_id(), failures={"queues": f"{type(e).__name__}: {str(e)[:200]}"})
	try:
		return queue_snapshot(client, ctx, now)
	finally:
		client.close()


def queue_snapshot(client, ctx, now: float) -> BenchSnapshot:
	"""The bench's queues through `client`; a failure is named, never raised."""
	try:
		return read_queues(client, ctx.bench_id(), ctx.queue_types(), now)
	except Exception as e:
		return BenchSnapshot(ctx.bench_id(), failures={"queues": f"{type(e).__name__}: {str(e)[:200]}"})
