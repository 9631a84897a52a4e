"""The metrics endpoint and the probes, over real HTTP requests through the WSGI app."""

import frappe
from frappe.tests.test_api import make_request
from prometheus_client.parser import text_string_to_metric_families

from frappe_diagnostics.engine.result import CheckResult, RunResult, Status
from frappe_diagnostics.site import probes
from frappe_diagnostics.site.install import METRICS_ROLE, METRICS_USER
from frappe_diagnostics.site.store import save_run
from frappe_diagnostics.tests.utils import TestCase, call, http_client, make_user

SCRAPE = "frappe_diagnostics.api.metrics.scrape"
LIVE = "frappe_diagnostics.api.probes.live"
READY = "frappe_diagnostics.api.probes.ready"
MANAGER = "diag-manager@example.com"
PLAIN = "diag-plain@example.com"
READER = "diag-metrics-reader@example.com"
TOKEN = "scrape-token-0123456789"


def get(path: str, headers: dict | None = None, client=None):
	client = client or http_client()
	return make_request(client.get, (f"/api/method/{path}",), {"headers": headers or {}})


def stored(run_checks: dict[str, Status], partial: bool = True):
	results = [
		CheckResult(check_id, status, f"{check_id} is {status.value}")
		for check_id, status in run_checks.items()
	]
	run = RunResult(results=results, started=1.0, finished=2.0, site=frappe.local.site)
	inputs = {"checks": list(run_checks)} if partial else {}
	doc = save_run(run, kind="Health Check", trigger="CLI", inputs=inputs)
	frappe.db.commit()
	return doc


class TestMetricsEndpoint(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(MANAGER, ("System Manager",))
		make_user(PLAIN, ("Blogger",))
		make_user(READER, (METRICS_ROLE,))
		reader = frappe.get_doc("User", READER)
		cls.api_key, cls.api_secret = frappe.generate_hash(length=15), frappe.generate_hash(length=15)
		reader.api_key, reader.api_secret = cls.api_key, cls.api_secret
		reader.save(ignore_permissions=True)
		settings = frappe.get_single("Diagnostics Settings")
		settings.metrics_token = TOKEN
		settings.save()
		frappe.db.commit()

	def test_guest_plain_users_and_wrong_tokens_are_refused(self):
		self.assertEqual(get(SCRAPE).status_code, 403)
		self.assertEqual(call(http_client(PLAIN), SCRAPE).status_code, 403)
		self.assertEqual(get(SCRAPE, {"Authorization": "Bearer not-the-token"}).status_code, 401)
		self.assertEqual(get(SCRAPE, {"Authorization": f"token {self.api_key}:wrong"}).status_code, 401)

	def test_metrics_reader_by_api_key_sees_the_stored_statuses(self):
		doc = stored({"system.memory": Status.WARNING, "redis.cache": Status.OK}, partial=False)
		response = get(SCRAPE, {"Authorization": f"token {self.api_key}:{self.api_secret}"})
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True)[:500])
		self.assertTrue(response.content_type.startswith("text/plain"))
		samples = {
			(s.name, tuple(sorted(s.labels.items()))): s.value
			for family in text_string_to_metric_families(response.get_data(as_text=True))
			for s in family.samples
		}
		site = frappe.local.site
		key = (
			"frappe_diagnostics_check_status",
			(("check", "system.memory"), ("site", site), ("status", "warning")),
		)
		self.assertEqual(samples[key], 1.0)
		self.assertEqual(
			samples[("frappe_diagnostics_run_status", (("site", site), ("status", "warning")))], 1.0
		)
		self.assertEqual(len([k for k in samples if k[0] == "frappe_diagnostics_check_status"]), 2 * 5)
		self.assertTrue(doc.name)

	def test_the_metrics_role_reads_nothing_else(self):
		headers = {"Authorization": f"token {self.api_key}:{self.api_secret}"}
		self.assertEqual(get("frappe_diagnostics.api.health.latest", headers).status_code, 403)
		client = http_client()
		resource = make_request(client.get, ("/api/resource/Diagnostic Run",), {"headers": headers})
		self.assertEqual(resource.status_code, 403)

	def test_the_bearer_token_works_on_metrics_only(self):
		bearer = {"Authorization": f"Bearer {TOKEN}"}
		self.assertEqual(get(SCRAPE, bearer).status_code, 200)
		self.assertEqual(get("frappe_diagnostics.api.health.latest", bearer).status_code, 401)
		self.assertEqual(get("frappe.auth.get_logged_user", bearer).status_code, 401)
		self.assertEqual(frappe.db.get_value("User", METRICS_USER, "user_type"), "Website User")
		self.assertEqual(set(frappe.get_roles(METRICS_USER)), {METRICS_ROLE, "Guest", "All"})


class TestProbes(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(MANAGER, ("System Manager",))
		frappe.db.set_single_value("Diagnostics Settings", {"readiness_public": 0, "probe_rate_limit": 120})
		frappe.db.commit()

	def tearDown(self):
		frappe.db.set_single_value("Diagnostics Settings", {"readiness_public": 0, "probe_rate_limit": 120})
		frappe.db.commit()

	def test_liveness_says_ok_to_anyone_and_nothing_more(self):
		response = get(LIVE)
		self.assertEqual(response.status_code, 200)
		self.assertEqual(response.get_data(), b"ok\n")
		headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
		for secret in (frappe.local.site, frappe.__version__, "frappe_diagnostics", frappe.conf.db_name):
			self.assertNotIn(secret, headers)

	def test_liveness_is_rate_limited_per_address(self):
		frappe.db.set_single_value("Diagnostics Settings", "probe_rate_limit", 2)
		frappe.db.commit()
		window = probes.current_window()
		for w in (window, window + 1):  # whichever minute the request lands in is already used up
			frappe.cache.set(probes.limit_key("live", "127.0.0.1", w), 2, ex=120)
		response = get(LIVE)
		self.assertEqual(response.status_code, 429)
		self.assertEqual(response.get_data(), b"too many requests\n")

	def test_readiness_from_stored_results(self):
		checks = ["database.connectivity", "redis.cache", "redis.queue"]
		stored({c: Status.OK for c in checks})
		manager = http_client(MANAGER)
		ready = call(manager, READY)
		self.assertEqual(ready.status_code, 200)
		self.assertEqual(ready.json["failing"], [])
		self.assertEqual(
			{c: v["status"] for c, v in ready.json["checks"].items()}, dict.fromkeys(checks, "ok")
		)
		self.assertEqual(get(READY).status_code, 401)  # anonymous callers only when the settings allow it

		stored({"redis.cache": Status.CRITICAL})
		failing = call(manager, READY)
		self.assertEqual(failing.status_code, 503)
		self.assertEqual(failing.json["failing"], ["redis.cache"])
		self.assertEqual(failing.json["checks"]["redis.queue"]["status"], "ok")

		frappe.db.set_single_value("Diagnostics Settings", "readiness_public", 1)
		frappe.db.commit()
		anonymous = get(READY)
		self.assertEqual(anonymous.status_code, 503)
		self.assertEqual(anonymous.get_data(), b"not ready\n")
