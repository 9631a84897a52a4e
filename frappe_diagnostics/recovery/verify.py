"""Verify a backup by restoring it somewhere harmless: a scratch database on the same server, compared with
the live site, then dropped (also on failure or interrupt; a killed run's leftover goes on the next run).

Its time to restore is the site's measured recovery time. Stored as a Diagnostic Run of kind
"Backup Verification".
"""

from __future__ import annotations

import json
import shutil
import time

from frappe_diagnostics.engine.result import Finding, Fix, Metric
from frappe_diagnostics.engine.steps import CRITICAL, OK, WARNING, AccessDiagnosis, step
from frappe_diagnostics.recovery import compare, dbroot, integrity, inventory, scratch
from frappe_diagnostics.recovery.loader import LoadFailed, load
from frappe_diagnostics.recovery.naming import CONFIG, DATABASE, slug_of
from frappe_diagnostics.recovery.streams import KEY_NAME, KeyMissing, Unreadable, is_encrypted, open_plain
from frappe_diagnostics.recovery.verify_steps import apps_step, core_step, rows_step, tables_step

KIND = "Backup Verification"


class Refused(Exception):
	"""Verification stopped at a step that makes the rest meaningless; carries that step."""

	def __init__(self, result):
		super().__init__(result.summary)
		self.result = result


def choose(ctx, spec: str | None, other_site: bool = False):
	"""(set, step): the set named, of this site, restorable; Refused with the step that says why not."""
	try:
		bset = inventory.select(ctx, spec)
	except LookupError as e:
		raise Refused(step("backup.set", "Backup set", CRITICAL, str(e))) from None
	files = ", ".join(f.name for f in bset.files.values())
	if bset.slug != slug_of(ctx.name) and not other_site:
		raise Refused(
			step(
				"backup.set",
				"Backup set",
				CRITICAL,
				f"Set {bset.stamp} is a backup of site {bset.slug!r}, not of {ctx.name}: its data would replace this site's with another site's.",
				[Finding("Files", {"files": files})],
			)
		)
	if DATABASE not in bset.files:
		raise Refused(
			step("backup.set", "Backup set", CRITICAL, f"Set {bset.stamp} has no database dump ({files}).")
		)
	if bset.partial:
		raise Refused(
			step(
				"backup.set",
				"Backup set",
				CRITICAL,
				f"Set {bset.stamp} is a partial backup (some tables only): it cannot restore a whole site; use bench partial-restore for it.",
			)
		)
	age_h = bset.age_s() / 3600
	missing = f"; missing: {', '.join(bset.missing)}" if bset.missing else ""
	status = WARNING if bset.missing else OK
	metrics = [Metric("age", round(age_h, 1), "h"), Metric("size", round(bset.size / 2**20, 2), "MiB")]
	return bset, step(
		"backup.set",
		"Backup set",
		status,
		f"Set {bset.stamp} ({age_h:.1f} h old) in {bset.folder}{missing}.",
		[Finding("Files", bset.describe())],
		metrics=metrics,
	)


def find_key(ctx, bset, given: str | None = None) -> tuple[str | None, str]:
	"""The key that opens the set and where it came from: given, the site's config, the set's config backup."""
	encrypted = [f for k, f in bset.files.items() if k != CONFIG and is_encrypted(f.path, f.encrypted)]
	if not encrypted:
		return None, "not encrypted"
	candidates = [(given, "--encryption-key"), (ctx.conf.get(KEY_NAME), f"{KEY_NAME} in site_config.json")]
	config = bset.files.get(CONFIG)
	if config is not None:
		try:
			candidates.append(
				(
					json.loads(config.path.read_text(encoding="utf-8")).get(KEY_NAME),
					f"{KEY_NAME} in {config.name}",
				)
			)
		except (OSError, ValueError, AttributeError):
			pass
	tried = [where for key, where in candidates if key]
	for key, where in candidates:
		if key and _opens(encrypted[0], key):
			return key, where
	if not tried:
		raise KeyMissing(
			f"The set is encrypted and no {KEY_NAME} is available: not in site_config.json, not in the set's site config backup. Put the key the site had when the backup was taken into site_config.json ({KEY_NAME})."
		)
	raise KeyMissing(
		f"The set is encrypted and none of the keys tried opens it ({', '.join(tried)}): the {KEY_NAME} the site had when the backup was taken is needed."
	)


