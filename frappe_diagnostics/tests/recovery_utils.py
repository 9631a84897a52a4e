"""Helpers of the recovery bench tests: real backups with `bench backup`, and a second, throw-away site of
this bench (a copy of this one's data) that restores can replace while this site runs the tests."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import frappe
from frappe.utils import get_bench_path

from frappe_diagnostics.recovery import dbroot, loader, scratch
from frappe_diagnostics.recovery.streams import open_plain
from frappe_diagnostics.site.context import FrappeContext
from frappe_diagnostics.tests.utils import bench_command

STAMP = re.compile(r"(\d{8}_\d{6})-[^/\s]+-database(?:-enc)?\.sql\.gz")


def take_backup(*args: str, site_runner=bench_command) -> str:
	"""`bench --site S backup …` for real; returns the new set's stamp."""
	done = site_runner("backup", *args)
	assert done.returncode == 0, done.stdout + done.stderr
	return STAMP.search(done.stdout).group(1)


def root_account() -> dbroot.RootAccount:
	return dbroot.find_account(FrappeContext())


class TargetSite:
	"""A site folder and database of its own, loaded from a real backup of this site."""

	def __init__(self):
		self.name = f"recovery_target_{secrets.token_hex(3)}"
		self.path = Path(get_bench_path()) / "sites" / self.name
		self.db = f"_rt_{secrets.token_hex(6)}"
		self.password = secrets.token_urlsafe(12)
		self.account = root_account()
		stamp = take_backup()
		dump = next((Path(frappe.get_site_path("private", "backups"))).glob(f"{stamp}-*-database*.sql.gz"))
		conn = dbroot.connect(self.account)
		try:
			with conn.cursor() as cur:
				cur.execute(
					f"CREATE DATABASE {scratch.quote(self.db)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
				)
				for host in ("%", "localhost"):
					cur.execute("CREATE USER %s@%s IDENTIFIED BY %s", (self.db, host, self.password))
					cur.execute(
						f"GRANT ALL PRIVILEGES ON {scratch.quote(self.db)}.* TO %s@%s", (self.db, host)
					)
			with open_plain(dump, frappe.conf.get("backup_encryption_key")) as reader:
				loader.load(reader, self.db, conn, self.account)
		finally:
			conn.close()
		for folder in ("public/files", "private/files", "private/backups", "locks", "logs"):
			(self.path / folder).mkdir(parents=True, exist_ok=True)
		conf = {
			"db_name": self.db,
			"db_password": self.password,
			"db_type": "mariadb",
			"encryption_key": frappe.conf.encryption_key,
		}
		(self.path / "site_config.json").write_text(json.dumps(conf, indent=1))
		self.write_file("public", "target.txt", "v1")

	def write_file(self, kind: str, name: str, text: str) -> None:
		(self.path / kind / "files" / name).write_text(text)

	def read_file(self, kind: str, name: str) -> str | None:
		path = self.path / kind / "files" / name
		return path.read_text() if path.exists() else None

	def bench(self, *args: str, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
		cmd = [sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", self.name, *args]
		return subprocess.run(
			cmd,
			cwd=f"{get_bench_path()}/sites",
			capture_output=True,
			text=True,
			timeout=timeout,
			env={**os.environ, **(env or {})},
		)

	def sql(self, query: str, args=None) -> list:
		conn = dbroot.connect(self.account, database=self.db)
		try:
			with conn.cursor() as cur:
				cur.execute(query, args)
				return list(cur.fetchall())
		finally:
			conn.close()

	def conf(self) -> dict:
		return json.loads((self.path / "site_config.json").read_text())

	def ours(self) -> list[str]:
		conn = dbroot.connect(self.account)
		try:
			return [
				d
				for p in scratch.PREFIXES
				for d in scratch.databases_like(conn, scratch.site_prefix(p, self.name))
			]
		finally:
			conn.close()

	def cleanup(self) -> None:
		conn = dbroot.connect(self.account)
		try:
			for database in [self.db, *self.ours()]:
				scratch.drop_database(conn, database)
			with conn.cursor() as cur:
				for host in ("%", "localhost"):
					cur.execute("DROP USER IF EXISTS %s@%s", (self.db, host))
		finally:
			conn.close()
		shutil.rmtree(self.path, ignore_errors=True)
