"""A full disk, for real: a private MariaDB server whose tablespace may not grow past 40 MB (a database
size limit), and a tiny tmpfs mounted where the restore writes its safety backup (a small filesystem).
Each ends with a clear message and the live site untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pymysql
import pytest
from conftest import free_port
from recovery_site import RecoverySite

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.recovery.verify import diagnose_verification

LIMIT = [
	"--innodb-file-per-table=0",
	"--innodb-data-file-path=ibdata1:12M:autoextend:max:40M",
	"--innodb-log-file-size=4M",
]


@pytest.fixture
def limited_server(tmp_path):
	"""A MariaDB server of its own whose data may not grow past 40 MB."""
	install, server = shutil.which("mariadb-install-db"), shutil.which("mariadbd") or "/usr/sbin/mariadbd"
	if not install or not os.path.exists(server):
		pytest.skip("mariadb-install-db/mariadbd are not installed here (apt-get install mariadb-server)")
	data, port = tmp_path / "limited-data", free_port()
	user = ["--user=root"] if os.geteuid() == 0 else []
	subprocess.run(
		[
			install,
			"--no-defaults",
			f"--datadir={data}",
			*user,
			"--auth-root-authentication-method=normal",
			"--skip-test-db",
			*LIMIT,
		],
		check=True,
		capture_output=True,
	)
	proc = subprocess.Popen(
		[
			server,
			"--no-defaults",
			f"--datadir={data}",
			*user,
			f"--port={port}",
			"--bind-address=127.0.0.1",
			f"--socket={tmp_path}/limited.sock",
			"--skip-log-bin",
			"--innodb-buffer-pool-size=32M",
			f"--log-error={tmp_path}/limited.err",
			*LIMIT,
		],
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
	)
	params = {"host": "127.0.0.1", "port": port, "user": "root", "password": ""}
	for _ in range(150):
		try:
			pymysql.connect(**params).close()
			break
		except pymysql.err.OperationalError:
			time.sleep(0.1)
	yield params
	proc.terminate()
	proc.wait(30)


@pytest.fixture
def site_on_limited_server(tmp_path, limited_server):
	site = RecoverySite(tmp_path / "frappe-bench", server=limited_server)
	site.sql(
		"INSERT INTO `tabVersion` SELECT CONCAT('v', seq), NOW(6), 'Note', 'x', REPEAT('z', 150) FROM seq_1_to_60000"
	)
	yield site
	site.cleanup()


def test_a_database_size_limit_ends_verification_and_restore_untouched(site_on_limited_server):
	site = site_on_limited_server
	stamp = site.backup()
	before = site.state()
	d = diagnose_verification(site.context(), stamp)
	restore = next(s for s in d.steps if s.check_id == "backup.restore")
	assert restore.status is Status.CRITICAL
	assert restore.summary.startswith("The database server ran out of space while restoring (ERROR 1114"), (
		restore.summary
	)
	assert next(s for s in d.steps if s.check_id == "backup.cleanup").status is Status.OK
	done = site.cli("restore", stamp, "--yes", "--job-timeout", "1")
	assert done.returncode == 2 and "The database server ran out of space while restoring" in done.stderr, (
		done.stderr
	)
	assert site.state() == before and site.diag_databases() == []
	assert site.conf().get("maintenance_mode") is None


def _mount_tmpfs(path, size: str) -> list[str]:
	prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
	done = subprocess.run(
		[*prefix, "mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
		capture_output=True,
		text=True,
	)
	if done.returncode != 0:
		pytest.skip(f"cannot mount a tmpfs here (needs root or sudo): {done.stderr.strip()}")
	return prefix


def test_a_full_filesystem_stops_the_restore_at_its_safety_backup_untouched(tmp_path):
	site = RecoverySite(tmp_path / "frappe-bench")
	try:
		stamp = site.backup()
		before = site.state()
		saved = tmp_path / "set"
		shutil.copytree(site.backups, saved)
		prefix = _mount_tmpfs(site.backups, "2m")
		try:
			for path in saved.iterdir():
				shutil.copy(path, site.backups / path.name)
			filler = site.backups / "filler"
			with open(filler, "wb", buffering=0) as f:  # the filesystem is full
				try:
					while True:
						f.write(b"\0" * 4096)
				except OSError:
					pass
			done = site.cli("restore", stamp, "--yes", "--job-timeout", "1")
			assert done.returncode == 2, done.stderr
			assert (
				"Could not write the safety backup in" in done.stderr
				and "No space left on device" in done.stderr
			), done.stderr
			assert "The restore was undone: the live site is as it was." in done.stderr
			assert site.state() == before and site.diag_databases() == []
			assert site.conf().get("maintenance_mode") is None
			assert not [p for p in site.backups.iterdir() if p.name.endswith(".partial")]
		finally:
			subprocess.run([*prefix, "umount", str(site.backups)], check=False)
	finally:
		site.cleanup()
