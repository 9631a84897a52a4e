// The Diagnostics Console: the latest full health run as status tiles, "Run now" with progress (live over
// socket.io, polled from the server when socket.io is not connected), the run history, and the
// troubleshooters. Rendering helpers come from frappe_diagnostics/public/js/diagnostics.js.

frappe.pages["diagnostics-console"].on_page_load = function (wrapper) {
	const page = frappe.ui.make_app_page({ parent: wrapper, title: __("Diagnostics Console"), single_column: true });
	if (!frappe.user.has_role("System Manager")) {
		// the page is open to every desk user so that this, not a 403, is what they see; it calls nothing
		$(`<div class="alert alert-warning diag-refused">${__(
			"The Diagnostics Console is for System Managers. Ask one to look at the site's health, or to give you the System Manager role."
		)}</div>`).appendTo(page.main);
		return;
	}
	wrapper.diagnostics = new DiagnosticsPage(page);
};

frappe.pages["diagnostics-console"].on_page_show = function (wrapper) {
	wrapper.diagnostics && wrapper.diagnostics.load();
};

const POLL_MS = 700;

class DiagnosticsPage {
	constructor(page) {
		this.page = page;
		page.set_primary_action(__("Run now"), () => this.run(), "refresh");
		this.add_troubleshooters();
		page.add_inner_button(__("All runs"), () => frappe.set_route("List", "Diagnostic Run"));
		page.add_inner_button(__("Settings"), () => frappe.set_route("Form", "Diagnostics Settings"));
		this.$body = $(`<div class="diag-page">
			<div class="diag-notice"></div>
			<div class="diag-header"></div>
			<div class="diag-progress"></div>
			<div class="diag-tiles"></div>
			<div class="diag-history-section">
				<div class="h6 text-muted">${__("Checks needing attention, last 30 health runs")}</div>
				<div class="diag-history"></div>
			</div>
			<div class="diag-recovery"></div>
		</div>`).appendTo(page.main);
		frappe.realtime.on("diagnostics_progress", (data) => this.show_progress(data));
	}

	load() {
		frappe.call({ method: "frappe_diagnostics.api.health.latest", type: "GET" }).then((r) => this.render(r.message));
		this.load_history();
		// the Recovery section (public/js/recovery_console.js) is loaded by this page only
		frappe.require("/assets/frappe_diagnostics/js/recovery_console.js", () =>
			frappe_diagnostics.recovery.render(this.$body.find(".diag-recovery"))
		);
	}

	load_history() {
		frappe
			.call({ method: "frappe_diagnostics.api.health.history", type: "GET" })
			.then((r) => this.$body.find(".diag-history").html(frappe_diagnostics.history_html(r.message || [])));
	}

	realtime_connected() {
		return Boolean(frappe.realtime && frappe.realtime.socket && frappe.realtime.socket.connected);
	}

	run() {
		const key = frappe.utils.get_random(16);
		this.page.btn_primary.prop("disabled", true);
		this.show_progress({ done: 0, total: null });
		if (!this.realtime_connected()) this.poll(key);
		frappe
			.call({ method: "frappe_diagnostics.api.health.run", args: { trigger: "Desk", progress_key: key } })
			.then((r) => {
				this.render(r.message);
				frappe.show_alert({ message: r.message.summary, indicator: frappe_diagnostics.STATUS_COLOURS[r.message.status] });
				this.load_history();
			})
			.always(() => {
				clearTimeout(this.poller);
				this.poller = null;
				this.page.btn_primary.prop("disabled", false);
				this.$body.find(".diag-progress").empty();
			});
	}

	// Without socket.io no live event arrives: say so, and read the progress record the run keeps.
	poll(key) {
		this.$body.find(".diag-notice").html(`<div class="alert alert-info small mb-0 diag-no-realtime">
			${__("Live updates are off: the realtime server (socket.io) is not connected, so progress is read from the server every moment instead. See the Realtime (socket.io) check.")}
		</div>`);
		const tick = () => {
			frappe
				.call({ method: "frappe_diagnostics.api.health.progress", type: "GET", args: { key } })
				.then((r) => {
					if (!this.poller) return;
					if (r.message) this.show_progress(r.message);
					this.poller = setTimeout(tick, POLL_MS);
				});
		};
		this.poller = setTimeout(tick, 0);
	}