def _opens(file, key: str) -> bool:
	try:
		with open_plain(file.path, key, True) as reader:
			for _chunk in reader.chunks():
				break
		return True
	except Unreadable:
		return False


def files_step(bset, key: str | None):
	"""Quick integrity of the tars and the config backup (the dump is checked as it loads)."""
	results = integrity.check_set(bset, key, kinds=[k for k in bset.files if k != DATABASE])
	bad = [r for r in results.values() if not r.ok]
	evidence = {k: r.to_dict() for k, r in results.items()}
	if not results:
		return step(
			"backup.files",
			"Files and config backup",
			WARNING,
			"The set has no files or site config backup: only the database can be restored.",
		)
	if bad:
		return step(
			"backup.files",
			"Files and config backup",
			CRITICAL,
			bad[0].message,
			[Finding("Integrity of each file", evidence)],
		)
	return step(
		"backup.files",
		"Files and config backup",
		OK,
		f"{len(results)} file(s) read to their end.",
		[Finding("Integrity of each file", evidence)],
	)


def account_for(ctx, user=None, password=None):
	"""(account, root connection); Refused with what to configure or which login failed."""
	try:
		account = dbroot.find_account(ctx, user, password)
	except dbroot.NoRootAccount as e:
		raise Refused(step("backup.root", "Database account", CRITICAL, str(e))) from None
	try:
		conn = dbroot.connect(account)
	except Exception as e:
		reason = e.args[1] if len(e.args) > 1 else e
		raise Refused(
			step(
				"backup.root",
				"Database account",
				CRITICAL,
				f"Cannot log in as {account.where()}: {reason}.",
				fixes=[
					Fix(
						"Correct the account (root_login/root_password, --db-root-username/--db-root-password or DIAG_DB_ROOT_USER/DIAG_DB_ROOT_PASSWORD)."
					)
				],
			)
		) from None
	return account, conn


MARGIN_BYTES = 256 * 2**20


def check_room(conn, live: str) -> None:
	"""Refuse a load that would fill the database server's disk (when its data directory is on this machine):
	a copy of the site needs about the live database's size, and the live site must keep room to write."""
	with conn.cursor() as cur:
		cur.execute("SELECT @@datadir")
		datadir = cur.fetchone()[0]
		cur.execute(
			"SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema = %s",
			(live,),
		)
		need = int(cur.fetchone()[0])
	try:
		free = shutil.disk_usage(datadir).free
	except OSError:
		return  # the server is elsewhere: its own errors will say if it runs out
	if free < need + MARGIN_BYTES:
		raise Refused(
			step(
				"backup.space",
				"Room on the database server",
				CRITICAL,
				f"The database server's disk ({datadir}) has {free / 2**20:,.0f} MiB free; a copy of this site needs "
				f"about {need / 2**20:,.0f} MiB plus {MARGIN_BYTES / 2**20:.0f} MiB left for the live site. Free space first.",
			)
		)


def restore_into(bset, key, conn, account, database: str, fault: str = ""):
	"""Load the set's dump into `database` (ours): (the step, rows per table counted as it loaded), or
	Refused with the reason it failed."""
	started = time.monotonic()
	try:
		with open_plain(bset.database.path, key, bset.database.encrypted) as reader:
			loaded = load(reader, database, conn, account, fault=fault)
	except (LoadFailed, Unreadable) as e:
		raise Refused(
			step(
				"backup.restore",
				"Restore into a scratch database",
				CRITICAL,
				str(e),
				metrics=[Metric("seconds", round(time.monotonic() - started, 1), "s")],
			)
		) from None
	seconds = time.monotonic() - started
	metrics = [
		Metric("restore_time", round(seconds, 1), "s"),
		Metric("sql", round(loaded.bytes / 2**20, 1), "MiB"),
	]
	if not loaded.completed:
		raise Refused(
			step(
				"backup.restore",
				"Restore into a scratch database",
				CRITICAL,
				f"{bset.database.name} ends without MariaDB's '-- Dump completed' line: the dump was cut off while it was written ({loaded.bytes:,} bytes of SQL).",
				metrics=metrics,
			)
		)
	done = step(
		"backup.restore",
		"Restore into a scratch database",
		OK,
		f"Restored {loaded.bytes / 2**20:.1f} MiB of SQL in {seconds:.1f} s: the measured time to restore this site's database.",
		metrics=metrics,
	)
	return done, loaded.counts


