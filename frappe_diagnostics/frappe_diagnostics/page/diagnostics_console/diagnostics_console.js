// The Diagnostics Console: the latest full health run as status tiles, "Run now" with live progress,
// history, and the troubleshooters. Tiles come from frappe_diagnostics/public/js/diagnostics.js.

frappe.pages["diagnostics-console"].on_page_load = function (wrapper) {
	const page = frappe.ui.make_app_page({ parent: wrapper, title: __("Diagnostics Console"), single_column: true });
	wrapper.diagnostics = new DiagnosticsPage(page);
};

frappe.pages["diagnostics-console"].on_page_show = function (wrapper) {
	wrapper.diagnostics && wrapper.diagnostics.load();
};

class DiagnosticsPage {
	constructor(page) {
		this.page = page;
		page.set_primary_action(__("Run now"), () => this.run(), "refresh");
		const group = __("Troubleshoot");
		page.add_inner_button(__("Why won't it start?"), () => this.troubleshoot("startup"), group);
		page.add_inner_button(__("Database"), () => this.database_dialog(), group);
		page.add_inner_button(__("Performance"), () => this.performance_dialog(), group);
		page.add_inner_button(__("Explain a query"), () => this.explain_dialog(), group);
		page.add_inner_button(__("Log analysis"), () => this.window_dialog("logs", __("Log analysis")), group);
		page.add_inner_button(__("Slow query log"), () => this.window_dialog("slowlog", __("Slow query log")), group);
		page.add_inner_button(__("Why can't a user log in?"), () => frappe_diagnostics.access.open_why_no_login(page), group);
		page.add_inner_button(__("Why is access denied?"), () => frappe_diagnostics.access.open_why_denied(page), group);
		page.add_inner_button(__("All runs"), () => frappe.set_route("List", "Diagnostic Run"));
		page.add_inner_button(__("Settings"), () => frappe.set_route("Form", "Diagnostics Settings"));
		this.$body = $(`<div class="diag-page">
			<div class="diag-header"></div>
			<div class="diag-tiles"></div>
			<div class="diag-history-title h6 text-muted">${__("Checks needing attention, last 30 runs")}</div>
			<div class="diag-history"></div>
		</div>`).appendTo(page.main);
		frappe.realtime.on("diagnostics_progress", (data) => {
			frappe.show_progress(__("Running health checks"), data.done, data.total, data.check_id);
		});
	}

	load() {
		frappe.call({ method: "frappe_diagnostics.api.health.latest", type: "GET" }).then((r) => this.render(r.message));
		this.load_history();
	}

	load_history() {
		frappe
			.call({ method: "frappe_diagnostics.api.health.history", type: "GET" })
			.then((r) => this.chart(r.message || []));
	}

	run() {
		frappe
			.call({
				method: "frappe_diagnostics.api.health.run",
				args: { trigger: "Desk" },
				freeze: true,
				freeze_message: __("Running health checks…"),
			})
			.then((r) => {
				frappe.hide_progress();
				this.render(r.message);
				frappe.show_alert({
					message: r.message.summary,
					indicator: frappe_diagnostics.STATUS_COLOURS[r.message.status],
				});
				this.load_history();
			});
	}

	troubleshoot(name, args = {}) {
		return frappe
			.call({
				method: `frappe_diagnostics.api.troubleshoot.${name}`,
				args: { ...args, trigger: "Desk" },
				freeze: true,
				freeze_message: __("Investigating…"),
			})
			.then((r) => this.render(r.message));
	}

	database_dialog() {
		const d = new frappe.ui.Dialog({
			title: __("Database troubleshooter"),
			fields: [
				{
					fieldname: "doctype",
					fieldtype: "Link",
					options: "DocType",
					label: __("Check the links of this DocType (optional)"),
				},
				{
					fieldname: "table",
					fieldtype: "Data",
					label: __("Run CHECK TABLE on (optional)"),
					description: __("CHECK TABLE reads the whole table and may lock it while it runs."),
				},
			],
			primary_action_label: __("Investigate"),
			primary_action: (values) => {
				d.hide();
				this.troubleshoot("database", values);
			},
		});
		d.show();
	}

	performance_dialog() {
		const d = new frappe.ui.Dialog({
			title: __("Performance troubleshooter"),
			fields: [
				{
					fieldname: "hours",
					fieldtype: "Float",
					default: 24,
					label: __("Hours of request-monitor log to read"),
				},
			],
			primary_action_label: __("Investigate"),
			primary_action: (values) => {
				d.hide();
				this.troubleshoot("performance", values);
			},
		});
		d.show();
	}

	window_dialog(name, title) {
		const d = new frappe.ui.Dialog({
			title,
			fields: [
				{
					fieldname: "since",
					fieldtype: "Select",
					label: __("Since"),
					options: ["30m", "6h", "24h", "7d", "30d"].join("\n"),
					default: "24h",
				},
			],
			primary_action_label: __("Analyse"),
			primary_action: (values) => {
				d.hide();
				this.troubleshoot(name, values);
			},
		});
		d.show();
	}

	explain_dialog() {
		const d = new frappe.ui.Dialog({
			title: __("Explain a query"),
			size: "large",
			fields: [
				{
					fieldname: "sql",
					fieldtype: "Code",
					reqd: 1,
					label: __("One SELECT statement"),
					description: __("Only EXPLAIN runs, read-only and time-limited; the query itself never runs."),
				},
			],
			primary_action_label: __("Explain"),
			primary_action: (values) => {
				d.hide();
				this.troubleshoot("explain", values);
			},
		});
		d.show();
	}

	render(run) {
		const $header = this.$body.find(".diag-header");
		const $tiles = this.$body.find(".diag-tiles");
		if (!run) {
			$header.html(`<div class="text-muted">${__("No health run yet. Press Run now.")}</div>`);
			$tiles.empty();
			return;
		}
		const esc = frappe.utils.escape_html;
		const question = run.question ? `<div class="h6">${esc(run.question)}</div>` : "";
		const partial = run.partial
			? `<span class="indicator-pill gray diag-partial">${__("partial: {0} checks", [run.checks_total])}</span>`
			: "";
		const colour = frappe_diagnostics.STATUS_COLOURS[run.status] || "gray";
		$header.html(`
			<span class="indicator-pill ${colour} diag-overall">${frappe_diagnostics.status_label(run.status)}</span>
			<div>${question}<div>${esc(run.summary || "")}${partial}</div>
			<div class="text-muted small">${frappe.datetime.comment_when(run.started)} · ${__(run.trigger)} ·
			${__(run.kind)} · ${Math.round(run.duration_ms)} ms ·
			<a href="/app/diagnostic-run/${encodeURIComponent(run.name)}">${esc(run.name)}</a></div></div>`);
		$tiles.replaceWith(frappe_diagnostics.render_tiles(run.results));
	}

	chart(history) {
		const $chart = this.$body.find(".diag-history");
		if (!history.length) return $chart.empty();
		const data = {
			labels: history.map((h) => moment(h.started).format("D MMM HH:mm")),
			datasets: [{ name: __("Needing attention"), values: history.map((h) => h.checks_failing) }],
		};
		if (this.history_chart) return this.history_chart.update(data); // one chart: no leaked handlers
		this.history_chart = new frappe.Chart($chart[0], {
			type: "line",
			height: 180,
			colors: ["#e24c4c"],
			data,
			animate: 0,
			disableEntryAnimation: 1,
			axisOptions: { xIsSeries: 1, xAxisMode: "tick" },
			lineOptions: { dotSize: 4, regionFill: 1 },
		});
	}
}
