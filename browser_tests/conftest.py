"""Browser tests of the desk: Playwright for Python driving Debian's Chromium against a running bench.

Environment:
  DIAG_BROWSER_URL       the bench's URL serving the site under test (required), e.g. http://127.0.0.1:8000
  DIAG_BROWSER_USER      a System Manager (default Administrator), DIAG_BROWSER_PASSWORD (default admin)
  DIAG_BROWSER_SOCKETIO  "on" when the bench runs socket.io for this site, "off" (default) when it does not
  DIAG_CHROMIUM          the browser (default /usr/bin/chromium)
Screenshots of every page go to browser_tests/artifacts/ (ignored by git).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# the catalog is framework-free: the suite reads it from this checkout, as every surface does
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

URL = os.environ.get("DIAG_BROWSER_URL", "").rstrip("/")
USER = os.environ.get("DIAG_BROWSER_USER", "Administrator")
PASSWORD = os.environ.get("DIAG_BROWSER_PASSWORD", "admin")
SOCKETIO = os.environ.get("DIAG_BROWSER_SOCKETIO", "off")
CHROMIUM = os.environ.get("DIAG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
	"--no-sandbox",
	"--disable-gpu",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--no-first-run",
]
PLAIN_USER = "diag-browser-plain@example.com"
PLAIN_PASSWORD = "Diag-Browser-pw-2026!"
STATUS_WORDS = {"OK", "Warning", "Critical", "Error", "Skipped"}

# What a person must never read: raw JSON, placeholders, JavaScript's words for missing values.
UNREADABLE = [
	("raw JSON", re.compile(r'\{\s*"|"\s*:\s*[\[{"\d]|\[\s*\{')),
	("a '?' placeholder", re.compile(r"(?:^|[\s(=:,])\?(?=$|[\s),.;])", re.M)),
	("undefined/NaN/[object Object]", re.compile(r"\bundefined\b|\bNaN\b|\[object Object\]")),
]


def pytest_configure(config):
	if not URL:
		raise pytest.UsageError("Set DIAG_BROWSER_URL to the bench's URL, e.g. http://127.0.0.1:8000")
	if SOCKETIO not in ("on", "off"):
		raise pytest.UsageError("DIAG_BROWSER_SOCKETIO must be 'on' or 'off'")
	ARTIFACTS.mkdir(exist_ok=True)


class Api:
	"""REST calls as the System Manager, to build the state a test names (Playwright's request context)."""

	def __init__(self, request):
		self.request = request

	def call(self, method: str, http: str = "GET", **data):
		url = f"{URL}/api/method/{method}"
		if http == "GET":
			params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
			response = self.request.get(url, params=params)
		else:
			response = self.request.post(
				url, form={k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
			)
		assert response.ok, f"{method}: HTTP {response.status} {response.text()[:500]}"
		return response.json().get("message")


def login(request, user: str, password: str) -> None:
	response = request.post(f"{URL}/api/method/login", data={"usr": user, "pwd": password})
	assert response.ok, f"login as {user}: HTTP {response.status}"


@pytest.fixture(scope="session")
def playwright():
	with sync_playwright() as p:
		yield p


@pytest.fixture(scope="session")
def browser(playwright):
	browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
	yield browser
	browser.close()


@pytest.fixture(scope="session")
def api(playwright):
	request = playwright.request.new_context(base_url=URL)
	login(request, USER, PASSWORD)
	yield Api(request)
	request.dispose()


@pytest.fixture(scope="session")
def seeded(api):
	"""The state every page is looked at in: forced thresholds so two checks warn for sure (with links),
	an Error Group, and a user without System Manager."""
	overrides = {"jobs.queues": {"waiting_warning": 0}, "application.error_log": {"per_hour_warning": 1}}
	api.call(
		"frappe.client.set_value",
		"POST",
		doctype="Diagnostics Settings",
		name="Diagnostics Settings",
		fieldname="threshold_overrides",
		value=json.dumps(overrides),
	)
	for _ in range(2):
		api.call(
			"frappe.client.insert",
			"POST",
			doc={"doctype": "Error Log", "method": "diagnostics browser test", "error": "Browser test error"},
		)
	api.call("frappe_diagnostics.api.errors.group_now", "POST")
	groups = api.call("frappe_diagnostics.api.errors.groups", limit="50")
	group = next(g for g in groups if "Browser test error" in (g.get("title") or ""))
	if not api.call("frappe.client.get_count", doctype="User", filters={"name": PLAIN_USER}):
		api.call(
			"frappe.client.insert",
			"POST",
			doc={
				"doctype": "User",
				"email": PLAIN_USER,
				"first_name": "Plain",
				"send_welcome_email": 0,
				"new_password": PLAIN_PASSWORD,
				"roles": [{"role": "Blogger"}],
			},
		)
	return {"group": group["name"]}


@pytest.fixture
def latest_full_run(api, seeded):
	"""A full health run, then a newer partial one: every screen must show the full one."""
	full = api.call("frappe_diagnostics.api.health.run", "POST")
	api.call("frappe_diagnostics.api.health.run", "POST", checks="system.memory")
	return full


class Watch:
	"""Console errors, failed requests and HTTP errors of one page, with what the test allows."""

	def __init__(self, page):
		self.problems: list[str] = []
		self.requests: list[str] = []
		page.on(
			"console",
			lambda m: (
				m.type == "error" and self.problems.append(f"console: {m.text} ({m.location.get('url')})")
			),
		)
		page.on(
			"pageerror",
			lambda e: self.problems.append(f"page error: {e} at {(e.stack or '').splitlines()[1:3]}"),
		)
		page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
		page.on("request", lambda r: self.requests.append(r.url))
		page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))

	def unexpected(self) -> list[str]:
		if SOCKETIO == "on":
			return list(self.problems)
		# socket.io off: its client's failed connection attempts are expected, nothing else is
		return [p for p in self.problems if "socket.io" not in p and "WebSocket" not in p]

	def assert_clean(self):
		assert self.unexpected() == [], "\n".join(self.unexpected())


