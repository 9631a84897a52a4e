"""Backup inventory and quick integrity on real backups (mariadb-dump, gzip, tar, gpg) of a real database."""

from __future__ import annotations

import gzip
import tracemalloc

import pytest
from helpers import run_one
from recovery_site import KEY, made

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.recovery import integrity, inventory, naming, schedule
from frappe_diagnostics.recovery.listing import diagnose_backups


@pytest.fixture
def site(tmp_path):
	yield from made(tmp_path)


@pytest.mark.parametrize(
	("name", "slug", "kind", "partial", "encrypted"),
	[
		("20261130_113901-site1_local-database.sql.gz", "site1_local", "database", False, False),
		("20261130_113901-site1_local-partial-database-enc.sql.gz", "site1_local", "database", True, True),
		("20261130_113901-my-site_com-files.tar", "my-site_com", "public", False, False),
		("20261130_113901-my-site_com-private-files-enc.tgz", "my-site_com", "private", False, True),
		("20261130_113901-x-site_config_backup-enc.json", "x", "config", False, True),
	],
)
def test_frappe_backup_names_are_read_back(tmp_path, name, slug, kind, partial, encrypted):
	found = naming.parse(tmp_path / name)
	assert (found.slug, found.kind, found.partial, found.encrypted) == (slug, kind, partial, encrypted)


def test_a_site_named_like_a_suffix_is_read_with_its_own_slug(tmp_path):
	# "x-private" backs up its public files as x-private-files.tar: the site's own slug decides
	found = naming.parse(tmp_path / "20261130_113901-x-private-files.tar", ("x-private",))
	assert (found.slug, found.kind) == ("x-private", "public")
	assert naming.parse(tmp_path / "notes.txt") is None
	assert naming.parse(tmp_path / "20261130_113901-s-files.sql.gz") is None


def test_sets_are_grouped_with_age_parts_and_encryption(site):
	old = site.backup(hours_ago=30, files=False)
	new = site.backup(encrypted=True)
	sets = inventory.site_sets(site.context())
	assert [s.stamp for s in sets] == [new, old]
	assert sets[0].complete and sets[0].encrypted and not sets[0].partial
	assert sets[1].missing == ["public", "private"] and sets[1].restorable
	assert 29.9 < sets[1].age_s() / 3600 < 30.2


