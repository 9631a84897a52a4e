"""What one scrape knows about a site and about its bench: plain data, filled by `stored` and `counters`."""

from __future__ import annotations

from dataclasses import dataclass, field

from frappe_diagnostics.engine.result import STATUS_ORDER

STATUSES = tuple(s.value for s in STATUS_ORDER)


@dataclass
class CheckState:
	check_id: str
	status: str  # one of STATUSES
	duration_s: float


@dataclass
class StoredRun:
	name: str
	status: str
	finished: float | None  # epoch seconds
	duration_s: float
	checks: list[CheckState] = field(default_factory=list)


@dataclass
class SiteSnapshot:
	site: str
	run: StoredRun | None = None  # the latest full health run
	last_scheduled: float | None = None  # epoch of the latest scheduled health run
	error_groups_open: int | None = None
	error_groups_new_1h: int | None = None
	backup_age_s: float | None = None  # the newest database backup file in private/backups
	backup_verification: tuple[str, float | None] | None = None  # (status, finished epoch)
	debug_expires: float | None = None  # epoch when the active debug session ends; None: no session
	failures: dict[str, str] = field(default_factory=dict)  # collector -> why it could not read


@dataclass
class QueueState:
	queue: str
	waiting: int
	started: int
	failed: int
	oldest_age_s: float | None
	workers: int


@dataclass
class BenchSnapshot:
	bench: str
	queues: list[QueueState] = field(default_factory=list)
	failures: dict[str, str] = field(default_factory=dict)
