// Shared rendering of diagnostic results (Diagnostics Console page, Diagnostic Run form, access dialogs):
// status tiles, evidence as small tables, links to where a problem is fixed, commands with a copy button,
// the run history as bars, and number cards coloured by the status they report.
frappe.provide("frappe_diagnostics");

frappe_diagnostics.STATUS_COLOURS = { ok: "green", warning: "orange", critical: "red", error: "purple", skipped: "gray" };
frappe_diagnostics.STATUS_ORDER = { critical: 0, error: 1, warning: 2, ok: 3, skipped: 4 };

frappe_diagnostics.STATUS_LABELS = {
	ok: __("OK"),
	warning: __("Warning"),
	critical: __("Critical"),
	error: __("Error"),
	skipped: __("Skipped"),
};

frappe_diagnostics.esc = (value) => frappe.utils.escape_html(value == null ? "" : String(value));

frappe_diagnostics.parse_json = function (value) {
	if (Array.isArray(value) || (value && typeof value === "object")) return value;
	try {
		return JSON.parse(value || "[]");
	} catch (e) {
		return [];
	}
};

frappe_diagnostics.status_label = function (status) {
	const s = (status || "").toLowerCase();
	return frappe_diagnostics.STATUS_LABELS[s] || frappe.utils.to_title_case(s);
};

frappe_diagnostics.status_pill = function (status) {
	const s = (status || "").toLowerCase();
	const colour = frappe_diagnostics.STATUS_COLOURS[s] || "gray";
	return `<span class="indicator-pill ${colour} diag-pill">${frappe_diagnostics.status_label(s)}</span>`;
};

// Evidence is data: a value becomes words, a list a comma-separated line or a table, a mapping a table.
frappe_diagnostics.value_html = function (value) {
	const esc = frappe_diagnostics.esc;
	if (value === null || value === undefined || value === "") return `<span class="text-muted">—</span>`;
	if (typeof value === "boolean") return value ? __("Yes") : __("No");
	if (typeof value === "number") return esc(value.toLocaleString());
	if (Array.isArray(value)) {
		if (!value.length) return `<span class="text-muted">${__("none")}</span>`;
		if (value.every((v) => v === null || typeof v !== "object")) return value.map((v) => frappe_diagnostics.value_html(v)).join(", ");
		return frappe_diagnostics.rows_html(value);
	}
	if (typeof value === "object") {
		return Object.keys(value).length ? frappe_diagnostics.evidence_html(value) : `<span class="text-muted">${__("none")}</span>`;
	}
	const nested = frappe_diagnostics.json_value(value);
	if (nested !== undefined) return frappe_diagnostics.value_html(nested); // a field that stores JSON
	return esc(value);
};

// A string that holds a JSON object or list (e.g. a document's JSON field) is shown as the data it is.
frappe_diagnostics.json_value = function (text) {
	const t = String(text).trim();
	if (!(t.startsWith("{") && t.endsWith("}")) && !(t.startsWith("[") && t.endsWith("]"))) return undefined;
	try {
		const parsed = JSON.parse(t);
		return parsed !== null && typeof parsed === "object" ? parsed : undefined;
	} catch (e) {
		return undefined;
	}
};

frappe_diagnostics.label = (key) => frappe_diagnostics.esc(frappe.model.unscrub(String(key)).replace(/\./g, " · "));

// A normalised form (a message or statement with its variable parts as "?") is a technical detail: shown
// as such, in monospace, beside the real message it stands for.
frappe_diagnostics.PATTERN_KEYS = /^(normali[sz]ed|pattern|fingerprint)/;

frappe_diagnostics.evidence_html = function (evidence) {
	if (!evidence || typeof evidence !== "object" || !Object.keys(evidence).length) return "";
	const cell = (k, v) =>
		frappe_diagnostics.PATTERN_KEYS.test(k) && typeof v === "string"
			? `<span class="diag-pattern">${frappe_diagnostics.esc(v)}</span>`
			: frappe_diagnostics.value_html(v);
	const rows = Object.entries(evidence)
		.map(([k, v]) => `<tr><th>${frappe_diagnostics.label(k)}</th><td>${cell(k, v)}</td></tr>`)
		.join("");
	return `<table class="table table-sm table-bordered diag-evidence"><tbody>${rows}</tbody></table>`;
};

