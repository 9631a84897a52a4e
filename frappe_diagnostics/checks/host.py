"""Install readiness of the host: the services and tools Frappe needs, before or outside a bench."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pymysql  # noqa: F401 - imported with the checks, not inside host.mariadb's budget

from frappe_diagnostics.engine.probe import ServiceUnavailable
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status

MARIADB_MIN = (10, 6)
REDIS_MIN = (6, 0)
PYTHON_MIN = (3, 10)
NODE_MIN = (18, 0)
SLOW_S = 0.5  # an answer slower than this is reported as slow (still healthy)


def version_tuple(text: str) -> tuple[int, ...]:
	match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text or "")
	return tuple(int(p) for p in match.groups() if p is not None) if match else ()


def mariadb_handshake(host: str, port: int, timeout: float) -> str:
	"""The server version from MariaDB's greeting packet: needs no credentials."""
	with socket.create_connection((host, port), timeout=timeout) as sock:
		sock.settimeout(timeout)
		header = sock.recv(4)
		if len(header) < 4:
			raise ConnectionError("the server closed the connection without a greeting")
		length = int.from_bytes(header[:3], "little")
		payload = b""
		while len(payload) < min(length, 256):
			chunk = sock.recv(length - len(payload))
			if not chunk:
				break
			payload += chunk
	if payload[:1] == b"\xff":
		raise ConnectionError(payload[3:].decode("utf-8", "replace"))
	version = payload[1:].split(b"\0", 1)[0].decode("ascii", "replace")
	return version.removeprefix("5.5.5-")  # MariaDB's compatibility prefix for old clients


@check("host.mariadb", title="MariaDB server", tags=("host", "database"), scope="host")
def mariadb(probe):
	params = probe.site.db_params()
	host, port = params.get("host", "127.0.0.1"), int(params.get("port", 3306))
	try:
		version = mariadb_handshake(host, port, probe.remaining_s())
	except OSError as e:
		return probe.result(
			Status.CRITICAL,
			f"No MariaDB server answers on {host}:{port} ({e}).",
			fixes=[
				Fix(
					"Install and start MariaDB 10.6 or newer.",
					command="sudo apt install mariadb-server && sudo systemctl start mariadb",
				)
			],
		)
	metrics = [Metric("version", version)]
	statuses, findings, fixes = [Status.OK], [], []
	if "mariadb" not in version.lower():
		statuses.append(Status.WARNING)
		findings.append(
			Finding(
				"The server is not MariaDB; Frappe v15 is built and tested on MariaDB", {"version": version}
			)
		)
	elif version_tuple(version) < MARIADB_MIN:
		statuses.append(Status.CRITICAL)
		findings.append(Finding("MariaDB is older than Frappe v15 supports (10.6)", {"version": version}))
		fixes.append(Fix("Upgrade MariaDB to 10.6 or newer (10.11 LTS recommended)."))
	try:
		settings = probe.variables("character_set_server", "collation_server", "innodb_file_per_table")
	except ServiceUnavailable as e:
		statuses.append(Status.WARNING)
		findings.append(
			Finding(
				f"Could not log in to read the server's settings: {e.reason}", {"user": params.get("user")}
			)
		)
		fixes.append(
			Fix("Set DIAG_DB_USER and DIAG_DB_PASSWORD to an administrative MariaDB account and run again.")
		)
		settings = {}
	for name, wanted in (
		("character_set_server", "utf8mb4"),
		("collation_server", "utf8mb4_unicode_ci"),
		("innodb_file_per_table", "ON"),
	):
		if name not in settings:
			continue
		metrics.append(Metric(name, settings[name]))
		if str(settings[name]).upper() != wanted.upper():
			statuses.append(Status.WARNING)
			findings.append(
				Finding(f"{name} is {settings[name]}; Frappe needs {wanted}", {name: settings[name]})
			)
	if any(f.message.startswith(("character_set", "collation")) for f in findings):
		fixes.append(
			Fix(
				"Add to the [mysqld] section of /etc/mysql/mariadb.conf.d/50-server.cnf: character-set-client-handshake = FALSE, "
				"character-set-server = utf8mb4, collation-server = utf8mb4_unicode_ci; then restart MariaDB."
			)
		)
	status = max(statuses, key=lambda s: s.rank)
	summary = f"{version} answers on {host}:{port}" + (
		"; settings fit Frappe." if status is Status.OK else f"; {len(findings)} problem(s)."
	)
	return probe.result(status, summary, metrics=metrics, findings=findings, fixes=fixes)


def redis_client(url: str, timeout_s: float):
	"""A client for any URL Frappe accepts: redis:// and unix://, rediss:// (TLS), an ACL user
	(redis://user:password@host) or the default user's password alone (redis://:password@host).
	redis-py is imported here, in the check's thread, beside the other host checks."""
	import redis

	return redis.Redis.from_url(
		url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s, retry_on_timeout=False
	)


def redis_info_server(url: str, timeout_s: float) -> dict:
	"""`INFO server`; redis-py's errors carry the server's message when it refuses (e.g. WRONGPASS)."""
	client = redis_client(url, timeout_s)
	try:
		return client.info("server")
	finally:
		client.close()


