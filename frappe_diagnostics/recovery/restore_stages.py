"""The stages of a guarded restore, each idempotent so a rerun after a kill can redo or finish it.

Before `swap_db` (the commit point) the live site's data is untouched; from it on, the live database is
the restored one. Every stage records itself in the journal before and after it runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from frappe_diagnostics.engine.shell import bench as bench_command
from frappe_diagnostics.recovery import cache, dbswap, folders, safety, scratch, sitecfg, tarsafe
from frappe_diagnostics.recovery.activity import FRAPPE_DEFAULT_ZONE
from frappe_diagnostics.recovery.naming import PRIVATE, PUBLIC

STAGES = (
	"verify",
	"extract_files",
	"maintenance_on",
	"safety_backup",
	"swap_db",
	"swap_files",
	"clear_cache",
	"migrate",
	"validate",
	"maintenance_off",
)
FILE_KINDS = (PUBLIC, PRIVATE)


def now_stamp(time_zone: str | None) -> str:
	"""A backup stamp for now, in the site's time zone as Frappe writes it (its default when unset)."""
	try:
		zone = ZoneInfo(time_zone or FRAPPE_DEFAULT_ZONE)
	except (ValueError, KeyError):
		zone = None
	return datetime.now(zone).strftime("%Y%m%d_%H%M%S")


def extract_files(run) -> str:
	done, inodes = [], dict(run.journal["new_inodes"] or {})
	for kind in run.journal["file_kinds"] or []:
		place = folders.Folders.of(run.ctx.site_path, kind, run.journal["id"])
		if place.new.exists():
			shutil.rmtree(place.new)  # a half extraction from a killed run
		counts = tarsafe.extract(run.bset.files[kind], run.key, kind, place.new, fault="during:extract_files")
		inodes[kind] = folders.inode(place.new)
		run.journal.update(new_inodes=inodes)
		done.append(f"{kind}: {counts['files']} file(s)")
	return "; ".join(done) or "No files in this restore."


def maintenance_on(run) -> str:
	if run.journal["maintenance_before"] is None:
		run.journal.update(maintenance_before=sitecfg.maintenance_state(run.ctx.site_path))
	sitecfg.set_keys(run.ctx.site_path, {"maintenance_mode": 1, "pause_scheduler": 1})
	return "maintenance_mode and pause_scheduler are on."


def maintenance_off(run) -> str:
	before = run.journal["maintenance_before"] or {}
	sitecfg.set_keys(run.ctx.site_path, {k: before.get(k) for k in sitecfg.MAINTENANCE})
	return "maintenance_mode and pause_scheduler are back as they were."


def safety_backup(run) -> str:
	folder = Path(run.journal["safety_folder"])
	path = safety.take(
		run.ctx,
		folder,
		run.journal["safety_stamp"],
		run.journal["frappe_version"],
		fault="during:safety_backup",
	)
	run.journal.update(safety_backup=str(path))
	return f"{path} ({path.stat().st_size / 2**20:.1f} MiB)."


def swap_db(run) -> str:
	live, incoming, hold = run.journal["db_name"], run.journal["incoming"], run.journal["holding"]
	if dbswap.committed(run.conn, incoming, hold):
		summary = f"Already swapped by the killed run: {live} holds the restored tables; the old ones are in {hold}."
	else:
		count = dbswap.swap(run.conn, live, incoming, hold, fault="during:swap_db")
		summary = f"{count} restored tables are live in {live}; the old ones wait in {hold}."
	run.journal.update(committed=True)
	scratch.drop_database(run.conn, incoming)
	return summary


def swap_files(run) -> str:
	moved = []
	for kind in run.journal["file_kinds"] or []:
		place = folders.Folders.of(run.ctx.site_path, kind, run.journal["id"])
		folders.swap(place, run.journal["new_inodes"][kind], fault="during:swap_files")
		moved.append(f"{kind}/files")
	return (
		f"Swapped {', '.join(moved)}; the old folders wait beside them."
		if moved
		else "No files in this restore."
	)


def clear_cache(run) -> str:
	try:
		return f"Deleted {cache.clear_site_cache(run.ctx)} cached key(s) of the site."
	except Exception as e:
		run.warnings.append(
			f"The site's Redis cache could not be cleared ({e}): run bench --site {run.ctx.name} clear-cache."
		)
		return "Redis cache not reachable: clear it when it is back."


def migrate(run) -> str:
	if not run.journal["needs_migrate"]:
		return "The backup is not older than the code: no migrate needed."
	python = Path(run.ctx.bench_path or ".") / "env" / "bin" / "python"
	command = bench_command(run.ctx.name, "migrate")
	if not python.is_file():
		run.warnings.append(
			f"The backup is older than the code and this bench has no env to migrate with: run {command}."
		)
		return f"Not migrated here: run {command}."
	args = [str(python), "-m", "frappe.utils.bench_helper", "frappe", "--site", run.ctx.name, "migrate"]
	done = subprocess.run(
		args,
		cwd=Path(run.ctx.bench_path) / "sites",
		capture_output=True,
		text=True,
		env=os.environ.copy(),
		timeout=3600,
	)
	if done.returncode != 0:
		raise RuntimeError(f"{command} failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
	return "Migrated: the restored database is at the code's version."


def validate(run) -> str:
	from frappe_diagnostics.recovery.validation import validate_recovery

	result = validate_recovery(run.ctx, job_timeout_s=run.options.job_timeout_s, in_restore=True)
	run.validation = result
	failing = [r for r in result.results if r.status.rank >= 2]
	if failing:
		run.warnings.append(f"Post-recovery validation: {result.summary}")
	return result.summary


def is_committed(run) -> bool:
	"""Whether the live database holds the restored tables: recorded, or (for a swap killed before it could
	record it) seen on the server once the swap had started."""
	if run.journal is None:
		return False
	if run.journal["committed"]:
		return True
	if run.journal.stage("swap_db") is None or run.conn is None:
		return False
	return dbswap.committed(run.conn, run.journal["incoming"], run.journal["holding"])


def undo_db(run) -> str:
	live, incoming, hold = run.journal["db_name"], run.journal["incoming"], run.journal["holding"]
	if is_committed(run):
		if not run.journal["undone"]:  # named once, so a rerun after a kill finds and drops it
			run.journal.update(undone=scratch.new_name(scratch.INCOMING, run.ctx.name))
		undone = run.journal["undone"]
		had_tables = run.journal["live_tables"] > 0
		dbswap.unswap(run.conn, live, hold, undone, had_tables=had_tables, fault="during:rollback_db")
		run.journal.update(committed=False)
		summary = f"The old tables are back in {live}; the restored ones were dropped."
	else:
		summary = f"Nothing was swapped; {incoming} was dropped."
	for database in (incoming, hold, run.journal["undone"]):
		if database:
			scratch.drop_database(run.conn, database)
	return summary


def undo_files(run) -> str:
	for kind in run.journal["file_kinds"] or []:
		place = folders.Folders.of(run.ctx.site_path, kind, run.journal["id"])
		folders.undo(place, (run.journal["new_inodes"] or {}).get(kind), fault="during:rollback_files")
	return "Files folders are as they were."


def progress(message: str) -> None:
	print(message, file=sys.stderr, flush=True)


RUN = {
	"extract_files": extract_files,
	"maintenance_on": maintenance_on,
	"safety_backup": safety_backup,
	"swap_db": swap_db,
	"swap_files": swap_files,
	"clear_cache": clear_cache,
	"migrate": migrate,
	"validate": validate,
	"maintenance_off": maintenance_off,
}
