const DIAGNOSTIC_STATUS_COLOURS = {
	OK: "green",
	Warning: "orange",
	Critical: "red",
	Error: "purple",
	Skipped: "gray",
};

frappe.listview_settings["Diagnostic Run"] = {
	add_fields: ["status", "kind", "checks_failing"],
	get_indicator(doc) {
		return [__(doc.status), DIAGNOSTIC_STATUS_COLOURS[doc.status] || "gray", "status,=," + doc.status];
	},
};
