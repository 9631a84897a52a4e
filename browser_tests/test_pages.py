"""The other pages an operator opens: an Error Group, Diagnostics Settings; and what a user without System
Manager sees."""

from __future__ import annotations

from conftest import PLAIN_PASSWORD, PLAIN_USER, URL, Watch, login, open_desk, readable, shot


def test_an_error_group_reads_cleanly(desk, seeded):
	page, watch = desk
	open_desk(page, f"/app/error-group/{seeded['group']}", ".form-layout")
	page.wait_for_selector(".frappe-control[data-fieldname='trend_html'] svg")
	shot(page, "error-group")
	assert "Browser test error" in page.inner_text(".form-layout")
	assert readable(page.inner_text(".page-head")) == []
	watch.assert_clean()


def test_diagnostics_settings_lists_the_checks_and_reads_cleanly(desk):
	page, watch = desk
	open_desk(page, "/app/diagnostics-settings", ".form-layout")
	shot(page, "diagnostics-settings")
	assert "Diagnostics Settings" in page.inner_text(".page-head")
	watch.assert_clean()


def test_a_user_without_system_manager_gets_a_clean_refusal(browser, seeded):
	context = browser.new_context(viewport={"width": 1400, "height": 900})
	login(context.request, PLAIN_USER, PLAIN_PASSWORD)
	page = context.new_page()
	watch = Watch(page)
	page.goto(f"{URL}/app/diagnostics-console")
	page.wait_for_selector(".diag-refused", state="visible", timeout=30000)
	page.wait_for_load_state("networkidle")
	shot(page, "console-refused-to-plain-user")
	text = page.inner_text("body")
	assert "The Diagnostics Console is for System Managers." in page.inner_text(".diag-refused")
	assert "Traceback" not in text
	assert page.query_selector(".diag-tile") is None
	response = context.request.get(f"{URL}/api/method/frappe_diagnostics.api.health.latest")
	assert response.status == 403
	assert response.json()["exc_type"] == "PermissionError"
	watch.assert_clean()
	context.close()
