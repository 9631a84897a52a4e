"""Operations troubleshooters and maintenance on this real site, each breakage built for real: a paused
scheduler, a queue filled with no worker, a wrong SMTP password and a closed port, a weak Administrator
password, a planted orphan file, an expired certificate, a stopped web server, old rotated logs."""

import base64
import os
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import frappe
from frappe.installer import update_site_config
from frappe.utils import add_days, get_bench_path, now_datetime

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.site import fixes
from frappe_diagnostics.site.service import troubleshoot
from frappe_diagnostics.tests.utils import TestCase, bench_command, call, http_client

LOGIN, PASSWORD = "mailer@example.com", "Mail-pw-2026"


def steps(name, **inputs):
	diagnosis, _ = troubleshoot(name, "bench", store=False, **inputs)
	return diagnosis, {s.check_id: s for s in diagnosis.steps}


class Smtp(socketserver.ThreadingTCPServer):
	"""A small real SMTP server over TCP: EHLO, AUTH PLAIN (235 or 535), QUIT."""

	daemon_threads = allow_reuse_address = True

	def __init__(self):
		class Handler(socketserver.StreamRequestHandler):
			def handle(self):
				self.wfile.write(b"220 test ESMTP\r\n")
				for raw in self.rfile:
					line = raw.decode(errors="replace").strip()
					verb = line.split(" ", 1)[0].upper()
					if verb in ("EHLO", "HELO"):
						self.wfile.write(b"250-test\r\n250 AUTH PLAIN\r\n")
					elif verb == "AUTH":
						given = base64.b64decode(line.split()[-1]).split(b"\0")[1:]
						ok = given == [LOGIN.encode(), PASSWORD.encode()]
						self.wfile.write(b"235 ok\r\n" if ok else b"535 5.7.8 bad credentials\r\n")
					elif verb == "QUIT":
						self.wfile.write(b"221 bye\r\n")
						return
					else:
						self.wfile.write(b"250 ok\r\n")

		super().__init__(("127.0.0.1", 0), Handler)
		self.port = self.server_address[1]
		threading.Thread(target=self.serve_forever, daemon=True).start()

	def close(self):
		self.shutdown()
		self.server_close()


class TestEmail(TestCase):
	def setUp(self):
		# the state this test names: its account is the site's only outgoing one (test sites carry others)
		self.others = frappe.get_all(
			"Email Account", {"enable_outgoing": 1}, ["name", "default_outgoing"], as_list=True
		)
		for name, _default in self.others:
			frappe.db.set_value("Email Account", name, {"enable_outgoing": 0, "default_outgoing": 0})

	def tearDown(self):
		for name, default in self.others:
			frappe.db.set_value("Email Account", name, {"enable_outgoing": 1, "default_outgoing": default})

	def test_smtp_login_then_wrong_password_then_closed_port(self):
		server = Smtp()
		account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": "Diag Ops Out",
				"email_id": LOGIN,
				"password": PASSWORD,
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "127.0.0.1",
				"smtp_port": str(server.port),
			}
		).insert(ignore_permissions=True)
		try:
			_, by_id = steps("email", timeout=3)
			self.assertEqual(by_id["email.outgoing_account"].status, Status.OK)
			self.assertEqual(
				by_id["email.smtp"].summary, "1 of 1 outgoing account(s) log in to their SMTP server."
			)
			account.password = "not-the-password"
			account.save(ignore_permissions=True)
			_, by_id = steps("email", timeout=3)
			self.assertEqual(by_id["email.smtp"].status, Status.CRITICAL)
			self.assertIn("auth at login", by_id["email.smtp"].summary)
			self.assertNotIn("not-the-password", frappe.as_json(by_id["email.smtp"].to_dict()))
			server.close()
			_, by_id = steps("email", timeout=3)
			self.assertIn("refused at connect", by_id["email.smtp"].summary)
		finally:
			server.close() if server.socket.fileno() != -1 else None
			frappe.delete_doc("Email Account", account.name, force=True, ignore_permissions=True)


def reload_site_config():
	from frappe.utils.background_jobs import get_queues_timeout

	frappe.local.conf = frappe._dict(frappe.get_site_config())
	get_queues_timeout.cache_clear()  # Frappe caches the queue list for the process


