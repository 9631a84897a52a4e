// Runs of the last 30 days per status, always in the order OK, Warning, Critical, Error, Skipped,
// so the chart's fixed colours (green, orange, red, purple, grey) always match their status.
frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Diagnostic Runs by Status"] = {
	method: "frappe_diagnostics.api.cards.runs_by_status",
	filters: [],
};