@check("host.redis", title="Redis server", tags=("host", "redis"), scope="host")
def redis_server(probe):
	url = probe.site.redis_url("cache")
	started = time.monotonic()
	try:
		info = redis_info_server(url, probe.remaining_s())
	except Exception as e:
		return probe.result(
			Status.CRITICAL,
			f"No Redis answers at {url}: {type(e).__name__} ({e}).",
			fixes=[Fix("Install and start Redis 6 or newer.", command="sudo apt install redis-server")],
		)
	version = str(info.get("redis_version", ""))
	took = time.monotonic() - started
	metrics = [Metric("version", version), Metric("answered_in", round(took * 1000), "ms")]
	if version_tuple(version) < REDIS_MIN:
		return probe.result(Status.WARNING, f"Redis {version} is older than 6; upgrade it.", metrics=metrics)
	slow = f" (slowly: {took:.1f} s — the machine or Redis is busy)" if took >= SLOW_S else ""
	return probe.ok(f"Redis {version} answers{slow}.", metrics=metrics)


def node_versions() -> tuple[str | None, str | None]:
	"""(node, yarn) versions, read from what the installers leave next to the binaries: starting node (and
	yarn, which is node again) can take a second on a busy host. A process is started only as a last
	resort, when nothing on disk says the version."""
	node = shutil.which("node")
	node_v = (_node_version_on_disk(Path(node)) or _tool_version([node, "--version"])) if node else None
	yarn = shutil.which("yarn") or shutil.which("yarnpkg")
	yarn_v = (_package_version(Path(yarn), "yarn") or _tool_version([yarn, "--version"])) if yarn else None
	return node_v, yarn_v


_PATH_VERSION = re.compile(r"/v?(\d+\.\d+\.\d+)/")  # nvm, n, volta: ~/.nvm/versions/node/v20.11.1/bin/node
_HEADER = re.compile(r"#define NODE_(MAJOR|MINOR|PATCH)_VERSION (\d+)")


def _node_version_on_disk(binary: Path) -> str | None:
	real = binary.resolve()
	found = _PATH_VERSION.search(str(real))
	if found:
		return f"v{found.group(1)}"
	header = real.parent.parent / "include" / "node" / "node_version.h"  # tarballs, nodesource packages
	try:
		parts = dict(_HEADER.findall(header.read_text(encoding="utf-8", errors="replace")))
	except OSError:
		parts = {}
	if len(parts) == 3:
		return f"v{parts['MAJOR']}.{parts['MINOR']}.{parts['PATCH']}"
	return _dpkg_version("nodejs") if str(real).startswith("/usr/bin/") else None


def _dpkg_version(package: str) -> str | None:
	try:
		with open("/var/lib/dpkg/status", encoding="utf-8", errors="replace") as status:
			current = None
			for line in status:
				if line.startswith("Package: "):
					current = line[9:].strip()
				elif current == package and line.startswith("Version: "):
					found = re.match(r"(?:\d+:)?(\d+\.\d+\.\d+)", line[9:].strip())
					return f"v{found.group(1)}" if found else None
	except OSError:
		return None
	return None


def _package_version(script: Path, name: str) -> str | None:
	"""The version in the package.json of the npm package a script belongs to (up to three folders up)."""
	for folder in list(script.resolve().parents)[:3]:
		try:
			meta = json.loads((folder / "package.json").read_text(encoding="utf-8"))
		except (OSError, ValueError):
			continue
		if isinstance(meta, dict) and meta.get("name") == name and isinstance(meta.get("version"), str):
			return meta["version"]
	return None


def _tool_version(command: list[str]) -> str | None:
	try:
		done = subprocess.run(command, capture_output=True, text=True, timeout=2, check=False)
	except (OSError, subprocess.TimeoutExpired):
		return None
	output = (done.stdout or done.stderr).strip()
	return output.splitlines()[0] if output else None


@check("host.python", title="Python", tags=("host",), scope="host")
def python(probe):
	version = ".".join(map(str, sys.version_info[:3]))
	if sys.version_info[:2] < PYTHON_MIN:
		return probe.result(
			Status.CRITICAL,
			f"Python {version} is older than Frappe v15 needs (3.10).",
			metrics=[Metric("version", version)],
		)
	return probe.ok(f"Python {version}.", metrics=[Metric("version", version)])


@check("host.node", title="Node.js and yarn", tags=("host",), scope="host")
def node(probe):
	node_v, yarn_v = node_versions()
	metrics = [Metric("node", node_v or "missing"), Metric("yarn", yarn_v or "missing")]
	fixes, findings, status = [], [], Status.OK
	if not node_v:
		status = Status.CRITICAL
		findings.append(Finding("Node.js is not installed; bench cannot build assets", {}))
		fixes.append(
			Fix("Install Node.js 18 or newer (20 recommended).", command="sudo apt install nodejs npm")
		)
	elif version_tuple(node_v) < NODE_MIN:
		status = Status.CRITICAL
		findings.append(Finding("Node.js is older than 18", {"node": node_v}))
		fixes.append(Fix("Upgrade Node.js to 18 or newer (20 recommended)."))
	if not yarn_v:
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		findings.append(Finding("yarn is not installed; bench uses it to install app assets", {}))
		fixes.append(Fix("Install yarn.", command="sudo npm install -g yarn"))
	summary = f"Node.js {node_v or 'missing'}, yarn {yarn_v or 'missing'}."
	return probe.result(status, summary, metrics=metrics, findings=findings, fixes=fixes)