	show_progress(data) {
		const $progress = this.$body.find(".diag-progress");
		if (!this.page.btn_primary.prop("disabled")) return; // a late event after the run ended
		const pct = data.total ? Math.round((100 * data.done) / data.total) : 0;
		const what = data.total ? __("{0} of {1} checks done (last: {2})", [data.done, data.total, data.check_id]) : __("Running health checks…");
		$progress.html(`<div class="small text-muted">${frappe_diagnostics.esc(what)}</div>
			<div class="progress"><div class="progress-bar" role="progressbar" style="width: ${pct}%"></div></div>`);
	}

	// The Troubleshoot menu is the catalog's (troubleshooters/catalog.py): one entry and one dialog each.
	// "What's wrong?" is the catalog's doctor entry: the triage, whose answer points to the one to go deeper with.
	add_troubleshooters() {
		frappe.call({ method: "frappe_diagnostics.api.troubleshoot.catalog", type: "GET" }).then((r) => {
			this.catalog = r.message || [];
			const doctor = this.catalog.find((entry) => entry.name === "doctor");
			if (doctor) this.page.add_inner_button(doctor.label, () => this.troubleshoot(doctor, {}, null));
			for (const entry of this.catalog) {
				this.page.add_inner_button(entry.label, () => this.ask(entry), __("Troubleshoot"));
			}
		});
	}

	ask(entry) {
		if (!entry.inputs.length) return this.troubleshoot(entry, {}, null);
		const d = new frappe.ui.Dialog({
			title: entry.question,
			size: entry.inputs.some((i) => (i.desk || {}).fieldtype === "Code") ? "large" : undefined,
			fields: [...entry.inputs.map((i) => frappe_diagnostics.dialog_field(i)), { fieldtype: "HTML", fieldname: "diag_refusal" }],
			primary_action_label: __("Investigate"),
			primary_action: (values) => {
				d.fields_dict.diag_refusal.$wrapper.empty();
				this.troubleshoot(entry, values, d);
			},
		});
		d.show();
	}

	troubleshoot(entry, args, dialog) {
		if (entry.verdict) {
			return frappe_diagnostics.load_access().then(() => frappe_diagnostics.access.diagnose(entry.method, args, dialog));
		}
		return frappe
			.call({ method: entry.method, args: { ...args, trigger: "Desk" }, freeze: true, freeze_message: __("Investigating…") })
			.then((r) => {
				if (r.message.refused) return frappe_diagnostics.show_refusal(r.message, dialog);
				dialog && dialog.hide();
				this.render(r.message);
			});
	}

	render(run) {
		const $header = this.$body.find(".diag-header");
		const $tiles = this.$body.find(".diag-tiles");
		if (!run) {
			$header.html(`<div class="text-muted">${__("No health run yet. Press Run now.")}</div>`);
			$tiles.empty();
			return;
		}
		const esc = frappe_diagnostics.esc;
		const health = run.kind === "Health Check";
		// the history is of health runs: it is shown with a health run only, never under a troubleshooter's answer
		this.$body.find(".diag-history-section").toggle(health);
		const question = run.question ? `<div class="h6">${esc(run.question)}</div>` : "";
		const partial = run.partial ? `<span class="indicator-pill gray diag-partial">${__("partial: {0} checks", [run.checks_total])}</span>` : "";
		const back = health ? "" : `<button class="btn btn-xs btn-default diag-back ml-2">${__("Back to the latest health run")}</button>`;
		$header.html(`
			<span class="indicator-pill ${frappe_diagnostics.STATUS_COLOURS[run.status] || "gray"} diag-overall">${frappe_diagnostics.status_label(run.status)}</span>
			<div>${question}<div class="diag-summary">${esc(run.summary || "")}${partial}</div>
			<div class="text-muted small">${frappe.datetime.comment_when(run.started)} · ${__(run.trigger)} ·
			${__(run.kind)} · ${Math.round(run.duration_ms)} ms ·
			<a href="/app/diagnostic-run/${encodeURIComponent(run.name)}">${esc(run.name)}</a>${back}</div></div>`);
		$header.find(".diag-back").on("click", () => this.load());
		const deeper = run.deeper && (this.catalog || []).find((entry) => entry.name === run.deeper.troubleshooter);
		if (deeper) {
			$(`<button class="btn btn-xs btn-primary diag-deeper ml-2">${esc(__("Go deeper: {0}", [__(deeper.label)]))}</button>`)
				.appendTo($header.find(".diag-summary"))
				.on("click", () => this.ask(deeper));
		}
		$tiles.replaceWith(frappe_diagnostics.render_tiles(run.results));
	}
}
