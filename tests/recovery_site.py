"""A Frappe-shaped site for the recovery tests: its own database (tables, a child table, a sequence, hostile
values), a bench folder with files, and real backups made the way Frappe makes them (mariadb-dump piped
through gzip after Frappe's metadata header; `tar` of the files folders; GnuPG symmetric encryption).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pymysql
from conftest import DB_HOST, DB_PORT, DB_ROOT_PASSWORD, DB_ROOT_USER, REDIS_URL

from frappe_diagnostics.engine.context import StandaloneContext
from frappe_diagnostics.engine.registry import registry
from frappe_diagnostics.recovery.dbroot import RootAccount, defaults_file
from frappe_diagnostics.recovery.scratch import drop_database

HOSTILE = [
	"O'Brien; DROP TABLE `tabNote`; --",
	'a "quoted" \\ backslash\\n not a newline',
	"two\nlines\r\nand\ttab),(  'x'",
	"unicode ✓ 日本語 🎉",
	"x" * 70_000,
]
PATCHES = ["frappe.patches.v15_0.one", "frappe.patches.v15_0.two"]
DOCTYPES = [  # name, istable, issingle
	("DocType", 0, 0),
	("DocField", 1, 0),
	("Custom Field", 0, 0),
	("User", 0, 0),
	("Has Role", 1, 0),
	("DefaultValue", 0, 0),
	("Installed Application", 1, 0),
	("Patch Log", 0, 0),
	("Note", 0, 0),
	("Note Item", 1, 0),
	("Deleted Document", 0, 0),
	("Version", 0, 0),
	("Activity Log", 0, 0),
	("Error Log", 0, 0),
	("Scheduled Job Log", 0, 0),
	("System Settings", 0, 1),
]
TABLES = [
	"CREATE TABLE `tabDocType` (name varchar(140) PRIMARY KEY, module varchar(140), istable int DEFAULT 0, issingle int DEFAULT 0, is_virtual int DEFAULT 0)",
	"CREATE TABLE `tabDocField` (name varchar(140) PRIMARY KEY, parent varchar(140), parenttype varchar(140), parentfield varchar(140), idx int, fieldname varchar(140), fieldtype varchar(140), options text)",
	"CREATE TABLE `tabCustom Field` (name varchar(140) PRIMARY KEY, dt varchar(140), fieldname varchar(140), fieldtype varchar(140), options text)",
	"CREATE TABLE `tabUser` (name varchar(140) PRIMARY KEY, creation datetime(6), modified datetime(6), enabled int DEFAULT 1, email varchar(140))",
	"CREATE TABLE `tabHas Role` (name varchar(140) PRIMARY KEY, parent varchar(140), parenttype varchar(140), parentfield varchar(140), idx int, role varchar(140))",
	"CREATE TABLE `tabDefaultValue` (name varchar(140) PRIMARY KEY, creation datetime(6), parent varchar(140), defkey varchar(140), defvalue text)",
	"CREATE TABLE `tabSingles` (doctype varchar(140), field varchar(140), value text, KEY singles_doctype_field (doctype, field))",
	"CREATE TABLE `__Auth` (doctype varchar(140), name varchar(255), fieldname varchar(140), password text, encrypted int(1) NOT NULL DEFAULT 0, PRIMARY KEY (doctype, name, fieldname))",
	"CREATE TABLE `tabInstalled Application` (name varchar(140) PRIMARY KEY, app_name varchar(140), app_version varchar(140), idx int)",
	"CREATE TABLE `tabPatch Log` (name varchar(140) PRIMARY KEY, patch text)",
	"CREATE TABLE `tabNote` (name varchar(140) PRIMARY KEY, creation datetime(6), modified datetime(6), title varchar(140), content longtext, amount decimal(21,9), blob_data longblob)",
	"CREATE TABLE `tabNote Item` (name varchar(140) PRIMARY KEY, parent varchar(140), parenttype varchar(140), parentfield varchar(140), idx int, item varchar(140), qty int)",
	"CREATE TABLE `tabDeleted Document` (name varchar(140) PRIMARY KEY, creation datetime(6), owner varchar(140), deleted_doctype varchar(140), deleted_name varchar(140), data longtext, restored int DEFAULT 0)",
	"CREATE TABLE `tabVersion` (name varchar(140) PRIMARY KEY, creation datetime(6), ref_doctype varchar(140), docname varchar(140), data longtext)",
	"CREATE TABLE `tabActivity Log` (name varchar(140) PRIMARY KEY, creation datetime(6), operation varchar(140), subject text)",
	"CREATE TABLE `tabError Log` (name varchar(140) PRIMARY KEY, creation datetime(6), method varchar(140), error longtext)",
	"CREATE TABLE `tabScheduled Job Log` (name varchar(140) PRIMARY KEY, creation datetime(6), status varchar(20), scheduled_job_type varchar(140))",
	"CREATE SEQUENCE `note_item_id_seq` START WITH 1 INCREMENT BY 1 NOCACHE",
]
KEY = "test-backup-key-" + "k" * 20


class RecoverySite:
	def __init__(self, root: Path, site: str | None = None, server: dict | None = None):
		# a name of its own: other test runs on the same server restore their own rec*.local at once,
		# and scratch databases are named by the site (recovery/scratch.py)
		self.root, self.site = root, site or f"rec{secrets.token_hex(3)}.local"
		self.slug = self.site.replace(".", "_")
		self.server = server or {
			"host": DB_HOST,
			"port": DB_PORT,
			"user": DB_ROOT_USER,
			"password": DB_ROOT_PASSWORD,
		}
		self.db = f"_diagrec_{secrets.token_hex(4)}"
		self.password = f"pw-{secrets.token_urlsafe(10)}"
		self.site_path = root / "sites" / self.site
		self.backups = self.site_path / "private" / "backups"
		self.bench_id = f"diagrec-{secrets.token_hex(4)}"
		self._make_database()
		self._make_bench()

	# --- building ----------------------------------------------------------------------------------
	def sql(self, query: str, args=None, database: str | None = None) -> list[dict]:
		conn = self.root_connection(database=database or self.db, cursorclass=pymysql.cursors.DictCursor)
		try:
			with conn.cursor() as cur:
				cur.execute(query, args)
				return list(cur.fetchall())
		finally:
			conn.close()

	def root_connection(self, **kw):
		return pymysql.connect(autocommit=True, **self.server, **kw)

	def _make_database(self):
		root = self.root_connection()
		with root.cursor() as cur:
			cur.execute(f"CREATE DATABASE `{self.db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
			for host in ("%", "localhost"):
				cur.execute(
					f"CREATE USER '{self.db}'@'{host.replace('%', '%%')}' IDENTIFIED BY %s", (self.password,)
				)
				cur.execute(f"GRANT ALL PRIVILEGES ON `{self.db}`.* TO '{self.db}'@'{host}'")
		root.close()
		for ddl in TABLES:
			self.sql(ddl)
		for name, istable, issingle in DOCTYPES:
			self.sql("INSERT INTO `tabDocType` VALUES (%s, 'Core', %s, %s, 0)", (name, istable, issingle))
		self.sql(
			"INSERT INTO `tabDocField` VALUES ('df1', 'Note', 'DocType', 'fields', 1, 'items', 'Table', 'Note Item')"
		)
		self.sql(
			"INSERT INTO `tabUser` VALUES ('Administrator', NOW(6), NOW(6), 1, 'admin@example.com'), ('Guest', NOW(6), NOW(6), 1, 'guest@example.com')"
		)
		self.sql(
			"INSERT INTO `tabHas Role` VALUES ('hr1', 'Administrator', 'User', 'roles', 1, 'System Manager')"
		)
		self.sql("INSERT INTO `__Auth` VALUES ('User', 'Administrator', 'password', 'hash', 0)")
		self.sql(
			"INSERT INTO `tabDefaultValue` VALUES ('dv1', NOW(6), '__global', 'installed_apps', %s)",
			(json.dumps(["frappe"]),),
		)
		self.sql(
			"INSERT INTO `tabSingles` VALUES ('System Settings', 'enable_scheduler', '1'), ('System Settings', 'time_zone', 'UTC')"
		)
		self.sql("INSERT INTO `tabInstalled Application` VALUES ('ia1', 'frappe', '15.55.1', 1)")
		for i, patch in enumerate(PATCHES):
			self.sql("INSERT INTO `tabPatch Log` VALUES (%s, %s)", (f"pl{i}", patch))
		for i, text in enumerate(HOSTILE):
			self.add_note(f"NOTE-{i:04d}", text, items=2)
		for i in range(5, 40):
			self.add_note(f"NOTE-{i:04d}", f"plain note {i}", items=1)

	def add_note(self, name: str, content: str, items: int = 1, title: str = "a title"):
		self.sql(
			"INSERT INTO `tabNote` VALUES (%s, NOW(6), NOW(6), %s, %s, 12.5, %s)",
			(name, title, content, bytes([0, 10, 13, 39, 92, 255, 26])),
		)
		for i in range(items):
			self.sql(
				"INSERT INTO `tabNote Item` VALUES (%s, %s, 'Note', 'items', %s, %s, %s)",
				(f"{name}-item-{i}", name, i + 1, f"item {i} of {name}", i + 1),
			)

	def _make_bench(self):
		frappe_pkg = self.root / "apps" / "frappe" / "frappe"
		for folder in (
			frappe_pkg,
			self.root / "logs",
			self.site_path / "public" / "files",
			self.site_path / "private" / "files",
			self.root / "sites" / "assets",
		):
			folder.mkdir(parents=True, exist_ok=True)
		(frappe_pkg / "__init__.py").write_text('__version__ = "15.55.1"\n')
		(frappe_pkg / "hooks.py").write_text('app_name = "frappe"\n')
		(frappe_pkg / "patches.txt").write_text("[pre_model_sync]\n" + "\n".join(PATCHES) + "\n")
		(self.root / "sites" / "apps.txt").write_text("frappe\n")
		(self.root / "sites" / "assets" / "assets.json").write_text("{}")
		common = {
			"redis_cache": REDIS_URL,
			"redis_queue": REDIS_URL,
			"bench_id": self.bench_id,
			"root_login": self.server["user"],
			"root_password": self.server["password"],
		}
		(self.root / "sites" / "common_site_config.json").write_text(json.dumps(common, indent=1))
		conf = {
			"db_name": self.db,
			"db_password": self.password,
			"db_host": self.server["host"],
			"db_port": self.server["port"],
			"encryption_key": "e" * 32,
			"backup_encryption_key": KEY,
		}
		(self.site_path / "site_config.json").write_text(json.dumps(conf, indent=1))
		self.write_file("public", "hello.txt", "public v1")
		self.write_file("public", "sub/deeper.txt", "deeper v1")
		self.write_file("private", "secret.txt", "private v1")

	def write_file(self, kind: str, relative: str, text: str):
		path = self.site_path / kind / "files" / relative
		path.parent.mkdir(parents=True, exist_ok=True)
		path.write_text(text)

	def conf(self) -> dict:
		return json.loads((self.site_path / "site_config.json").read_text())

	def set_conf(self, **values):
		conf = self.conf()
		conf.update(values)
		(self.site_path / "site_config.json").write_text(json.dumps(conf, indent=1))

	def context(self) -> StandaloneContext:
		ctx = StandaloneContext(self.root, self.site)
		ctx.load_settings()
		registry.load_hooks(ctx.hook_entries)
		return ctx

	# --- backups -----------------------------------------------------------------------------------
	def stamp(self, hours_ago: float = 0) -> str:
		return (datetime.utcnow() - timedelta(hours=hours_ago)).strftime("%Y%m%d_%H%M%S")

	def backup(
		self, hours_ago: float = 0, encrypted: bool = False, files: bool = True, slug: str | None = None
	) -> str:
		"""A real backup set, named as Frappe names it (the site's time zone is UTC here)."""
		stamp = self.stamp(hours_ago)
		base = self.backups / f"{stamp}-{slug or self.slug}"
		enc = "-enc" if encrypted else ""
		self.backups.mkdir(parents=True, exist_ok=True)
		dump = Path(f"{base}-database{enc}.sql.gz")
		with gzip.open(dump, "wt") as f:
			f.write(
				"-- begin frappe metadata\n-- [frappe]\n-- version = 15.55.1\n-- branch = version-15\n-- end frappe metadata\n-- \n"
			)
		account = RootAccount(
			self.server["user"],
			self.server["password"],
			"tests",
			{"host": self.server["host"], "port": self.server["port"]},
		)
		with open(dump, "ab") as out, defaults_file(account) as options:
			args = [
				"mariadb-dump",
				f"--defaults-extra-file={options.path}",
				"--single-transaction",
				"--quick",
				"--lock-tables=false",
				self.db,
			]
			mysqldump = subprocess.Popen(args, stdout=subprocess.PIPE, pass_fds=options.fds)
			subprocess.run(["gzip", "-c"], stdin=mysqldump.stdout, stdout=out, check=True)
			assert mysqldump.wait() == 0
		shutil.copyfile(self.site_path / "site_config.json", f"{base}-site_config_backup{enc}.json")
		made = [dump]
		if files:
			for kind, name in (("public", "files"), ("private", "private-files")):
				tar = Path(f"{base}-{name}{enc}.tar")
				subprocess.run(
					["tar", "-cf", str(tar), f"./{self.site}/{kind}/files"],
					cwd=self.root / "sites",
					check=True,
				)
				made.append(tar)
		if encrypted:
			for path in made:
				encrypt(path, KEY)
		return stamp

	def set_files(self, stamp: str) -> dict[str, Path]:
		return {p.name: p for p in self.backups.glob(f"{stamp}-*")}

	# --- state -------------------------------------------------------------------------------------
	def checksums(self) -> dict[str, int]:
		"""CHECKSUM TABLE of every base table: equal dicts mean the same data in the same tables."""
		tables = [
			r["t"]
			for r in self.sql(
				"SELECT table_name AS t FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
				(self.db,),
			)
		]
		out = {}
		for table in tables:
			row = self.sql(f"CHECKSUM TABLE `{table}`")[0]
			out[table] = row["Checksum"]
		return out

	def files_digest(self) -> dict[str, str]:
		out = {}
		for kind in ("public", "private"):
			folder = self.site_path / kind / "files"
			for path in sorted(folder.rglob("*")) if folder.exists() else []:
				if path.is_file():
					out[f"{kind}/{path.relative_to(folder)}"] = hashlib.sha1(path.read_bytes()).hexdigest()
		return out

	def state(self) -> tuple[dict, dict]:
		return self.checksums(), self.files_digest()

	def diag_databases(self) -> list[str]:
		"""This site's scratch, incoming and holding databases (never another test run's)."""
		from frappe_diagnostics.recovery.scratch import PREFIXES, site_prefix

		likes = [site_prefix(prefix, self.site).replace("_", "\\_") + "%" for prefix in PREFIXES]
		query = "SELECT schema_name AS d FROM information_schema.schemata WHERE " + " OR ".join(
			["schema_name LIKE %s"] * len(likes)
		)
		return [r["d"] for r in self.sql(query, likes)]

	def cli(self, *args, env=None, timeout=300):
		cmd = [
			sys.executable,
			"-m",
			"frappe_diagnostics.cli",
			*args,
			"--bench",
			str(self.root),
			"--site",
			self.site,
		]
		full_env = {**os.environ, **(env or {})}
		return subprocess.run(
			cmd, capture_output=True, text=True, timeout=timeout, env=full_env, cwd=self.root
		)

	def cleanup(self):
		root = self.root_connection()
		with root.cursor() as cur:
			cur.execute(f"DROP DATABASE IF EXISTS `{self.db}`")
			for host in ("%", "localhost"):
				cur.execute(f"DROP USER IF EXISTS '{self.db}'@'{host}'")
		for name in self.diag_databases_of_site(root):
			drop_database(root, name)
		root.close()

	def diag_databases_of_site(self, root) -> list[str]:
		from frappe_diagnostics.recovery.scratch import PREFIXES, site_prefix

		names = []
		with root.cursor() as cur:
			for prefix in PREFIXES:
				like = site_prefix(prefix, self.site).replace("_", "\\_") + "%"
				cur.execute(
					"SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s", (like,)
				)
				names += [r[0] for r in cur.fetchall()]
		return names


def encrypt(path: Path, key: str) -> None:
	"""Encrypt in place as Frappe does (gpg symmetric, AES256 by default), passphrase on a pipe."""
	home = tempfile.mkdtemp(prefix="diag-test-gpg-")
	try:
		out = path.with_suffix(path.suffix + ".gpg")
		subprocess.run(
			[
				"gpg",
				"--homedir",
				home,
				"--batch",
				"--yes",
				"--pinentry-mode",
				"loopback",
				"--passphrase-fd",
				"0",
				"-c",
				"--output",
				str(out),
				str(path),
			],
			input=key.encode(),
			check=True,
			capture_output=True,
		)
		os.replace(out, path)
	finally:
		subprocess.run(
			["gpgconf", "--homedir", home, "--kill", "gpg-agent"], capture_output=True, check=False
		)
		shutil.rmtree(home, ignore_errors=True)


def made(tmp_path):
	"""For a fixture: `yield from made(tmp_path)` gives a site and cleans up after the test."""
	site = RecoverySite(tmp_path / "frappe-bench")
	try:
		yield site
	finally:
		site.cleanup()
