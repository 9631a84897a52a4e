// Renders the run's results as coloured tiles above the results table.
frappe.ui.form.on("Diagnostic Run", {
	refresh(frm) {
		frm.disable_save();
		const colours = { OK: "green", Warning: "orange", Critical: "red", Error: "purple", Skipped: "gray" };
		frm.page.set_indicator(__(frm.doc.status), colours[frm.doc.status] || "gray");
		frm.get_field("results_html").$wrapper.html(
			frappe_diagnostics_render_results(frm.doc.results || [], colours)
		);
		frm.add_custom_button(__("Open Diagnostics Console"), () => frappe.set_route("diagnostics-console"));
	},
});

function frappe_diagnostics_render_results(rows, colours) {
	const order = { Critical: 0, Error: 1, Warning: 2, OK: 3, Skipped: 4 };
	const sorted = [...rows].sort((a, b) => order[a.status] - order[b.status]);
	const parse = (text) => {
		try {
			return JSON.parse(text || "[]");
		} catch (e) {
			return [];
		}
	};
	const tiles = sorted.map((row) => {
		const findings = parse(row.findings)
			.map((f) => `<li>${frappe.utils.escape_html(f.message)}</li>`)
			.join("");
		const fixes = parse(row.fixes)
			.map(
				(f) =>
					`<li>${frappe.utils.escape_html(f.description)}${
						f.command ? `<br><code>${frappe.utils.escape_html(f.command)}</code>` : ""
					}</li>`
			)
			.join("");
		return `<div class="diag-tile diag-${(row.status || "").toLowerCase()}">
			<div class="diag-tile-head">
				<span class="indicator-pill ${colours[row.status] || "gray"}">${__(row.status)}</span>
				<b>${frappe.utils.escape_html(row.title || row.check_id)}</b>
				<span class="text-muted small">${frappe.utils.escape_html(row.check_id)}</span>
			</div>
			<div>${frappe.utils.escape_html(row.summary || "")}</div>
			${findings ? `<ul class="small">${findings}</ul>` : ""}
			${fixes ? `<div class="small text-muted">${__("What to do")}</div><ul class="small">${fixes}</ul>` : ""}
		</div>`;
	});
	return `<div class="diag-tiles">${tiles.join("")}</div>`;
}
