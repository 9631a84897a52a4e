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
		this.add_troubleshooters();
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

	// The Troubleshoot menu is the catalog's (troubleshooters/catalog.py): one entry and one dialog each.
	add_troubleshooters() {
		frappe.call({ method: "frappe_diagnostics.api.troubleshoot.catalog", type: "GET" }).then((r) => {
			for (const entry of r.message || []) {
				this.page.add_inner_button(entry.label, () => this.ask(entry), __("Troubleshoot"));
			}
		});
	}

	ask(entry) {
		if (!entry.inputs.length) return this.troubleshoot(entry, {});
		const d = new frappe.ui.Dialog({
			title: entry.question,
			size: entry.inputs.some((i) => (i.desk || {}).fieldtype === "Code") ? "large" : undefined,
			fields: entry.inputs.map((i) => frappe_diagnostics.dialog_field(i)),
			primary_action_label: __("Investigate"),
			primary_action: (values) => {
				d.hide();
				this.troubleshoot(entry, values);
			},
		});
		d.show();
	}

	troubleshoot(entry, args) {
		if (entry.verdict) return frappe_diagnostics.load_access().then(() => frappe_diagnostics.access.diagnose(entry.method, args));
		return frappe
			.call({ method: entry.method, args: { ...args, trigger: "Desk" }, freeze: true, freeze_message: __("Investigating…") })
			.then((r) => this.render(r.message));
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
