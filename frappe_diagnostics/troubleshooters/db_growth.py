"""Growing log tables: which of Frappe's log tables grows, by how much a day, and — for the Error Log — the
error that keeps recurring. A step of the database troubleshooter; framework-free."""

from __future__ import annotations

from datetime import timedelta

from frappe_diagnostics.checks.application import site_now
from frappe_diagnostics.checks.job_failures import exception_line
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status, route
from frappe_diagnostics.engine.shell import bench

LOG_TABLES = (
	"tabError Log",
	"tabScheduled Job Log",
	"tabActivity Log",
	"tabAccess Log",
	"tabVersion",
	"tabEmail Queue",
	"tabRoute History",
	"tabIntegration Request",
	"tabWebhook Request Log",
)
ERROR_LOG = "tabError Log"
THRESHOLDS = {
	"errors_warning": 500,
	"errors_critical": 5000,
	"rows_warning": 200_000,
	"rows_critical": 2_000_000,
}


def log_growth(probe):
	placeholders = ", ".join(["%s"] * len(LOG_TABLES))
	sizes = probe.sql(
		"SELECT table_name AS name, COALESCE(data_length + index_length, 0) AS bytes FROM information_schema.tables "
		f"WHERE table_schema = DATABASE() AND table_name IN ({placeholders})",
		LOG_TABLES,
	)
	since = site_now(probe) - timedelta(hours=24)
	grown = []
	for row in sizes:
		# `modified` is indexed on every Frappe table and never earlier than `creation`: a bounded count
		added = int(
			probe.sql_value(
				f"SELECT COUNT(*) FROM `{row['name']}` WHERE modified >= %s AND creation >= %s",
				(since, since),
			)
			or 0
		)
		grown.append({"table": row["name"], "rows_24h": added, "mb": round(int(row["bytes"]) / 1048576, 1)})
	grown.sort(key=lambda g: -g["rows_24h"])
	metrics = [Metric(f"{g['table']}.rows_24h", g["rows_24h"], "rows") for g in grown[:5]]
	worst = [(g, _graded(probe, g)) for g in grown]
	failing = [(g, s) for g, s in worst if s is not Status.OK]
	if not failing:
		top = grown[0] if grown else None
		more = f"; the fastest is {top['table']} (+{top['rows_24h']} rows)" if top else ""
		return probe.ok(f"No log table grows unusually in the last 24 h{more}.", metrics=metrics)
	table, status = failing[0]
	summary = f"{table['table']} grew by {table['rows_24h']:,} rows in the last 24 h ({table['mb']:g} MB now)"
	findings = [Finding(summary, table)]
	fixes = [
		Fix(
			"Keep log tables bounded: set how many days each log is kept in Log Settings.",
			link=route("log-settings"),
		)
	]
	if table["table"] == ERROR_LOG:
		recurring = _recurring_error(probe, since)
		if recurring:
			summary += f"; the recurring error: {recurring['error']} ({recurring['count']:,} times"
			summary += f", from {recurring['method']})" if recurring["method"] else ")"
			findings.append(Finding("The error that recurs most", recurring, route("error-log")))
		fixes.insert(
			0,
			Fix(
				"Fix the recurring error first (its traceback, grouped, with a known solution when there is one):",
				command=bench(probe.site.name, "diagnostics", "errors", "--since", "24h"),
			),
		)
	return probe.result(status, summary + ".", metrics, findings, fixes)


def _graded(probe, grown: dict) -> Status:
	if grown["table"] == ERROR_LOG:
		return probe.graded(
			grown["rows_24h"], probe.threshold("errors_warning"), probe.threshold("errors_critical")
		)
	return probe.graded(grown["rows_24h"], probe.threshold("rows_warning"), probe.threshold("rows_critical"))


def _recurring_error(probe, since) -> dict | None:
	rows = probe.sql(
		"SELECT COALESCE(method, '') AS method, COUNT(*) AS n, MAX(name) AS newest FROM `tabError Log` "
		"WHERE modified >= %s AND creation >= %s GROUP BY method ORDER BY n DESC LIMIT 1",
		(since, since),
	)
	if not rows:
		return None
	text = probe.sql_value("SELECT error FROM `tabError Log` WHERE name = %s", (rows[0]["newest"],))
	return {"method": rows[0]["method"][:140], "count": int(rows[0]["n"]), "error": exception_line(text)}
