// The verdict of the access troubleshooters ("why can't this user log in / do this?") for the Diagnostics
// Console, and fixes applied on purpose: dry run → exactly what would change → explicit confirmation →
// apply → the audit record (with Revert). Loaded by the console page when it needs it.
frappe.provide("frappe_diagnostics.access");

(function () {
	const API = "frappe_diagnostics.api.access";
	const COLOURS = frappe_diagnostics.STATUS_COLOURS;
	const esc = frappe_diagnostics.esc;
	const show = frappe_diagnostics.value_html;

	// Runs a verdict troubleshooter (login, permissions) by its REST method and shows the verdict dialog;
	// a refusal is shown in the asking dialog (or a message) instead.
	frappe_diagnostics.access.diagnose = function diagnose(method, args, asking) {
		return frappe
			.call({ method, args: { ...args, trigger: "Desk" }, freeze: true, freeze_message: __("Investigating…") })
			.then((r) => {
				if (r.message.refused) return frappe_diagnostics.show_refusal(r.message, asking);
				asking && asking.hide();
				show_verdict(r.message, () => diagnose(method, args));
			});
	};

	function show_verdict(run, again) {
		const results = run.results || [];
		const cause = results.find((r) => r.check_id === run.likely_cause);
		const others = results.filter((r) => r !== cause);
		const colour = cause ? "red" : COLOURS[run.status] || "green";
		const d = new frappe.ui.Dialog({ title: run.question, size: "extra-large" });
		d.$body.html(`
			<div class="mb-3">
				<span class="indicator-pill ${colour}">${esc(run.verdict || run.summary)}</span>
				<div class="text-muted small mt-1">${__("Stored as")}
					<a href="/app/diagnostic-run/${encodeURIComponent(run.name)}">${esc(run.name)}</a></div>
			</div>
			${cause ? `<h6>${__("First blocking factor")}</h6>${step_html(cause, true)}<h6 class="mt-3">${__("Every step, in Frappe's order")}</h6>` : ""}
			${others.map((r) => step_html(r, false)).join("")}`);
		d.$body.on("click", "[data-fix-action]", (e) => {
			dry_run($(e.currentTarget).attr("data-fix-action"), run.name, () => {
				d.hide();
				again();
			});
		});
		d.set_primary_action(__("Check again"), () => {
			d.hide();
			again();
		});
		d.show();
	}

	function step_html(r, open) {
		const findings = frappe_diagnostics.findings_html(r.findings);
		const dry_run_button = (f) =>
			f.action ? ` <button class="btn btn-xs btn-primary" data-fix-action="${esc(f.action)}">${__("Dry run…")}</button>` : "";
		const fixes = frappe_diagnostics.fixes_html(r.fixes, dry_run_button);
		const details = findings || fixes;
		return `<details class="mb-2 diag-step" data-check-id="${esc(r.check_id)}" ${open ? "open" : ""}>
			<summary>${frappe_diagnostics.status_pill(r.status)}
				<b>${esc(r.title || r.check_id)}</b> — ${esc(r.summary)}
				<span class="text-muted small">${esc(r.check_id)}</span></summary>
			${details ? `<div class="ml-4">${findings ? `<ul class="small">${findings}</ul>` : ""}${
				fixes ? `<div class="small text-muted">${__("What to do")}</div><ul class="small">${fixes}</ul>` : ""
			}</div>` : ""}
		</details>`;
	}

	function dry_run(action, run_name, after) {
		frappe.call({ method: `${API}.plan_fix`, args: { action }, freeze: true }).then((r) => show_plan(r.message, run_name, after));
	}

	function show_plan(plan, run_name, after) {
		const d = new frappe.ui.Dialog({ title: __("Dry run: {0}", [plan.title]), size: "large" });
		const rows = (plan.changes || [])
			.map((c) => `<tr><td>${esc(c.field)}</td><td>${show(c.before)}</td><td>${show(c.after)}</td></tr>`)
			.join("");
		d.$body.html(`
			<p>${esc(plan.description)}</p>
			${
				plan.noop
					? `<div class="alert alert-info">${__("Nothing to change: the state is already what this fix would set.")}</div>`
					: `<table class="table table-bordered table-sm"><thead><tr><th>${__("What")}</th><th>${__("Now")}</th><th>${__("After")}</th></tr></thead><tbody>${rows}</tbody></table>
					<p class="text-muted small">${plan.reversible ? __("Reversible: the audit record keeps the state before.") : __("Not reversible.")}
					${__("Nothing has changed yet.")}</p>`
			}`);
		if (!plan.noop) {
			d.set_primary_action(__("Apply this change"), () => {
				frappe.confirm(__("Apply exactly this change? It is recorded in the Diagnostic Fix Log."), () => {
					d.hide();
					apply(plan, run_name, after);
				});
			});
		}
		d.show();
	}

	function apply(plan, run_name, after) {
		const args = { action: plan.action, confirmation: plan.confirmation, run: run_name, trigger: "Desk" };
		frappe.call({ method: `${API}.apply_fix`, args, freeze: true, freeze_message: __("Applying…") }).then((r) => show_log(r.message, after));
	}

	function show_log(log, after) {
		const d = new frappe.ui.Dialog({ title: __("{0}: {1}", [__(log.status), log.name]) });
		d.$body.html(`
			<p>${esc(log.description)}</p>
			<table class="table table-sm small">
				<tr><th>${__("By")}</th><td>${esc(log.user)}</td></tr>
				<tr><th>${__("When")}</th><td>${esc(log.applied_on)}</td></tr>
				<tr><th>${__("Before")}</th><td>${show(log.before)}</td></tr>
				<tr><th>${__("After")}</th><td>${show(log.after)}</td></tr>
			</table>
			<a href="/app/diagnostic-fix-log/${encodeURIComponent(log.name)}">${__("Open the audit record")}</a>`);
		d.set_primary_action(__("Check again"), () => {
			d.hide();
			after && after();
		});
		if (log.status === "Applied" && log.action !== "reset_login_attempts") {
			d.set_secondary_action_label(__("Revert…"));
			d.set_secondary_action(() => {
				d.hide();
				dry_run(`revert?log=${encodeURIComponent(log.name)}`, null, after);
			});
		}
		d.show();
	}
})();
