// Shared rendering of diagnostic results as status tiles (Diagnostics Console page and Diagnostic Run form).
frappe.provide("frappe_diagnostics");

frappe_diagnostics.STATUS_COLOURS = { ok: "green", warning: "orange", critical: "red", error: "purple", skipped: "gray" };
frappe_diagnostics.STATUS_ORDER = { critical: 0, error: 1, warning: 2, ok: 3, skipped: 4 };

frappe_diagnostics.parse_json = function (value) {
	if (Array.isArray(value)) return value;
	try {
		return JSON.parse(value || "[]");
	} catch (e) {
		return [];
	}
};

frappe_diagnostics.STATUS_LABELS = {
	ok: __("OK"),
	warning: __("Warning"),
	critical: __("Critical"),
	error: __("Error"),
	skipped: __("Skipped"),
};

frappe_diagnostics.status_label = function (status) {
	const s = (status || "").toLowerCase();
	return frappe_diagnostics.STATUS_LABELS[s] || s;
};

frappe_diagnostics.render_tile = function (r) {
	const esc = frappe.utils.escape_html;
	const status = (r.status || "").toLowerCase();
	const metrics = frappe_diagnostics
		.parse_json(r.metrics)
		.slice(0, 4)
		.map((m) => `${esc(m.name)}: ${esc(String(m.value))}${m.unit ? " " + esc(m.unit) : ""}`)
		.join(" · ");
	const findings = frappe_diagnostics
		.parse_json(r.findings)
		.map((f) => `<li>${esc(f.message)}</li>`)
		.join("");
	const fixes = frappe_diagnostics
		.parse_json(r.fixes)
		.map((f) => `<li>${esc(f.description)}${f.command ? `<br><code>${esc(f.command)}</code>` : ""}</li>`)
		.join("");
	return `<div class="diag-tile diag-${status}">
		<div class="diag-tile-head">
			<span class="indicator-pill ${frappe_diagnostics.STATUS_COLOURS[status] || "gray"}">${frappe_diagnostics.status_label(status)}</span>
			<b>${esc(r.title || r.check_id)}</b>
			<span class="text-muted small diag-check-id">${esc(r.check_id)}</span>
		</div>
		<div>${esc(r.summary || "")}</div>
		${metrics ? `<div class="diag-metrics">${metrics}</div>` : ""}
		${findings ? `<ul class="small">${findings}</ul>` : ""}
		${fixes ? `<div class="small text-muted">${__("What to do")}</div><ul class="small">${fixes}</ul>` : ""}
	</div>`;
};

frappe_diagnostics.render_tiles = function (results) {
	const order = frappe_diagnostics.STATUS_ORDER;
	const sorted = [...(results || [])].sort(
		(a, b) => order[(a.status || "").toLowerCase()] - order[(b.status || "").toLowerCase()]
	);
	return `<div class="diag-tiles">${sorted.map(frappe_diagnostics.render_tile).join("")}</div>`;
};

// A desk dialog field for a catalog input: its declared type, or the desk's own field description.
frappe_diagnostics.dialog_field = function (input) {
	const types = { float: "Float", int: "Int", choice: "Select", str: "Data" };
	return {
		fieldname: input.name,
		fieldtype: types[input.type] || "Data",
		options: input.type === "choice" ? input.choices.join("\n") : undefined,
		label: frappe.model.unscrub(input.name),
		description: input.help,
		reqd: input.required ? 1 : 0,
		default: input.default,
		...(input.desk || {}),
	};
};

// The access dialogs (verdict, dry run, apply, revert) are loaded only by the page that uses them.
frappe_diagnostics.load_access = function () {
	return new Promise((resolve) => frappe.require("/assets/frappe_diagnostics/js/access_console.js", resolve));
};
