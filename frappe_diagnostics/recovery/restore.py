"""A restore that cannot destroy the live site.

verify the set by restoring it into a new database and comparing it (refused if it fails) → ask → extract
the files beside their folders → maintenance mode → safety backup of the live database → swap the
databases in one RENAME (the commit point) → swap the folders → clear the cache → migrate when the backup
is older than the code → validate → out of maintenance mode. The old data stays in a holding database
(and folders) until `--drop-holding`; `--rollback` puts it back. A run killed anywhere is finished by the
next run or undone by `--rollback`, as its journal says.
"""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from frappe_diagnostics.engine.steps import CRITICAL
from frappe_diagnostics.recovery import activity, dbswap, faults, folders, inventory, safety, scratch
from frappe_diagnostics.recovery import restore_stages as stages
from frappe_diagnostics.recovery.journal import CLOSED, DONE, FAILED, ROLLED_BACK, RUNNING, Journal
from frappe_diagnostics.recovery.streams import KeyMissing
from frappe_diagnostics.recovery.verify import (
	Refused,
	account_for,
	check_room,
	choose,
	compare_steps,
	files_step,
	find_key,
	restore_into,
)


class RestoreRefused(Exception):
	"""Ended before the commit point: the live site is as it was (the message says why)."""


class RestoreStopped(Exception):
	"""Stopped after the commit point: the restored data is live; rerun to finish or --rollback to undo."""


@dataclass
class Options:
	spec: str | None = None
	encryption_key: str | None = None
	files: bool = True
	other_site: bool = False
	db_root_username: str | None = None
	db_root_password: str | None = None
	confirm: object = None  # callable(plan: dict) -> bool
	say: object = None  # callable(text) for progress
	job_timeout_s: float = 60.0


@dataclass
class Run:
	ctx: object
	options: Options
	journal: Journal | None = None
	bset: object = None
	key: str | None = None
	key_source: str = ""
	conn: object = None
	account: object = None
	warnings: list = field(default_factory=list)
	validation: object = None

	def say(self, text: str) -> None:
		(self.options.say or stages.progress)(text)

	def stage(self, name: str, fn) -> None:
		self.say(f"· {name.replace('_', ' ')} …")
		with self.journal.running(name) as outcome:
			outcome["summary"] = fn(self)
		self.say(f"  {outcome['summary']}")
		faults.point(f"after:{name}")


@contextmanager
def site_lock(ctx):
	"""The lock Frappe's own `bench restore` takes (sites/<site>/locks/site_restore.lock): never two at once."""
	path = Path(ctx.site_path) / "locks" / "site_restore.lock"
	path.parent.mkdir(parents=True, exist_ok=True)
	with open(path, "a") as handle:
		try:
			fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
		except BlockingIOError:
			raise RestoreRefused(f"Another restore of {ctx.name} is running (it holds {path}).") from None
		yield


def restore(ctx, options: Options) -> Run:
	"""Restore a set, or finish the restore a killed run left (its journal says where it stopped)."""
	with site_lock(ctx):
		journal = Journal.load(ctx.site_path)
		if journal is not None and journal["state"] == RUNNING:
			if options.spec and not _same_set(options.spec, journal):
				raise RestoreRefused(
					f"The restore of set {journal['set']} ({journal['id']}) has not finished: rerun restore without a set to finish it, or restore --rollback to undo it."
				)
			return _resume(ctx, options, journal)
		if journal is not None:
			raise RestoreRefused(
				f"The previous restore ({journal['id']}, set {journal['set']}) still keeps the old data in {journal['holding']}: drop it first (restore --drop-holding) or roll it back (restore --rollback)."
			)
		return _new(ctx, options)


def _same_set(spec: str, journal: Journal) -> bool:
	return spec == journal["set"] or Path(spec).name in [
		Path(p).name for p in (journal["set_files"] or {}).values()
	]


def _prepare(ctx, options: Options, spec: str | None) -> Run:
	run = Run(ctx, options)
	try:
		run.bset, _step = choose(ctx, spec, other_site=options.other_site)
	except Refused as e:
		hint = " Pass --accept-other-site to restore it anyway." if "not of" in e.result.summary else ""
		raise RestoreRefused(e.result.summary + hint) from None
	try:
		run.key, run.key_source = find_key(ctx, run.bset, options.encryption_key)
	except KeyMissing as e:
		raise RestoreRefused(str(e)) from None
	try:
		run.account, run.conn = account_for(ctx, options.db_root_username, options.db_root_password)
	except Refused as e:
		raise RestoreRefused(e.result.summary) from None
	return run


