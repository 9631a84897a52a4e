"""Factories and helpers for the bench suite."""

from __future__ import annotations

import json
import subprocess
import sys

import frappe
from frappe.tests.test_api import make_request
from frappe.utils import get_bench_path, get_test_client

PASSWORD = "Diag-Test-pw-2026!"


def make_user(email: str, roles: tuple[str, ...] = ()) -> str:
	"""A System User with exactly these roles and a known password."""
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		)
		user.insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.roles = []
	for role in roles:
		user.append("roles", {"role": role})
	user.user_type = "System User"
	user.enabled = 1
	user.new_password = PASSWORD
	user.flags.ignore_password_policy = True
	user.save(ignore_permissions=True)
	frappe.db.commit()
	return email


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
