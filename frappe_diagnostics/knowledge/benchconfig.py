"""What a bench says it runs: the Procfile (development), config/supervisor.conf (production) and the nginx
config, read as text (never executed). Framework-free; bounded reads of small files."""

from __future__ import annotations

import configparser
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 1_000_000
ROLES = ("web", "worker", "schedule", "socketio", "redis", "watch")


@dataclass
class Program:
	"""One process (or a numprocs group) the bench should run."""

	name: str
	role: str  # web, worker, schedule, socketio, redis, watch, other
	command: str
	source: str  # "Procfile" or "supervisor"
	queues: tuple[str, ...] = ()  # for workers
	count: int = 1
	group: str = ""  # supervisor group

	@property
	def address(self) -> str:
		"""How supervisorctl names it: `group:program`, or `group:*` for a numprocs group."""
		if not self.group:
			return self.name if self.count == 1 else f"{self.name}:*"
		return f"{self.group}:{self.name}" if self.count == 1 else f"{self.group}:*"

	def to_dict(self) -> dict:
		return {
			"name": self.name,
			"role": self.role,
			"command": self.command,
			"source": self.source,
			"queues": list(self.queues),
			"count": self.count,
			"group": self.group,
		}


def _read(path: Path) -> str | None:
	try:
		with open(path, encoding="utf-8", errors="replace") as f:
			return f.read(MAX_BYTES)
	except OSError:
		return None


def classify(command: str) -> tuple[str, tuple[str, ...]]:
	"""The role of a command line (and a worker's queues): `bench worker --queue short,default` -> worker."""
	try:
		words = shlex.split(command)
	except ValueError:
		words = command.split()
	words = [w for w in words if not w.startswith(("1>", "2>", ">"))]
	joined = " ".join(words)
	if "socketio" in joined:
		return "socketio", ()
	if "redis-server" in joined:
		return "redis", ()
	sub = _subcommand(words)
	if sub == "worker":
		return "worker", _queues(words)
	if sub == "schedule":
		return "schedule", ()
	if sub == "serve" or "gunicorn" in joined or "frappe.app:application" in joined:
		return "web", ()
	if sub == "watch":
		return "watch", ()
	return "other", ()


VALUED = ("--site",)  # the frappe/bench options before a subcommand that take a value


def _subcommand(words: list[str]) -> str | None:
	"""The subcommand of `bench|frappe [--site S] [--verbose] SUB …` (also `python -m … bench_helper frappe`)."""
	starts = [i for i, w in enumerate(words) if w in ("bench", "frappe") or w.endswith("/bench")]
	if not starts:
		return None
	rest = iter(words[starts[0] + 1 :])
	for word in rest:
		if word in VALUED:
			next(rest, None)
		elif not word.startswith("-"):
			return word
	return None


def _queues(words: list[str]) -> tuple[str, ...]:
	for i, word in enumerate(words):
		if word == "--queue" and i + 1 < len(words):
			return tuple(q.strip() for q in words[i + 1].split(",") if q.strip())
		if word.startswith("--queue="):
			return tuple(q.strip() for q in word.split("=", 1)[1].split(",") if q.strip())
	return ("default", "short", "long")  # `bench worker` without --queue listens on every default queue


def procfile(bench: Path) -> list[Program]:
	text = _read(Path(bench) / "Procfile")
	programs = []
	for line in (text or "").splitlines():
		name, sep, command = line.partition(":")
		if not sep or not name.strip() or line.lstrip().startswith("#"):
			continue
		role, queues = classify(command.strip())
		programs.append(Program(name.strip(), role, command.strip(), "Procfile", queues))
	return programs