def _new(ctx, options: Options) -> Run:
	run = _prepare(ctx, options, options.spec)
	kinds = [k for k in stages.FILE_KINDS if options.files and k in run.bset.files]
	if kinds:
		check = files_step(run.bset, run.key)
		if check.status is CRITICAL:
			raise RestoreRefused(
				f"{check.summary} Nothing was changed. (--no-files restores the database alone.)"
			)
	backups = inventory.backup_folders(ctx)[0]
	run.journal = Journal.start(
		ctx.site_path,
		site=ctx.name,
		db_name=ctx.conf["db_name"],
		set=run.bset.stamp,
		set_files={k: str(f.path) for k, f in run.bset.files.items()},
		other_site=options.other_site,
		taken_at=run.bset.taken_at,
		key_source=run.key_source,
		incoming=scratch.new_name(scratch.INCOMING, ctx.name),
		holding=scratch.new_name(scratch.HOLDING, ctx.name),
		file_kinds=kinds,
		new_inodes={},
		live_tables=len(dbswap.tables(run.conn, ctx.conf["db_name"])),
		maintenance_before=None,
		safety_folder=str(backups),
		safety_stamp=stages.now_stamp(ctx.time_zone),
		frappe_version=None,
		needs_migrate=None,
	)
	return _go(run, verify_first=True)


def _resume(ctx, options: Options, journal: Journal) -> Run:
	run = _prepare(
		ctx,
		Options(**{**options.__dict__, "spec": journal["set"], "other_site": bool(journal["other_site"])}),
		journal["set"],
	)
	run.journal = journal
	next_stage = next((s for s in stages.STAGES if not journal.done(s)), None)
	if journal.done("verify"):
		plan = {
			"resume": True,
			"id": journal["id"],
			"set": journal["set"],
			"next": next_stage,
			"committed": journal["committed"],
		}
		if not _confirmed(run, plan):
			raise RestoreRefused(
				"Not confirmed: the restore stays where it stopped (rerun to finish, or --rollback)."
			)
	return _go(run, verify_first=not journal.done("verify"))


def _confirmed(run: Run, plan: dict) -> bool:
	confirm = run.options.confirm
	return bool(confirm(plan)) if callable(confirm) else False


def _go(run: Run, verify_first: bool) -> Run:
	with scratch.terminate_as_interrupt():
		return _stages(run, verify_first)


def _stages(run: Run, verify_first: bool) -> Run:
	try:
		if verify_first:
			run.stage("verify", _verify)
		for name in stages.STAGES[1:]:
			if not run.journal.done(name):
				run.stage(name, stages.RUN[name])
	except BaseException as e:
		reason = str(e) if not isinstance(e, KeyboardInterrupt) else "Interrupted."
		if not stages.is_committed(run):
			_undo_uncommitted(run, reason)
			raise RestoreRefused(
				reason
				if isinstance(e, RestoreRefused)
				else f"{reason} The restore was undone: the live site is as it was."
			) from None
		run.journal.update(error=reason)
		raise RestoreStopped(
			f"{reason} The restored database is live and the site stays in maintenance mode: rerun restore to finish, or restore --rollback to put the old data back."
		) from None
	finally:
		_close_conn(run)
	run.journal.close(DONE)
	return run


def _verify(run: Run) -> str:
	conn, incoming = run.conn, run.journal["incoming"]
	scratch.drop_leftovers(conn, scratch.site_prefix(scratch.INCOMING, run.ctx.name))
	try:
		check_room(conn, run.journal["db_name"])
	except Refused as e:
		raise RestoreRefused(f"{e.result.summary} Nothing was changed.") from None
	scratch.hold_lock(conn, incoming)
	scratch.drop_database(conn, incoming)
	scratch.create(conn, incoming)
	try:
		loaded, counts = restore_into(run.bset, run.key, conn, run.account, incoming, fault="during:verify")
		checks = compare_steps(run.ctx, conn, incoming, known=counts)
	except Refused as e:
		raise RestoreRefused(f"The set does not restore: {e.result.summary} Nothing was changed.") from None
	failing = [c for c in checks if c.status is CRITICAL]
	if failing:
		raise RestoreRefused(f"The set failed verification: {failing[0].summary} Nothing was changed.")
	apps = next(c for c in checks if c.check_id == "backup.apps")
	evidence = apps.findings[0].evidence if apps.findings else {}
	needs = bool(apps.metric("pending_patches") or apps.metric("doctypes_behind")) or any(
		e.get("backup") != e.get("code") for e in evidence.values()
	)
	run.journal.update(needs_migrate=needs, frappe_version=(evidence.get("frappe") or {}).get("code"))
	plan = _plan(run, checks, loaded)
	if not _confirmed(run, plan):
		raise RestoreRefused("Not confirmed: nothing was changed.")
	return f"{loaded.summary} Confirmed."


