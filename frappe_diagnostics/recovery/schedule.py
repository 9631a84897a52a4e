"""Whether anything takes this site's backups on a schedule, and the last time one failed: bench's cron
line (`bench --site all backup`, from `bench setup backups`), or Frappe's S3, Dropbox or Google Drive
backups; failures from the Scheduled Job Log and the Error Log."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

from croniter import croniter

from frappe_diagnostics.engine.probe import missing_table

OFFSITE = (("S3 Backup Settings", "enabled"), ("Dropbox Settings", "enabled"), ("Google Drive", "enable"))
CRON_FILES = ("/etc/crontab", "/etc/cron.d")


def cron_lines(bench_path) -> list[str]:
	"""Cron lines that run `backup` for this bench (the user's crontab and the system's)."""
	texts = []
	crontab = shutil.which("crontab")
	if crontab:
		try:
			done = subprocess.run([crontab, "-l"], capture_output=True, text=True, timeout=2, check=False)
			texts.append(done.stdout)
		except (OSError, subprocess.TimeoutExpired):
			pass
	for spot in CRON_FILES:
		path = Path(spot)
		for file in sorted(path.iterdir()) if path.is_dir() else [path]:
			try:
				texts.append(file.read_text(encoding="utf-8", errors="replace"))
			except OSError:
				continue
	bench = str(bench_path or "")
	found = []
	for text in texts:
		for line in text.splitlines():
			line = line.strip()
			if (
				line
				and not line.startswith("#")
				and "backup" in line
				and (not bench or bench in line or "bench" in line)
			):
				found.append(line)
	return found


def interval_h(line: str, now: float) -> float | None:
	"""Hours of the longest gap between two runs of a cron line's schedule over the coming week (or two
	runs, for rarer ones), as croniter reads its five time fields or its @daily-style macro; None when
	croniter cannot read it (or @reboot)."""
	words = line.split()
	spec = words[0] if words and words[0].startswith("@") else " ".join(words[:5])
	if not words or spec == "@reboot":
		return None
	try:
		runs = croniter(spec, now)
		times = [runs.get_next(float), runs.get_next(float)]
		while times[-1] - times[0] < 8 * 86400 and len(times) < 500:
			times.append(runs.get_next(float))
	except (ValueError, KeyError):
		return None
	return max(b - a for a, b in itertools.pairwise(times)) / 3600


def backup_interval_h(lines: list[str], now: float) -> tuple[float, str] | None:
	"""The shortest backup interval among the cron lines, with its line (the schedule that runs most)."""
	found = [(hours, line) for line in lines if (hours := interval_h(line, now)) is not None]
	return min(found) if found else None


def offsite_enabled(sql_value) -> list[str]:
	"""Frappe's offsite backup integrations that are enabled (S3, Dropbox, Google Drive)."""
	enabled = []
	for doctype, field in OFFSITE:
		value = sql_value(
			"SELECT value FROM `tabSingles` WHERE doctype = %s AND field = %s", (doctype, field)
		)
		if str(value or "0") == "1":
			enabled.append(doctype)
	return enabled


def last_failure(sql) -> dict | None:
	"""The newest failed backup job Frappe recorded (Scheduled Job Log, Error Log), within 30 days."""
	found = []
	for query in (
		"SELECT creation, scheduled_job_type AS what, 'Scheduled Job Log' AS source FROM `tabScheduled Job Log` "
		"WHERE status = 'Failed' AND scheduled_job_type LIKE '%%backup%%' AND creation >= NOW() - INTERVAL 30 DAY "
		"ORDER BY creation DESC LIMIT 1",
		"SELECT creation, method AS what, 'Error Log' AS source FROM `tabError Log` "
		"WHERE method LIKE '%%backup%%' AND creation >= NOW() - INTERVAL 30 DAY ORDER BY creation DESC LIMIT 1",
	):
		try:
			found += sql(query)
		except Exception as e:
			if not missing_table(e):
				raise
	return max(found, key=lambda r: r["creation"]) if found else None
