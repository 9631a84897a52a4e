"""Per-fingerprint statistics of slow queries in bounded memory, and the digest they add up to.

Each group keeps sums, extremes, its slowest sample and a LogHistogram of query times (p95 within 5 %);
the number of groups is capped, dropping the groups with the least total time when the cap is reached.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from frappe_diagnostics.knowledge.quantiles import LogHistogram
from frappe_diagnostics.knowledge.sqlfingerprint import query_id
from frappe_diagnostics.knowledge.timewindow import iso

SAMPLE_CHARS = 2000  # of the slowest query kept per group
FINGERPRINT_CHARS = 2000  # longer fingerprints are kept cut, and keyed by their full MD5
MAX_GROUPS = 5000


@dataclass
class QueryGroup:
	query_id: str
	fingerprint: str
	count: int
	total_time: float
	mean_time: float
	p95_time: float
	max_time: float
	lock_time: float
	rows_examined: int
	rows_sent: int
	first_seen: float | None
	last_seen: float | None
	sample: str
	share: float = 0.0  # of all query time in the window
	databases: list[str] = field(default_factory=list)
	full_scans: int = 0
	p50_time: float = 0.0
	p99_time: float = 0.0
	users: list[str] = field(default_factory=list)

	def to_dict(self) -> dict[str, Any]:
		data = asdict(self)
		data["first_seen"], data["last_seen"] = iso(self.first_seen), iso(self.last_seen)
		return data


@dataclass
class SlowLogDigest:
	source: str
	queries: int = 0  # in the window
	total_time: float = 0.0
	first_seen: float | None = None
	last_seen: float | None = None
	fingerprints: int = 0
	groups: list[QueryGroup] = field(default_factory=list)
	outside_window: int = 0
	filtered_out: int = 0  # by the schema or user filter
	incomplete_entries: int = 0
	bytes_read: int = 0
	complete: bool = True
	warnings: list[str] = field(default_factory=list)
	notes: list[str] = field(default_factory=list)  # read differently from a plain log, nothing lost

	def to_dict(self) -> dict[str, Any]:
		data = asdict(self)
		data["first_seen"], data["last_seen"] = iso(self.first_seen), iso(self.last_seen)
		data["groups"] = [g.to_dict() for g in self.groups]
		return data


class _Group:
	__slots__ = (
		"databases",
		"fingerprint",
		"first",
		"full_scans",
		"hist",
		"last",
		"lock_time",
		"query_id",
		"rows_examined",
		"rows_sent",
		"users",
		"worst",
		"worst_time",
	)

	def __init__(self, fingerprint: str) -> None:
		self.fingerprint = fingerprint[:FINGERPRINT_CHARS]
		self.query_id = query_id(fingerprint)
		self.hist = LogHistogram()
		self.lock_time = 0.0
		self.rows_examined = self.rows_sent = self.full_scans = 0
		self.first = self.last = None
		self.worst, self.worst_time = "", -1.0
		self.databases: set[str] = set()
		self.users: set[str] = set()


ORDER_BY = {  # how `top` ranks the groups
	"total": lambda g: g.hist.total,
	"count": lambda g: g.hist.count,
	"max": lambda g: g.hist.max,
	"p95": lambda g: g.hist.quantile(0.95),
}


class Aggregator:
	"""Adds slow queries to their fingerprint's group; `result()` gives the top groups by total time."""

	def __init__(self, max_groups: int = MAX_GROUPS) -> None:
		self.groups: dict[str, _Group] = {}
		self.max_groups = max_groups
		self.dropped_groups = 0
		self.dropped_queries = 0
		self.queries = 0
		self.total_time = 0.0
		self.first: float | None = None
		self.last: float | None = None

	def add(self, fingerprint: str, entry) -> None:
		key = fingerprint if len(fingerprint) <= FINGERPRINT_CHARS else query_id(fingerprint, full=True)
		group = self.groups.get(key)
		if group is None:
			if len(self.groups) >= self.max_groups:
				self._shrink()
			group = self.groups[key] = _Group(fingerprint)
		seconds = entry.query_time
		group.hist.add(seconds)
		group.lock_time += entry.lock_time
		group.rows_examined += entry.rows_examined
		group.rows_sent += entry.rows_sent
		if entry.full_scan:
			group.full_scans += 1
		if seconds > group.worst_time:
			group.worst_time, group.worst = seconds, entry.query[:SAMPLE_CHARS]
		if entry.db and len(group.databases) < 8:
			group.databases.add(entry.db)
		if entry.user and len(group.users) < 8:
			group.users.add(entry.user)
		ts = entry.timestamp
		if ts is not None:
			if group.first is None or ts < group.first:
				group.first = ts
			if group.last is None or ts > group.last:
				group.last = ts
			if self.first is None or ts < self.first:
				self.first = ts
			if self.last is None or ts > self.last:
				self.last = ts
		self.queries += 1
		self.total_time += seconds

	def _shrink(self) -> None:
		ranked = sorted(self.groups.items(), key=lambda item: item[1].hist.total, reverse=True)
		keep = ranked[: self.max_groups * 3 // 4]
		self.dropped_groups += len(ranked) - len(keep)
		self.dropped_queries += sum(g.hist.count for _, g in ranked[len(keep) :])
		self.groups = dict(keep)

	def result(self, digest: SlowLogDigest, top: int | None = 20, order_by: str = "total") -> SlowLogDigest:
		digest.queries, digest.total_time = self.queries, self.total_time
		digest.first_seen, digest.last_seen = self.first, self.last
		digest.fingerprints = len(self.groups) + self.dropped_groups
		ranked = sorted(self.groups.values(), key=ORDER_BY[order_by], reverse=True)
		digest.groups = [self._public(g) for g in (ranked if top is None else ranked[:top])]
		if self.dropped_groups:
			digest.warnings.append(
				f"More than {self.max_groups:,} distinct queries: {self.dropped_groups:,} of the least costly "
				f"({self.dropped_queries:,} executions) were left out of the groups; totals still include them."
			)
		return digest

	def _public(self, g: _Group) -> QueryGroup:
		hist = g.hist
		return QueryGroup(
			query_id=g.query_id,
			fingerprint=g.fingerprint,
			count=hist.count,
			total_time=hist.total,
			mean_time=hist.mean,
			p95_time=hist.quantile(0.95),
			max_time=hist.max,
			lock_time=g.lock_time,
			rows_examined=g.rows_examined,
			rows_sent=g.rows_sent,
			first_seen=g.first,
			last_seen=g.last,
			sample=g.worst,
			share=hist.total / self.total_time if self.total_time else 0.0,
			databases=sorted(g.databases),
			full_scans=g.full_scans,
			p50_time=hist.quantile(0.5),
			p99_time=hist.quantile(0.99),
			users=sorted(g.users),
		)
