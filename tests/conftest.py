"""Fixtures of the standalone suite: a real bench folder whose site uses the real MariaDB and Redis.

Connection settings come from the environment (defaults: root with an empty password on 127.0.0.1:3306,
Redis on 127.0.0.1:6379); scripts/services.sh starts both.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pymysql
import pytest
import redis

from frappe_diagnostics.engine.context import StandaloneContext
from frappe_diagnostics.engine.registry import registry

DB_HOST = os.environ.get("DIAG_TEST_DB_HOST", "127.0.0.1")
DB_PORT = int(os.environ.get("DIAG_TEST_DB_PORT", "3306"))
DB_ROOT_USER = os.environ.get("DIAG_TEST_DB_ROOT_USER", "root")
DB_ROOT_PASSWORD = os.environ.get("DIAG_TEST_DB_ROOT_PASSWORD", "")
REDIS_URL = os.environ.get("DIAG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

SITE_TABLES = [
	"""CREATE TABLE `tabSessions` (user varchar(140), sid varchar(140), sessiondata longtext,
		ipaddress varchar(16), lastupdate datetime(6), status varchar(20), KEY sid (sid)) ENGINE=InnoDB""",
	"""CREATE TABLE `tabError Log` (name varchar(140) PRIMARY KEY, creation datetime(6), modified datetime(6),
		method varchar(140), error longtext, seen int default 0) ENGINE=InnoDB""",
	"""CREATE TABLE `tabSingles` (doctype varchar(140), field varchar(140), value text,
		KEY singles_doctype_field (doctype, field)) ENGINE=InnoDB""",
	"""CREATE TABLE `diag_lock_target` (id int PRIMARY KEY, v int) ENGINE=InnoDB""",
	"""CREATE TABLE `tabDocType` (name varchar(140) PRIMARY KEY, module varchar(140), istable int default 0,
		engine varchar(20) default 'InnoDB')""",
	"""CREATE TABLE `tabDocField` (name varchar(140) PRIMARY KEY, parent varchar(140), fieldname varchar(140),
		fieldtype varchar(140), options text)""",
	"""CREATE TABLE `tabDocShare` (name varchar(140) PRIMARY KEY, user varchar(140), share_doctype varchar(140))""",
	"""CREATE TABLE `tabUser` (name varchar(140) PRIMARY KEY, enabled int default 1)""",
	"""CREATE TABLE IF NOT EXISTS `tabDocPerm` (name varchar(140) PRIMARY KEY, parent varchar(140), role varchar(140))""",
	"""CREATE TABLE IF NOT EXISTS `tabHas Role` (name varchar(140) PRIMARY KEY, parent varchar(140), role varchar(140))""",
	"""CREATE TABLE IF NOT EXISTS `tabModule Def` (name varchar(140) PRIMARY KEY, app_name varchar(140))""",
	"""CREATE TABLE `tabInstalled Application` (name varchar(140) PRIMARY KEY, app_name varchar(140),
		app_version varchar(140), idx int)""",
	"""CREATE TABLE `tabPatch Log` (name varchar(140) PRIMARY KEY, patch text, skipped int default 0)""",
	"""CREATE TABLE `tabDefaultValue` (name varchar(140) PRIMARY KEY, creation datetime(6), parent varchar(140),
		defkey varchar(140), defvalue text, KEY parent (parent)) ENGINE=InnoDB""",
	"""CREATE TABLE `__Auth` (doctype varchar(140), name varchar(255), fieldname varchar(140), password text,
		encrypted int(1) NOT NULL DEFAULT 0, PRIMARY KEY (doctype, name, fieldname))""",
]
# what every Frappe site holds in tabSingles (a fresh site stores 0 until the scheduler is enabled)
SINGLES = [("System Settings", "enable_scheduler", "1"), ("System Settings", "time_zone", "UTC")]
FRAPPE_PATCHES = [
	"frappe.patches.v15_0.example_patch",
	"execute:frappe.reload_doc('core', 'doctype', 'user') #2024-01-01",
]


def root_connection(**kw):
	return pymysql.connect(
		host=DB_HOST, port=DB_PORT, user=DB_ROOT_USER, password=DB_ROOT_PASSWORD, autocommit=True, **kw
	)


@pytest.fixture(scope="session")
def root_db():
	try:
		conn = root_connection()
	except pymysql.err.OperationalError as e:
		pytest.fail(
			f"MariaDB is not reachable at {DB_HOST}:{DB_PORT} as {DB_ROOT_USER}: {e}. Run scripts/services.sh."
		)
	yield conn
	conn.close()


def make_site_db(root, prefix: str = "_diagtest", tables: list[str] = ()) -> dict:
	"""A database and user made the way Frappe makes them (user = database name), with a few core tables."""
	name = f"{prefix}_{secrets.token_hex(4)}"
	password = f"pw-{secrets.token_urlsafe(12)}"
	with root.cursor() as cur:
		cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
		for host in ("%", "localhost"):
			cur.execute(f"CREATE USER '{name}'@'{host.replace('%', '%%')}' IDENTIFIED BY %s", (password,))
			cur.execute(f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{name}'@'{host}'")
		cur.execute(f"USE `{name}`")
		for ddl in [*SITE_TABLES, *tables]:
			cur.execute(ddl)
		cur.execute("INSERT INTO diag_lock_target VALUES (1, 0)")
		cur.executemany("INSERT INTO `tabSingles` VALUES (%s, %s, %s)", SINGLES)
		cur.execute("INSERT INTO `tabInstalled Application` VALUES ('a1', 'frappe', '15.55.1', 1)")
		cur.execute(
			"INSERT INTO `tabDefaultValue` VALUES ('d1', NOW(6), '__global', 'installed_apps', %s)",
			(json.dumps(["frappe"]),),
		)
		for i, patch in enumerate(FRAPPE_PATCHES):
			cur.execute("INSERT INTO `tabPatch Log` VALUES (%s, %s, 0)", (f"p{i}", patch))
	return {"name": name, "password": password}


def drop_site_db(root, db: dict) -> None:
	with root.cursor() as cur:
		cur.execute(f"DROP DATABASE IF EXISTS `{db['name']}`")
		for host in ("%", "localhost"):
			cur.execute(f"DROP USER IF EXISTS '{db['name']}'@'{host}'")


@pytest.fixture(scope="session")
def site_db(root_db):
	db = make_site_db(root_db)
	yield db
	drop_site_db(root_db, db)


@pytest.fixture
def site_sql(root_db, site_db):
	"""Run SQL as root inside the test site's database."""

	def run(query, args=None):
		with root_db.cursor(pymysql.cursors.DictCursor) as cur:
			cur.execute(f"USE `{site_db['name']}`")
			cur.execute(query, args)
			return cur.fetchall()

	yield run
	for ddl in SITE_TABLES:  # a core table a test dropped (or replaced with its own) comes back
		if "IF NOT EXISTS" in ddl:
			run(ddl)
	run("DELETE FROM `tabSessions`")
	run("DELETE FROM `tabError Log`")
	run("DELETE FROM `tabSingles`")
	for row in SINGLES:
		run("INSERT INTO `tabSingles` VALUES (%s, %s, %s)", row)


