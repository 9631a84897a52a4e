"""Every troubleshooter of the catalog, asked from the console's Troubleshoot menu as a person would: the
answer is readable (evidence as tables, capitalised pills, a copy button on every command), and a refusal
is an answer in the dialog, not an error."""

from __future__ import annotations

import re

import pytest
from conftest import PLAIN_USER, STATUS_WORDS, open_desk, readable, shot, visible_text

from frappe_diagnostics.troubleshooters import catalog as troubleshooters

DESK = {t.name: t for t in troubleshooters.on(troubleshooters.DESK)}


def typed(name: str) -> dict:
	"""What a person types for the inputs a troubleshooter requires: the catalog's own examples."""
	return {i.name: i.example for i in DESK[name].inputs_on(troubleshooters.DESK) if i.required}


def catalog(api):
	return api.call("frappe_diagnostics.api.troubleshoot.catalog")


def open_menu_entry(page, label: str):
	open_desk(page, "/app/diagnostics-console", ".diag-tile")
	page.click(".page-actions .inner-group-button button:has-text('Troubleshoot')")
	page.locator(".page-actions .inner-group-button .dropdown-menu a", has_text=label).first.click()


def fill(page, fieldname: str, value: str):
	field = page.locator(f".modal.show [data-fieldname='{fieldname}']")
	editor = field.locator(".ace_text-input")
	if editor.count():
		editor.fill(value)
	else:
		field.locator("input, textarea").first.fill(value)
		page.locator(".modal.show .modal-title").click()  # blur: closes the link field's suggestions


def ask(page, entry: dict, values: dict):
	open_menu_entry(page, entry["label"])
	if entry["inputs"]:
		page.wait_for_selector(".modal.show .modal-title")
		for name, value in values.items():
			fill(page, name, value)
		page.click(".modal.show .btn-primary:has-text('Investigate')")


def answer_scope(entry) -> str:
	return ".modal.show .modal-body" if entry["verdict"] else ".diag-page"


def assert_readable_answer(page, scope: str):
	assert readable(visible_text(page, scope)) == []
	pills = {p.inner_text().strip() for p in page.query_selector_all(f"{scope} .diag-pill")}
	assert pills and pills <= STATUS_WORDS, pills
	for code in page.query_selector_all(f"{scope} code"):
		assert code.evaluate("c => !!c.parentElement.querySelector('.diag-copy')"), code.inner_text()


def wait_for_answer(page, entry):
	if entry["verdict"]:
		page.wait_for_selector(".modal.show .diag-step", timeout=60000)
	else:
		page.wait_for_function(
			"q => { const h = document.querySelector('.diag-header .h6'); return h && h.innerText.length > 0; }",
			arg=entry["question"],
			timeout=60000,
		)
	page.wait_for_load_state("networkidle")
	page.wait_for_selector("#freeze", state="detached")  # Frappe's "Investigating…" overlay is gone


@pytest.mark.parametrize("name", sorted(DESK))
def test_each_troubleshooter_answers_readably_from_its_dialog(desk, api, name):
	entries = {e["name"]: e for e in catalog(api)}
	assert set(entries) == set(DESK), "the desk's Troubleshoot menu is the catalog's"
	entry = entries[name]
	page, watch = desk
	ask(page, entry, typed(name))
	wait_for_answer(page, entry)
	shot(page, f"troubleshooter-{name}")
	assert_readable_answer(page, answer_scope(entry))
	if not entry["verdict"]:
		assert not page.is_visible(".diag-history-section"), (
			"the health history stays out of a troubleshooter's answer"
		)
	watch.assert_clean()


def test_performance_recommendations_name_each_fix_once(desk, api):
	page, watch = desk
	entry = next(e for e in catalog(api) if e["name"] == "performance")
	ask(page, entry, {})
	wait_for_answer(page, entry)
	tile = page.query_selector(".diag-tile[data-check-id='performance.recommendations']")
	fixes = [li.inner_text().split("\n")[0] for li in tile.query_selector_all("ul li")]
	assert fixes, "the forced warnings ask for fixes"
	assert len(fixes) == len(set(fixes))
	watch.assert_clean()


