"""Fuzzing the fix framework's action strings and parameter cleaning on a real site: a dry run of any string
either plans a change or refuses with a message (ValueError / FixRefused), never another exception, and
changes nothing. Seeded random examples (the bench environment has no hypothesis); DIAG_FUZZ_EXAMPLES
raises the count."""

from __future__ import annotations

import os
import random
from urllib.parse import quote

import frappe

from frappe_diagnostics.site import fixes
from frappe_diagnostics.site.fixes.actions import ACTIONS
from frappe_diagnostics.site.fixes.tokens import FixRefused
from frappe_diagnostics.tests.utils import TestCase

EXAMPLES = int(os.environ.get("DIAG_FUZZ_EXAMPLES", "300"))
NAMES = [*ACTIONS, "revert", "", "enable_user ", "ENABLE_USER", "revert?", "??", "x" * 300]
KEYS = ["user", "ip", "doctype", "role", "ptype", "permlevel", "name", "right", "log", "", "user[]", "a b"]
VALUES = [
	"Administrator",
	"Guest",
	"ToDo",
	"User",
	"DocType",
	"System Manager",
	"read",
	"write",
	"submit",
	"0",
	"-1",
	"10",
	"1e9",
	"nan",
	"127.0.0.1",
	"::1",
	"999.1.1.1",
	"DFL-2026-00001",
	"' OR '1'='1",
	"`x`",
	"$(touch x)",
	"%00",
	"\x00",
	"\u202e",
	"😀",
	"a" * 2000,
	"../../etc/passwd",
	"None",
	"null",
	"[]",
	"{}",
]


VALID = [
	"grant_permission?doctype=ToDo&ptype=read&role=Blogger",
	"grant_permission?doctype=Note&permlevel=0&ptype=write&role=Blogger",
	"reset_login_attempts?user=Administrator",
	"reset_login_attempts?ip=10.9.9.9&user=Administrator",
]


def random_action(rng: random.Random) -> str:
	if rng.random() < 0.3:  # a valid action with one hostile change: reaches each action's own cleaning
		base = rng.choice(VALID)
		extra = f"&{quote(rng.choice(KEYS))}={quote(rng.choice(VALUES))}" if rng.random() < 0.5 else ""
		return base + extra
	params = [
		(rng.choice(KEYS), rng.choice(VALUES) if rng.random() < 0.8 else str(rng.random()))
		for _ in range(rng.randint(0, 5))
	]
	encode = quote if rng.random() < 0.7 else (lambda text: text)
	query = "&".join(f"{encode(k)}={encode(v)}" for k, v in params)
	return f"{rng.choice(NAMES)}?{query}" if query or rng.random() < 0.5 else rng.choice(NAMES)


class TestFixActionFuzz(TestCase):
	def setUp(self):
		frappe.set_user("Administrator")

	def test_any_action_string_plans_or_refuses_and_changes_nothing(self):
		rng = random.Random(20261130)
		before = (
			frappe.db.count("Custom DocPerm"),
			frappe.db.count("DocShare"),
			frappe.db.count("User Permission"),
		)
		unexpected, reached = [], {"planned": 0, "refused by its action": 0}
		for _ in range(EXAMPLES):
			text = random_action(rng)
			try:
				plan = fixes.plan(text)
			except (ValueError, FixRefused) as e:
				self.assertTrue(str(e), text)
				if not str(e).startswith(("Unknown fix", "Name the fix")):
					reached["refused by its action"] += 1
				continue
			except Exception as e:
				unexpected.append(f"{type(e).__name__}: {e} <- {text[:200]!r}")
				frappe.db.rollback()
				continue
			self.assertIn(plan["name"], [*ACTIONS, "revert"])
			reached["planned"] += 1
		self.assertEqual(unexpected, [])
		self.assertGreater(min(reached.values()), EXAMPLES // 100, reached)  # the cleaning was exercised
		after = (
			frappe.db.count("Custom DocPerm"),
			frappe.db.count("DocShare"),
			frappe.db.count("User Permission"),
		)
		self.assertEqual(before, after)