class Bench:
	"""A bench folder on disk: sites/, apps/, logs/ and one site."""

	def __init__(self, root: Path, site_db: dict, site: str = "test.local"):
		self.root, self.site = root, site
		self.bench_id = f"diagtest-{secrets.token_hex(4)}"
		self.site_path = root / "sites" / site
		folders = (
			"apps/frappe/frappe",
			"logs",
			"sites/assets",
			f"sites/{site}/private/files",
			f"sites/{site}/public/files",
		)
		for folder in folders:
			(root / folder).mkdir(parents=True, exist_ok=True)
		(root / "apps" / "frappe" / "frappe" / "__init__.py").write_text('__version__ = "15.55.1"\n')
		(root / "apps" / "frappe" / "frappe" / "hooks.py").write_text('app_name = "frappe"\n')
		patches = "[pre_model_sync]\n" + "\n".join(FRAPPE_PATCHES) + "\n\n[post_model_sync]\n"
		(root / "apps" / "frappe" / "frappe" / "patches.txt").write_text(patches)
		(root / "sites" / "assets" / "assets.json").write_text("{}")
		(root / "sites" / "apps.txt").write_text("frappe\nfrappe_diagnostics\n")
		self.common = {"redis_cache": REDIS_URL, "redis_queue": REDIS_URL, "bench_id": self.bench_id}
		self.conf = {
			"db_name": site_db["name"],
			"db_password": site_db["password"],
			"db_host": DB_HOST,
			"db_port": DB_PORT,
			"encryption_key": "dGVzdC1lbmNyeXB0aW9uLWtleS0wMTIzNDU2Nzg5YWI=",  # a valid Fernet key, as Frappe makes
		}
		self.write()

	def write(self):
		(self.root / "sites" / "common_site_config.json").write_text(json.dumps(self.common, indent=1))
		(self.site_path / "site_config.json").write_text(json.dumps(self.conf, indent=1))

	def context(self) -> StandaloneContext:
		ctx = StandaloneContext(self.root, self.site)
		registry.load_hooks(ctx.hook_entries)
		return ctx

	def add_app(self, app: str, hooks: str, modules: dict[str, str]):
		package = self.root / "apps" / app / app
		package.mkdir(parents=True)
		(package / "__init__.py").write_text("")
		(package / "hooks.py").write_text(hooks)
		for name, source in modules.items():
			(package / f"{name}.py").write_text(source)
		with (self.root / "sites" / "apps.txt").open("a") as f:
			f.write(f"{app}\n")

	def cli(self, *args, env=None, timeout=60):
		"""Run the console script's module in a fresh interpreter, as an operator would."""
		cmd = [sys.executable, "-m", "frappe_diagnostics.cli", *args]
		return subprocess.run(
			cmd,
			capture_output=True,
			text=True,
			timeout=timeout,
			env={**os.environ, **(env or {})},
			cwd=self.root,
		)


