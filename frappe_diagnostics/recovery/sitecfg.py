"""Change keys of a site's site_config.json the way `bench set-config` does, but atomically: a crash leaves
the old file or the new one, never half a file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from frappe_diagnostics.recovery.journal import write_atomically

MAINTENANCE = ("maintenance_mode", "pause_scheduler")


def path_of(site_path) -> Path:
	return Path(site_path) / "site_config.json"


def read(site_path) -> dict:
	return json.loads(path_of(site_path).read_text(encoding="utf-8"))


def set_keys(site_path, values: dict) -> None:
	"""Set (or, for None, remove) keys, keeping every other key and the file's owner and mode."""
	path = path_of(site_path)
	conf = read(site_path)
	for key, value in values.items():
		if value is None:
			conf.pop(key, None)
		else:
			conf[key] = value
	stat = path.stat()
	write_atomically(path, json.dumps(conf, indent=1, sort_keys=True), mode=stat.st_mode & 0o777)
	try:
		os.chown(path, stat.st_uid, stat.st_gid)
	except OSError:
		pass


def maintenance_state(site_path) -> dict:
	conf = read(site_path)
	return {key: conf.get(key) for key in MAINTENANCE}