def test_integrity_passes_whole_files_and_names_each_kind_of_damage(site):
	stamp = site.backup()
	files = site.set_files(stamp)
	bset = inventory.select(site.context(), stamp)
	assert all(r.ok for r in integrity.check_set(bset, None).values())
	dump = next(p for n, p in files.items() if n.endswith(".sql.gz"))
	tar = bset.files["public"].path
	# a dump cut off where mariadb-dump was still writing: gzip is whole, the trailer is missing
	sql = gzip.decompress(dump.read_bytes())
	dump.write_bytes(gzip.compress(sql[: len(sql) // 2]))
	result = integrity.check_file(bset.database, None)
	assert not result.ok and "ends without MariaDB's '-- Dump completed' line" in result.message
	# a gzip file cut off mid-stream
	whole = gzip.compress(sql)
	dump.write_bytes(whole[: len(whole) // 2])
	assert "is truncated" in integrity.check_file(bset.database, None).message
	# bytes flipped inside the compressed stream
	data = bytearray(gzip.compress(sql))
	data[len(data) // 2 : len(data) // 2 + 64] = b"\xff" * 64
	dump.write_bytes(bytes(data))
	assert "is corrupt" in integrity.check_file(bset.database, None).message
	# a tar without its end-of-archive blocks
	raw = tar.read_bytes()
	tar.write_bytes(raw[: _last_member_end(raw)])
	assert "without tar's end-of-archive blocks" in integrity.check_file(bset.files["public"], None).message
	tar.write_bytes(raw[: 2 * 512 + 100])  # inside the first file's data
	assert "not a readable tar archive" in integrity.check_file(bset.files["public"], None).message


def _last_member_end(raw: bytes) -> int:
	import io
	import tarfile

	with tarfile.open(fileobj=io.BytesIO(raw), mode="r|") as archive:
		for _member in archive:
			pass
		return archive.offset


def test_encrypted_sets_open_with_the_sites_key_and_say_which_key_is_missing(site):
	stamp = site.backup(encrypted=True)
	bset = inventory.select(site.context(), stamp)
	assert all(r.ok for r in integrity.check_set(bset, KEY).values())
	assert integrity.check_file(bset.database, "wrong-key").message.endswith(
		"could not be decrypted: wrong backup_encryption_key."
	)
	missing = integrity.check_file(bset.database, None).message
	assert "is encrypted and the site's backup_encryption_key is missing" in missing


def test_inventory_diagnosis_lists_sets_reads_the_newest_and_flags_a_broken_one(site):
	good = site.backup(hours_ago=2)
	bad = site.backup()
	broken = next(p for n, p in site.set_files(bad).items() if n.endswith(".sql.gz"))
	broken.write_bytes(broken.read_bytes()[:-3000])
	d = diagnose_backups(site.context(), limit=10)
	steps = {s.check_id: s for s in d.steps}
	assert steps[f"backups.set.{good}"].status is Status.OK
	assert steps[f"backups.set.{bad}"].status is Status.CRITICAL
	assert "is truncated" in steps[f"backups.set.{bad}"].summary
	assert steps["backups.recovery_point"].status is Status.OK


def test_recovery_point_check_critical_without_backups_and_graded_by_age(site):
	ctx = site.context()
	site.sql("INSERT INTO `tabSingles` VALUES ('S3 Backup Settings', 'enabled', '1')")  # a schedule exists
	none = run_one(ctx, "backups.recent", warning_hours=26, critical_hours=72)
	assert none.status is Status.CRITICAL and none.summary.startswith(
		"There is no whole-site database backup"
	)
	site.backup(hours_ago=30, files=False)
	assert run_one(ctx, "backups.recent", warning_hours=26, critical_hours=72).status is Status.WARNING
	assert run_one(ctx, "backups.recent", warning_hours=40, critical_hours=72).status is Status.OK
	assert run_one(ctx, "backups.recent", warning_hours=10, critical_hours=20).status is Status.CRITICAL


def test_recovery_point_check_warns_when_nothing_is_scheduled_and_when_a_backup_failed(site):
	site.backup()
	ctx = site.context()
	unscheduled = run_one(ctx, "backups.recent", warning_hours=26, critical_hours=72)
	if (
		unscheduled.status is Status.OK
	):  # this machine has a cron line for backups: the test cannot force none
		pytest.fail(
			f"a cron line was found on this machine; run the suite where /etc/cron.d has none: {unscheduled.summary}"
		)
	assert unscheduled.status is Status.WARNING and "No scheduled backup found" in unscheduled.summary
	site.sql("INSERT INTO `tabSingles` VALUES ('Dropbox Settings', 'enabled', '1')")
	site.sql(
		"INSERT INTO `tabScheduled Job Log` VALUES ('sj1', NOW(6), 'Failed', 'dropbox_settings.take_backups_daily')"
	)
	failed = run_one(ctx, "backups.recent", warning_hours=26, critical_hours=72)
	assert failed.status is Status.WARNING
	assert "A backup failed on" in failed.summary and "No scheduled backup" not in failed.summary


def _grow_dump(dump, sql: bytes, repeats: int) -> None:
	filler = (
		b"INSERT INTO `tabVersion` VALUES ('v','2026-01-01 00:00:00','Note','N','" + b"y" * 1000 + b"');\n"
	) * 10_000
	head, _, tail = sql.rpartition(b"-- Dump completed")
	with gzip.open(dump, "wb", compresslevel=1) as out:
		out.write(head)
		for _ in range(repeats):
			out.write(filler)
		out.write(b"-- Dump completed" + tail)


def _peak_reading(site, stamp) -> tuple:
	tracemalloc.start()  # the check's own allocations: the process's RSS peak may predate this test
	try:
		result = integrity.check_file(inventory.select(site.context(), stamp).database, None)
		return result, tracemalloc.get_traced_memory()[1]
	finally:
		tracemalloc.stop()


def test_inventory_reads_a_dump_in_constant_memory(site, tmp_path):
	"""A 10 MB and a 40 MB dump cost the same memory to read to their end: the stream is never held."""
	stamp = site.backup()
	dump = next(p for n, p in site.set_files(stamp).items() if n.endswith(".sql.gz"))
	sql = gzip.decompress(dump.read_bytes())
	_grow_dump(dump, sql, 1)
	small, small_peak = _peak_reading(site, stamp)
	_grow_dump(dump, sql, 4)
	large, large_peak = _peak_reading(site, stamp)
	assert small.ok and large.ok and large.bytes > 4 * 10_000_000 > small.bytes > 10_000_000
	grown = (large_peak - small_peak) / 2**20
	assert grown < 0.5, f"reading 4 times the dump allocated {grown:.1f} MB more at its peak"


@pytest.mark.parametrize(
	("line", "hours"),
	[
		("0 */6 * * * cd /home/frappe/frappe-bench && bench --verbose --site all backup", 6.0),
		("@daily frappe bench --site all backup", 24.0),
		("30 2 * * 1 frappe bench --site all backup", 168.0),
		("0 1,20 * * * bench --site all backup", 19.0),  # uneven: the longest gap counts
		("@reboot bench --site all backup", None),
		("not a schedule bench backup", None),
	],
)
def test_croniter_reads_the_interval_of_a_backup_cron_line(line, hours):
	assert schedule.interval_h(line, 1_764_892_800.0) == hours


def test_a_missed_scheduled_run_warns_with_the_real_interval(site, tmp_path, monkeypatch):
	cron = tmp_path / "crontab"
	cron.write_text("0 */6 * * * frappe cd /home/frappe/frappe-bench && bench --site all backup\n")
	monkeypatch.setattr(schedule, "CRON_FILES", (str(cron),))
	monkeypatch.setattr(schedule.shutil, "which", lambda name: None)  # no user crontab to read
	site.backup(hours_ago=8, files=False)
	ctx = site.context()
	on_time = run_one(ctx, "backups.recent", warning_hours=26, critical_hours=72)
	assert (on_time.status, on_time.metric("backup_interval")) == (Status.OK, 6.0)
	site.backup(hours_ago=10, files=False)  # still 8 h is the newest
	cron.write_text("0 */4 * * * frappe bench --site all backup\n")
	missed = run_one(ctx, "backups.recent", warning_hours=26, critical_hours=72)
	assert missed.status is Status.WARNING
	assert missed.summary.endswith("Backups are scheduled every 4 h: the last scheduled run left no backup.")
	assert missed.findings[0].message == "Backups run every 4 h but the newest is 8 h old"
