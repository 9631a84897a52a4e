"""Backups: the recovery point — how old the newest whole-site backup is, whether backups are scheduled,
and whether Frappe logged a failed one. Reads file names and sizes only (no backup is opened)."""

from __future__ import annotations

import time

from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.recovery import inventory, schedule
from frappe_diagnostics.recovery.inventory import recovery_point


@check(
	"backups.recent",
	title="Recovery point (newest backup)",
	tags=("backups", "recovery"),
	thresholds={"warning_hours": 26, "critical_hours": 72},
)
def recent(probe):
	ctx = probe.site
	sets = inventory.site_sets(ctx)
	status, summary, metrics = recovery_point(
		sets, probe.threshold("warning_hours"), probe.threshold("critical_hours"), time.time()
	)
	findings, fixes = [], []
	if status is not Status.OK:
		fixes.append(
			Fix("Take a backup now (with files).", command=bench(ctx.name, "backup", "--with-files"))
		)
	lines = schedule.cron_lines(ctx.bench_path)
	scheduled = lines + schedule.offsite_enabled(probe.sql_value)
	missed = _missed_run(lines, metrics, probe.threshold("warning_hours"), findings)
	if missed:
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		fixes.append(
			Fix(
				"Find why the scheduled backup left no file (cron's mail, logs/backup.log), then take one.",
				command=bench(ctx.name, "backup", "--with-files"),
			)
		)
	if not scheduled:
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		findings.append(
			Finding(
				"No scheduled backup found: no cron line runs `bench … backup` for this bench, and no S3, Dropbox or Google Drive backup is enabled"
			)
		)
		fixes.append(
			Fix(
				"Schedule backups (bench adds a cron line every 6 hours).",
				command=bench(None, "setup", "backups"),
			)
		)
	failure = schedule.last_failure(probe.sql)
	if failure is not None:
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		findings.append(
			Finding(
				f"A backup failed on {failure['creation']} ({failure['source']}: {failure['what']})",
				{"source": failure["source"], "job": failure["what"]},
			)
		)
		fixes.append(
			Fix("Read the failure in the Error Log / Scheduled Job Log, fix it, then take a backup.")
		)
	summary += f" {missed}" if missed else ""
	summary += " No scheduled backup found." if not scheduled else ""
	summary += f" A backup failed on {failure['creation']}." if failure else ""
	return probe.result(status, summary, metrics=metrics, findings=findings, fixes=fixes)


def _missed_run(lines: list[str], metrics: list, warning_h: float, findings: list) -> str:
	"""The cron schedule's real interval (croniter) as a metric; a sentence when the newest backup is
	older than one and a half intervals (a scheduled run left no backup), with its finding."""
	found = schedule.backup_interval_h(lines, time.time())
	if found is None:
		return ""
	interval, line = found
	metrics.append(Metric("backup_interval", round(interval, 1), "h"))
	age = next((m.value for m in metrics if m.name == "recovery_point_age"), None)
	if interval > warning_h:
		findings.append(
			Finding(
				f"Backups run every {interval:g} h, longer than the {warning_h:g} h warning threshold",
				{"cron": line},
			)
		)
	if age is None or age <= 1.5 * interval:
		return ""
	findings.append(
		Finding(f"Backups run every {interval:g} h but the newest is {age:g} h old", {"cron": line})
	)
	return f"Backups are scheduled every {interval:g} h: the last scheduled run left no backup."
