"""Real services and artefacts for the operations tests: processes that look like a bench's, HTTP servers,
certificates made with `cryptography`, and a supervisord."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SLEEPER = "import time; time.sleep(600)"


def bench_process(cwd: Path, *words: str) -> subprocess.Popen:
	"""A real process whose command line reads like a bench program (`… frappe worker --queue short`)."""
	return subprocess.Popen([sys.executable, "-c", SLEEPER, *words], cwd=cwd)


def stop(*procs: subprocess.Popen) -> None:
	for proc in procs:
		if proc.poll() is None:
			proc.kill()
			proc.wait(10)


class Http:
	"""A real HTTP server on 127.0.0.1 answering every GET with `status` (changeable)."""

	def __init__(self, status: int = 200):
		self.status = status
		self.hosts: list[str] = []
		outer = self

		class Handler(BaseHTTPRequestHandler):
			def do_GET(self):
				outer.hosts.append(self.headers.get("Host", ""))
				body = b'{"message":"pong"}'
				self.send_response(outer.status)
				self.send_header("Content-Length", str(len(body)))
				self.end_headers()
				self.wfile.write(body)

			def log_message(self, *args):
				pass

		self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self.port = self.server.server_address[1]
		threading.Thread(target=self.server.serve_forever, daemon=True).start()

	def close(self):
		self.server.shutdown()
		self.server.server_close()


def make_certificate(folder: Path, name: str, hosts: list[str], days_valid: float) -> Path:
	"""A self-signed PEM certificate for `hosts`, expiring `days_valid` days from now (negative: expired)."""
	from cryptography import x509
	from cryptography.hazmat.primitives import hashes, serialization
	from cryptography.hazmat.primitives.asymmetric import ec
	from cryptography.x509.oid import NameOID

	key = ec.generate_private_key(ec.SECP256R1())
	now = dt.datetime.now(dt.timezone.utc)
	subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
	cert = (
		x509.CertificateBuilder()
		.subject_name(subject)
		.issuer_name(subject)
		.public_key(key.public_key())
		.serial_number(x509.random_serial_number())
		.not_valid_before(now - dt.timedelta(days=400))
		.not_valid_after(now + dt.timedelta(days=days_valid))
		.add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
		.sign(key, hashes.SHA256())
	)
	path = folder / f"{name}.pem"
	path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
	(folder / f"{name}.key").write_bytes(
		key.private_bytes(
			serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
		)
	)
	return path


class Supervisor:
	"""A real supervisord for a bench folder: supervisord.conf in the bench includes config/supervisor.conf."""

	def __init__(self, bench_root: Path):
		binary = shutil.which("supervisord") or str(Path(sys.executable).parent / "supervisord")
		if not Path(binary).exists():
			pytest.fail("supervisord is not installed (requirements-test.txt has it)")
		self.root = bench_root
		sock = bench_root / "supervisor.sock"
		(bench_root / "supervisord.conf").write_text(
			f"[unix_http_server]\nfile={sock}\n\n[supervisord]\nlogfile={bench_root}/supervisord.log\n"
			f"pidfile={bench_root}/supervisord.pid\nnodaemon=true\n\n"
			"[rpcinterface:supervisor]\n"
			"supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
			f"[supervisorctl]\nserverurl=unix://{sock}\n\n[include]\nfiles = config/supervisor.conf\n"
		)
		self.proc = subprocess.Popen(
			[binary, "-c", str(bench_root / "supervisord.conf")],
			cwd=bench_root,
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
		)
		self.ctl = shutil.which("supervisorctl") or str(Path(sys.executable).parent / "supervisorctl")

	def status(self) -> str:
		return subprocess.run([self.ctl, "status"], cwd=self.root, capture_output=True, text=True).stdout

	def wait_running(self, count: int, timeout: float = 30) -> str:
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			out = self.status()
			if out.count("RUNNING") >= count:
				return out
			time.sleep(0.2)
		raise AssertionError(f"supervisord did not start {count} programs: {self.status()}")

	def close(self):
		self.proc.terminate()
		self.proc.wait(30)


class Smtp:
	"""A real SMTP server (aiosmtpd) with AUTH LOGIN/PLAIN and, optionally, STARTTLS."""

	def __init__(self, login: str, password: str, tls_cert: Path | None = None):
		import ssl

		from aiosmtpd.controller import Controller
		from aiosmtpd.smtp import AuthResult

		def authenticate(server, session, envelope, mechanism, auth_data):
			ok = auth_data.login.decode() == login and auth_data.password.decode() == password
			return AuthResult(success=ok, handled=False)

		class Sink:
			async def handle_DATA(self, server, session, envelope):
				return "250 OK"

		tls = None
		if tls_cert:
			tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
			tls.load_cert_chain(tls_cert, tls_cert.with_suffix(".key"))
		port = _free_port()
		self.controller = Controller(
			Sink(),
			hostname="127.0.0.1",
			port=port,
			authenticator=authenticate,
			auth_require_tls=False,
			tls_context=tls,
			require_starttls=bool(tls),
		)
		self.controller.start()
		self.port = port

	def close(self):
		self.controller.stop()


class Imap:
	"""A minimal real IMAP4rev1 server over TCP: greeting, CAPABILITY, LOGIN, LOGOUT (what a login needs)."""

	def __init__(self, login: str, password: str):
		import socketserver

		class Handler(socketserver.StreamRequestHandler):
			def handle(self):
				self.wfile.write(b"* OK IMAP4rev1 test server ready\r\n")
				for raw in self.rfile:
					tag, _, rest = raw.decode(errors="replace").strip().partition(" ")
					command, _, args = rest.partition(" ")
					command = command.upper()
					if command == "CAPABILITY":
						self.wfile.write(
							b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + f"{tag} OK done\r\n".encode()
						)
					elif command == "LOGIN":
						given = [a.strip('"') for a in args.split(" ", 1)]
						ok = given == [login, password]
						answer = (
							f"{tag} OK logged in\r\n" if ok else f"{tag} NO [AUTHENTICATIONFAILED] bad\r\n"
						)
						self.wfile.write(answer.encode())
					elif command == "LOGOUT":
						self.wfile.write(b"* BYE\r\n" + f"{tag} OK bye\r\n".encode())
						return
					else:
						self.wfile.write(f"{tag} BAD unknown\r\n".encode())

		self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
		self.server.daemon_threads = True
		self.port = self.server.server_address[1]
		threading.Thread(target=self.server.serve_forever, daemon=True).start()

	def close(self):
		self.server.shutdown()
		self.server.server_close()


def _free_port() -> int:
	import socket

	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]
