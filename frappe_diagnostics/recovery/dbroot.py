"""The database account that may create and drop databases, and the `mariadb` client run with it.

Where it comes from, in order: --db-root-username/--db-root-password, the environment (DIAG_DB_ROOT_USER,
DIAG_DB_ROOT_PASSWORD), the bench's root_login/root_password. The password reaches the client through a
defaults file of mode 0600 in a private folder, never a command line, and never appears in output.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ENV_USER, ENV_PASSWORD = "DIAG_DB_ROOT_USER", "DIAG_DB_ROOT_PASSWORD"


class NoRootAccount(Exception):
	"""No account that may create databases is configured or given."""


@dataclass(frozen=True)
class RootAccount:
	user: str
	password: str = field(repr=False)
	source: str  # where it came from, for messages
	server: dict = field(default_factory=dict)  # host/port or unix_socket of the site's database server

	def where(self) -> str:
		spot = self.server.get("unix_socket") or f"{self.server.get('host')}:{self.server.get('port')}"
		return f"{self.user}@{spot} ({self.source})"


def server_of(ctx) -> dict:
	conf = ctx.conf
	if conf.get("db_socket"):
		return {"unix_socket": conf["db_socket"]}
	return {"host": conf.get("db_host") or "127.0.0.1", "port": int(conf.get("db_port") or 3306)}


def find_account(ctx, user: str | None = None, password: str | None = None, env=None) -> RootAccount:
	"""The root account to use, or NoRootAccount saying how to give one."""
	env = os.environ if env is None else env
	server = server_of(ctx)
	if user or password is not None:
		return RootAccount(user or "root", password or "", "--db-root-username/--db-root-password", server)
	if env.get(ENV_USER) or ENV_PASSWORD in env:
		return RootAccount(
			env.get(ENV_USER) or "root", env.get(ENV_PASSWORD, ""), f"{ENV_USER}/{ENV_PASSWORD}", server
		)
	if ctx.conf.get("root_login") or ctx.conf.get("root_password"):
		user = str(ctx.conf.get("root_login") or "root")
		return RootAccount(
			user, str(ctx.conf.get("root_password") or ""), "root_login/root_password of the bench", server
		)
	raise NoRootAccount(
		"No database account that may create databases is configured: set root_login and root_password in "
		"sites/common_site_config.json (bench set-config -g root_login … / root_password …), pass "
		f"--db-root-username and --db-root-password, or set {ENV_USER} and {ENV_PASSWORD}."
	)


def connect(account: RootAccount, database: str | None = None, timeout_s: float = 10.0, read_timeout_s=None):
	import pymysql

	return pymysql.connect(
		user=account.user,
		password=account.password,
		database=database,
		connect_timeout=timeout_s,
		read_timeout=read_timeout_s,
		charset="utf8mb4",
		autocommit=True,
		**account.server,
	)


def _quoted(value: str) -> str:
	return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class ClientOptions:
	"""Where one client process reads its [client] options: `path` to name, `fds` to let it inherit."""

	path: str
	fds: tuple[int, ...] = ()


@contextmanager
def defaults_file(account: RootAccount):
	"""The account as a [client] option file for ONE client process: through an inherited pipe
	(/dev/fd/N), so nothing reaches the disk and a SIGKILL leaves nothing behind; where /dev/fd does not
	exist, a file of mode 0600 in a 0700 folder, removed afterwards."""
	lines = ["[client]", f"user={_quoted(account.user)}", f"password={_quoted(account.password)}"]
	if "unix_socket" in account.server:
		lines.append(f"socket={_quoted(account.server['unix_socket'])}")
	else:
		lines += [
			f"host={_quoted(account.server['host'])}",
			f"port={int(account.server['port'])}",
			"protocol=TCP",
		]
	text = ("\n".join(lines) + "\n").encode()
	if Path("/dev/fd").is_dir() and len(text) < 4096:  # a pipe holds it whole: no reader needed yet
		read_end, write_end = os.pipe()
		os.write(write_end, text)
		os.close(write_end)
		try:
			yield ClientOptions(f"/dev/fd/{read_end}", (read_end,))
		finally:
			os.close(read_end)
		return
	folder = tempfile.mkdtemp(prefix="diag-db-")
	path = Path(folder) / "client.cnf"
	fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
	with os.fdopen(fd, "wb") as f:
		f.write(text)
	try:
		yield ClientOptions(str(path))
	finally:
		shutil.rmtree(folder, ignore_errors=True)


def client_binary(dump: bool = False) -> str:
	names = ("mariadb-dump", "mysqldump") if dump else ("mariadb", "mysql")
	for name in names:
		found = shutil.which(name)
		if found:
			return found
	raise FileNotFoundError(f"{names[0]} is not installed: apt-get install mariadb-client.")


def client_args(options: ClientOptions, *args: str, dump: bool = False) -> list[str]:
	"""The client's command line: the option file first (as the client requires), never a password.
	Start it with `pass_fds=options.fds`."""
	return [client_binary(dump), f"--defaults-extra-file={options.path}", *args]
