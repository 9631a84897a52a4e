"""Permissions and behaviour of the whitelisted methods, over real HTTP requests."""

import frappe

from frappe_diagnostics.tests.utils import CALM, TestCase, call, http_client, make_user, set_thresholds

MANAGER = "diag-manager@example.com"
PLAIN = "diag-plain@example.com"


class TestHealthAPI(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(MANAGER, ("System Manager",))
		make_user(PLAIN, ("Blogger",))

	def setUp(self):
		# HTTP requests use their own connection: release this one's locks (e.g. the naming series)
		frappe.db.commit()

	def test_guest_and_user_without_role_get_403_everywhere(self):
		endpoints = [
			("frappe_diagnostics.api.health.run", "POST"),
			("frappe_diagnostics.api.health.latest", "GET"),
			("frappe_diagnostics.api.health.checks", "GET"),
			("frappe_diagnostics.api.health.history", "GET"),
			("frappe_diagnostics.api.cards.last_run_status", "GET"),
			("frappe_diagnostics.api.cards.failing_checks", "POST"),
			("frappe_diagnostics.api.cards.runs_last_24h", "GET"),
			("frappe_diagnostics.api.cards.runs_by_status", "POST"),
			("frappe_diagnostics.api.troubleshoot.doctor", "POST"),
			("frappe_diagnostics.api.troubleshoot.database", "POST"),
			("frappe_diagnostics.api.troubleshoot.performance", "POST"),
			("frappe_diagnostics.api.troubleshoot.explain", "POST"),
		]
		for who in (None, PLAIN):
			client = http_client(who)
			for method, http in endpoints:
				response = call(client, method, http)
				self.assertEqual(response.status_code, 403, f"{method} as {who or 'Guest'}")

	def test_manager_runs_stores_and_reads_back(self):
		set_thresholds(CALM)
		self.addCleanup(set_thresholds, None)
		client = http_client(MANAGER)
		response = call(client, "frappe_diagnostics.api.health.run", "POST", {"tags": "system"})
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		run = response.json["message"]
		self.assertEqual(run["trigger"], "API")
		self.assertEqual(run["user"], MANAGER)
		self.assertEqual(
			{r["check_id"] for r in run["results"]}, {"system.cpu", "system.memory", "filesystem.disk_space"}
		)
		self.assertTrue(frappe.db.exists("Diagnostic Run", run["name"]))
		latest = call(client, "frappe_diagnostics.api.health.latest", data={"include_partial": 1}).json[
			"message"
		]
		self.assertEqual(latest["name"], run["name"])
		self.assertTrue(latest["partial"])
		self.assertEqual(latest["status"], "ok")  # every threshold of the three system checks is calm

	def test_latest_of_a_kind_never_run_is_an_explicit_null(self):
		response = call(
			http_client(MANAGER), "frappe_diagnostics.api.health.latest", data={"kind": "Nothing Yet"}
		)
		self.assertEqual(response.status_code, 200)
		self.assertEqual(response.json, {"message": None})

	def test_latest_and_history_skip_partial_runs(self):
		client = http_client(MANAGER)
		full = call(client, "frappe_diagnostics.api.health.run", "POST").json["message"]
		partial = call(client, "frappe_diagnostics.api.health.run", "POST", {"checks": "system.memory"}).json[
			"message"
		]
		self.assertFalse(full["partial"])
		self.assertTrue(partial["partial"])
		self.assertEqual(
			call(client, "frappe_diagnostics.api.health.latest").json["message"]["name"], full["name"]
		)
		with_partial = call(client, "frappe_diagnostics.api.health.latest", data={"include_partial": 1})
		self.assertEqual(with_partial.json["message"]["name"], partial["name"])
		history = call(client, "frappe_diagnostics.api.health.history").json["message"]
		self.assertNotIn(partial["name"], [h["name"] for h in history])

	def test_runs_by_status_keeps_a_fixed_order_for_the_colours(self):
		data = call(http_client(MANAGER), "frappe_diagnostics.api.cards.runs_by_status", "POST").json[
			"message"
		]
		self.assertEqual(data["labels"], ["OK", "Warning", "Critical", "Error", "Skipped"])
		self.assertEqual(len(data["datasets"][0]["values"]), 5)

	def test_run_refuses_get(self):
		response = call(http_client(MANAGER), "frappe_diagnostics.api.health.run", "GET")
		self.assertEqual(response.status_code, 403)  # Frappe refuses a method's other HTTP verbs with 403
		self.assertFalse(
			frappe.db.exists("Diagnostic Run", {"user": MANAGER, "trigger": "API", "inputs": "%GET%"})
		)

	def test_unknown_check_is_a_readable_validation_error(self):
		response = call(
			http_client(MANAGER), "frappe_diagnostics.api.health.run", "POST", {"checks": '["no.such"]'}
		)
		self.assertEqual(response.status_code, 417)
		self.assertIn("No check with id 'no.such'", response.get_data(as_text=True))

	def test_checks_lists_the_registry_with_thresholds(self):
		rows = call(http_client(MANAGER), "frappe_diagnostics.api.health.checks").json["message"]
		by_id = {r["id"]: r for r in rows}
		self.assertIn("database.connectivity", by_id)
		self.assertEqual(by_id["filesystem.disk_space"]["thresholds"]["free_critical_pct"], 5)

	def test_bench_execute_path_runs_as_administrator(self):
		from frappe_diagnostics.api import health

		frappe.set_user("Administrator")
		run = health.run(checks='["system.memory"]')
		self.assertEqual(run["trigger"], "CLI")
		self.assertEqual([r["check_id"] for r in run["results"]], ["system.memory"])
		frappe.db.commit()


class TestTroubleshooterAPI(TestCase):
	def setUp(self):
		make_user(MANAGER, ("System Manager",))
		frappe.db.commit()

	def test_each_troubleshooter_stores_a_run_of_its_kind(self):
		client = http_client(MANAGER)
		for method, kind, data in (
			("doctor", "Triage", {}),
			("database", "Database", {"doctype": "ToDo"}),
			("performance", "Performance", {"hours": 1}),
		):
			response = call(client, f"frappe_diagnostics.api.troubleshoot.{method}", "POST", data)
			self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
			run = response.json["message"]
			self.assertEqual(run["kind"], kind)
			self.assertEqual(run["trigger"], "API")
			self.assertTrue(run["question"].endswith("?"))
			frappe.db.rollback()  # a new snapshot sees what the request committed
			self.assertTrue(frappe.db.exists("Diagnostic Run", {"name": run["name"], "kind": kind}))

	def test_database_links_of_an_unknown_doctype_is_an_error_step_not_a_crash(self):
		response = call(
			http_client(MANAGER), "frappe_diagnostics.api.troubleshoot.database", "POST", {"doctype": "Nope"}
		)
		self.assertEqual(response.status_code, 200)
		links = next(r for r in response.json["message"]["results"] if r["check_id"] == "database.links")
		self.assertEqual(links["status"], "error")

	def test_bad_performance_window_is_a_validation_error(self):
		response = call(
			http_client(MANAGER), "frappe_diagnostics.api.troubleshoot.performance", "POST", {"hours": "abc"}
		)
		self.assertEqual(response.status_code, 417)
		self.assertEqual(response.json["exc_type"], "FrappeTypeError")
		self.assertIn("Argument 'hours' should be of type", response.json["exception"])
		response = call(
			http_client(MANAGER), "frappe_diagnostics.api.troubleshoot.performance", "POST", {"hours": "-3"}
		)
		self.assertEqual(response.status_code, 417)
		self.assertIn("hours (--hours) must be between 0.01 and 8784", response.get_data(as_text=True))

	def test_explain_stores_a_query_run_and_refuses_anything_but_a_select(self):
		client = http_client(MANAGER)
		sql = "select name from `tabToDo` where status = 'Open' order by modified desc"
		response = call(client, "frappe_diagnostics.api.troubleshoot.explain", "POST", {"sql": sql})
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		run = response.json["message"]
		self.assertEqual(run["kind"], "Query")
		self.assertEqual(run["results"][0]["check_id"], "query.validate")
		self.assertIs(run["refused"], False)
		before = frappe.db.count("Diagnostic Run", {"kind": "Query"})
		for hostile in ("delete from `tabToDo`", "select 1; drop table `tabToDo`", "select sleep(10)"):
			response = call(client, "frappe_diagnostics.api.troubleshoot.explain", "POST", {"sql": hostile})
			self.assertEqual(response.status_code, 200, hostile)  # a refusal is an answer, not an error
			self.assertTrue(response.json["message"]["refused"], hostile)
			self.assertNotIn("exc", response.json)
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Diagnostic Run", {"kind": "Query"}), before)
		self.assertTrue(frappe.db.sql("select count(*) from `tabToDo`"))

	def test_asking_as_another_user_leaves_no_permission_popup_for_the_asker(self):
		make_user(PLAIN, ("Blogger",))
		frappe.db.commit()
		response = call(
			http_client(MANAGER),
			"frappe_diagnostics.api.access.why_denied",
			"POST",
			{"user": PLAIN, "doctype": "Error Log", "ptype": "read"},
		)
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		self.assertTrue(response.json["message"]["summary"].startswith("Denied:"))
		self.assertNotIn("No permission", response.json.get("_server_messages", ""))