def _plan(run: Run, checks, loaded) -> dict:
	rows = next(c for c in checks if c.check_id == "backup.rows")
	table_diffs = rows.findings[-1].evidence if rows.findings else {}
	lost = {t: d for t, d in table_diffs.items() if (d.get("live") or 0) > (d.get("backup") or 0)}
	start = activity.site_local(_aware(run.bset.taken_at), run.ctx.time_zone)
	since = activity.since(lambda sql, args: _live_rows(run, sql, args), start)
	return {
		"resume": False,
		"id": run.journal["id"],
		"site": run.ctx.name,
		"set": run.bset.stamp,
		"age_h": round(run.bset.age_s() / 3600, 1),
		"files": sorted(run.bset.files),
		"restore_time_s": loaded.metric("restore_time"),
		"tables_losing_rows": lost,
		"since_backup": activity.totals(since),
		"safety_backup": str(
			safety.paths(Path(run.journal["safety_folder"]), run.ctx.name, run.journal["safety_stamp"])[0]
		),
		"holding": run.journal["holding"],
		"needs_migrate": run.journal["needs_migrate"],
	}


def _aware(epoch: float):
	from datetime import datetime, timezone

	return datetime.fromtimestamp(epoch, timezone.utc)


def _live_rows(run: Run, sql: str, args) -> list[dict]:
	import pymysql

	with run.conn.cursor(pymysql.cursors.DictCursor) as cur:
		cur.execute(f"USE {scratch.quote(run.journal['db_name'])}")
		cur.execute(sql, args)
		return list(cur.fetchall())


def _undo_uncommitted(run: Run, reason: str) -> None:
	"""Undo what a run did before its commit point and close its journal as failed. When that cannot be
	done (the server went away), the journal stays open and says so: `restore --rollback` finishes it."""
	if run.journal is None:
		return
	try:
		if run.conn is None or not run.conn.open:
			run.account, run.conn = account_for(
				run.ctx, run.options.db_root_username, run.options.db_root_password
			)
		stages.undo_db(run)
		stages.undo_files(run)
		if run.journal["maintenance_before"] is not None:
			stages.maintenance_off(run)
	except (Exception, Refused) as e:
		run.journal.update(error=f"{reason} Undoing it failed too: {getattr(e, 'result', e)}")
		raise RestoreStopped(
			f"{reason} Undoing the restore failed ({getattr(getattr(e, 'result', None), 'summary', e)}): run restore --rollback to finish undoing it."
		) from None
	run.journal.update(error=reason)
	run.journal.close(FAILED)


def _close_conn(run: Run) -> None:
	try:
		if run.conn is not None and run.conn.open:
			run.conn.close()
	except Exception:
		pass


def rollback(ctx, options: Options) -> Run:
	"""Put the old data back (database and folders) and take the site out of maintenance mode."""
	return _finish_journal(
		ctx, options, ROLLED_BACK, _rollback_stages, f"There is no restore of {ctx.name} to roll back."
	)


def _rollback_stages(run: Run) -> None:
	for name, fn in (
		("undo_db", stages.undo_db),
		("undo_files", stages.undo_files),
		("undo_cache", stages.clear_cache),
	):
		run.stage(name, fn)
	if run.journal["maintenance_before"] is not None:
		run.stage("undo_maintenance", stages.maintenance_off)


def drop_holding(ctx, options: Options) -> Run:
	"""Drop the old data a finished restore kept (holding database and folders); rollback is then impossible."""
	return _finish_journal(
		ctx,
		options,
		CLOSED,
		lambda run: run.stage("drop_holding", _drop_holding),
		f"No restore of {ctx.name} keeps old data.",
	)


def _finish_journal(ctx, options: Options, state: str, body, nothing: str) -> Run:
	"""Run `body` on the journal of the last restore with a root connection, then close it as `state`."""
	with site_lock(ctx):
		journal = Journal.load(ctx.site_path)
		if journal is None:
			raise RestoreRefused(nothing)
		if state == CLOSED and journal["state"] == RUNNING:
			raise RestoreRefused(
				f"The restore {journal['id']} has not finished: finish it (rerun restore) or roll it back first."
			)
		run = Run(ctx, options, journal)
		try:
			run.account, run.conn = account_for(ctx, options.db_root_username, options.db_root_password)
		except Refused as e:
			raise RestoreRefused(e.result.summary) from None
		try:
			body(run)
		finally:
			_close_conn(run)
		journal.close(state)
		return run


def _drop_holding(run: Run) -> str:
	scratch.drop_database(run.conn, run.journal["holding"])
	for kind in run.journal["file_kinds"] or []:
		folders.drop_hold(folders.Folders.of(run.ctx.site_path, kind, run.journal["id"]))
	return f"Dropped {run.journal['holding']} and the old files folders."


def status(ctx) -> dict | None:
	journal = Journal.load(ctx.site_path)
	return journal.data if journal else None
