"""Fixes: System Manager only, POST only, dry run → confirmation → apply → audit → revert; and the commands."""

from __future__ import annotations

import subprocess
from unittest.mock import patch

import frappe

from frappe_diagnostics.site import fixes
from frappe_diagnostics.site.fixes import actions as fix_actions
from frappe_diagnostics.tests import test_access_permissions as world
from frappe_diagnostics.tests.utils import TestCase, call, http_client, make_user, parse_json_output

MANAGER = "diag-access-manager@example.com"
MANAGER2 = "diag-access-manager2@example.com"
PLAIN = "diag-plain@example.com"
API = "frappe_diagnostics.api.access"
ENABLE = f"enable_user?user={world.USER}"


def enabled(user: str = world.USER) -> int:
	frappe.db.rollback()  # a fresh snapshot sees what requests committed
	return frappe.db.get_value("User", user, "enabled")


def disable(user: str = world.USER) -> None:
	frappe.db.set_value("User", user, "enabled", 0)
	frappe.db.commit()


class TestAccessAPI(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		world.setup_world()
		make_user(MANAGER, ("System Manager",))
		make_user(MANAGER2, ("System Manager",))
		make_user(PLAIN, ("Blogger",))

	def setUp(self):
		frappe.set_user("Administrator")
		world.clean_world()
		for user in (world.USER, world.OWNER):
			frappe.db.set_value("User", user, "enabled", 1)
		frappe.db.commit()

	tearDown = setUp

	def test_guest_and_user_without_role_get_403_everywhere(self):
		endpoints = [
			("why_no_login", "POST", {"user": world.USER}),
			("why_denied", "POST", {"user": world.USER, "doctype": "ToDo"}),
			("plan_fix", "POST", {"action": ENABLE}),
			("apply_fix", "POST", {"action": ENABLE, "confirmation": "1.x"}),
			("fix_log", "GET", {}),
		]
		disable()
		for who in (None, PLAIN):
			client = http_client(who)
			for method, http, data in endpoints:
				for args in (data, {}):  # without arguments too: 403, not a 500 about a missing argument
					response = call(client, f"{API}.{method}", http, args)
					self.assertEqual(response.status_code, 403, f"{method} as {who or 'Guest'} with {args}")
		self.assertEqual(enabled(), 0)

	def test_state_changing_endpoints_refuse_get(self):
		disable()
		client = http_client(MANAGER)
		plan = call(client, f"{API}.plan_fix", "POST", {"action": ENABLE}).json["message"]
		for method, data in (
			("why_no_login", {"user": world.USER}),
			("why_denied", {"user": world.USER, "doctype": "ToDo"}),
			("plan_fix", {"action": ENABLE}),
			("apply_fix", {"action": ENABLE, "confirmation": plan["confirmation"]}),
		):
			response = call(client, f"{API}.{method}", "GET", data)
			self.assertEqual(response.status_code, 403, method)  # POST-only methods refuse GET with 403
		self.assertEqual(enabled(), 0)

	def test_apply_needs_the_confirmation_of_this_plan_for_this_user(self):
		disable()
		client, other = http_client(MANAGER), http_client(MANAGER2)
		plan = call(client, f"{API}.plan_fix", "POST", {"action": ENABLE}).json["message"]
		self.assertEqual(plan["changes"], [{"field": "enabled", "before": 0, "after": 1}])
		self.assertEqual(enabled(), 0, "a dry run changes nothing")
		token = plan["confirmation"]
		tampered = token[:-1] + ("1" if token.endswith("0") else "0")
		refusals = [
			(client, {}, "needs the confirmation from its dry run"),
			(client, {"confirmation": tampered}, "does not match this plan"),
			(client, {"confirmation": "12.abc"}, "has expired"),
			(other, {"confirmation": plan["confirmation"]}, "does not match this plan"),
		]
		for who, extra, message in refusals:
			response = call(who, f"{API}.apply_fix", "POST", {"action": ENABLE, **extra})
			self.assertEqual(response.status_code, 417, response.get_data(as_text=True))
			self.assertIn(message, response.get_data(as_text=True))
		disable(world.OWNER)  # another fix that would change something: the confirmation is not for it
		wrong_fix = call(
			client,
			f"{API}.apply_fix",
			"POST",
			{"action": f"enable_user?user={world.OWNER}", "confirmation": token},
		)
		self.assertIn("does not match this plan", wrong_fix.get_data(as_text=True))
		self.assertEqual((enabled(), enabled(world.OWNER)), (0, 0))
		applied = call(
			client, f"{API}.apply_fix", "POST", {"action": ENABLE, "confirmation": plan["confirmation"]}
		)
		self.assertEqual(applied.status_code, 200, applied.get_data(as_text=True))
		self.assertEqual(applied.json["message"]["user"], MANAGER)
		self.assertEqual(enabled(), 1)
		disable()  # same state again: the same confirmation would sign the same plan, but it was spent
		again = call(
			client, f"{API}.apply_fix", "POST", {"action": ENABLE, "confirmation": plan["confirmation"]}
		)
		self.assertIn("already used", again.get_data(as_text=True))

	def test_diagnose_plan_apply_over_http_records_the_run_and_the_audit(self):
		name = world.make_note()
		client = http_client(MANAGER)
		response = call(
			client, f"{API}.why_denied", "POST", {"user": world.USER, "doctype": world.DOCTYPE, "name": name}
		)
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		run = response.json["message"]
		self.assertEqual(
			(run["kind"], run["trigger"], run["likely_cause"]),
			("Permission", "API", "permission.role_permissions"),
		)
		self.assertTrue(run["verdict"].startswith("Denied"))
		cause = next(r for r in run["results"] if r["check_id"] == run["likely_cause"])
		action = next(
			f["action"] for f in cause["fixes"] if (f.get("action") or "").startswith("grant_permission")
		)
		plan = call(client, f"{API}.plan_fix", "POST", {"action": action}).json["message"]
		log = call(
			client,
			f"{API}.apply_fix",
			"POST",
			{"action": action, "confirmation": plan["confirmation"], "run": run["name"]},
		)
		self.assertEqual(log.status_code, 200, log.get_data(as_text=True))
		log = log.json["message"]
		self.assertEqual(
			(log["status"], log["diagnostic_run"], log["target_name"]),
			("Applied", run["name"], world.DOCTYPE),
		)
		history = call(client, f"{API}.fix_log").json["message"]
		self.assertEqual(history[0]["name"], log["name"])
		again = call(
			client, f"{API}.why_denied", "POST", {"user": world.USER, "doctype": world.DOCTYPE, "name": name}
		)
		self.assertTrue(again.json["message"]["verdict"].startswith("Allowed"))
		login = call(client, f"{API}.why_no_login", "POST", {"user": world.USER})
		self.assertEqual(login.json["message"]["kind"], "Login")
		bad = call(client, f"{API}.why_denied", "POST", {"user": world.USER, "doctype": "Nope Nope"})
		self.assertEqual(bad.status_code, 200)  # the troubleshooter declines: an answer, not an error
		self.assertTrue(bad.json["message"]["refused"])
		self.assertEqual(bad.json["message"]["message"], "There is no DocType 'Nope Nope'.")

	def test_revert_restores_the_recorded_before_state(self):
		grant = f"grant_permission?doctype={world.DOCTYPE}&role={world.ROLE}&ptype=write"
		log = fixes.apply(grant, fixes.dry_run(grant)["confirmation"])
		self.assertTrue(
			frappe.db.exists("Custom DocPerm", {"parent": world.DOCTYPE, "role": world.ROLE, "write": 1})
		)
		revert = f"revert?log={log['name']}"
		plan = fixes.dry_run(revert)
		self.assertIn({"field": "custom_rules", "before": True, "after": False}, plan["changes"])
		reverted = fixes.apply(revert, plan["confirmation"])
		self.assertEqual((reverted["status"], reverted["reverted_by"]), ("Reverted", "Administrator"))
		self.assertFalse(frappe.db.exists("Custom DocPerm", {"parent": world.DOCTYPE}))
		with self.assertRaisesRegex(fixes.FixRefused, "only an applied fix can be reverted"):
			fixes.dry_run(revert)
		name = world.make_note()
		share = f"share_document?doctype={world.DOCTYPE}&name={name}&user={world.USER}&right=write"
		log = fixes.apply(share, fixes.dry_run(share)["confirmation"])
		self.assertEqual(log["after"]["share"], {"read": 1, "write": 1, "submit": 0, "share": 0})
		fixes.apply(f"revert?log={log['name']}", fixes.dry_run(f"revert?log={log['name']}")["confirmation"])
		self.assertFalse(frappe.db.exists("DocShare", {"share_name": name, "user": world.USER}))

	def test_revert_refuses_when_the_target_changed_since(self):
		disable()
		log = fixes.apply(ENABLE, fixes.dry_run(ENABLE)["confirmation"])
		disable()
		with self.assertRaisesRegex(fixes.FixRefused, "changed since"):
			fixes.dry_run(f"revert?log={log['name']}")
		with self.assertRaisesRegex(fixes.FixRefused, "one-way"):
			reset = f"reset_login_attempts?user={world.USER}"
			frappe.cache.hset("login_failed_count", world.USER, 2)
			frappe.cache.hset("login_failed_time", world.USER, frappe.utils.get_datetime())
			fixes.dry_run(f"revert?log={fixes.apply(reset, fixes.dry_run(reset)['confirmation'])['name']}")

	def test_nothing_to_do_and_unknown_fixes(self):
		plan = fixes.dry_run(ENABLE)
		self.assertTrue(plan["noop"])
		self.assertIsNone(plan["confirmation"])
		with self.assertRaisesRegex(fixes.FixRefused, "Nothing to change"):
			fixes.apply(ENABLE, "1.x")
		with self.assertRaisesRegex(ValueError, "Unknown fix 'drop_everything'"):
			fixes.dry_run("drop_everything?table=User")
		with self.assertRaisesRegex(ValueError, "not a role"):
			fixes.dry_run("grant_permission?doctype=ToDo&role=Guest&ptype=read")
		with self.assertRaisesRegex(ValueError, "Missing parameter 'user'"):
			fixes.dry_run("enable_user")

	def test_a_failing_fix_is_rolled_back_and_recorded_as_failed(self):
		disable()
		plan = fixes.dry_run(ENABLE)

		def half_then_fail(user, value):
			frappe.db.set_value("User", user, "enabled", value)
			raise RuntimeError("disk on fire")

		with patch.object(fix_actions.EnableUser, "_set", staticmethod(half_then_fail)):
			with self.assertRaisesRegex(fixes.FixRefused, "nothing was changed"):
				fixes.apply(ENABLE, plan["confirmation"])
		self.assertEqual(enabled(), 0)
		log = frappe.get_last_doc("Diagnostic Fix Log")
		self.assertEqual((log.status, log.action), ("Failed", "enable_user"))
		self.assertIn("disk on fire", log.error)


def access_command(*args: str) -> subprocess.CompletedProcess:
	"""`bench --site S diagnostics <args>`, exactly as bench runs it."""
	from frappe_diagnostics.tests.utils import bench_command

	return bench_command("diagnostics", *args)


class TestAccessCommands(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		world.setup_world()

	def setUp(self):
		world.clean_world()
		frappe.db.set_value("User", world.USER, "enabled", 1)
		frappe.db.commit()

	tearDown = setUp

	def test_why_denied_json_exits_2_and_stores_a_permission_run(self):
		done = access_command("why-denied", "--user", world.USER, "--doctype", world.DOCTYPE, "--json")
		self.assertEqual(done.returncode, 2, done.stderr)
		data = parse_json_output(done.stdout)
		self.assertEqual((data["kind"], data["likely_cause"]), ("Permission", "permission.role_permissions"))
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Diagnostic Run", data["name"], "trigger"), "CLI")

	def test_why_no_login_text_and_bad_usage_exits_64(self):
		done = access_command("why-no-login", "--user", world.USER, "--no-store")
		self.assertEqual(done.returncode, 0, done.stderr)
		self.assertIn("can log in.", done.stdout)
		done = access_command("why-denied", "--user", world.USER, "--doctype", "No Such Thing")
		self.assertEqual(done.returncode, 64)
		self.assertIn("There is no DocType", done.stderr + done.stdout)
		done = access_command("fix", "drop_everything")
		self.assertEqual(done.returncode, 64)
		self.assertIn("Unknown fix", done.stderr + done.stdout)

	def test_fix_dry_run_changes_nothing_and_apply_records_a_cli_log(self):
		disable()
		done = access_command("fix", ENABLE)
		self.assertEqual(done.returncode, 0, done.stderr)
		self.assertIn("enabled: 0 -> 1", done.stdout)
		self.assertIn("Dry run only", done.stdout)
		self.assertEqual(enabled(), 0)
		done = access_command("fix", ENABLE, "--apply", "--yes")
		self.assertEqual(done.returncode, 0, done.stderr)
		self.assertIn("recorded as DFL-", done.stdout)
		self.assertEqual(enabled(), 1)
		log = frappe.get_last_doc("Diagnostic Fix Log")
		self.assertEqual((log.trigger, log.user, log.status), ("CLI", "Administrator", "Applied"))
