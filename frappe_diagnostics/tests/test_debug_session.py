"""Time-boxed debug sessions on a real site: instruments on, a request recorded, the session expiring for
real after a few seconds, the report stored, everything put back; developer_mode never touched."""

import logging
import time

import frappe
from frappe.tests.test_api import make_request

from frappe_diagnostics.observe.debugsession import CONFIG_KEY
from frappe_diagnostics.site.debug import hooks, session
from frappe_diagnostics.site.debug.instruments import recorder_on
from frappe_diagnostics.site.service import run_health
from frappe_diagnostics.tests.utils import TestCase, bench_command, http_client, make_user

USER = "diag-debugged@example.com"


def wait_until_lapsed(started, timeout_s: float = 30.0):
	deadline = time.monotonic() + timeout_s
	while session.current().active():
		assert time.monotonic() < deadline, "the session did not lapse"
		time.sleep(0.2)


def served(client, path: str, query: dict):
	"""A request answered as a server answers it: closing the response runs Frappe's after-response work
	(the Recorder's dump) in the request's own thread."""
	response = client.get(path, query_string=query)
	response.close()
	return response


def site_config_without_session() -> dict:
	conf = session.site_config()
	conf.pop(CONFIG_KEY, None)
	conf.pop("monitor", None)
	return conf


class TestDebugSession(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(USER, ("System Manager",))
		frappe.db.set_single_value("Diagnostics Settings", "debug_max_minutes", 120)
		frappe.db.commit()

	def setUp(self):
		from frappe.recorder import RECORDER_INTERCEPT_FLAG

		if session.current() is not None:
			session.stop()  # a session left by an interrupted run
		frappe.cache.delete_value(RECORDER_INTERCEPT_FLAG)  # the Recorder is off before each session

	def tearDown(self):
		if session.current() is not None:
			session.stop()
		frappe.local.conf.pop(CONFIG_KEY, None)

	def test_a_short_session_records_then_expires_for_real_and_puts_everything_back(self):
		before = session.site_config()
		started = session.start(0.1, monitor=True, sql=True, log_level="debug")
		frappe.db.commit()
		conf = session.site_config()
		self.assertEqual(conf["monitor"], 1)
		self.assertEqual(conf[CONFIG_KEY]["instruments"], ["monitor", "recorder", "sql", "logging"])
		self.assertTrue(recorder_on())
		path = "/api/method/frappe.client.get_count"
		response = make_request(served, (http_client(USER), path, {"doctype": "ToDo"}))
		self.assertEqual(response.status_code, 200)
		wait_until_lapsed(started)
		self.assertEqual(session.tick(), "expired")
		self.assertEqual(
			session.site_config(), before
		)  # monitor unset again, no marker, developer_mode as it was
		self.assertFalse(recorder_on())
		self.assertEqual(frappe.db.get_value("Diagnostic Fix Log", started.log, "status"), "Reverted")
		report = frappe.get_last_doc("Diagnostic Run", filters={"kind": "Debug Session"})
		self.assertEqual(report.trigger, "Scheduler")
		steps = {r.check_id: r for r in report.results}
		self.assertEqual(
			list(steps),
			["debug.window", "debug.requests", "debug.queries", "debug.errors", "debug.endpoints"],
		)
		self.assertIn("ended at its expiry", steps["debug.window"].summary)
		self.assertIn("/api/method/frappe.client.get_count", steps["debug.requests"].findings)
		self.assertIn("tabtodo", steps["debug.queries"].findings)
		self.assertEqual(session.tick(), "none")

	def test_a_health_run_reports_a_lapsed_session_and_ends_it(self):
		started = session.start(0.1, monitor=True)
		frappe.db.commit()
		frappe.local.conf[CONFIG_KEY] = session.site_config()[CONFIG_KEY]  # what a new process reads
		wait_until_lapsed(started)
		result, _doc = run_health(checks=["debug.session"], trigger="CLI")
		self.assertEqual(result.results[0].status.value, "warning")
		self.assertIn(f"The debug session {started.log} (monitor) lapsed", result.results[0].summary)
		self.assertIsNone(session.current())
		self.assertNotIn("monitor", session.site_config())

	def test_refusals(self):
		with self.assertRaisesRegex(ValueError, "between 0.1 and 120"):
			session.start(500, monitor=True)
		with self.assertRaisesRegex(ValueError, "Choose what to turn on"):
			session.start(5)
		with self.assertRaisesRegex(ValueError, "no user 'nobody@example.com'"):
			session.start(5, monitor=True, user="nobody@example.com")
		with self.assertRaisesRegex(ValueError, "Not a logger name: bad name"):
			session.start(5, log_level="DEBUG", loggers=("bad name",))
		first = session.start(5, monitor=True)
		with self.assertRaisesRegex(ValueError, f"A debug session \\({first.log}\\) is already on"):
			session.start(5, recorder=True)

	def test_log_levels_only_for_the_sessions_user_and_restored_afterwards(self):
		session.start(5, log_level="DEBUG", loggers=("diag_test_logger",), user=USER)
		frappe.local.conf[CONFIG_KEY] = session.site_config()[CONFIG_KEY]
		logger = frappe.logger("diag_test_logger")
		default = logger.level
		self.assertNotEqual(default, logging.DEBUG)
		original = frappe.session.user
		try:
			frappe.set_user(USER)
			hooks.apply()
			self.assertEqual(logger.level, logging.DEBUG)
			frappe.set_user("Administrator")
			hooks.apply()
			self.assertEqual(logger.level, default)
		finally:
			frappe.set_user(original)

	def test_bench_commands(self):
		frappe.db.commit()
		started = bench_command("diagnostics", "debug", "start", "--minutes", "5", "--monitor", "--recorder")
		self.assertEqual(started.returncode, 0, started.stderr)
		self.assertIn("developer_mode stays off", started.stdout)
		self.assertIn("until", bench_command("diagnostics", "debug", "status").stdout)
		stopped = bench_command("diagnostics", "debug", "stop")
		self.assertEqual(stopped.returncode, 0, stopped.stderr)
		self.assertIn("What did debug session", stopped.stdout)
		self.assertEqual(bench_command("diagnostics", "debug", "stop").returncode, 1)
		self.assertEqual(bench_command("diagnostics", "debug", "start", "--minutes", "5").returncode, 64)
		self.assertEqual(site_config_without_session(), {k: v for k, v in session.site_config().items()})