// A list of records (e.g. rules, slow statements) as one table with a column per field.
frappe_diagnostics.rows_html = function (rows) {
	const columns = [...new Set(rows.flatMap((r) => (r && typeof r === "object" ? Object.keys(r) : [])))];
	const head = columns.map((c) => `<th>${frappe_diagnostics.label(c)}</th>`).join("");
	const body = rows
		.map((r) => `<tr>${columns.map((c) => `<td>${frappe_diagnostics.value_html((r || {})[c])}</td>`).join("")}</tr>`)
		.join("");
	return `<table class="table table-sm table-bordered diag-evidence"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
};

// Links name their target: "/app/rq-job?status=failed" reads "RQ Job list".
frappe_diagnostics.link_label = function (link) {
	const parts = link.split("?")[0].replace(/^\/app\//, "").split("/").map(decodeURIComponent);
	const pages = { "permission-manager": __("Role Permissions Manager") };
	const route = (frappe.router && frappe.router.routes && frappe.router.routes[parts[0]]) || {};
	const what = pages[parts[0]] || (route.doctype ? __(route.doctype) : frappe.model.unscrub(parts[0]));
	if (parts.length === 1) return pages[parts[0]] ? what : __("{0} list", [what]);
	if (parts[1] === "new") return __("New {0}", [what]);
	return `${what}: ${parts.slice(1).join("/")}`;
};

frappe_diagnostics.link_html = function (link) {
	if (!link || !String(link).startsWith("/app/")) return "";
	const esc = frappe_diagnostics.esc;
	return ` <a class="diag-link" href="${esc(link)}">${esc(frappe_diagnostics.link_label(link))} →</a>`;
};

frappe_diagnostics.command_html = function (command) {
	if (!command) return "";
	const esc = frappe_diagnostics.esc;
	return `<div class="diag-command"><code>${esc(command)}</code><button type="button" class="btn btn-xs btn-default diag-copy"
		data-copy="${esc(command)}" title="${__("Copy the command")}">${frappe.utils.icon("duplicate", "xs")} ${__("Copy")}</button></div>`;
};

$(document).on("click", ".diag-copy", (e) => {
	e.preventDefault();
	e.stopPropagation();
	frappe.utils.copy_to_clipboard($(e.currentTarget).attr("data-copy"));
});

frappe_diagnostics.findings_html = function (findings) {
	return (findings || [])
		.map((f) => `<li>${frappe_diagnostics.esc(f.message)}${frappe_diagnostics.link_html(f.link)}${frappe_diagnostics.evidence_html(f.evidence)}</li>`)
		.join("");
};

// `extra(fix)` adds controls to a fix (the access dialogs' "Dry run…" button).
frappe_diagnostics.fixes_html = function (fixes, extra) {
	return (fixes || [])
		.map((f) => `<li>${frappe_diagnostics.esc(f.description)}${frappe_diagnostics.link_html(f.link)}${extra ? extra(f) : ""}${frappe_diagnostics.command_html(f.command)}</li>`)
		.join("");
};

frappe_diagnostics.metric_text = function (m) {
	const value = typeof m.value === "number" ? m.value.toLocaleString() : m.value;
	return `${frappe_diagnostics.esc(String(m.name).replace(/_/g, " "))}: ${frappe_diagnostics.esc(value)}${m.unit ? " " + frappe_diagnostics.esc(m.unit) : ""}`;
};

// The headline metrics a check marked (the first three when it marked none); the rest on expand.
frappe_diagnostics.metrics_html = function (metrics) {
	if (!metrics.length) return "";
	const marked = metrics.filter((m) => m.headline);
	const headline = marked.length ? marked : metrics.slice(0, 3);
	const rest = metrics.filter((m) => !headline.includes(m));
	const more = rest.length
		? `<details class="diag-more"><summary>${__("{0} more metrics", [rest.length])}</summary>
			<div class="diag-metrics">${rest.map(frappe_diagnostics.metric_text).join("<br>")}</div></details>`
		: "";
	return `<div class="diag-metrics diag-headline">${headline.map(frappe_diagnostics.metric_text).join(" · ")}</div>${more}`;
};

frappe_diagnostics.render_tile = function (r) {
	const esc = frappe_diagnostics.esc;
	const status = (r.status || "").toLowerCase();
	const findings = frappe_diagnostics.findings_html(frappe_diagnostics.parse_json(r.findings));
	const fixes = frappe_diagnostics.fixes_html(frappe_diagnostics.parse_json(r.fixes));
	return `<div class="diag-tile diag-${status}" data-check-id="${esc(r.check_id)}">
		<div class="diag-tile-head">
			${frappe_diagnostics.status_pill(status)}
			<b>${esc(r.title || r.check_id)}</b>
			<span class="text-muted small diag-check-id">${esc(r.check_id)}</span>
		</div>
		<div>${esc(r.summary || "")}</div>
		${frappe_diagnostics.metrics_html(frappe_diagnostics.parse_json(r.metrics))}
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

// Checks needing attention per run, as bars from zero (one run is one bar), coloured by the run's status;
// each bar opens its run.
frappe_diagnostics.history_html = function (history) {
	if (!history.length) return `<div class="text-muted small">${__("No health run yet.")}</div>`;
	const esc = frappe_diagnostics.esc;
	const max = Math.max(1, ...history.map((h) => h.checks_failing || 0));
	const bars = history
		.map((h) => {
			const status = (h.status || "").toLowerCase();
			const when = moment(h.started).format("D MMM HH:mm");
			const title = __("{0}: {1} of {2} checks need attention ({3})", [when, h.checks_failing || 0, h.checks_total, frappe_diagnostics.status_label(status)]);
			const height = Math.max(2, Math.round((100 * (h.checks_failing || 0)) / max));
			return `<a class="diag-bar diag-${status}" href="/app/diagnostic-run/${encodeURIComponent(h.name)}" title="${esc(title)}"
				><span style="height: ${height}%"></span></a>`;
		})
		.join("");
	const first = moment(history[0].started).format("D MMM HH:mm");
	const last = moment(history[history.length - 1].started).format("D MMM HH:mm");
	return `<div class="diag-chart">
		<div class="diag-axis"><span>${max}</span><span>0</span></div>
		<div class="diag-bars">${bars}</div>
	</div>
	<div class="diag-chart-x text-muted small"><span>${esc(first)}</span><span>${esc(last)}</span></div>`;
};

// One frappe.Chart per wrapper, updated in place on a form's second refresh, and without the SVG
// animation: while it runs the chart's own svg is detached, and a window resize then (a screenshot, a
// sidebar toggle) makes its redraw throw "removeChild … not a child of this node" in the console.
frappe_diagnostics.chart = function (wrapper, options) {
	if (wrapper.diag_chart && wrapper.contains(wrapper.diag_chart.container)) {
		wrapper.diag_chart.update(options.data);
		return wrapper.diag_chart;
	}
	$(wrapper).empty();
	wrapper.diag_chart = new frappe.Chart(wrapper, { animate: 0, disableEntryAnimation: 1, ...options });
	return wrapper.diag_chart;
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

// A troubleshooter that declined (a rejected statement, no bench folder …) answers {refused, message}:
// shown where the question was asked, never as an error.
frappe_diagnostics.show_refusal = function (answer, dialog) {
	const html = `<div class="alert alert-warning diag-refusal mb-0">${frappe_diagnostics.esc(answer.message)}</div>`;
	if (dialog && dialog.fields_dict.diag_refusal) {
		dialog.fields_dict.diag_refusal.$wrapper.html(html);
		return;
	}
	frappe.msgprint({ title: answer.question || __("Not run"), message: html, indicator: "orange" });
};

// The access dialogs (verdict, dry run, apply, revert) are loaded only by the page that uses them.
frappe_diagnostics.load_access = function () {
	return new Promise((resolve) => frappe.require("/assets/frappe_diagnostics/js/access_console.js", resolve));
};

// Number cards coloured by status: our card methods return {value, indicator}; Frappe's card paints one
// fixed colour, so the card is taught to use the indicator when there is one.
frappe_diagnostics.teach_number_cards = function () {
	const Card = frappe.widget && frappe.widget.widget_factory && frappe.widget.widget_factory.number_card;
	if (!Card || Card.prototype.diag_indicator) return;
	const get_number = Card.prototype.get_number_for_custom_card;
	const render_number = Card.prototype.render_number;
	Card.prototype.diag_indicator = true;
	Card.prototype.get_number_for_custom_card = function (res) {
		if (res && typeof res === "object" && res.indicator && typeof res.value === "string") {
			this.number = res.value;
			this.formatted_number = frappe.utils.escape_html(res.value);
			return;
		}
		return get_number.call(this, res);
	};
	Card.prototype.render_number = function () {
		render_number.call(this);
		const indicator = this.data && typeof this.data === "object" && this.data.indicator;
		if (!indicator) return;
		$(this.body)
			.find(".number")
			.attr("data-indicator", indicator)
			.css("color", `var(--${indicator}-600)`);
	};
};
frappe_diagnostics.teach_number_cards();
