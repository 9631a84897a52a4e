"""Site contexts: everything a check may know about the site it examines.

Checks never talk to `frappe.db` or `frappe.cache`: they open their own short-lived connections through the
context, with timeouts, so a hung check cannot poison the caller's connection and can be cut off safely.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from frappe_diagnostics.engine.registry import HOOK_NAME, TROUBLESHOOTER_HOOK, hook_entries_from_file
from frappe_diagnostics.engine.settings import Settings

DEFAULT_QUEUES = ("short", "default", "long")
SECRET_KEY = re.compile(r"pass|secret|key|token|pwd|credential|auth", re.IGNORECASE)
# scheme://user:password@ — the password may hold "/", but a port and path (host:8000/a@b) is no password
URL_PASSWORD = re.compile(
	r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>(?!\d{1,5}/)[^@\s]+?)@", re.I
)


class SiteContext:
	"""Base: a site (or the host) as seen by checks."""

	kind = "base"

	def __init__(self, name: str, conf: dict | None = None, bench_path=None, site_path=None):
		self.name = name
		self.conf: dict[str, Any] = dict(conf or {})
		self.bench_path = Path(bench_path).resolve() if bench_path else None
		self.site_path = Path(site_path).resolve() if site_path else None
		self.config_errors: list[dict] = []
		self.time_zone: str | None = None
		self.settings = Settings()
		self.hook_entries: list[str] = ["frappe_diagnostics.checks"]
		self.troubleshooter_entries: list[str] = []  # the apps' diagnostics_troubleshooters hooks

	@property
	def bench_site(self) -> str | None:
		"""The name `bench --site` takes: None when this is no site of a bench (the host, a database named
		by DIAG_DB_NAME, log files, a bench folder alone), where no `bench --site` command can be suggested."""
		return self.name if self.bench_path is not None and self.site_path is not None else None

	def troubleshooter_settings(
		self, *, min_check_ms: int = 0, run_s: float | None = None, parallel: int | None = None
	) -> Settings:
		"""The one way a troubleshooter gets its run settings: the site's (disabled checks, threshold
		overrides, per-check budget, parallel) with at least the budgets it needs of its own."""
		own = self.settings
		return replace(
			own,
			check_budget_ms=max(own.check_budget_ms, min_check_ms),
			run_budget_s=run_s or own.run_budget_s,
			parallel=parallel or own.parallel,
		)

	# database
	def db_params(self) -> dict | None:
		conf = self.conf
		if (conf.get("db_type") or "mariadb") != "mariadb" or not conf.get("db_name"):
			return None
		params = {
			"user": conf.get("db_user") or conf["db_name"],
			"password": str(conf.get("db_password") or ""),
			"database": conf["db_name"],
		}
		if conf.get("db_socket"):
			params["unix_socket"] = conf["db_socket"]
		else:
			params["host"] = conf.get("db_host") or "127.0.0.1"
			params["port"] = int(conf.get("db_port") or 3306)
		return params

	def db_target(self) -> str:
		"""Where the database is, for messages (no secrets)."""
		p = self.db_params() or {}
		where = p.get("unix_socket") or f"{p.get('host')}:{p.get('port')}"
		return f"{p.get('user')}@{where}/{p.get('database') or ''}".rstrip("/")

	def connect_db(self, timeout_s: float = 2.0, database: bool = True):
		import pymysql

		params = self.db_params()
		if params is None:
			raise LookupError("no MariaDB database is configured for this site (db_name missing)")
		if not database:
			params = {k: v for k, v in params.items() if k != "database"}
		return pymysql.connect(
			**params,
			connect_timeout=max(0.1, min(timeout_s, 5.0)),
			read_timeout=max(0.1, timeout_s),
			write_timeout=max(0.1, timeout_s),
			charset="utf8mb4",
			autocommit=True,
			cursorclass=pymysql.cursors.DictCursor,
		)

	def query(self, sql: str, args=None, timeout_s: float = 5.0) -> list[dict]:
		"""One statement on a short connection of its own (never a check's: checks go through the probe)."""
		conn = self.connect_db(timeout_s=timeout_s)
		try:
			with conn.cursor() as cur:
				cur.execute(sql, args)
				return list(cur.fetchall())
		finally:
			conn.close()

	def server_variables(self, *names: str) -> dict[str, Any]:
		"""Global variables of the site's database server, in one round trip."""
		if not all(re.fullmatch(r"[a-z_]+", n) for n in names):
			raise ValueError(f"not server variables: {names!r}")
		return self.query("SELECT " + ", ".join(f"@@{n} AS `{n}`" for n in names))[0]

	# redis
	def redis_url(self, kind: str) -> str | None:
		return self.conf.get(f"redis_{kind}")

	def redis_client(self, kind: str, timeout_s: float = 1.0):
		import redis

		url = self.redis_url(kind)
		if not url:
			raise LookupError(f"redis_{kind} is not set in common_site_config.json")
		return redis.Redis.from_url(
			url, socket_connect_timeout=min(timeout_s, 5.0), socket_timeout=timeout_s, retry_on_timeout=False
		)

	# background jobs
	def bench_id(self) -> str:
		if self.conf.get("bench_id"):
			return str(self.conf["bench_id"])
		return str(self.bench_path or "").strip("/").replace("/", "-")

	def queue_types(self) -> list[str]:
		workers = self.conf.get("workers") or {}
		return [*DEFAULT_QUEUES, *[w for w in workers if w not in DEFAULT_QUEUES]]

	# files
	def log_path(self) -> Path | None:
		return self.bench_path / "logs" if self.bench_path else None

	# secrets
	def secret_values(self) -> list[str]:
		return collect_secrets(self.conf)

	def redactor(self, *others: SiteContext | None):
		"""A redactor for this context's secrets (and those of `others`), for any output about it."""
		from frappe_diagnostics.engine.redact import Redactor

		secrets = [s for ctx in (self, *others) if ctx is not None for s in ctx.secret_values()]
		return Redactor(secrets)

	def describe(self) -> dict:
		return {"kind": self.kind, "site": self.name, "bench": str(self.bench_path or "")}


def server_path(value: str | None, datadir: str | None) -> Path | None:
	"""A file a database server names (slow_query_log_file, log_error), made absolute against its datadir
	as the server does; None when the server names none."""
	if not value:
		return None
	path = Path(value)
	return path if path.is_absolute() else Path(datadir or "/var/lib/mysql") / path


def collect_secrets(conf: dict, _depth: int = 0) -> list[str]:
	"""Every value in a config that is a secret: by key name (strings, numbers, list items), or a password
	inside a URL. Short and ordinary values are included; the redactor decides where to mask them."""
	found: list[str] = []
	for key, value in (conf or {}).items():
		if isinstance(value, dict) and _depth < 3:
			found += collect_secrets(value, _depth + 1)
			continue
		items = value if isinstance(value, list) else [value]
		for item in items:
			if isinstance(item, bool) or not isinstance(item, str | int | float) or item == "":
				continue
			if SECRET_KEY.search(str(key)):
				found.append(str(item))
			if isinstance(item, str):
				found += [m.group("pw") for m in URL_PASSWORD.finditer(item)]
	return sorted(set(found), key=len, reverse=True)


def read_config_text(path: Path) -> tuple[str | None, dict | None]:
	"""(text, error) for a config file read as UTF-8; the error says what and where (the byte offset of
	the first byte that is not UTF-8), never raises."""
	try:
		raw = Path(path).read_bytes()
	except FileNotFoundError:
		return None, {"file": str(path), "error": "missing"}
	except OSError as e:
		return None, {"file": str(path), "error": f"unreadable: {e.strerror or e}"}
	try:
		return raw.decode("utf-8"), None
	except UnicodeDecodeError as e:
		shown = f"byte 0x{raw[e.start]:02x} at offset {e.start}"
		return None, {"file": str(path), "error": f"not valid UTF-8 ({shown})", "offset": e.start}


def read_json_file(path: Path) -> tuple[dict, dict | None]:
	"""(data, error) for a JSON config file; the error says what and where, never raises."""
	text, error = read_config_text(path)
	if error:
		return {}, error
	if not text.strip():
		return {}, None
	try:
		data = json.loads(text)
	except json.JSONDecodeError as e:
		return {}, {"file": str(path), "error": f"invalid JSON: {e.msg}", "line": e.lineno, "column": e.colno}
	except RecursionError:
		return {}, {"file": str(path), "error": "invalid JSON: nested too deeply"}
	if not isinstance(data, dict):
		return {}, {"file": str(path), "error": "must hold a JSON object"}
	return data, None


class StandaloneContext(SiteContext):
	"""A site read from a bench folder without booting Frappe."""

	kind = "standalone"

	def __init__(self, bench_path, site: str):
		bench_path = Path(bench_path)
		site_path = bench_path / "sites" / site
		super().__init__(site, bench_path=bench_path, site_path=site_path)
		common, err = read_json_file(bench_path / "sites" / "common_site_config.json")
		if err and err["error"] != "missing":
			self.config_errors.append(err)
		if not site_path.is_dir():
			self.config_errors.append({"file": str(site_path), "error": "site folder not found"})
			site_conf = {}
		else:
			site_conf, err = read_json_file(site_path / "site_config.json")
			if err:
				self.config_errors.append(err)
		self.conf = {**common, **site_conf}
		for listing in ("currentsite.txt", "apps.txt"):  # bench reads both on every command
			_, err = read_config_text(bench_path / "sites" / listing)
			if err and err["error"] != "missing":
				self.config_errors.append(err)
		self.hook_entries = hook_entries_for_bench(bench_path)
		self.troubleshooter_entries = hook_entries_for_bench(bench_path, TROUBLESHOOTER_HOOK)

	def load_settings(self) -> Settings:
		"""Diagnostics Settings stored in the site, when its database answers quickly; else defaults."""
		try:
			conn = self.connect_db(timeout_s=1.0)
		except Exception:
			return self.settings
		try:
			with conn.cursor() as cur:
				cur.execute(
					"select field, value from `tabSingles` where doctype = %s", ("Diagnostics Settings",)
				)
				stored = {row["field"]: row["value"] for row in cur.fetchall()}
				cur.execute(
					"select value from `tabSingles` where doctype = 'System Settings' and field = 'time_zone'"
				)
				row = cur.fetchone()
				self.time_zone = row["value"] if row else None
		except Exception:
			stored = {}
		finally:
			conn.close()
		try:
			self.settings = Settings.from_mapping(stored)
		except (ValueError, TypeError):
			pass
		return self.settings


class HostContext(SiteContext):
	"""No bench: the host and the services on their default ports (overridable by environment)."""

	kind = "host"

	def __init__(self, env=None):
		env = os.environ if env is None else env
		super().__init__("host")
		self.conf = {
			"redis_cache": env.get("DIAG_REDIS_URL", "redis://127.0.0.1:6379"),
			"redis_queue": env.get("DIAG_REDIS_URL", "redis://127.0.0.1:6379"),
			"db_password": env.get("DIAG_DB_PASSWORD", ""),
		}
		self._db = {
			"host": env.get("DIAG_DB_HOST", "127.0.0.1"),
			"port": int(env.get("DIAG_DB_PORT", "3306")),
			"user": env.get("DIAG_DB_USER", "root"),
			"password": env.get("DIAG_DB_PASSWORD", ""),
		}
		self.database = env.get("DIAG_DB_NAME") or None  # `explain` without a bench EXPLAINs in it

	def db_params(self) -> dict | None:
		return {**self._db, **({"database": self.database} if self.database else {})}


def find_bench(start: Path | None = None) -> Path | None:
	"""The nearest folder at or above `start` that looks like a bench (sites/ and apps/)."""
	path = Path(start or os.getcwd()).resolve()
	for candidate in (path, *path.parents):
		if (candidate / "sites").is_dir() and (candidate / "apps").is_dir():
			return candidate
	return None


def bench_sites(bench_path: Path) -> list[str]:
	sites = Path(bench_path) / "sites"
	return sorted(p.parent.name for p in sites.glob("*/site_config.json"))


def default_site(bench_path: Path) -> str | None:
	name = (read_config_text(Path(bench_path) / "sites" / "currentsite.txt")[0] or "").strip()
	if name:
		return name
	common, _ = read_json_file(Path(bench_path) / "sites" / "common_site_config.json")
	if common.get("default_site"):
		return str(common["default_site"])
	sites = bench_sites(bench_path)
	return sites[0] if len(sites) == 1 else None


def hook_entries_for_bench(bench_path: Path, hook: str = HOOK_NAME) -> list[str]:
	"""`diagnostics_checks` (or another hook) of every app in sites/apps.txt, read statically from each
	hooks.py; the apps' folders join sys.path so the entries import."""
	entries = ["frappe_diagnostics.checks"] if hook == HOOK_NAME else []
	apps = (read_config_text(Path(bench_path) / "sites" / "apps.txt")[0] or "").split()
	for app in apps:
		for hooks in (Path(bench_path) / "apps" / app / app / "hooks.py",):
			for entry in hook_entries_from_file(hooks, hook):
				if entry not in entries:
					entries.append(entry)
			app_dir = str(Path(bench_path) / "apps" / app)
			if hooks.is_file() and app_dir not in sys.path:
				sys.path.append(app_dir)
	return entries
