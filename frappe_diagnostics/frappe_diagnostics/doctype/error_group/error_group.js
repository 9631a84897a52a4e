// Occurrences per day over the last 30 days, from the counts the grouping job keeps.
frappe.ui.form.on("Error Group", {
	refresh(frm) {
		const counts = frappe_diagnostics.parse_json(frm.doc.daily_counts || "{}");
		const days = [];
		for (let i = 29; i >= 0; i--) days.push(frappe.datetime.add_days(frappe.datetime.get_today(), -i));
		const $wrapper = frm.get_field("trend_html").$wrapper.empty();
		new frappe.Chart($wrapper[0], {
			type: "bar",
			height: 160,
			colors: ["#e24c4c"],
			data: {
				labels: days.map((d) => moment(d).format("D MMM")),
				datasets: [{ name: __("Occurrences"), values: days.map((d) => counts[d] || 0) }],
			},
			axisOptions: { xIsSeries: 1, xAxisMode: "tick" },
		});
		if (frm.doc.solution) {
			frm.add_custom_button(__("Open solution"), () => frappe.set_route("Form", "Error Solution", frm.doc.solution));
		}
		if (frm.doc.sample_error_log) {
			frm.add_custom_button(__("Latest Error Log"), () => frappe.set_route("Form", "Error Log", frm.doc.sample_error_log));
		}
	},
});
