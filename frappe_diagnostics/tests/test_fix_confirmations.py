"""A fix confirmation applies once, for good: the spent mark is a database row claimed before the work,
so a cleared cache, a Redis that is down, a revert that restores the state, or a second request racing the
first never lets it apply again."""

from __future__ import annotations

import threading
from unittest.mock import patch

import frappe
from frappe.utils.redis_wrapper import RedisWrapper

from frappe_diagnostics.site import fixes
from frappe_diagnostics.site.fixes import tokens
from frappe_diagnostics.site.fixes.tokens import FixRefused
from frappe_diagnostics.tests.utils import TestCase, make_user

USER = "diag-confirm-user@example.com"
ENABLE = f"enable_user?user={USER}"
SPENT = "That confirmation was already used. Run the dry run again."


def disable() -> None:
	frappe.db.set_value("User", USER, "enabled", 0)
	frappe.db.commit()


class TestFixConfirmations(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(USER, ("Blogger",))

	def setUp(self):
		frappe.set_user("Administrator")
		disable()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		frappe.db.set_value("User", USER, "enabled", 1)
		frappe.db.commit()

	def test_apply_then_revert_then_the_same_confirmation_is_refused(self):
		token = fixes.dry_run(ENABLE)["confirmation"]
		log = fixes.apply(ENABLE, token)
		frappe.db.commit()
		revert = f"revert?log={log['name']}"
		fixes.apply(revert, fixes.dry_run(revert)["confirmation"])  # saves the User: clears its cache
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value("User", USER, "enabled"), 0)
		with self.assertRaises(FixRefused) as refused:
			fixes.apply(ENABLE, token)
		self.assertEqual(str(refused.exception), SPENT)
		self.assertEqual(frappe.db.get_value("User", USER, "enabled"), 0)

	def test_a_cleared_cache_does_not_make_it_reusable(self):
		token = fixes.dry_run(ENABLE)["confirmation"]
		fixes.apply(ENABLE, token)
		frappe.db.commit()
		disable()
		frappe.clear_cache()
		with self.assertRaises(FixRefused) as refused:
			fixes.apply(ENABLE, token)
		self.assertEqual(str(refused.exception), SPENT)

	def test_with_redis_down_a_spent_confirmation_is_still_refused(self):
		token = fixes.dry_run(ENABLE)["confirmation"]
		fixes.apply(ENABLE, token)
		frappe.db.commit()
		disable()
		dead = RedisWrapper.from_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
		with patch.object(frappe, "cache", dead), self.assertRaises(FixRefused) as refused:
			fixes.apply(ENABLE, token)
		self.assertEqual(str(refused.exception), SPENT)

	def test_two_concurrent_applies_with_one_confirmation_exactly_one_passes(self):
		token = fixes.dry_run(ENABLE)["confirmation"]
		frappe.db.commit()
		site, sites_path = frappe.local.site, frappe.local.sites_path
		both_verified = threading.Barrier(2, timeout=20)
		real_verify = tokens.verify
		outcomes = []

		def verify_then_wait(*args):
			real_verify(*args)
			both_verified.wait()  # both requests got past the check before either does the work

		def request():
			frappe.init(site=site, sites_path=sites_path)
			frappe.connect()
			frappe.set_user("Administrator")
			try:
				log = fixes.apply(ENABLE, token)
				frappe.db.commit()
				outcomes.append(("applied", log["name"]))
			except FixRefused as e:
				frappe.db.rollback()
				outcomes.append(("refused", str(e)))
			finally:
				frappe.destroy()

		with patch.object(tokens, "verify", verify_then_wait):
			threads = [threading.Thread(target=request) for _ in range(2)]
			for thread in threads:
				thread.start()
			for thread in threads:
				thread.join(60)
		self.assertEqual(sorted(kind for kind, _ in outcomes), ["applied", "refused"], outcomes)
		self.assertIn(("refused", SPENT), outcomes)
		frappe.db.rollback()
		logs = frappe.get_all("Diagnostic Fix Log", filters={"target_name": USER, "status": "Applied"})
		self.assertIn(next(name for kind, name in outcomes if kind == "applied"), [d.name for d in logs])
