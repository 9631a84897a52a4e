// Titles get the room (the full title on hover), "Last seen" reads as a time ago with the date on hover.
frappe.listview_settings["Error Group"] = {
	add_fields: ["status", "count", "exception_type"],
	hide_name_column: true,
	get_indicator(doc) {
		const colour = { Open: "red", Ignored: "gray", Resolved: "green" }[doc.status] || "gray";
		return [__(doc.status), colour, "status,=," + doc.status];
	},
	formatters: {
		last_occurrence(value) {
			if (!value) return "";
			const when = frappe.datetime.str_to_user(value);
			const ago = frappe.datetime.prettyDate(value); // "" for a time ahead of this browser's clock
			return `<span title="${frappe.utils.escape_html(when)}">${ago || when}</span>`;
		},
	},
	onload(listview) {
		listview.page.wrapper.addClass("error-group-list");
		frappe.dom.set_style(
			`.error-group-list .list-row-col.list-subject { flex: 6; }
			.error-group-list .list-row-head .list-subject { flex: 6; }`
		);
	},
};