def supervisor(bench: Path) -> list[Program]:
	"""Programs of config/supervisor.conf, as bench's template writes them (numprocs, %(...)s names)."""
	text = _read(Path(bench) / "config" / "supervisor.conf")
	if not text:
		return []
	parser = configparser.RawConfigParser(strict=False, inline_comment_prefixes=(";",))
	try:
		parser.read_string(text)
	except configparser.Error:
		return []
	groups = {}
	for section in parser.sections():
		if section.startswith("group:"):
			for member in parser.get(section, "programs", fallback="").split(","):
				groups[member.strip()] = section.split(":", 1)[1]
	programs = []
	for section in parser.sections():
		if not section.startswith("program:"):
			continue
		command = parser.get(section, "command", fallback="")
		try:
			count = max(1, int(parser.get(section, "numprocs", fallback="1")))
		except ValueError:
			count = 1
		role, queues = classify(command)
		name = section.split(":", 1)[1]
		programs.append(Program(name, role, command, "supervisor", queues, count, groups.get(name, "")))
	return programs


def expected_programs(bench: Path) -> tuple[str, list[Program]]:
	"""("supervisor" | "Procfile" | "none", programs): production config wins when it exists."""
	sup = supervisor(bench)
	if sup:
		return "supervisor", sup
	proc = procfile(bench)
	return ("Procfile", proc) if proc else ("none", [])


# --- nginx --------------------------------------------------------------------------------------------


@dataclass
class ServerBlock:
	server_names: list[str] = field(default_factory=list)
	listens: list[str] = field(default_factory=list)
	ssl_certificate: str | None = None
	ssl_certificate_key: str | None = None
	client_max_body_size: str | None = None

	@property
	def ssl(self) -> bool:
		return any("ssl" in listen.split() or listen.startswith("443") for listen in self.listens)


@dataclass
class NginxConfig:
	path: str
	servers: list[ServerBlock]
	client_max_body_size: str | None  # the http-level value (bench writes it in the server block)

	def for_host(self, host: str) -> list[ServerBlock]:
		return [s for s in self.servers if host in s.server_names]

	def body_limit(self, host: str) -> str | None:
		for server in self.for_host(host):
			if server.client_max_body_size:
				return server.client_max_body_size
		return self.client_max_body_size


def nginx(bench: Path) -> NginxConfig | None:
	"""config/nginx.conf of the bench (what `bench setup nginx` writes), parsed into server blocks."""
	path = Path(bench) / "config" / "nginx.conf"
	text = _read(path)
	if text is None:
		return None
	return parse_nginx(text, str(path))


_DIRECTIVE = re.compile(r"([a-z_]+)\s+([^;{}]*);")


def parse_nginx(text: str, path: str = "nginx.conf") -> NginxConfig:
	text = re.sub(r"#[^\n]*", "", text)
	servers, top_limit = [], None
	depth, server_depth, current = 0, None, None
	position = 0
	for token in re.finditer(r"[{};]", text):
		chunk = text[position : token.end()]
		position = token.end()
		if token.group() == "{":
			header = chunk[:-1].strip().split()
			depth += 1
			if header and header[-1] == "server" and server_depth is None:
				server_depth, current = depth, ServerBlock()
			continue
		if token.group() == "}":
			if server_depth is not None and depth == server_depth:
				servers.append(current)
				server_depth, current = None, None
			depth = max(0, depth - 1)
			continue
		match = _DIRECTIVE.search(chunk)
		if not match:
			continue
		name, value = match.group(1), " ".join(match.group(2).split())
		if current is not None and depth == server_depth:
			_server_directive(current, name, value)
		elif name == "client_max_body_size" and current is None:
			top_limit = value
	return NginxConfig(path, servers, top_limit)


def _server_directive(server: ServerBlock, name: str, value: str) -> None:
	if name == "server_name":
		server.server_names += value.split()
	elif name == "listen":
		server.listens.append(value)
	elif name == "ssl_certificate":
		server.ssl_certificate = value
	elif name == "ssl_certificate_key":
		server.ssl_certificate_key = value
	elif name == "client_max_body_size":
		server.client_max_body_size = value


def size_bytes(value: str | None) -> int | None:
	"""nginx sizes: `50m`, `1g`, `512k`, `1000`; `0` means unlimited (None)."""
	match = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)\s*", value or "")
	if not match:
		return None
	number = int(match.group(1)) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
	return number or None


def user_name(uid: int) -> str:
	"""The OS user name of a uid (the uid itself when it has none, e.g. in a container)."""
	try:
		import pwd

		return pwd.getpwuid(uid).pw_name
	except (ImportError, KeyError):
		return str(uid)
