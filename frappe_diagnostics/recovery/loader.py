"""Load a dump into a database of our own, streaming it into the `mariadb` client in constant memory.

The client runs as a throw-away user that may touch only the target database (so a dump that names
another database, the live one included, cannot write there), in sandbox mode (no shell or file
commands), with its password in a 0600 defaults file.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import tempfile
import time
from dataclasses import dataclass

from frappe_diagnostics.recovery import dbroot, faults, sqldump
from frappe_diagnostics.recovery.scratch import loader_user, quote
from frappe_diagnostics.recovery.streams import Reader

CLIENT_COMMAND = re.compile(rb"\n[ \t]*\\")
ERROR_LINE = re.compile(r"^ERROR \d+.*$", re.M)


class LoadFailed(Exception):
	def __init__(self, message: str, reason: str):
		super().__init__(message)
		self.reason = reason  # disk_full, access, refused, server, sql


@dataclass
class Loaded:
	bytes: int
	seconds: float
	completed: bool
	head: bytes
	counts: dict  # rows per table, counted from the stream as it went in


def _sandbox_supported(binary: str) -> bool:
	done = subprocess.run([binary, "--help"], capture_output=True, text=True, check=False)
	return "--sandbox" in done.stdout


def _hosts(account: dbroot.RootAccount) -> tuple[str, ...]:
	return ("localhost",) if "unix_socket" in account.server else ("%", "localhost")


def create_loader_user(conn, database: str, account: dbroot.RootAccount) -> dbroot.RootAccount:
	"""A user with rights on that database only, dropped after the load (and with the database)."""
	user, password = loader_user(database), secrets.token_urlsafe(24)
	with conn.cursor() as cur:
		for host in _hosts(account):
			cur.execute("DROP USER IF EXISTS %s@%s", (user, host))
			cur.execute("CREATE USER %s@%s IDENTIFIED BY %s", (user, host, password))
			cur.execute(f"GRANT ALL PRIVILEGES ON {quote(database)}.* TO %s@%s", (user, host))
	return dbroot.RootAccount(user, password, "a load user of its own", account.server)


def drop_loader_user(conn, database: str, account: dbroot.RootAccount | None = None) -> None:
	with conn.cursor() as cur:
		for host in _hosts(account) if account else ("%", "localhost"):
			cur.execute("DROP USER IF EXISTS %s@%s", (loader_user(database), host))


def load(reader: Reader, database: str, conn, account: dbroot.RootAccount, fault: str = "") -> Loaded:
	"""Stream the reader's SQL into `database`. LoadFailed/Unreadable say why it stopped."""
	started = time.monotonic()
	user = create_loader_user(conn, database, account)
	try:
		with dbroot.defaults_file(user) as options, tempfile.TemporaryFile() as errors:
			binary = dbroot.client_binary()
			args = [*dbroot.client_args(options, "--batch", "--max-allowed-packet=1073741824")]
			args += ["--sandbox"] if _sandbox_supported(binary) else []
			proc = subprocess.Popen(
				[*args, database],
				stdin=subprocess.PIPE,
				stdout=subprocess.DEVNULL,
				stderr=errors,
				pass_fds=options.fds,
			)
			counter = sqldump.RowCounter()
			try:
				pumped_all = _pump(reader, proc, fault, counter)
			except BaseException:
				proc.kill()
				proc.wait()
				raise
			code = proc.wait()
			errors.seek(0)
			message = errors.read().decode(errors="replace")
	finally:
		drop_loader_user(conn, database, account)
	if pumped_all and not reader.completed:  # the cut-off end is the cause of whatever the client says
		raise LoadFailed(
			f"{reader.name} ends without MariaDB's '-- Dump completed' line: the dump was cut off while it "
			f"was written ({reader.bytes:,} bytes of SQL).",
			"truncated",
		)
	if code != 0 or ERROR_LINE.search(message):
		raise classify(message, code)
	return Loaded(reader.bytes, time.monotonic() - started, reader.completed, reader.head, counter.close())


def _pump(reader: Reader, proc, fault: str, counter) -> bool:
	"""Feed the client; True when the whole stream went in (False: the client stopped early)."""
	carry = b"\n"  # what a line split between chunks began with, when it was blank so far
	try:
		for chunk in reader.chunks():
			if CLIENT_COMMAND.search(chunk) or (carry and CLIENT_COMMAND.search(carry + chunk[:4096])):
				raise LoadFailed(
					"The dump holds a mariadb client command (a line starting with a backslash), which "
					"mariadb-dump never writes: refused.",
					"refused",
				)
			last = chunk.rfind(b"\n")
			rest = chunk[last:] if last >= 0 else carry + chunk
			carry = rest[:1024] if not rest.strip() else b""
			proc.stdin.write(chunk)
			counter.feed(chunk)  # while the server works on the chunk
			if fault:
				faults.point(fault)
		proc.stdin.close()
	except BrokenPipeError:
		return False  # the client stopped at an error: its message tells which
	return True


def classify(message: str, code: int) -> LoadFailed:
	"""A client's error output as a reason an operator can act on."""
	first = ERROR_LINE.search(message) or re.search(r".+", message)
	text = first.group(0).strip() if first else f"mariadb exited with {code}"
	lowered = message.lower()
	if (
		"1114" in text
		or "is full" in lowered
		or "errno: 28" in lowered
		or "no space left" in lowered
		or "errcode: 28" in lowered
	):
		return LoadFailed(
			f"The database server ran out of space while restoring ({text}). Free space in the server's data "
			"directory, or raise its size limit, and run it again.",
			"disk_full",
		)
	if "1045" in text or "access denied" in lowered:
		return LoadFailed(f"The database refused the restore's account ({text}).", "access")
	if "sandbox" in lowered:
		return LoadFailed(f"The dump tried a client command, refused in sandbox mode ({text}).", "refused")
	if "2006" in text or "2013" in text:
		return LoadFailed(f"The database server went away during the restore ({text}).", "server")
	return LoadFailed(f"The dump does not load: {text}", "sql")
