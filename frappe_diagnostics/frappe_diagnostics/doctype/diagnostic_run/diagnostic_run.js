// The run's results as coloured tiles (frappe_diagnostics/public/js/diagnostics.js) above the results table.
frappe.ui.form.on("Diagnostic Run", {
	refresh(frm) {
		frm.disable_save();
		const status = (frm.doc.status || "").toLowerCase();
		frm.page.set_indicator(__(frm.doc.status), frappe_diagnostics.STATUS_COLOURS[status] || "gray");
		frm.get_field("results_html").$wrapper.html(frappe_diagnostics.render_tiles(frm.doc.results));
		frm.add_custom_button(__("Open Diagnostics Console"), () => frappe.set_route("diagnostics-console"));
	},
});
