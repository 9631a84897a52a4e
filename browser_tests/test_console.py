"""The Diagnostics Console and a stored run: tiles a person can act on (headline numbers, links to where a
problem is fixed, a copy button on every command, evidence as words), the history, and Run now with
progress with or without socket.io."""

from __future__ import annotations

from conftest import ARTIFACTS, SOCKETIO, STATUS_WORDS, URL, open_desk, readable, shot, visible_text


def open_console(page):
	open_desk(page, "/app/diagnostics-console", ".diag-tile")
	page.wait_for_selector(".diag-history .diag-bar")


def assert_actionable(page, scope: str):
	"""Every command has its copy button, every pill is a capitalised status, the text is readable."""
	commands = page.query_selector_all(f"{scope} code")
	assert commands, "the forced warnings come with commands"
	for code in commands:
		copy = code.evaluate_handle("c => c.parentElement.querySelector('.diag-copy')")
		assert copy.as_element() is not None, f"no copy button for {code.inner_text()}"
	pills = {p.inner_text().strip() for p in page.query_selector_all(f"{scope} .diag-pill")}
	assert pills and pills <= STATUS_WORDS, pills
	assert readable(visible_text(page, scope)) == []


def test_console_shows_the_latest_full_run_with_headlines_links_and_copy_buttons(desk, latest_full_run):
	page, watch = desk
	open_console(page)
	shot(page, "console")
	page.screenshot(path=str(ARTIFACTS / "console-first-screen.png"))  # what docs/images/console.png shows
	full = latest_full_run
	assert page.inner_text(".diag-header a[href^='/app/diagnostic-run/']") == full["name"]
	assert len(page.query_selector_all(".diag-tile")) == len(full["results"])
	assert_actionable(page, ".diag-page")

	queues = page.query_selector(".diag-tile[data-check-id='jobs.queues']")
	headline = queues.query_selector(".diag-headline").inner_text()
	assert headline.startswith("waiting: "), headline  # the total waiting, not short.waiting
	assert "short.waiting" not in headline
	assert queues.query_selector("details.diag-more summary").inner_text().endswith("more metrics")
	assert queues.query_selector("a.diag-link").get_attribute("href") == "/app/rq-job?status=failed"

	errors = page.query_selector(".diag-tile[data-check-id='application.error_log']")
	link = errors.query_selector("a.diag-link")
	assert link.get_attribute("href") == "/app/error-group?status=Open"
	assert link.inner_text().startswith("Error Group list")
	link.click()
	page.wait_for_url(f"{URL}/app/error-group?status=Open")
	page.wait_for_selector(".frappe-list .list-row-container, .frappe-list .no-result", timeout=30000)
	watch.assert_clean()


def test_copy_puts_the_command_on_the_clipboard(desk):
	page, watch = desk
	open_console(page)
	code = page.query_selector(".diag-tile .diag-command code")
	code.evaluate("c => c.parentElement.querySelector('.diag-copy').click()")
	assert page.evaluate("navigator.clipboard.readText()") == code.inner_text()
	watch.assert_clean()


def test_history_is_bars_from_zero_one_per_run_each_opening_its_run(desk, api):
	page, watch = desk
	open_console(page)
	history = api.call("frappe_diagnostics.api.health.history")
	bars = page.query_selector_all(".diag-history .diag-bar")
	assert len(bars) == len(history)
	assert page.inner_text(".diag-history .diag-axis").split() == [
		str(max(1, *(h["checks_failing"] for h in history))),
		"0",
	]
	assert bars[-1].get_attribute("href") == f"/app/diagnostic-run/{history[-1]['name']}"
	watch.assert_clean()


def test_run_now_shows_progress_and_the_new_run(desk):
	page, watch = desk
	open_console(page)
	before = page.inner_text(".diag-header a[href^='/app/diagnostic-run/']")
	page.click(".page-actions .primary-action")
	page.wait_for_function(
		"b => { const a = document.querySelector(\".diag-header a[href^='/app/diagnostic-run/']\"); return a && a.innerText !== b; }",
		arg=before,
		timeout=60000,
	)
	page.wait_for_load_state("networkidle")
	notice = page.query_selector(".diag-no-realtime")
	polled = [u for u in watch.requests if "frappe_diagnostics.api.health.progress" in u]
	if SOCKETIO == "off":
		assert notice is not None and "socket.io" in notice.inner_text()
		assert polled, "without socket.io the progress record is polled"
	else:
		assert notice is None and polled == []
	shot(page, f"console-after-run-now-socketio-{SOCKETIO}")
	watch.assert_clean()


def test_a_stored_run_shows_the_same_tiles(desk, latest_full_run):
	page, watch = desk
	name = latest_full_run["name"]
	open_desk(page, f"/app/diagnostic-run/{name}", ".diag-tile")
	shot(page, "diagnostic-run")
	assert len(page.query_selector_all(".diag-tile")) == len(latest_full_run["results"])
	assert_actionable(page, ".form-layout")
	watch.assert_clean()