class TestJobs(TestCase):
	def tearDown(self):
		update_site_config("pause_scheduler", 0)
		update_site_config("workers", {})
		reload_site_config()

	def test_paused_scheduler_is_the_likely_cause(self):
		frappe.db.set_single_value("System Settings", "enable_scheduler", 1)
		update_site_config("pause_scheduler", 1)
		frappe.local.conf = frappe._dict(frappe.get_site_config())
		_diagnosis, by_id = steps("jobs")
		self.assertEqual(
			by_id["scheduler.alive"].summary,
			"pause_scheduler is set in the site config: no scheduled job is enqueued.",
		)

	def test_a_filled_queue_with_no_worker_then_a_real_worker_drains_it(self):
		update_site_config("workers", {"diag_ops": {"timeout": 60}})
		reload_site_config()
		for _ in range(3):
			frappe.enqueue("frappe.ping", queue="diag_ops")
		_diagnosis, by_id = steps("jobs", job="frappe.ping")
		self.assertEqual(
			by_id["jobs.workers"].summary, "Jobs are waiting on diag_ops with no worker listening."
		)
		self.assertTrue(by_id["jobs.locate"].summary.startswith("frappe.ping is waiting on queue diag_ops"))
		# a real worker process on that queue (bench worker only takes queues of common_site_config.json)
		code = (
			f"import frappe; frappe.init(site={frappe.local.site!r}, sites_path='.'); "
			"from frappe.utils.background_jobs import get_redis_conn, generate_qname; from rq import Queue, Worker; "
			"c = get_redis_conn(); Worker([Queue(generate_qname('diag_ops'), connection=c)], connection=c).work(burst=True)"
		)
		env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
		worker = subprocess.run(
			[sys.executable, "-c", code],
			cwd=f"{get_bench_path()}/sites",
			env=env,
			capture_output=True,
			text=True,
			timeout=180,
		)
		self.assertEqual(worker.returncode, 0, worker.stderr[-2000:])
		_, by_id = steps("jobs", job="frappe.ping")
		self.assertTrue(
			by_id["jobs.locate"].summary.startswith("frappe.ping finished successfully"),
			by_id["jobs.locate"].summary,
		)


class TestSecurityFilesWeb(TestCase):
	def test_weak_administrator_password_for_real(self):
		from frappe.utils.password import update_password

		update_password("Administrator", "Diag-Strong-Passphrase-2026!")
		frappe.db.commit()  # the audit reads with its own connection
		try:
			_, by_id = steps("security")
			self.assertNotIn("security.admin_password", by_id)
			update_password("Administrator", "admin")
			frappe.db.commit()
			_, by_id = steps("security")
			self.assertEqual(by_id["security.admin_password"].status, Status.CRITICAL)
		finally:
			update_password("Administrator", "admin")
			frappe.db.commit()

	def test_planted_orphan_found_quarantined_and_reverted(self):
		path = Path(frappe.get_site_path("public", "files", "diag-ops-orphan.bin")).resolve()
		path.write_bytes(b"planted")
		try:
			_, by_id = steps("files")
			samples = [o["path"] for o in by_id["files.scan"].findings[-1].evidence["samples"]]
			self.assertIn("public/files/diag-ops-orphan.bin", samples)
			plan = fixes.dry_run("quarantine_orphans?limit=100")
			self.assertIn("orphans.public/files/diag-ops-orphan.bin", [c["field"] for c in plan["changes"]])
			log = fixes.apply("quarantine_orphans?limit=100", plan["confirmation"], trigger="CLI")
			self.assertFalse(path.exists())
			revert = fixes.dry_run(f"revert?log={log['name']}")
			fixes.apply(f"revert?log={log['name']}", revert["confirmation"], trigger="CLI")
			self.assertEqual(path.read_bytes(), b"planted")
			self.assertEqual(frappe.db.get_value("Diagnostic Fix Log", log["name"], "status"), "Reverted")
		finally:
			path.unlink(missing_ok=True)

	def test_expired_certificate_named_in_the_site_config(self):
		import datetime as dt

		from cryptography import x509
		from cryptography.hazmat.primitives import hashes, serialization
		from cryptography.hazmat.primitives.asymmetric import ec
		from cryptography.x509.oid import NameOID

		key = ec.generate_private_key(ec.SECP256R1())
		name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, frappe.local.site)])
		now = dt.datetime.now(dt.timezone.utc)
		cert = (
			x509.CertificateBuilder()
			.subject_name(name)
			.issuer_name(name)
			.public_key(key.public_key())
			.serial_number(1)
			.not_valid_before(now - dt.timedelta(days=100))
			.not_valid_after(now - dt.timedelta(days=2))
			.add_extension(x509.SubjectAlternativeName([x509.DNSName(frappe.local.site)]), critical=False)
			.sign(key, hashes.SHA256())
		)
		path = Path(frappe.get_site_path("private", "diag-ops-cert.pem")).resolve()
		path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
		frappe.local.conf.ssl_certificate = str(path)
		try:
			_, by_id = steps("web")
			self.assertEqual(by_id["web.tls_expiry"].status, Status.CRITICAL)
			self.assertIn("EXPIRED", by_id["web.tls_expiry"].summary)
		finally:
			frappe.local.conf.pop("ssl_certificate", None)
			path.unlink(missing_ok=True)

	def test_own_web_server_answers_then_stopped_is_refused(self):
		port = 8000 + os.getpid() % 500 + 100
		frappe.local.conf.webserver_port = port
		env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
		cmd = [
			sys.executable,
			"-m",
			"frappe.utils.bench_helper",
			"frappe",
			"--site",
			frappe.local.site,
			"serve",
			"--port",
			str(port),
			"--noreload",
		]
		proc = subprocess.Popen(
			cmd,
			cwd=f"{get_bench_path()}/sites",
			env=env,
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
		)
		try:
			for _ in range(300):
				_, by_id = steps("web")
				if by_id["web.http"].status is not Status.CRITICAL:
					break
				time.sleep(0.1)
			self.assertTrue(
				by_id["web.http"].summary.startswith(
					f"{frappe.local.site} answers /api/method/ping on port {port}"
				)
			)
		finally:
			proc.terminate()
			proc.wait(30)
		_, by_id = steps("web")
		self.assertEqual(
			by_id["web.http"].summary,
			f"{frappe.local.site} does not answer on the web port {port}: connection refused.",
		)
		frappe.local.conf.pop("webserver_port", None)


