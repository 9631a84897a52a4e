"""What the desk reads, over real HTTP: cards from the latest full run with a colour by status, a card per
check id, the progress record for a desk without socket.io, refusals as answers; and the access
troubleshooters' wording (session expiry in words, no list access is not OK)."""

import json
import time

import frappe

from frappe_diagnostics.engine.result import CheckResult, RunResult, Status
from frappe_diagnostics.site.access import login_state
from frappe_diagnostics.site.access.permissions import diagnose_permission
from frappe_diagnostics.site.store import save_run
from frappe_diagnostics.site.workspace_cards import CARD_METHOD, sync_check_cards
from frappe_diagnostics.tests.utils import TestCase, call, http_client, make_user

MANAGER = "diag-desk-manager@example.com"
OTHER_MANAGER = "diag-desk-manager2@example.com"
PLAIN = "diag-desk-plain@example.com"
CARDS = "frappe_diagnostics.api.cards"


def stored(statuses: dict[str, Status], inputs: dict | None = None):
	"""A Diagnostic Run with exactly these check statuses (a full run unless `inputs` selects checks)."""
	results = [CheckResult(cid, status, f"{cid} is {status.value}.") for cid, status in statuses.items()]
	now = time.time()
	doc = save_run(RunResult(results, now, now + 0.01), trigger="API", inputs=inputs)
	frappe.db.commit()
	return doc


