"""The guarded restore on a real database with real backups: refused without harm when it cannot be done,
and killed by SIGKILL at every stage it is still all old or all new, and a rerun or --rollback finishes."""

from __future__ import annotations

import json
import signal
import time

import pytest
from recovery_site import made

from frappe_diagnostics.recovery import scratch
from frappe_diagnostics.recovery.restore_stages import STAGES

FAULTS = [
	"during:verify",
	"after:verify",
	"during:extract_files",
	"after:extract_files",
	"after:maintenance_on",
	"during:safety_backup",
	"after:safety_backup",
	"during:swap_db",
	"after:swap_db",
	"during:swap_files",
	"after:swap_files",
	"after:clear_cache",
	"after:migrate",
	"after:validate",
	"after:maintenance_off",
]
FAST = ("--job-timeout", "1")


@pytest.fixture
def site(tmp_path):
	yield from made(tmp_path)


@pytest.fixture
def changed(site):
	"""A set taken now (v1), then the site changed (v2): (set, v1 state = what a restore gives, v2 = live)."""
	stamp = site.backup()
	v1 = site.state()
	site.add_note("NOTE-AFTER", "written after the backup", items=3)
	site.sql("DELETE FROM `tabNote` WHERE name = 'NOTE-0007'")
	site.sql("CREATE TABLE `tabLater` (name varchar(140) PRIMARY KEY)")
	site.write_file("public", "hello.txt", "public v2")
	site.write_file("public", "new.txt", "only in v2")
	site.write_file("private", "secret.txt", "private v2")
	v2 = site.state()
	assert v1[0] != v2[0] and v1[1] != v2[1]
	return stamp, v1, v2


def restore(site, *args, env=None):
	return site.cli("restore", *args, env=env)


def leftovers(site) -> list[str]:
	return [
		d
		for d in site.diag_databases()
		if d.startswith(tuple(scratch.site_prefix(p, site.site) for p in scratch.PREFIXES))
	]


def maintenance(site) -> tuple:
	conf = site.conf()
	return conf.get("maintenance_mode"), conf.get("pause_scheduler")


def test_restore_replaces_data_and_files_keeps_the_old_and_rolls_back(site, changed):
	stamp, v1, v2 = changed
	done = restore(site, stamp, "--yes", *FAST)
	assert done.returncode == 0, done.stderr
	assert site.state() == v1
	assert maintenance(site) == (None, None)
	assert f"Restored {site.site} from set {stamp}" in done.stdout
	journal = json.loads((site.site_path / "private/diagnostics/restore/current.json").read_text())
	assert journal["state"] == "done" and journal["committed"] is True
	assert [s["name"] for s in journal["stages"]] == list(STAGES)
	assert all(s["status"] == "done" for s in journal["stages"])
	safety = site.backups / journal["safety_backup"].rsplit("/", 1)[1]
	assert safety.is_file() and safety.name.endswith(f"-{site.slug}-database.sql.gz")
	assert leftovers(site) == [journal["holding"]]
	again = restore(site, stamp, "--yes", *FAST)
	assert again.returncode == 2 and "still keeps the old data" in again.stderr
	back = restore(site, "--rollback", "--yes")
	assert back.returncode == 0, back.stderr
	assert site.state() == v2 and leftovers(site) == [] and maintenance(site) == (None, None)


def test_drop_holding_ends_the_rollback_window(site, changed):
	stamp, v1, _v2 = changed
	assert restore(site, stamp, "--yes", *FAST).returncode == 0
	dropped = restore(site, "--drop-holding")
	assert dropped.returncode == 0, dropped.stderr
	assert leftovers(site) == [] and site.state() == v1
	assert not list((site.site_path / "public").glob(".diag-*"))
	assert restore(site, "--rollback", "--yes").returncode == 2


def test_not_confirming_changes_nothing(site, changed):
	stamp, _v1, v2 = changed
	import os
	import sys
	from subprocess import run

	cmd = [
		sys.executable,
		"-m",
		"frappe_diagnostics.cli",
		"restore",
		stamp,
		"--bench",
		str(site.root),
		"--site",
		site.site,
	]
	done = run(
		cmd, input="some-other-site\n", capture_output=True, text=True, timeout=300, env=dict(os.environ)
	)
	assert done.returncode == 1, done.stderr
	assert (
		"Data written since then will be lost" in done.stderr
		and "Not confirmed: nothing was changed." in done.stderr
	)
	assert site.state() == v2 and leftovers(site) == [] and maintenance(site) == (None, None)
	assert not (site.site_path / "private/diagnostics/restore/current.json").exists()