def compare_steps(ctx, conn, database: str, known: dict | None = None) -> list:
	"""`known`: the backup's rows per table counted while it loaded (no second pass over big tables)."""
	backup = compare.read(conn, database, known=known)
	live = compare.read(conn, ctx.conf["db_name"])
	return [
		tables_step(backup, live),
		rows_step(backup, live),
		core_step(backup),
		apps_step(backup, ctx.bench_path, ctx.name),
	]


def diagnose_verification(ctx, set=None, db_root_username=None, db_root_password=None, encryption_key=None):
	"""Restore the set (default: the newest) into a scratch database, compare it with the live site, drop it."""
	started = time.time()
	steps, stamp = [], None
	try:
		bset, set_step = choose(ctx, set)
		stamp = bset.stamp
		steps.append(set_step)
		try:
			key, key_source = find_key(ctx, bset, encryption_key)
		except KeyMissing as e:
			raise Refused(step("backup.key", "Encryption key", CRITICAL, str(e))) from None
		steps.append(
			step(
				"backup.key",
				"Encryption key",
				OK,
				f"Opened with the {key_source}." if key else "The set is not encrypted.",
			)
		)
		steps.append(files_step(bset, key))
		account, conn = account_for(ctx, db_root_username, db_root_password)
		try:
			steps += _in_scratch(ctx, bset, key, conn, account)
		finally:
			conn.close()
	except Refused as e:
		steps.append(e.result)
	verdict = _verdict(steps, stamp)
	return AccessDiagnosis(
		KIND,
		f"Would backup {stamp or set or '(newest)'} of {ctx.name} restore?",
		steps,
		{"set": stamp or set},
		started,
		time.time(),
		ctx.name,
		verdict=verdict,
	)


def _in_scratch(ctx, bset, key, conn, account) -> list:
	out, holder = [], {}
	try:
		with (
			scratch.terminate_as_interrupt(),
			scratch.scratch_database(conn, ctx.name) as (database, leftovers),
		):
			holder.update(database=database, leftovers=leftovers)
			try:
				loaded, counts = restore_into(bset, key, conn, account, database, fault="during:scratch_load")
				out.append(loaded)
				out += compare_steps(ctx, conn, database, known=counts)
			except Refused as e:
				out.append(e.result)
	finally:
		out.append(_cleanup_step(conn, holder))
	return out


def _cleanup_step(conn, holder: dict):
	database = holder.get("database")
	try:
		left = database in scratch.databases_like(conn, scratch.SCRATCH) if database else False
	except Exception:
		left = True
	leftovers = holder.get("leftovers") or []
	earlier = f" {len(leftovers)} leftover(s) of interrupted runs dropped." if leftovers else ""
	if left:
		return step(
			"backup.cleanup",
			"Scratch database dropped",
			WARNING,
			f"{database} could not be dropped now; the next verification drops it.{earlier}",
		)
	return step(
		"backup.cleanup",
		"Scratch database dropped",
		OK,
		f"{database or 'The scratch database'} was dropped.{earlier}",
		[Finding("Leftovers dropped", {"databases": leftovers})] if leftovers else [],
	)


def _verdict(steps, stamp) -> str:
	failing = [s for s in steps if s.status in (CRITICAL,) or s.status.rank >= CRITICAL.rank]
	restore = next((s for s in steps if s.check_id == "backup.restore" and s.status is OK), None)
	if failing:
		return f"NOT VERIFIED: {failing[0].summary}"
	seconds = restore.metric("restore_time") if restore else None
	return f"Verified: set {stamp} restores in {seconds} s."
