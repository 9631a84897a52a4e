"""Email: the mail-server probes against a real SMTP server (aiosmtpd, with STARTTLS and AUTH) and a real
IMAP login server, broken for real (wrong password, closed port, a server that never answers, TLS on the
wrong port); and email.queue on a real Email Queue table."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.troubleshooters import mailprobe
from tests.conftest import free_port
from tests.frappe_tables import FrappeTables
from tests.helpers import run_one
from tests.ops_services import Imap, Smtp, make_certificate

LOGIN, PASSWORD = "mailer@example.com", "s3cret-Mail-pw"


@pytest.fixture
def smtp_server():
	server = Smtp(LOGIN, PASSWORD)
	yield server
	server.close()


@pytest.fixture
def tls_smtp_server(tmp_path):
	server = Smtp(LOGIN, PASSWORD, tls_cert=make_certificate(tmp_path, "mail", ["127.0.0.1"], 30))
	yield server
	server.close()


def test_smtp_login_works_then_a_wrong_password_is_named_auth(smtp_server):
	ok = mailprobe.smtp("127.0.0.1", smtp_server.port, login=LOGIN, password=PASSWORD, timeout=3)
	assert (ok.ok, ok.stage) == (True, "done")
	bad = mailprobe.smtp("127.0.0.1", smtp_server.port, login=LOGIN, password="wrong", timeout=3)
	assert (bad.ok, bad.kind, bad.stage) == (False, "auth", "login")
	assert bad.detail.startswith("SMTPAuthenticationError: 535")
	assert "wrong" not in bad.detail and PASSWORD not in bad.detail


def test_starttls_then_login(tls_smtp_server):
	done = mailprobe.smtp(
		"127.0.0.1", tls_smtp_server.port, use_tls=True, login=LOGIN, password=PASSWORD, timeout=3
	)
	assert done.ok, done
	plain = mailprobe.smtp("127.0.0.1", tls_smtp_server.port, login=LOGIN, password=PASSWORD, timeout=3)
	assert (plain.ok, plain.kind) == (False, "tls_required")  # the server requires STARTTLS first
	assert plain.detail == "SMTPAuthenticationError: 530 Must issue a STARTTLS command first"


def test_ssl_on_a_plain_port_is_a_tls_failure(smtp_server):
	done = mailprobe.smtp(
		"127.0.0.1", smtp_server.port, use_ssl=True, login=LOGIN, password=PASSWORD, timeout=3
	)
	assert (done.ok, done.kind, done.stage) == (False, "tls", "tls")


def test_closed_port_silent_server_and_unknown_host(silent_server):
	closed = mailprobe.smtp("127.0.0.1", free_port(), timeout=2)
	assert (closed.kind, closed.stage) == ("refused", "connect")
	hung = mailprobe.smtp("127.0.0.1", silent_server.port, timeout=0.5)
	assert (hung.kind, hung.stage) == ("timeout", "connect")
	assert hung.ms < 3000
	dns = mailprobe.smtp("no-such-host.invalid", 25, timeout=2)
	assert dns.kind == "dns"


def test_imap_login_and_refusal():
	server = Imap(LOGIN, PASSWORD)
	try:
		assert mailprobe.imap("127.0.0.1", server.port, login=LOGIN, password=PASSWORD, timeout=3).ok
		bad = mailprobe.imap("127.0.0.1", server.port, login=LOGIN, password="nope", timeout=3)
		assert (bad.ok, bad.kind, bad.stage) == (False, "auth", "login")
	finally:
		server.close()


@pytest.fixture
def queue_tables(site_sql):
	made = FrappeTables(site_sql).create("tabEmail Queue", "tabEmail Account")
	site_sql("INSERT INTO `tabSingles` VALUES ('System Settings', 'time_zone', 'UTC')")
	yield site_sql
	made.drop()


def test_email_queue_backlog_errors_and_accounts(bench, queue_tables):
	now = datetime.utcnow().replace(microsecond=0)
	for i in range(30):  # a filled queue: the oldest waits three hours
		queue_tables(
			"INSERT INTO `tabEmail Queue` VALUES (%s, %s, %s, 'Not Sent', NULL, 'a@example.com')",
			(f"q{i}", now - timedelta(hours=3) + timedelta(minutes=i), now),
		)
	queue_tables(
		"INSERT INTO `tabEmail Queue` VALUES ('e1', %s, %s, 'Error', %s, 'a@example.com')",
		(now, now, "Traceback ...\nsmtplib.SMTPAuthenticationError: (535, b'bad credentials')"),
	)
	result = run_one(bench.context(), "email.queue")
	assert result.status is Status.CRITICAL
	assert result.summary == (
		"Email Queue: 30 not sent, 1 error(s), 0 sent; the oldest waits 180 min. No default outgoing account."
	)
	errors = next(f for f in result.findings if f.message == "Sending errors in the last 24 h")
	assert errors.evidence == {"smtplib.SMTPAuthenticationError: (535, b'bad credentials')": 1}
	assert errors.link == "/app/email-queue?status=Error"  # the desk opens the failed emails
	assert {m.name for m in result.metrics if m.headline} == {"not_sent", "error", "oldest_unsent"}
	queue_tables(
		"INSERT INTO `tabEmail Account` (name, email_id, enable_outgoing, default_outgoing) VALUES ('Out', 'o@example.com', 1, 1)"
	)
	bench.conf["mute_emails"] = 1
	bench.write()
	result = run_one(bench.context(), "email.queue")
	assert result.summary.endswith("the oldest waits 180 min. mute_emails is on.")
	assert result.fixes[0].command == "bench --site test.local set-config mute_emails 0"


def test_emails_stuck_in_sending_for_hours_are_named_not_reported_as_nothing_unsent(bench, queue_tables):
	now = datetime.utcnow().replace(microsecond=0)
	queue_tables(
		"INSERT INTO `tabEmail Account` (name, email_id, enable_outgoing, default_outgoing) VALUES ('Out', 'o@example.com', 1, 1)"
	)
	for i in range(3):  # picked up by a flush job three hours ago that never finished
		queue_tables(
			"INSERT INTO `tabEmail Queue` VALUES (%s, %s, %s, 'Sending', NULL, 'a@example.com')",
			(f"s{i}", now - timedelta(hours=3), now - timedelta(hours=3)),
		)
	result = run_one(bench.context(), "email.queue")
	assert result.status is Status.CRITICAL
	assert result.summary == (
		"3 email(s) stuck in Sending for 3.0 h. Email Queue: 0 not sent, 0 error(s), 0 sent."
	)
	assert result.findings[0].link == "/app/email-queue?status=Sending"