class TestDesk(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(MANAGER, ("System Manager",))
		make_user(OTHER_MANAGER, ("System Manager",))
		make_user(PLAIN, ("Blogger",))

	def setUp(self):
		frappe.db.commit()

	def card(self, method: str, **data):
		response = call(http_client(MANAGER), f"{CARDS}.{method}", "POST", data)
		self.assertEqual(response.status_code, 200, response.get_data(as_text=True))
		return response.json["message"]

	def test_cards_read_the_latest_full_run_and_are_coloured_by_its_status(self):
		full = stored(
			{"web.realtime": Status.WARNING, "system.cpu": Status.CRITICAL, "system.memory": Status.OK}
		)
		stored({"system.memory": Status.OK}, inputs={"checks": ["system.memory"]})  # newer, partial
		self.assertEqual(
			self.card("last_run_status"),
			{"value": "Critical", "fieldtype": "Data", "indicator": "red", "route": ["diagnostics-console"]},
		)
		self.assertEqual(
			self.card("failing_checks"),
			{
				"value": 2,
				"fieldtype": "Int",
				"indicator": "red",
				"route": ["Form", "Diagnostic Run", full.name],
			},
		)

	def test_no_check_needing_attention_is_green(self):
		stored({"system.memory": Status.OK, "system.cpu": Status.SKIPPED})
		self.assertEqual(self.card("failing_checks")["indicator"], "green")
		self.assertEqual(self.card("last_run_status")["indicator"], "green")

	def test_a_card_per_check_id_from_its_filters(self):
		full = stored({"web.realtime": Status.WARNING, "system.memory": Status.OK})
		route = ["Form", "Diagnostic Run", full.name]
		for filters in (
			'{"check_id": "web.realtime"}',
			'[["Diagnostic Result", "check_id", "=", "web.realtime"]]',
		):
			self.assertEqual(
				self.card("check_status", filters=filters),
				{"value": "Warning", "fieldtype": "Data", "indicator": "orange", "route": route},
			)
		missing = self.card("check_status", filters='{"check_id": "backups.recent"}')
		self.assertEqual((missing["value"], missing["indicator"]), ("Not checked yet", "gray"))
		response = call(http_client(PLAIN), f"{CARDS}.check_status", "POST", {"filters": "{}"})
		self.assertEqual(response.status_code, 403)

	def test_progress_is_kept_for_the_asking_user_under_the_run_key(self):
		client = http_client(MANAGER)
		run = call(
			client,
			"frappe_diagnostics.api.health.run",
			"POST",
			{"checks": "system.memory", "trigger": "Desk", "progress_key": "k-123"},
		)
		self.assertEqual(run.status_code, 200, run.get_data(as_text=True))
		progress = call(client, "frappe_diagnostics.api.health.progress", "GET", {"key": "k-123"}).json
		self.assertEqual(
			progress["message"],
			{
				"done": 1,
				"total": 1,
				"check_id": "system.memory",
				"status": run.json["message"]["results"][0]["status"],
			},
		)
		other = call(
			http_client(OTHER_MANAGER), "frappe_diagnostics.api.health.progress", "GET", {"key": "k-123"}
		)
		self.assertIsNone(other.json.get("message"))  # another user's run is not theirs to watch

	def test_a_refusal_is_an_answer_and_bad_input_stays_an_error(self):
		client = http_client(MANAGER)
		refused = call(client, "frappe_diagnostics.api.troubleshoot.explain", "POST", {"sql": "drop table x"})
		self.assertEqual(refused.status_code, 200)
		answer = refused.json["message"]
		self.assertEqual(
			(answer["refused"], answer["troubleshooter"], answer["kind"]), (True, "explain", "Query")
		)
		self.assertIn("SELECT", answer["message"])
		missing = call(client, "frappe_diagnostics.api.troubleshoot.explain", "POST", {})
		self.assertEqual(missing.status_code, 417)
		self.assertIn("sql is required", missing.get_data(as_text=True))

	def test_session_expiry_is_said_in_words(self):
		cases = {
			"170:00:00": "7 days 2 hours",
			"240:00": "10 days",
			"01:00:00": "1 hour",
			"00:30": "30 minutes",
		}
		for setting, words in cases.items():
			self.assertEqual(login_state.readable_period(setting), words, setting)
		frappe.db.set_default("session_expiry", "170:00")
		try:
			info = frappe.db.get_value(
				"User", "Administrator", ["name", "simultaneous_sessions"], as_dict=True
			)
			step = login_state.sessions_step(info, frappe.get_single("System Settings"))
		finally:
			frappe.db.set_default("session_expiry", "240:00")
		self.assertTrue(step.summary.endswith("idle sessions end after 7 days 2 hours."), step.summary)
		self.assertEqual(step.findings[0].evidence["idle_session_expiry"], "7 days 2 hours")

	def test_no_list_access_is_a_warning_not_ok(self):
		steps = {s.check_id: s for s in diagnose_permission(None, PLAIN, "Error Log", ptype="read").steps}
		listing = steps["permission.list_view"]
		self.assertEqual(listing.status, Status.WARNING)
		self.assertEqual(
			listing.summary, "No list access: the Error Log list refuses this user (the steps above say why)."
		)
		roles = steps["permission.role_permissions"]
		self.assertEqual(roles.findings[0].link, "/app/permission-manager/Error%20Log")


class TestWorkspaceCards(TestCase):
	def tearDown(self):
		frappe.db.rollback()
		for name in frappe.get_all("Number Card", {"label": "Diag test check"}, pluck="name"):
			frappe.delete_doc("Number Card", name, force=True, ignore_permissions=True)
		frappe.reload_doc("frappe_diagnostics", "workspace", "diagnostics", force=True)
		sync_check_cards()
		frappe.db.commit()

	def test_a_per_check_card_is_one_json_away_from_the_workspace(self):
		frappe.reload_doc("frappe_diagnostics", "workspace", "diagnostics", force=True)
		sync_check_cards()  # the app's own per-check cards (e.g. Email queue) are on it first
		card = frappe.get_doc(
			{
				"doctype": "Number Card",
				"label": "Diag test check",
				"type": "Custom",
				"method": CARD_METHOD,
				"filters_json": '{"check_id": "system.memory"}',
				"module": "Frappe Diagnostics",
				"is_standard": 1,
				"is_public": 1,
			}
		)
		card.insert(ignore_permissions=True)
		self.assertEqual(sync_check_cards(), [card.name])
		self.assertEqual(sync_check_cards(), [])  # idempotent
		workspace = frappe.get_doc("Workspace", "Diagnostics")
		self.assertIn(card.name, [r.number_card_name for r in workspace.number_cards])
		content = json.loads(workspace.content)
		names = [b["data"].get("number_card_name") for b in content]
		at = names.index("Diag test check")
		self.assertEqual(names.count("Diag test check"), 1)
		# it ends the first row of cards (Site health), before the shortcuts and the Recovery section
		self.assertEqual(content[at - 1]["type"], "number_card")
		self.assertNotEqual(content[at + 1]["type"], "number_card")
		self.assertLess(at, names.index("Recovery point (h)"))
