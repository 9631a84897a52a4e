frappe.listview_settings["Error Group"] = {
	add_fields: ["status", "count"],
	get_indicator(doc) {
		const colour = { Open: "red", Ignored: "gray", Resolved: "green" }[doc.status] || "gray";
		return [__(doc.status), colour, "status,=," + doc.status];
	},
};