def test_a_rejected_statement_is_an_answer_in_the_dialog(desk, api):
	page, watch = desk
	entry = next(e for e in catalog(api) if e["name"] == "explain")
	ask(page, entry, {"sql": "delete from `tabToDo`"})
	page.wait_for_selector(".modal.show .diag-refusal", timeout=30000)
	page.wait_for_load_state("networkidle")
	shot(page, "troubleshooter-explain-refused")
	assert "SELECT" in page.inner_text(".modal.show .diag-refusal")
	watch.assert_clean()  # no HTTP 417, no traceback in the console


def test_permission_answer_no_list_access_is_not_ok_and_evidence_is_a_table(desk, api):
	page, watch = desk
	entry = next(e for e in catalog(api) if e["name"] == "why_denied")
	ask(page, entry, {"user": PLAIN_USER, "doctype": "Error Log"})
	wait_for_answer(page, entry)
	shot(page, "troubleshooter-why-denied-plain-user")
	step = page.query_selector(".modal.show .diag-step[data-check-id='permission.list_view']")
	assert step.query_selector(".diag-pill").inner_text() == "Warning"
	assert "No list access" in step.inner_text()
	roles = page.query_selector(".modal.show .diag-step[data-check-id='permission.role_permissions']")
	assert roles.query_selector("table.diag-evidence") is not None
	link = roles.query_selector("a.diag-link")
	assert link.get_attribute("href") == "/app/permission-manager/Error%20Log"
	assert_readable_answer(page, ".modal.show .modal-body")
	watch.assert_clean()


def test_login_answer_says_session_expiry_in_words(desk, api):
	page, watch = desk
	api.call(
		"frappe.client.set_value",
		"POST",
		doctype="System Settings",
		name="System Settings",
		fieldname="session_expiry",
		value="170:00",
	)
	entry = next(e for e in catalog(api) if e["name"] == "why_no_login")
	ask(page, entry, {"user": "Administrator"})
	wait_for_answer(page, entry)
	sessions = page.query_selector(".modal.show .diag-step[data-check-id='login.sessions']")
	summary = sessions.query_selector("summary").inner_text()
	assert "idle sessions end after 7 days 2 hours." in summary, summary
	assert re.search(r"\b\d+:\d\d:\d\d\b", summary) is None
	watch.assert_clean()


def test_whats_wrong_button_answers_with_the_doctor_and_goes_deeper(desk, api):
	page, watch = desk
	entries = {e["name"]: e for e in catalog(api)}
	doctor = entries["doctor"]
	expected = api.call(
		"frappe_diagnostics.api.troubleshoot.doctor", "POST"
	)  # the same site state, over REST
	open_desk(page, "/app/diagnostics-console", ".diag-tile")
	page.get_by_role("button", name=doctor["label"]).first.click()
	wait_for_answer(page, doctor)
	shot(page, "troubleshooter-doctor-button")
	assert page.inner_text(".diag-header .h6").strip() == expected["question"]
	assert_readable_answer(page, answer_scope(doctor))
	deeper = entries[expected["deeper"]["troubleshooter"]]
	button = page.locator(".diag-deeper")
	assert button.inner_text().strip() == f"Go deeper: {deeper['label']}"
	button.click()
	if deeper["inputs"]:
		page.wait_for_selector(".modal.show .modal-title")
		assert page.inner_text(".modal.show .modal-title").strip() == deeper["label"]
	else:  # the deeper answer replaces the doctor's on the page
		page.wait_for_function(
			"q => { const h = document.querySelector('.diag-header .h6'); return h && h.innerText.trim() !== q; }",
			arg=expected["question"],
			timeout=60000,
		)
		page.wait_for_selector("#freeze", state="detached")
		shot(page, f"troubleshooter-doctor-deeper-{deeper['name']}")
		assert f" · {deeper['kind']} · " in page.inner_text(".diag-header .text-muted.small")
	watch.assert_clean()
