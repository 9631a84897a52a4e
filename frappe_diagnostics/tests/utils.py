"""Factories and helpers for the bench suite."""

from __future__ import annotations

import json
import subprocess
import sys

import frappe
from frappe.tests.test_api import make_request
from frappe.utils import get_bench_path, get_test_client

try:  # Frappe v16: the integration test base class
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:  # Frappe v15
	from frappe.tests.utils import FrappeTestCase as TestCase

__all__ = ["TestCase", "bench_command", "call", "http_client", "make_user", "parse_json_output"]

PASSWORD = "Diag-Test-pw-2026!"


def make_user(email: str, roles: tuple[str, ...] = ()) -> str:
	"""A System User with exactly these roles and a known password.

	A user saved by an earlier `bench … diagnostics fix` subprocess has its Contact updated by a worker
	job (Frappe enqueues create_contact outside tests); when that job lands mid-save, save again.
	"""
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		)
		user.insert(ignore_permissions=True)
	for attempt in range(3):
		try:
			_save_user(email, roles)
			break
		except frappe.TimestampMismatchError:
			frappe.db.rollback()
			if attempt == 2:
				raise
	frappe.db.commit()
	return email


def _save_user(email: str, roles: tuple[str, ...]) -> None:
	user = frappe.get_doc("User", email)
	user.roles = []
	for role in roles:
		user.append("roles", {"role": role})
	user.user_type = "System User"
	user.enabled = 1
	user.new_password = PASSWORD
	user.flags.ignore_password_policy = True
	user.save(ignore_permissions=True)


def http_client(user: str | None = None):
	"""A werkzeug test client against the real WSGI app, logged in as `user` (None = Guest)."""
	client = get_test_client()
	if user:
		response = make_request(client.post, ("/api/method/login",), {"data": {"usr": user, "pwd": PASSWORD}})
		assert response.status_code == 200, response.get_data(as_text=True)
	return client


def call(client, method: str, http: str = "GET", data: dict | None = None):
	target = client.post if http == "POST" else client.get
	kwargs = {"data": data or {}} if http == "POST" else {"query_string": data or {}}
	return make_request(target, (f"/api/method/{method}",), kwargs)


def bench_command(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
	"""Run `bench --site <this site> <args>` the way bench does: the bench helper from sites/."""
	cmd = [sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", frappe.local.site, *args]
	return subprocess.run(
		cmd, cwd=f"{get_bench_path()}/sites", capture_output=True, text=True, timeout=timeout
	)


def parse_json_output(stdout: str):
	"""The JSON document in a command's output (bench may print lines before it)."""
	start = stdout.index("{")
	return json.loads(stdout[start:])


CALM = {
	"system.cpu": {
		"cpu_warning_pct": 101,
		"cpu_critical_pct": 102,
		"load_warning_per_core": 10**6,
		"load_critical_per_core": 10**7,
	},
	"system.memory": {"available_warning_pct": 0, "available_critical_pct": -1, "swap_warning_pct": 101},
	"filesystem.disk_space": {
		"free_warning_pct": 0,
		"free_critical_pct": -1,
		"free_critical_gb": 0,
		"inodes_warning_pct": 0,
	},
}


def set_thresholds(overrides: dict | None) -> None:
	"""Diagnostics Settings' threshold overrides, saved (and cached) as an operator would save them."""
	settings = frappe.get_single("Diagnostics Settings")
	settings.threshold_overrides = json.dumps(overrides) if overrides else None
	settings.save(ignore_permissions=True)
	frappe.db.commit()


def forced(**changes) -> dict:
	"""The calm thresholds with some of them changed, e.g. forced(memory_warning=True)."""
	overrides = {check: dict(values) for check, values in CALM.items()}
	for check, values in changes.items():
		overrides[check.replace("__", ".")].update(values)
	return overrides