class TestMaintenance(TestCase):
	def test_delete_old_rotated_logs_lists_sizes_then_deletes_only_them(self):
		logs = Path(get_bench_path()).resolve() / "logs"
		old = logs / "diag-ops-test.log.3"
		old.write_bytes(b"x" * 1234)
		stamp = time.time() - 40 * 86400
		os.utime(old, (stamp, stamp))
		plan = fixes.dry_run("delete_old_logs?days=30")
		self.assertIn({"field": "files.diag-ops-test.log.3", "before": 1234, "after": None}, plan["changes"])
		fixes.apply("delete_old_logs?days=30", plan["confirmation"], trigger="CLI")
		self.assertFalse(old.exists())
		self.assertTrue((logs / "frappe.log").exists() or not list(logs.glob("*.log")))

	def test_trim_logs_and_clear_cache(self):
		tag = f"diag-ops-old-{frappe.generate_hash(length=8)}"
		for i in range(3):
			doc = frappe.get_doc({"doctype": "Error Log", "method": f"{tag}-{i}", "error": "x"}).insert(
				ignore_permissions=True
			)
			old = add_days(now_datetime(), -400)  # Frappe's clean-up goes by `modified`
			frappe.db.set_value(
				"Error Log", doc.name, {"creation": old, "modified": old}, update_modified=False
			)
		plan = fixes.dry_run("trim_logs")
		before = plan["before"]["older_than_retention"]["Error Log"]
		self.assertGreaterEqual(before, 3)
		fixes.apply("trim_logs", plan["confirmation"], trigger="CLI")
		self.assertEqual(frappe.db.count("Error Log", {"method": ("like", f"{tag}-%")}), 0)
		frappe.cache.set_value("diag_ops_probe", 1)
		plan = fixes.dry_run("clear_cache")
		fixes.apply("clear_cache", plan["confirmation"], trigger="CLI")
		self.assertIsNone(frappe.cache.get_value("diag_ops_probe"))

	def test_bad_tables_and_names_are_refused_and_the_command_exits_64(self):
		with self.assertRaisesRegex(ValueError, "No table 'tabNope; DROP TABLE x'"):
			fixes.dry_run("analyze_tables?tables=tabNope%3B+DROP+TABLE+x")
		with self.assertRaisesRegex(ValueError, "Not worth rebuilding"):
			fixes.dry_run("optimize_tables?tables=tabToDo")
		with self.assertRaisesRegex(ValueError, "Supervisor does not run 'web'"):
			fixes.dry_run("restart_process?name=web")
		done = bench_command("diagnostics", "maintain", "flush_everything")
		self.assertEqual(done.returncode, 64)
		done = bench_command("diagnostics", "maintain", "delete_old_logs", "days=30")
		self.assertEqual(done.returncode, 0, done.stderr)
		self.assertIn("Delete rotated bench log files", done.stdout)


class TestOperationsRest(TestCase):
	def test_guest_gets_403_and_a_run_is_stored_with_its_kind(self):
		frappe.db.commit()
		guest = http_client(None)
		for method in ("jobs", "web", "email", "security", "files"):
			response = call(guest, f"frappe_diagnostics.api.troubleshoot.{method}", "POST")
			self.assertEqual(response.status_code, 403, method)
		_diagnosis, doc = troubleshoot("security", "rest", trigger="API")
		self.assertEqual(doc.kind, "Security")
