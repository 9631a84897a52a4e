"""Connect and log in to a mail server the way Frappe does (SMTP with SSL or STARTTLS, certificate not
verified, as frappe/email/smtp.py; IMAP/POP over SSL verified, STARTTLS not, as receive.py), with a short timeout, and name the failure: DNS, refused, timeout, TLS, authentication.
Framework-free; the password is used, never returned or printed."""

from __future__ import annotations

import imaplib
import poplib
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass


@dataclass
class ProbeResult:
	ok: bool
	stage: str  # connect, tls, login, done
	kind: str  # "", dns, refused, timeout, tls, auth, protocol
	detail: str
	ms: float

	def to_dict(self) -> dict:
		return {"ok": self.ok, "stage": self.stage, "kind": self.kind, "detail": self.detail, "ms": self.ms}


def classify(error: Exception) -> str:
	if isinstance(error, socket.gaierror):
		return "dns"
	if isinstance(error, ConnectionRefusedError):
		return "refused"
	if isinstance(error, TimeoutError | socket.timeout) or "timed out" in str(error):
		return "timeout"  # smtplib reports a greeting that never came as a disconnect "timed out"
	if isinstance(error, ssl.SSLError):
		return "tls"
	if getattr(error, "smtp_code", None) == 530 or "STARTTLS" in str(error).upper():
		return "tls_required"
	if isinstance(error, smtplib.SMTPAuthenticationError | poplib.error_proto | imaplib.IMAP4.error):
		return "auth"
	if isinstance(error, smtplib.SMTPException):
		return "protocol"
	return "network"


def _result(started: float, stage: str, error: Exception | None = None) -> ProbeResult:
	ms = round((time.perf_counter() - started) * 1000, 1)
	if error is None:
		return ProbeResult(True, "done", "", "", ms)
	detail = str(error) or type(error).__name__
	if isinstance(error, smtplib.SMTPResponseException):
		detail = f"{error.smtp_code} {error.smtp_error.decode(errors='replace') if isinstance(error.smtp_error, bytes) else error.smtp_error}"
	return ProbeResult(False, stage, classify(error), f"{type(error).__name__}: {detail}"[:300], ms)


def smtp(
	host: str,
	port: int | None,
	*,
	use_ssl=False,
	use_tls=False,
	login=None,
	password=None,
	timeout=5.0,
	verify=False,
) -> ProbeResult:
	"""Connect, EHLO, STARTTLS (use_tls) and log in (when a login is given)."""
	context = ssl.create_default_context() if verify else ssl._create_unverified_context()
	started, stage, server = time.perf_counter(), "connect", None
	try:
		if use_ssl:
			stage = "tls"
			server = smtplib.SMTP_SSL(host, port or 465, timeout=timeout, context=context)
		else:
			server = smtplib.SMTP(host, port or 25, timeout=timeout)
			server.ehlo()
			if use_tls:
				stage = "tls"
				server.starttls(context=context)
				server.ehlo()
		if login:
			stage = "login"
			server.login(login, password or "")
		return _result(started, "done")
	except Exception as e:
		return _result(started, stage, e)
	finally:
		_quit(server)


def imap(
	host: str,
	port: int | None,
	*,
	use_ssl=False,
	use_starttls=False,
	login=None,
	password=None,
	timeout=5.0,
	verify=True,
) -> ProbeResult:
	context = ssl.create_default_context() if verify else ssl._create_unverified_context()
	started, stage, server = time.perf_counter(), "connect", None
	try:
		if use_ssl:
			stage = "tls"
			server = imaplib.IMAP4_SSL(host, port or 993, ssl_context=context, timeout=timeout)
		else:
			server = imaplib.IMAP4(host, port or 143, timeout=timeout)
			if use_starttls:
				stage = "tls"
				server.starttls(ssl_context=ssl._create_unverified_context())  # as Frappe's receive.py
		stage = "login"
		server.login(login or "", password or "")
		return _result(started, "done")
	except Exception as e:
		return _result(started, stage, e)
	finally:
		_logout(server)


def pop(
	host: str, port: int | None, *, use_ssl=False, login=None, password=None, timeout=5.0, verify=True
) -> ProbeResult:
	context = ssl.create_default_context() if verify else ssl._create_unverified_context()
	started, stage, server = time.perf_counter(), "connect", None
	try:
		if use_ssl:
			stage = "tls"
			server = poplib.POP3_SSL(host, port or 995, timeout=timeout, context=context)
		else:
			server = poplib.POP3(host, port or 110, timeout=timeout)
		stage = "login"
		server.user(login or "")
		server.pass_(password or "")
		return _result(started, "done")
	except Exception as e:
		return _result(started, stage, e)
	finally:
		if server is not None:
			try:
				server.quit()
			except Exception:
				pass


def _quit(server) -> None:
	if server is not None:
		try:
			server.quit()
		except Exception:
			pass


def _logout(server) -> None:
	if server is not None:
		try:
			server.logout()
		except Exception:
			pass


HINTS = {
	"dns": "The server name does not resolve: check the spelling, or the machine's DNS.",
	"refused": "Nothing listens on that port: check the port (587 STARTTLS, 465 SSL, 25 plain; IMAP 993/143).",
	"timeout": "The server did not answer in time: a firewall drops the connection, or the server hangs.",
	"tls_required": "The server wants STARTTLS before the login: tick Use TLS on the account.",
	"tls": "TLS failed: SSL vs STARTTLS mixed up for this port, or the server's certificate is not valid.",
	"auth": "The server refused the login: wrong login or password (or an app password / OAuth is required).",
	"protocol": "The server answered something unexpected: read the detail.",
	"network": "The connection broke: read the detail.",
}
