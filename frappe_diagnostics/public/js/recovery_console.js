// The Recovery section of the Diagnostics Console: backup sets with their verification, the recovery point
// and the measured restore time, the last drills, open Recovery Runs and their next step. A restore is
// offered as the exact command to run, never as a button.
frappe.provide("frappe_diagnostics.recovery");

frappe_diagnostics.recovery.PROCEDURES = {
	"database-corruption": __("Database corruption"),
	"server-failure": __("Server failure / move to a new server"),
	"data-loss": __("Data loss"),
};

frappe_diagnostics.recovery.render = function ($container) {
	const call = (method, args, type) => frappe.call({ method: `frappe_diagnostics.api.recovery.${method}`, args, type: type || "GET" });
	return Promise.all([call("overview"), call("runs", { limit: 10 })]).then(([overview, runs]) => {
		const data = overview.message || {};
		$container.html(frappe_diagnostics.recovery.html(data, runs.message || []));
		$container.find(".diag-verify").on("click", () =>
			call("verify_backup", { trigger: "Desk" }, "POST").then(() =>
				frappe.show_alert({ message: __("Verification started: its run appears under Diagnostic Run when done."), indicator: "blue" })
			)
		);
		$container.find(".diag-start-run").on("click", () => frappe_diagnostics.recovery.start(data, call));
		$container.find(".diag-run-step").on("click", (e) => {
			const $b = $(e.currentTarget);
			call("run_step", { run: $b.data("run"), step: $b.data("step") }, "POST").then(() =>
				frappe.show_alert({ message: __("Step {0} started.", [$b.data("step")]), indicator: "blue" })
			);
		});
		$container.find(".diag-mark-done").on("click", (e) => {
			const $b = $(e.currentTarget);
			frappe.prompt({ fieldname: "note", fieldtype: "Small Text", label: __("What was done"), reqd: 1 }, (v) =>
				call("mark_done", { run: $b.data("run"), step: $b.data("step"), note: v.note }, "POST").then(() =>
					frappe_diagnostics.recovery.render($container)
				)
			);
		});
	});
};

frappe_diagnostics.recovery.html = function (data, runs) {
	const esc = frappe.utils.escape_html;
	const hours = data.recovery_point_h === null || data.recovery_point_h === undefined ? __("no backup") : `${data.recovery_point_h} h`;
	const rto = data.restore_time_s ? `${data.restore_time_s} s` : __("not measured yet");
	const rows = (data.sets || [])
		.map((s) => {
			const v = s.verification;
			const pill = v ? `<span class="indicator-pill ${frappe_diagnostics.STATUS_COLOURS[(v.status || "").toLowerCase()] || "gray"}">${esc(v.status)}</span>` : `<span class="text-muted">${__("not verified")}</span>`;
			const parts = Object.keys(s.files).join(", ");
			return `<tr><td><span class="text-monospace">${esc(s.set)}</span></td><td>${s.age_h} h</td><td>${esc(parts)}${s.partial ? " " + __("(partial)") : ""}</td>
				<td>${s.encrypted ? __("encrypted") : ""}</td><td>${(s.size_bytes / 1048576).toFixed(1)} MiB</td>
				<td>${pill} ${v && v.restore_time_s ? esc(String(v.restore_time_s)) + " s" : ""}
				${v ? `<a href="/app/diagnostic-run/${encodeURIComponent(v.name)}">${esc(v.name)}</a>` : ""}</td></tr>`;
		})
		.join("");
	const open = runs.filter((r) => r.recovery_state === "Open");
	return `<div class="diag-recovery-section">
		<div class="h6 text-muted">${__("Recovery")}</div>
		<div>${__("Recovery point")}: <b>${hours}</b> · ${__("Measured restore time")}: <b>${rto}</b>
			${data.verified_set ? `(${__("set")} ${esc(data.verified_set)})` : ""}</div>
		<div class="diag-recovery-actions">
			<button class="btn btn-default btn-xs diag-verify">${__("Verify the newest backup")}</button>
			<button class="btn btn-default btn-xs diag-start-run">${__("Start a Recovery Run…")}</button>
		</div>
		${data.restore_command ? `<div class="small text-muted">${__("To restore (from a shell on the server; never from the browser)")}:</div>${frappe_diagnostics.command_html(data.restore_command)}` : ""}
		<table class="table table-sm small"><thead><tr><th>${__("Set")}</th><th>${__("Age")}</th><th>${__("Parts")}</th><th></th><th>${__("Size")}</th><th>${__("Verification")}</th></tr></thead>
		<tbody>${rows || `<tr><td colspan="6" class="text-muted">${__("No backup found.")}</td></tr>`}</tbody></table>
		${frappe_diagnostics.recovery.drills_html(data.last_drills || [])}
		${open.map((r) => frappe_diagnostics.recovery.run_html(r)).join("")}
	</div>`;
};

