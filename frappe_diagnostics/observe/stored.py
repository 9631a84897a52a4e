"""A site's stored state for a scrape: a handful of indexed reads, never a check and never the Error Log.

`query(sql, params)` returns rows as dicts (frappe.db.sql(..., as_dict=True) in a site, a pymysql
DictCursor standalone). Stored datetimes are naive, in the site's time zone (`tz`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from frappe_diagnostics.observe.debugsession import DebugSession
from frappe_diagnostics.observe.snapshot import CheckState, SiteSnapshot, StoredRun

Query = Callable[[str, tuple], list[dict]]
BACKUP_GLOB = "*-database.sql*"
MAX_BACKUP_FILES = 5000  # a folder with more is read no further (the scrape stays cheap)

LATEST_RUN = (
	"select name, status, finished, duration_ms from `tabDiagnostic Run` "
	"where kind = %s and partial = 0 order by creation desc limit 1"
)
LATEST_RUN_WITH_RESULTS = (  # one round trip: the newest full health run and its results
	"select run.name, run.status, run.finished, run.duration_ms, r.check_id, r.status as check_status, "
	"r.duration_ms as check_ms from (" + LATEST_RUN + ") run left join `tabDiagnostic Result` r "
	"on r.parent = run.name and r.parenttype = 'Diagnostic Run'"
)
LAST_SCHEDULED = (
	"select finished from `tabDiagnostic Run` where kind = 'Health Check' and `trigger` = 'Scheduler' "
	"order by creation desc limit 1"
)
ERROR_GROUPS = (
	"select count(if(status = 'Open', 1, null)) as open_groups, "
	"count(if(first_occurrence >= %s, 1, null)) as new_groups from `tabError Group`"
)


def read_site(
	query: Query,
	site: str,
	tz: str | None,
	site_path: str | os.PathLike | None = None,
	conf: dict | None = None,
	now: float | None = None,
) -> SiteSnapshot:
	"""Everything a scrape shows about one site; a part that cannot be read is named in `failures`."""
	now = time.time() if now is None else now
	zone = _zone(tz)
	snap = SiteSnapshot(site)
	parts: dict[str, Callable[[], None]] = {
		"runs": lambda: _runs(query, snap, zone),
		"error_groups": lambda: _error_groups(query, snap, zone, now),
		"backup_verification": lambda: _verification(query, snap, zone),
	}
	for name, read in parts.items():
		try:
			read()
		except Exception as e:
			snap.failures[name] = f"{type(e).__name__}: {str(e)[:200]}"
	if site_path is not None:
		try:
			snap.backup_age_s = backup_age(Path(site_path), now)
		except OSError as e:
			snap.failures["backups"] = f"{type(e).__name__}: {e.strerror}"
	snap.debug_expires = debug_expiry(conf or {})
	return snap


def _runs(query: Query, snap: SiteSnapshot, zone) -> None:
	rows = query(LATEST_RUN_WITH_RESULTS, ("Health Check",))
	if rows:
		row = rows[0]
		checks = [
			CheckState(r["check_id"], _status(r["check_status"]), float(r["check_ms"] or 0) / 1000)
			for r in rows
			if r["check_id"]
		]
		snap.run = StoredRun(
			row["name"],
			_status(row["status"]),
			_epoch(row["finished"], zone),
			float(row["duration_ms"] or 0) / 1000,
			sorted(checks, key=lambda c: c.check_id),
		)
	scheduled = query(LAST_SCHEDULED, ())
	snap.last_scheduled = _epoch(scheduled[0]["finished"], zone) if scheduled else None


def _error_groups(query: Query, snap: SiteSnapshot, zone, now: float) -> None:
	hour_ago = datetime.fromtimestamp(now, zone).replace(tzinfo=None) - timedelta(hours=1)
	row = query(ERROR_GROUPS, (hour_ago,))[0]
	snap.error_groups_open, snap.error_groups_new_1h = int(row["open_groups"]), int(row["new_groups"])


def _verification(query: Query, snap: SiteSnapshot, zone) -> None:
	rows = query(LATEST_RUN.replace(" and partial = 0", ""), ("Backup Verification",))
	if rows:
		snap.backup_verification = (_status(rows[0]["status"]), _epoch(rows[0]["finished"], zone))


def backup_age(site_path: Path, now: float) -> float | None:
	"""Seconds since the newest database backup in the site's private/backups was written, or None."""
	folder = site_path / "private" / "backups"
	if not folder.is_dir():
		return None
	newest = None
	with os.scandir(folder) as entries:
		for count, entry in enumerate(entries):
			if count >= MAX_BACKUP_FILES:
				break
			if Path(entry.name).match(BACKUP_GLOB) and entry.is_file():
				mtime = entry.stat().st_mtime
				newest = mtime if newest is None or mtime > newest else newest
	return None if newest is None else max(0.0, now - newest)


def debug_expiry(conf: dict) -> float | None:
	"""When the site's debug session (site_config `diagnostics_debug`) ends, or None without one."""
	session = DebugSession.from_conf(conf)
	return session.expires if session else None


def _status(label) -> str:
	return str(label or "skipped").strip().lower()


def _zone(tz: str | None):
	try:
		return ZoneInfo(tz) if tz else None
	except (KeyError, ValueError):
		return None


def _epoch(value, zone) -> float | None:
	if value is None:
		return None
	if isinstance(value, str):
		value = datetime.fromisoformat(value)
	if value.tzinfo is None and zone is not None:
		value = value.replace(tzinfo=zone)
	return value.timestamp()


RECENT_RUNS = (
	"select name, finished from `tabDiagnostic Run` where kind = 'Health Check' "
	"order by creation desc limit %s"
)


def latest_states(query: Query, check_ids: list[str], tz: str | None, runs: int = 5) -> dict:
	"""check id -> (status, finished epoch) from the newest of the last `runs` health runs (partial ones
	too) that holds a result for it: what readiness answers from."""
	if not check_ids:
		return {}
	recent = query(RECENT_RUNS, (runs,))
	if not recent:
		return {}
	zone, finished = _zone(tz), {r["name"]: r["finished"] for r in recent}
	order = {r["name"]: i for i, r in enumerate(recent)}
	marks = ", ".join(["%s"] * len(recent))
	ids = ", ".join(["%s"] * len(check_ids))
	rows = query(
		f"select parent, check_id, status from `tabDiagnostic Result` where parenttype = 'Diagnostic Run' "
		f"and parent in ({marks}) and check_id in ({ids})",
		(*order, *check_ids),
	)
	states: dict[str, tuple[str, float | None]] = {}
	for row in sorted(rows, key=lambda r: order[r["parent"]], reverse=True):
		states[row["check_id"]] = (_status(row["status"]), _epoch(finished[row["parent"]], zone))
	return states