@pytest.mark.parametrize(
	("prepare", "message"),
	[
		("truncated", "ends without MariaDB's '-- Dump completed' line"),
		("other-site", "is a backup of site 'other_site', not of {site}"),
		("wrong-credentials", "Cannot log in as root@"),
		("bad-tar", "is not a readable tar archive"),
		("unsafe-tar", "climbs out with '..': refused"),
	],
)
def test_a_restore_that_cannot_be_done_ends_with_its_reason_and_the_site_untouched(
	site, changed, tmp_path, prepare, message
):
	stamp, _v1, v2 = changed
	import gzip
	import subprocess

	files = site.set_files(stamp)
	env = None
	if prepare == "truncated":
		dump = next(p for n, p in files.items() if n.endswith(".sql.gz"))
		sql = gzip.decompress(dump.read_bytes())
		dump.write_bytes(gzip.compress(sql[: len(sql) // 2]))
	elif prepare == "other-site":
		for path in files.values():
			path.rename(path.with_name(path.name.replace(site.slug, "other_site")))
	elif prepare == "wrong-credentials":
		env = {"DIAG_DB_ROOT_USER": "root", "DIAG_DB_ROOT_PASSWORD": "certainly-wrong"}
	elif prepare == "bad-tar":
		tar = next(p for n, p in files.items() if n.endswith("-files.tar") and "private" not in n)
		tar.write_bytes(tar.read_bytes()[:1100])
	elif prepare == "unsafe-tar":
		tar = next(p for n, p in files.items() if n.endswith("-files.tar") and "private" not in n)
		evil = tmp_path / "evil.txt"
		evil.write_text("x")
		subprocess.run(
			[
				"tar",
				"-rf",
				str(tar),
				"--transform",
				f"s,^.*evil.txt,./{site.site}/public/files/../../../escaped.txt,",
				"-P",
				str(evil),
			],
			check=True,
		)
	done = restore(site, stamp, "--yes", *FAST, env=env)
	assert done.returncode == 2, (done.stdout, done.stderr)
	assert message.format(site=site.site) in done.stderr, done.stderr
	assert site.state() == v2 and leftovers(site) == [] and maintenance(site) == (None, None)
	assert not (site.root / "sites" / "escaped.txt").exists()


def _settled(site) -> None:
	"""A client killed after sending RENAME TABLE leaves the server to finish it; the tables' metadata locks
	keep every query out until then, but information_schema does not wait: wait for the statement."""
	deadline = time.monotonic() + 30
	while site.sql(
		"SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info LIKE 'RENAME TABLE%%'"
	)[0]["n"]:
		assert time.monotonic() < deadline, "a RENAME TABLE never finished"
		time.sleep(0.05)


def _kind(files: dict, kind: str) -> dict:
	return {k: v for k, v in files.items() if k.startswith(kind + "/")}


def _one_of(site, v1, v2) -> dict[str, str]:
	"""Each part of the site (database, public files, private files) is wholly old or wholly new."""
	_settled(site)
	db, files = site.state()
	assert db in (v1[0], v2[0]), "the database is a mix of old and new tables"
	parts = {"database": "new" if db == v1[0] else "old"}
	for kind in ("public", "private"):
		now = _kind(files, kind)
		assert now in (_kind(v1[1], kind), _kind(v2[1], kind)), f"{kind}/files is a mix of old and new files"
		parts[kind] = "new" if now == _kind(v1[1], kind) else "old"
	return parts


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS)
def test_killed_at_any_stage_the_site_is_old_or_new_and_a_rerun_finishes(site, changed, fault):
	stamp, v1, v2 = changed
	killed = restore(site, stamp, "--yes", *FAST, env={"DIAG_RECOVERY_FAULT": fault})
	assert killed.returncode == -signal.SIGKILL, killed.stderr
	parts = _one_of(site, v1, v2)
	if set(parts.values()) != {"old"} and fault != "after:maintenance_off":
		assert maintenance(site) == (1, 1), f"{parts} outside maintenance mode"
	rerun = restore(site, "--yes", *FAST)
	assert rerun.returncode == 0, rerun.stderr
	assert site.state() == v1 and maintenance(site) == (None, None)
	journal = json.loads((site.site_path / "private/diagnostics/restore/current.json").read_text())
	assert leftovers(site) == [journal["holding"]]


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS)
def test_killed_at_any_stage_rollback_puts_the_old_site_back(site, changed, fault):
	stamp, v1, v2 = changed
	killed = restore(site, stamp, "--yes", *FAST, env={"DIAG_RECOVERY_FAULT": fault})
	assert killed.returncode == -signal.SIGKILL, killed.stderr
	_one_of(site, v1, v2)
	back = restore(site, "--rollback", "--yes")
	assert back.returncode == 0, back.stderr
	assert site.state() == v2 and leftovers(site) == [] and maintenance(site) == (None, None)


@pytest.mark.slow
@pytest.mark.parametrize(
	"fault", ["during:rollback_db", "after:undo_db", "during:rollback_files", "after:undo_files"]
)
def test_a_rollback_killed_midway_is_finished_by_the_next_rollback(site, changed, fault):
	stamp, v1, v2 = changed
	assert restore(site, stamp, "--yes", *FAST).returncode == 0
	killed = restore(site, "--rollback", "--yes", env={"DIAG_RECOVERY_FAULT": fault})
	assert killed.returncode == -signal.SIGKILL, killed.stderr
	_one_of(site, v1, v2)
	back = restore(site, "--rollback", "--yes")
	assert back.returncode == 0, back.stderr
	assert site.state() == v2 and leftovers(site) == []
