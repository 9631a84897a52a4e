"""Login troubleshooter against real logins: bad passwords POSTed to /api/method/login, a disabled user, …"""

from __future__ import annotations

import frappe
from frappe.tests.test_api import make_request
from frappe.utils import add_days, get_test_client, now_datetime, today

from frappe_diagnostics.site import fixes
from frappe_diagnostics.site.access import login_state
from frappe_diagnostics.site.access.login import diagnose_login
from frappe_diagnostics.tests.utils import PASSWORD, TestCase, make_user

USER = "diag-login-user@example.com"
IP = "10.77.0.9"  # a private address of our own: locking it must not lock out 127.0.0.1
SETTINGS = (
	"allow_consecutive_login_attempts",
	"allow_login_after_fail",
	"force_user_to_reset_password",
	"enable_two_factor_auth",
	"two_factor_method",
)


def login(user: str, password: str, ip: str = IP):
	client = get_test_client()
	kwargs = {"data": {"usr": user, "pwd": password}, "headers": {"X-Forwarded-For": ip}}
	return make_request(client.post, ("/api/method/login",), kwargs)


def by_id(diagnosis) -> dict:
	return {s.check_id: s for s in diagnosis.steps}


def apply_offered(testcase, diagnosis, check_id: str) -> dict:
	offered = [f.action for f in by_id(diagnosis)[check_id].fixes if f.action]
	testcase.assertTrue(offered, f"{check_id} offers no action")
	plan = fixes.dry_run(offered[0])
	log = fixes.apply(offered[0], plan["confirmation"], trigger="API")
	frappe.db.commit()
	return log


def reset_counters() -> None:
	settings = frappe.get_single("System Settings")
	for key in (USER, IP):
		login_state.tracker(key, settings).add_success_attempt()


