"""The Diagnostics workspace: cards that tell the same truth as the console, coloured by status; full-width
charts with every status in the donut's legend; its own sidebar icon."""

from __future__ import annotations

from conftest import open_desk, readable, shot, visible_text

INDICATOR = {"OK": "green", "Warning": "orange", "Critical": "red", "Error": "purple", "Skipped": "gray"}


def card_values(page) -> dict[str, dict]:
	page.wait_for_function(
		"""() => { const n = [...document.querySelectorAll('.number-card-loading')]; return n.length === 0
			&& document.querySelectorAll('.widget.number-widget-box .number').length >= 4; }""",
		timeout=30000,
	)
	cards = {}
	for card in page.query_selector_all(".widget.number-widget-box"):
		label = card.query_selector(".widget-title").inner_text().strip().lower()
		number = card.query_selector(".number")
		cards[label] = {
			"value": number.inner_text().strip(),
			"indicator": number.get_attribute("data-indicator"),
		}
	return cards


def console_truth(page) -> dict:
	open_desk(page, "/app/diagnostics-console", ".diag-header .diag-overall")
	page.wait_for_selector(".diag-tile")
	return {
		"status": page.inner_text(".diag-header .diag-overall").strip(),
		"run": page.inner_text(".diag-header a[href^='/app/diagnostic-run/']").strip(),
		"realtime": page.inner_text(".diag-tile[data-check-id='web.realtime'] .diag-pill").strip(),
	}


def test_cards_equal_the_consoles_latest_full_run_and_are_coloured_by_status(desk, latest_full_run, api):
	page, watch = desk
	truth = console_truth(page)
	assert truth["run"] == latest_full_run["name"], (
		"the console shows the full run, not the newer partial one"
	)
	run = api.call("frappe.client.get", doctype="Diagnostic Run", name=truth["run"])

	open_desk(page, "/app/diagnostics", ".widget.number-widget-box")
	cards = card_values(page)
	shot(page, "workspace")
	assert cards["last health run"] == {"value": truth["status"], "indicator": INDICATOR[run["status"]]}
	failing = cards["checks needing attention"]
	assert failing["value"] == str(run["checks_failing"])
	assert run["checks_failing"] >= 2  # forced: jobs.queues and application.error_log warn
	assert failing["indicator"] == INDICATOR[run["status"]]
	assert cards["realtime (socket.io)"]["value"] == truth["realtime"]
	assert cards["realtime (socket.io)"]["indicator"] == INDICATOR[truth["realtime"]]
	assert readable(visible_text(page, ".layout-main-section")) == []
	watch.assert_clean()


def test_charts_fill_the_row_and_the_donut_legend_names_every_status(desk):
	page, watch = desk
	open_desk(page, "/app/diagnostics", ".widget.dashboard-widget-box")
	page.wait_for_selector(
		".widget.dashboard-widget-box svg .legend-dot, .widget.dashboard-widget-box svg text"
	)
	page.wait_for_load_state("networkidle")
	main = page.query_selector(".codex-editor, .layout-main-section").bounding_box()
	charts = page.query_selector_all(".widget.dashboard-widget-box")
	assert len(charts) == 2
	for chart in charts:
		assert chart.bounding_box()["width"] >= 0.9 * main["width"], "each chart spans the full row"

	def boxes(selector):
		return [w.bounding_box() for w in page.query_selector_all(selector)]

	def overlap(a, b):
		return a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]

	cards, shortcuts = boxes(".widget.number-widget-box"), boxes(".widget.shortcut-widget-box")
	assert not [(c, s) for c in cards for s in shortcuts if overlap(c, s)], (
		"a shortcut shares a row with a card"
	)
	donut = next(c for c in charts if "Runs by status" in c.inner_text())
	svg = donut.query_selector("svg.frappe-chart").bounding_box()
	shown = []
	for text in donut.query_selector_all("svg text"):
		box = text.bounding_box()
		inside = box and svg["y"] <= box["y"] and box["y"] + box["height"] <= svg["y"] + svg["height"]
		if inside:
			shown.append(text.text_content().strip())
	for status in ("OK", "Warning", "Critical", "Error", "Skipped"):
		assert status in shown, f"{status} missing from the visible legend: {shown}"
	watch.assert_clean()


def test_the_sidebar_icon_is_its_own(desk):
	page, watch = desk
	open_desk(page, "/app/diagnostics", ".widget.number-widget-box")
	icons = {}
	for name in ("Diagnostics", "Tools", "Build"):
		item = page.query_selector(f".sidebar-item-container[item-name='{name}'] use")
		assert item is not None, f"no sidebar item {name}"
		icons[name] = item.get_attribute("href")
	assert icons["Diagnostics"] == "#icon-healthcare"
	assert icons["Diagnostics"] not in (icons["Tools"], icons["Build"])
	watch.assert_clean()
