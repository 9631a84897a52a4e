// Shows every check's default thresholds under the overrides field.
frappe.ui.form.on("Diagnostics Settings", {
	refresh(frm) {
		frappe
			.call({ method: "frappe_diagnostics.api.health.checks", type: "GET" })
			.then(({ message: checks }) => {
				const rows = checks
					.map((c) => {
						const thresholds = Object.entries(c.thresholds)
							.map(([k, v]) => `${frappe.utils.escape_html(k)} = ${v}`)
							.join(", ");
						return `<tr><td><code>${frappe.utils.escape_html(c.id)}</code></td>
							<td>${frappe.utils.escape_html(c.title)}</td>
							<td>${thresholds || "—"}</td>
							<td>${c.disabled ? `<span class="indicator-pill gray">${__("Disabled")}</span>` : __("Active")}</td></tr>`;
					})
					.join("");
				frm.get_field("thresholds_help").$wrapper.html(
					`<table class="table table-bordered small"><thead><tr><th>${__("Check")}</th><th>${__(
						"Title"
					)}</th><th>${__("Thresholds in effect")}</th><th>${__("State")}</th></tr></thead><tbody>${rows}</tbody></table>`
				);
			});
	},
});
