"""verify-backup against real dumps: restored into a scratch database, compared, dropped — also when it
fails or is killed; the live database is never written."""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from recovery_site import KEY, made

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.recovery import scratch
from frappe_diagnostics.recovery.verify import diagnose_verification


@pytest.fixture
def site(tmp_path):
	yield from made(tmp_path)


def steps(d):
	return {s.check_id: s for s in d.steps}


def scratch_left(site) -> list[str]:
	return [d for d in site.diag_databases() if d.startswith(scratch.site_prefix(scratch.SCRATCH, site.site))]


def rewrite_dump(site, stamp, change) -> Path:
	dump = next(p for n, p in site.set_files(stamp).items() if n.endswith(".sql.gz"))
	dump.write_bytes(gzip.compress(change(gzip.decompress(dump.read_bytes()))))
	return dump


def test_a_good_backup_is_verified_with_its_restore_time_and_the_scratch_is_dropped(site):
	stamp = site.backup()
	before = site.checksums()
	d = diagnose_verification(site.context())
	by_id = steps(d)
	assert d.verdict.startswith(f"Verified: set {stamp} restores in "), d.verdict
	assert [s.check_id for s in d.steps] == [
		"backup.set",
		"backup.key",
		"backup.files",
		"backup.restore",
		"backup.tables",
		"backup.rows",
		"backup.core",
		"backup.apps",
		"backup.cleanup",
	]
	assert all(s.status is Status.OK for s in d.steps), [
		(s.check_id, s.summary) for s in d.steps if s.status is not Status.OK
	]
	assert by_id["backup.restore"].metric("restore_time") > 0
	assert by_id["backup.rows"].summary.endswith("0 table(s) differ.")
	assert scratch_left(site) == [] and site.checksums() == before
	assert d.inputs == {"set": stamp}


def test_row_differences_and_a_table_emptied_in_the_backup_are_findings(site):
	site.sql("DELETE FROM `tabVersion`")
	stamp = site.backup()
	site.sql("INSERT INTO `tabVersion` SELECT CONCAT('v', seq), NOW(6), 'Note', 'x', '{}' FROM seq_1_to_150")
	site.add_note("NOTE-LATER", "written after the backup")
	d = diagnose_verification(site.context(), stamp)
	rows = steps(d)["backup.rows"]
	assert rows.status is Status.WARNING
	assert rows.summary == "1 table(s) are empty in the backup but not live: tabVersion (150 live)."
	differing = rows.findings[-1].evidence
	assert differing["tabNote"] == {"backup": 40, "live": 41} and differing["tabVersion"] == {
		"backup": 0,
		"live": 150,
	}


def test_a_doctype_table_missing_from_the_backup_and_a_missing_app_are_critical(site):
	stamp = site.backup()
	rewrite_dump(
		site,
		stamp,
		lambda sql: sql.replace(b"`tabNote Item`", b"`tabNote Item Renamed`").replace(
			b'[\\"frappe\\"]', b'[\\"frappe\\", \\"erpnext\\"]'
		),
	)
	d = diagnose_verification(site.context(), stamp)
	by_id = steps(d)
	assert by_id["backup.tables"].status is Status.CRITICAL
	assert by_id["backup.tables"].summary == "1 DocType table(s) are missing from the backup: tabNote Item."
	assert by_id["backup.apps"].status is Status.CRITICAL
	assert "apps missing from the bench: erpnext" in by_id["backup.apps"].summary
	assert d.verdict.startswith("NOT VERIFIED: 1 DocType table(s) are missing")


def test_a_doctype_json_newer_than_the_backup_says_a_restore_migrates(site):
	site.sql("ALTER TABLE `tabDocType` ADD COLUMN modified datetime(6)")
	site.sql("UPDATE `tabDocType` SET modified = '2026-01-01 00:00:00'")
	stamp = site.backup()
	folder = site.root / "apps" / "frappe" / "frappe" / "core" / "doctype" / "note"
	folder.mkdir(parents=True)
	(folder / "note.json").write_text(
		json.dumps({"doctype": "DocType", "name": "Note", "modified": "2026-01-01 00:00:00"})
	)
	assert steps(diagnose_verification(site.context(), stamp))["backup.apps"].metric("doctypes_behind") == 0
	(folder / "note.json").write_text(
		json.dumps({"doctype": "DocType", "name": "Note", "modified": "2026-06-01 00:00:00"})
	)
	apps = steps(diagnose_verification(site.context(), stamp))["backup.apps"]
	assert (
		apps.summary
		== "1 app(s), all in the bench. 1 DocType(s) of the code are newer than the backup (Note): a restore migrates."
	)