class TestWhyNoLogin(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		settings = frappe.get_single("System Settings")
		cls.saved = {k: settings.get(k) for k in SETTINGS}

	def setUp(self):
		frappe.set_user("Administrator")
		make_user(USER, ("Blogger",))
		frappe.db.set_value("User", USER, {"restrict_ip": None, "login_after": 0, "login_before": 0})
		reset_counters()
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")
		for key, value in self.saved.items():
			frappe.db.set_single_value("System Settings", key, value)
		frappe.db.set_value(
			"User", USER, {"enabled": 1, "restrict_ip": None, "login_after": 0, "login_before": 0}
		)
		reset_counters()
		frappe.db.commit()
		frappe.clear_cache()

	def test_a_healthy_user_can_log_in_and_really_does(self):
		diagnosis = diagnose_login(None, USER)
		self.assertTrue(diagnosis.verdict.endswith("can log in."), diagnosis.summary)
		self.assertIsNone(diagnosis.likely_cause)
		self.assertEqual(login(USER, PASSWORD).status_code, 200)

	def test_lockout_after_bad_passwords_is_named_with_time_left_and_reset_unlocks(self):
		frappe.db.set_single_value(
			"System Settings", {"allow_consecutive_login_attempts": 3, "allow_login_after_fail": 600}
		)
		frappe.db.commit()
		for _ in range(4):
			self.assertNotEqual(login(USER, "wrong-password").status_code, 200)
		self.assertNotEqual(login(USER, PASSWORD).status_code, 200, "the lock refuses the right password too")
		frappe.db.rollback()
		diagnosis = diagnose_login(None, USER, ip=IP)
		cause = diagnosis.likely_cause
		self.assertEqual(cause.check_id, "login.lockout")
		self.assertIn("Locked out", cause.summary)
		self.assertIn(f"address {IP}", cause.summary)
		counters = cause.findings[0].evidence
		self.assertGreaterEqual(counters["failed"], 4)
		self.assertTrue(0 < counters["seconds_left"] <= 600)
		log = apply_offered(self, diagnosis, "login.lockout")
		self.assertEqual(log["action"], "reset_login_attempts")
		self.assertTrue(log["before"]["user"]["locked"])
		self.assertEqual(by_id(diagnose_login(None, USER, ip=IP))["login.lockout"].status.value, "ok")
		self.assertEqual(login(USER, PASSWORD).status_code, 200)

	def test_disabled_user_is_the_cause_and_enabling_lets_them_in(self):
		frappe.db.set_value("User", USER, "enabled", 0)
		frappe.db.commit()
		self.assertNotEqual(login(USER, PASSWORD).status_code, 200)
		reset_counters()
		diagnosis = diagnose_login(None, USER)
		self.assertEqual(diagnosis.likely_cause.check_id, "login.enabled")
		self.assertTrue(diagnosis.verdict.endswith("cannot log in."))
		log = apply_offered(self, diagnosis, "login.enabled")
		self.assertEqual((log["before"], log["after"]), ({"enabled": 0}, {"enabled": 1}))
		self.assertIsNone(diagnose_login(None, USER).likely_cause)
		self.assertEqual(login(USER, PASSWORD).status_code, 200)

	def test_restricted_ip_is_tested_against_the_given_address(self):
		frappe.db.set_value("User", USER, "restrict_ip", "192.168.5.")
		frappe.db.commit()
		self.assertNotEqual(login(USER, PASSWORD, ip="10.77.0.10").status_code, 200)
		self.assertEqual(diagnose_login(None, USER, ip="10.77.0.10").likely_cause.check_id, "login.ip")
		self.assertEqual(by_id(diagnose_login(None, USER, ip="192.168.5.20"))["login.ip"].status.value, "ok")
		self.assertEqual(by_id(diagnose_login(None, USER))["login.ip"].status.value, "warning")

	def test_login_hours_outside_the_window(self):
		hour = now_datetime().hour
		window = {"login_after": hour + 1} if hour < 23 else {"login_before": hour}
		frappe.db.set_value("User", USER, window)
		frappe.db.commit()
		self.assertNotEqual(login(USER, PASSWORD).status_code, 200)
		cause = diagnose_login(None, USER).likely_cause
		self.assertEqual(cause.check_id, "login.hours")
		self.assertIn("Login not allowed at this time", cause.summary)

	def test_expired_password_and_missing_password(self):
		frappe.db.set_single_value("System Settings", "force_user_to_reset_password", 5)
		frappe.db.set_value("User", USER, "last_password_reset_date", add_days(today(), -10))
		frappe.db.commit()
		self.assertEqual(diagnose_login(None, USER).likely_cause.check_id, "login.password_expiry")
		self.assertEqual(login(USER, PASSWORD).json.get("message"), "Password Reset")
		nopass = "diag-login-nopass@example.com"
		if not frappe.db.exists("User", nopass):
			frappe.get_doc(
				{"doctype": "User", "email": nopass, "first_name": "No", "send_welcome_email": 0}
			).insert(ignore_permissions=True)
		self.assertEqual(diagnose_login(None, nopass).likely_cause.check_id, "login.password")

	def test_unknown_user_redis_down_and_bad_usage(self):
		missing = diagnose_login(None, "nobody-at-all@example.com")
		self.assertEqual(missing.likely_cause.check_id, "login.user")
		self.assertEqual(by_id(missing)["login.lockout"].status.value, "skipped")
		saved = frappe.conf.get("redis_cache")
		frappe.conf.redis_cache = "redis://127.0.0.1:1"  # nothing listens there
		try:
			down = diagnose_login(None, USER)
		finally:
			frappe.conf.redis_cache = saved
		self.assertEqual(down.likely_cause.check_id, "login.redis")
		self.assertEqual(by_id(down)["login.lockout"].status.value, "skipped")
		with self.assertRaisesRegex(ValueError, "Name the user"):
			diagnose_login(None, "  ")

	def test_two_factor_by_sms_without_a_mobile_number_blocks(self):
		frappe.db.set_single_value(
			"System Settings", {"enable_two_factor_auth": 1, "two_factor_method": "SMS"}
		)
		frappe.db.set_value("Role", "Blogger", "two_factor_auth", 1)
		frappe.db.set_value("User", USER, "mobile_no", None)
		try:
			cause = diagnose_login(None, USER).likely_cause
			self.assertEqual(cause.check_id, "login.two_factor")
			self.assertIn("no mobile number", cause.summary)
		finally:
			frappe.db.set_value("Role", "Blogger", "two_factor_auth", 0)
			frappe.db.commit()