frappe_diagnostics.recovery.drills_html = function (drills) {
	const esc = frappe.utils.escape_html;
	if (!drills.length) return `<div class="small text-muted">${__("No verification or drill yet.")}</div>`;
	const items = drills.map((d) => {
		const colour = frappe_diagnostics.STATUS_COLOURS[(d.status || "").toLowerCase()] || "gray";
		return `<li><span class="indicator-pill ${colour}">${esc(d.status)}</span>
			<a href="/app/diagnostic-run/${encodeURIComponent(d.name)}">${esc(d.name)}</a> ${esc(d.trigger || "")}
			${frappe.datetime.comment_when(d.started)} · ${esc(d.set || "")} ${d.restore_time_s ? "· " + esc(String(d.restore_time_s)) + " s" : ""}</li>`;
	});
	return `<div class="small"><b>${__("Last verifications and drills")}</b><ul>${items.join("")}</ul></div>`;
};

frappe_diagnostics.recovery.run_html = function (run) {
	const esc = frappe.utils.escape_html;
	const next = run.next_step;
	let action = "";
	if (next && next.step_type === "Automatic") {
		action = `<button class="btn btn-default btn-xs diag-run-step" data-run="${esc(run.name)}" data-step="${esc(next.step)}">${__("Run: {0}", [esc(next.title)])}</button>`;
	} else if (next && next.step_type === "Manual") {
		action = `${esc(next.title)} ${frappe_diagnostics.command_html(next.commands || "")}
			<button class="btn btn-default btn-xs diag-mark-done" data-run="${esc(run.name)}" data-step="${esc(next.step)}">${__("Mark done…")}</button>`;
	} else if (next) {
		action = `${esc(next.title)}: ${__("run from a shell")} ${frappe_diagnostics.command_html(next.commands || "")}`;
	}
	return `<div class="diag-recovery-run small"><a href="/app/diagnostic-run/${encodeURIComponent(run.name)}">${esc(run.name)}</a>
		${esc(frappe_diagnostics.recovery.PROCEDURES[run.procedure] || run.procedure || "")}: ${esc(run.summary || "")} ${action}</div>`;
};

frappe_diagnostics.recovery.start = function (data, call) {
	const d = new frappe.ui.Dialog({
		title: __("Start a Recovery Run"),
		fields: [
			{ fieldname: "procedure", fieldtype: "Select", label: __("Procedure"), reqd: 1, options: Object.keys(frappe_diagnostics.recovery.PROCEDURES).join("\n") },
			{ fieldname: "incident_at", fieldtype: "Datetime", label: __("Incident began"), default: frappe.datetime.now_datetime() },
			{ fieldname: "set", fieldtype: "Select", label: __("Backup set"), options: ["", ...(data.sets || []).map((s) => s.set)].join("\n") },
		],
		primary_action_label: __("Start"),
		primary_action: (values) => {
			d.hide();
			call("start_run", { ...values, trigger: "Desk" }, "POST").then((r) => frappe.set_route("Form", "Diagnostic Run", r.message.name));
		},
	});
	d.show();
};