@pytest.fixture
def bench(tmp_path, site_db):
	b = Bench(tmp_path / "frappe-bench", site_db)
	yield b
	client = redis.Redis.from_url(REDIS_URL)
	keys = list(client.scan_iter(f"*{b.bench_id}*", count=1000))
	if keys:
		client.delete(*keys)


@pytest.fixture
def redis_client():
	return redis.Redis.from_url(REDIS_URL)


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


class SilentServer:
	"""A TCP server that accepts connections and never answers: a hung Redis or MariaDB."""

	def __init__(self):
		self.sock = socket.socket()
		self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		self.sock.bind(("127.0.0.1", 0))
		self.sock.listen(16)
		self.port = self.sock.getsockname()[1]
		self.clients = []
		self._stop = False
		self.thread = threading.Thread(target=self._accept, daemon=True)
		self.thread.start()

	def _accept(self):
		self.sock.settimeout(0.2)
		while not self._stop:
			try:
				conn, _ = self.sock.accept()
				self.clients.append(conn)
			except OSError:
				continue

	def close(self):
		self._stop = True
		self.thread.join(2)
		for c in self.clients:
			c.close()
		self.sock.close()


@pytest.fixture
def silent_server():
	server = SilentServer()
	yield server
	server.close()


@pytest.fixture
def extra_redis(tmp_path):
	"""A second, real Redis server with its own settings (for maxmemory and eviction-policy cases)."""
	binary = shutil.which("redis-server")
	if not binary:
		pytest.fail("redis-server is not installed; run scripts/services.sh")
	port = free_port()
	args = [
		"--port",
		str(port),
		"--bind",
		"127.0.0.1",
		"--save",
		"",
		"--appendonly",
		"no",
		"--dir",
		str(tmp_path),
	]

	def start(*extra):
		proc = subprocess.Popen([binary, *args, *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
		client = redis.Redis(port=port)
		for _ in range(100):
			try:
				client.ping()
				break
			except redis.ConnectionError:
				time.sleep(0.05)
		started.append(proc)
		return f"redis://127.0.0.1:{port}/0"

	started = []
	yield start
	for proc in started:
		proc.terminate()
		proc.wait(5)
