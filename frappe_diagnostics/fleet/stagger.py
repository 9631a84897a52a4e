"""Scheduled runs of many sites spread over the interval: each site gets a fixed minute within it (from a
hash of its name), so fifty hourly sites start about one a minute instead of all at once on the shared
database and Redis. A run missed at its minute (scheduler down) happens at the next tick after it."""

from __future__ import annotations

import zlib


def offset_s(site: str, interval_min: int) -> int:
	"""The site's fixed offset within the interval, in whole minutes (as seconds)."""
	return (zlib.crc32(site.encode()) % max(1, interval_min)) * 60


def latest_slot(site: str, interval_min: int, now: float) -> float:
	"""The most recent start time of the site's schedule at or before `now` (epoch seconds)."""
	interval = max(1, interval_min) * 60
	offset = offset_s(site, interval_min)
	return now - ((now - offset) % interval)


def is_due(site: str, interval_min: int, last_run: float | None, now: float) -> bool:
	"""Due when no scheduled run happened since the site's latest slot (and right away the first time)."""
	return last_run is None or last_run < latest_slot(site, interval_min, now)
