"""Install readiness of the host: the services and tools Frappe needs, before or outside a bench."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys

from frappe_diagnostics.engine.probe import ServiceUnavailable
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status

MARIADB_MIN = (10, 6)
REDIS_MIN = (6, 0)
PYTHON_MIN = (3, 10)
NODE_MIN = (18, 0)


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


@check("host.redis", title="Redis server", tags=("host", "redis"), scope="host")
def redis_server(probe):
	try:
		info = probe.redis("cache").info("server")
	except Exception as e:
		return probe.result(
			Status.CRITICAL,
			f"No Redis answers at {probe.site.redis_url('cache')}: {type(e).__name__}.",
			fixes=[Fix("Install and start Redis 6 or newer.", command="sudo apt install redis-server")],
		)
	version = str(info.get("redis_version", ""))
	status = Status.OK if version_tuple(version) >= REDIS_MIN else Status.WARNING
	summary = (
		f"Redis {version} answers."
		if status is Status.OK
		else f"Redis {version} is older than 6; upgrade it."
	)
	return probe.result(status, summary, metrics=[Metric("version", version)])


def _tool_version(command: list[str]) -> str | None:
	if not shutil.which(command[0]):
		return None
	try:
		done = subprocess.run(command, capture_output=True, text=True, timeout=2, check=False)
	except (OSError, subprocess.TimeoutExpired):
		return None
	return (
		(done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else None
	)


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
	node_v, yarn_v = _tool_version(["node", "--version"]), _tool_version(["yarn", "--version"])
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