@pytest.fixture
def desk(browser, seeded):
	"""A logged-in System Manager's page, its Watch, and a screenshot helper."""
	context = browser.new_context(viewport={"width": 1400, "height": 1000})
	context.grant_permissions(["clipboard-read", "clipboard-write"], origin=URL)
	login(context.request, USER, PASSWORD)
	page = context.new_page()
	watch = Watch(page)
	yield page, watch
	context.close()


def open_desk(page, route: str, ready: str) -> None:
	"""Go to a desk route and wait until `ready` (a selector) is visible and Frappe's requests settled."""
	page.goto(f"{URL}{route}")
	page.wait_for_selector(ready, state="visible", timeout=30000)
	page.wait_for_load_state("networkidle")


def shot(page, name: str) -> Path:
	"""A screenshot artefact: the open dialog when there is one, else the whole page."""
	path = ARTIFACTS / f"{name}.png"
	dialog = page.locator(".modal.show .modal-dialog")
	if dialog.count():
		dialog.first.screenshot(path=str(path))
	else:
		page.screenshot(path=str(path), full_page=True)
	return path


def visible_text(page, scope: str) -> str:
	"""What a person reads in `scope`, commands and normalised forms left out: a command is shell (it may
	hold JSON), shown in <code> to be copied as it is; a normalised form ("?" for the variable parts) is
	shown as a detail beside the real message."""
	return page.evaluate(
		"""s => { const codes = [...document.querySelectorAll(s + ' code, ' + s + ' .diag-pattern')];
			codes.forEach(c => { c.dataset.display = c.style.display; c.style.display = 'none'; });
			const text = [...document.querySelectorAll(s)].map(e => e.innerText).join('\\n');
			codes.forEach(c => { c.style.display = c.dataset.display; });
			return text; }""",
		scope,
	)


def readable(text: str) -> list[str]:
	"""What in `text` a person should not have to read (empty when it is all words and numbers)."""
	return [
		f"{why}: …{text[max(0, m.start() - 40) : m.end() + 40]}…"
		for why, rx in UNREADABLE
		for m in rx.finditer(text)
	]


def unique_key() -> str:
	return secrets.token_hex(4)
