// The group's trend, its message variants with counts, and the way to all of its Error Logs.
frappe.ui.form.on("Error Group", {
	refresh(frm) {
		render_trend(frm);
		render_variants(frm);
		frm.add_custom_button(__("Error Logs ({0})", [frm.doc.count || 0]), () =>
			frappe.set_route("List", "Error Group Log", { error_group: frm.doc.name })
		);
		if (frm.doc.sample_error_log) {
			frm.add_custom_button(__("Latest Error Log"), () =>
				frappe.set_route("Form", "Error Log", frm.doc.sample_error_log)
			);
		}
		if (frm.doc.solution) {
			frm.add_custom_button(__("Open solution"), () =>
				frappe.set_route("Form", "Error Solution", frm.doc.solution)
			);
		}
	},
});

function render_trend(frm) {
	// occurrences per day over the last 30 days, from the counts the grouping job keeps
	const counts = frappe_diagnostics.parse_json(frm.doc.daily_counts || "{}");
	const days = [];
	for (let i = 29; i >= 0; i--) days.push(frappe.datetime.add_days(frappe.datetime.get_today(), -i));
	frappe_diagnostics.chart(frm.get_field("trend_html").$wrapper[0], {
		type: "bar",
		height: 160,
		colors: ["#e24c4c"],
		data: {
			labels: days.map((d) => moment(d).format("D MMM")),
			datasets: [{ name: __("Occurrences"), values: days.map((d) => counts[d] || 0) }],
		},
		axisOptions: { xIsSeries: 1, xAxisMode: "tick" },
	});
}

function render_variants(frm) {
	// each message form the group was seen with: a real example (secrets masked) and how often
	const variants = frappe_diagnostics.parse_json(frm.doc.message_variants || "[]") || [];
	const $wrapper = frm.get_field("variants_html").$wrapper.empty();
	if (!variants.length) {
		$wrapper.append(`<p class="text-muted">${__("No messages recorded yet.")}</p>`);
		return;
	}
	const rows = variants
		.map(
			(v) => `<tr>
				<td class="text-right">${format_number(v.count, null, 0)}</td>
				<td><div>${frappe.utils.escape_html(v.example || v.normalized)}</div>
					<div class="text-muted small">${frappe.utils.escape_html(v.normalized)}</div></td>
			</tr>`
		)
		.join("");
	const other = frm.doc.other_variants
		? `<p class="text-muted small">${__("{0} more occurrence(s) with other messages.", [
				format_number(frm.doc.other_variants, null, 0),
		  ])}</p>`
		: "";
	$wrapper.append(`<table class="table table-bordered table-sm">
		<thead><tr><th class="text-right" style="width: 8em">${__("Count")}</th>
			<th>${__("Message (example, then its normalised form)")}</th></tr></thead>
		<tbody>${rows}</tbody></table>${other}`);
}