def test_a_backup_older_than_the_code_says_a_restore_migrates(site):
	stamp = site.backup()
	patches = site.root / "apps" / "frappe" / "frappe" / "patches.txt"
	patches.write_text(patches.read_text() + "frappe.patches.v15_0.three\n")
	apps = steps(diagnose_verification(site.context(), stamp))["backup.apps"]
	assert apps.status is Status.OK
	assert (
		apps.summary
		== "1 app(s), all in the bench. 1 patch(es) of the code have not run in the backup: a restore migrates."
	)


@pytest.mark.parametrize(
	("damage", "message"),
	[
		(lambda sql: sql[: len(sql) * 2 // 3], "ends without MariaDB's '-- Dump completed' line"),
		(
			lambda sql: sql.replace(b"INSERT INTO `tabNote` VALUES", b"INSERT INTO `tabNote` VALUES (((", 1),
			"The dump does not load: ERROR 1064",
		),
	],
	ids=["truncated", "corrupt-sql"],
)
def test_a_damaged_dump_fails_with_its_reason_and_leaves_nothing(site, damage, message):
	stamp = site.backup()
	rewrite_dump(site, stamp, damage)
	before = site.checksums()
	d = diagnose_verification(site.context(), stamp)
	restore = steps(d)["backup.restore"]
	assert restore.status is Status.CRITICAL and message in restore.summary, restore.summary
	assert steps(d)["backup.cleanup"].status is Status.OK
	assert scratch_left(site) == [] and site.checksums() == before


def test_a_dump_that_names_the_live_database_cannot_write_there(site):
	stamp = site.backup()
	attack = f"INSERT INTO `{site.db}`.`tabNote` (name, title) VALUES ('PWNED', 'x');\n".encode()
	rewrite_dump(site, stamp, lambda sql: sql.replace(b"-- Dump completed", attack + b"-- Dump completed"))
	before = site.checksums()
	d = diagnose_verification(site.context(), stamp)
	assert steps(d)["backup.restore"].status is Status.CRITICAL
	assert "denied" in steps(d)["backup.restore"].summary
	assert site.checksums() == before and site.sql("SELECT name FROM `tabNote` WHERE name = 'PWNED'") == []


def test_a_dump_with_a_client_shell_command_is_refused(site, tmp_path):
	stamp = site.backup()
	marker = tmp_path / "shell-ran"
	rewrite_dump(
		site,
		stamp,
		lambda sql: sql.replace(
			b"-- Dump completed", f"\\! touch {marker}\n".encode() + b"-- Dump completed"
		),
	)
	restore = steps(diagnose_verification(site.context(), stamp))["backup.restore"]
	assert restore.status is Status.CRITICAL and "client command" in restore.summary
	assert not marker.exists()


def test_a_set_of_another_site_is_refused_by_name(site):
	stamp = site.backup(slug="other_site")
	d = diagnose_verification(site.context(), stamp)
	assert (
		steps(d)["backup.set"].summary
		== f"Set {stamp} is a backup of site 'other_site', not of {site.site}: its data would replace this site's with another site's."
	)
	assert scratch_left(site) == []


def test_wrong_or_missing_root_credentials_are_named(site, monkeypatch):
	site.backup()
	monkeypatch.delenv("DIAG_DB_ROOT_USER", raising=False)
	monkeypatch.delenv("DIAG_DB_ROOT_PASSWORD", raising=False)
	d = diagnose_verification(site.context(), db_root_username="nobody", db_root_password="wrong-secret-pw")
	root = steps(d)["backup.root"]
	assert root.status is Status.CRITICAL and root.summary.startswith("Cannot log in as nobody@")
	common = site.root / "sites" / "common_site_config.json"
	conf = json.loads(common.read_text())
	conf.pop("root_login"), conf.pop("root_password")
	common.write_text(json.dumps(conf))
	root = steps(diagnose_verification(site.context()))["backup.root"]
	assert root.summary.startswith("No database account that may create databases is configured")


def test_encrypted_sets_open_with_the_sites_key_or_the_sets_own_config_and_else_name_the_key(site):
	stamp = site.backup(encrypted=True)
	assert (
		steps(diagnose_verification(site.context(), stamp))["backup.key"].summary
		== "Opened with the backup_encryption_key in site_config.json."
	)
	site.set_conf(backup_encryption_key="not-the-key")
	key = steps(diagnose_verification(site.context(), stamp))["backup.key"]
	assert (
		key.summary
		== f"Opened with the backup_encryption_key in {stamp}-{site.slug}-site_config_backup-enc.json."
	)
	config = next(p for n, p in site.set_files(stamp).items() if n.endswith(".json"))
	config.write_text(json.dumps({"db_name": "x"}))
	key = steps(diagnose_verification(site.context(), stamp))["backup.key"]
	assert key.status is Status.CRITICAL
	assert "none of the keys tried opens it (backup_encryption_key in site_config.json)" in key.summary


def cli(site, *args, env=None):
	cmd = [
		sys.executable,
		"-m",
		"frappe_diagnostics.cli",
		"verify-backup",
		*args,
		"--bench",
		str(site.root),
		"--site",
		site.site,
		"--json",
	]
	return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_a_killed_verification_leaves_a_scratch_database_that_the_next_run_drops(site):
	import os

	stamp = site.backup()
	killed = cli(site, stamp, env={**os.environ, "DIAG_RECOVERY_FAULT": "during:scratch_load"})
	killed.communicate(timeout=120)
	assert killed.returncode == -signal.SIGKILL
	left = scratch_left(site)
	assert len(left) == 1
	done = cli(site, stamp)
	out, err = done.communicate(timeout=120)
	data = json.loads(out)
	cleanup = next(r for r in data["results"] if r["check_id"] == "backup.cleanup")
	assert "1 leftover(s) of interrupted runs dropped" in cleanup["summary"]
	assert cleanup["findings"][0]["evidence"]["databases"] == left
	assert scratch_left(site) == [] and done.returncode == 0, err


def test_an_interrupted_verification_drops_its_scratch_database(site):
	site.sql(
		"INSERT INTO `tabVersion` SELECT CONCAT('v', seq), NOW(6), 'Note', 'x', REPEAT('z', 200) FROM seq_1_to_300000"
	)
	stamp = site.backup()
	proc = cli(site, stamp)
	deadline = time.monotonic() + 60
	while time.monotonic() < deadline and not _loading(site):
		time.sleep(0.05)
	assert _loading(site), "the verification never started loading"
	proc.send_signal(signal.SIGTERM)
	proc.communicate(timeout=60)
	assert scratch_left(site) == []


def _loading(site) -> bool:
	for name in scratch_left(site):
		if site.sql("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = %s", (name,))[
			0
		]["n"]:
			return True
	return False


def test_the_cli_exit_code_and_json_follow_the_verdict(site):
	stamp = site.backup()
	done = cli(site, stamp)
	out, err = done.communicate(timeout=120)
	assert done.returncode == 0, err
	data = json.loads(out)
	assert data["kind"] == "Backup Verification" and data["verdict"].startswith(f"Verified: set {stamp}")
	assert KEY not in out and site.password not in out


def test_the_password_reaches_the_client_through_a_pipe_never_a_command_line_or_the_disk(tmp_path):
	import os
	import tempfile

	from frappe_diagnostics.recovery import dbroot

	account = dbroot.RootAccount(
		"root", 'pw "quoted" \\ secret-123', "test", {"host": "127.0.0.1", "port": 3306}
	)
	before = set(os.listdir(tempfile.gettempdir()))
	with dbroot.defaults_file(account) as options:
		args = dbroot.client_args(options, "--batch", "somedb")
		assert "secret-123" not in " ".join(args)
		assert options.path == f"/dev/fd/{options.fds[0]}"
		written = os.read(options.fds[0], 4096).decode()
	assert 'password="pw \\"quoted\\" \\\\ secret-123"' in written
	assert set(os.listdir(tempfile.gettempdir())) == before
