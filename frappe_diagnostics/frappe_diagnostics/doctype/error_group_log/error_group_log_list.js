// A group's Error Logs: each row opens the Error Log itself.
frappe.listview_settings["Error Group Log"] = {
	hide_name_column: true,
	get_form_link(doc) {
		return `/app/error-log/${encodeURIComponent(doc.error_log)}`;
	},
};
