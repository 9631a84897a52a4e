"""Snapshots as Prometheus metrics, built with prometheus_client (its text format, its escaping).

Every series carries `site` (or `bench` for the shared queues), so one scrape may hold many sites.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from frappe_diagnostics.observe.snapshot import STATUSES, BenchSnapshot, SiteSnapshot

PREFIX = "frappe_diagnostics_"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _gauge(name: str, doc: str, labels: list[str], unit: str = "") -> GaugeMetricFamily:
	return GaugeMetricFamily(PREFIX + name, doc, labels=labels, unit=unit)


class SnapshotCollector:
	"""A prometheus_client collector over snapshots already read (collect() does no I/O)."""

	def __init__(
		self, sites: Iterable[SiteSnapshot], benches: Iterable[BenchSnapshot] = (), now: float = 0.0
	):
		self.sites, self.benches, self.now = list(sites), list(benches), now

	def collect(self):
		yield from self._sites()
		yield from self._queues()

	def _sites(self):
		check = _gauge(
			"check_status",
			"1 for the status of each check in the latest stored run",
			["site", "check", "status"],
		)
		took = _gauge(
			"check_duration_seconds", "How long each check took in the latest stored run", ["site", "check"]
		)
		run = _gauge("run_status", "1 for the status of the latest stored health run", ["site", "status"])
		finished = _gauge("run_timestamp_seconds", "When the latest stored health run finished", ["site"])
		age = _gauge("run_age_seconds", "Seconds since the latest stored health run finished", ["site"])
		run_took = _gauge("run_duration_seconds", "How long the latest stored health run took", ["site"])
		scheduled = _gauge(
			"scheduled_run_timestamp_seconds", "When the latest scheduled health run finished", ["site"]
		)
		errors = _gauge(
			"check_errors", "Checks that could not decide (status error) in the latest run", ["site"]
		)
		groups = _gauge("error_groups_open", "Error Groups with status Open", ["site"])
		new = _gauge("error_groups_new_last_hour", "Error Groups first seen in the last hour", ["site"])
		backup = _gauge(
			"backup_age_seconds", "Seconds since the newest database backup file was written", ["site"]
		)
		verified = _gauge(
			"backup_verification_status",
			"1 for the result of the latest backup verification",
			["site", "status"],
		)
		verified_at = _gauge(
			"backup_verification_timestamp_seconds", "When the latest backup verification finished", ["site"]
		)
		debug = _gauge("debug_session_active", "1 while a debug session is on (0 after it lapsed)", ["site"])
		debug_end = _gauge(
			"debug_session_expires_timestamp_seconds", "When the site's debug session ends", ["site"]
		)
		failed = _gauge(
			"collector_failed", "1 for each part of this scrape that could not be read", ["site", "collector"]
		)
		for s in self.sites:
			if s.run is not None:
				for c in s.run.checks:
					for status in STATUSES:
						check.add_metric([s.site, c.check_id, status], float(c.status == status))
					took.add_metric([s.site, c.check_id], c.duration_s)
				for status in STATUSES:
					run.add_metric([s.site, status], float(s.run.status == status))
				run_took.add_metric([s.site], s.run.duration_s)
				errors.add_metric([s.site], float(sum(c.status == "error" for c in s.run.checks)))
				if s.run.finished is not None:
					finished.add_metric([s.site], s.run.finished)
					age.add_metric([s.site], max(0.0, self.now - s.run.finished))
			_maybe(scheduled, s.site, s.last_scheduled)
			_maybe(groups, s.site, s.error_groups_open)
			_maybe(new, s.site, s.error_groups_new_1h)
			_maybe(backup, s.site, s.backup_age_s)
			if s.backup_verification is not None:
				status, when = s.backup_verification
				for known in STATUSES:
					verified.add_metric([s.site, known], float(status == known))
				_maybe(verified_at, s.site, when)
			debug.add_metric([s.site], float(s.debug_expires is not None and s.debug_expires > self.now))
			_maybe(debug_end, s.site, s.debug_expires)
			for collector in sorted(s.failures):
				failed.add_metric([s.site, collector], 1.0)
		yield from (check, took, run, finished, age, run_took, scheduled, errors, groups, new, backup)
		yield from (verified, verified_at, debug, debug_end, failed)

	def _queues(self):
		waiting = _gauge("queue_waiting_jobs", "Jobs waiting in the queue", ["bench", "queue"])
		started = _gauge("queue_started_jobs", "Jobs being worked on", ["bench", "queue"])
		failed = _gauge("queue_failed_jobs", "Jobs in the queue's failed registry", ["bench", "queue"])
		oldest = _gauge(
			"queue_oldest_job_age_seconds",
			"Age of the oldest waiting job (0 when none waits)",
			["bench", "queue"],
		)
		workers = _gauge(
			"workers_alive", "Workers with a live heartbeat listening on the queue", ["bench", "queue"]
		)
		broken = _gauge(
			"bench_collector_failed",
			"1 for each bench-wide part that could not be read",
			["bench", "collector"],
		)
		for b in self.benches:
			for q in b.queues:
				labels = [b.bench, q.queue]
				waiting.add_metric(labels, q.waiting)
				started.add_metric(labels, q.started)
				failed.add_metric(labels, q.failed)
				oldest.add_metric(labels, q.oldest_age_s or 0.0)
				workers.add_metric(labels, q.workers)
			for collector in sorted(b.failures):
				broken.add_metric([b.bench, collector], 1.0)
		yield from (waiting, started, failed, oldest, workers, broken)


def _maybe(family: GaugeMetricFamily, site: str, value) -> None:
	if value is not None:
		family.add_metric([site], float(value))


def render(sites: Iterable[SiteSnapshot], benches: Iterable[BenchSnapshot] = (), now: float = 0.0) -> bytes:
	"""The Prometheus text exposition of the snapshots."""
	registry = CollectorRegistry(auto_describe=False)
	registry.register(SnapshotCollector(sites, benches, now))
	return generate_latest(registry)
