"""A Recovery Run's report: the real figures from its timeline — downtime (incident to the end of the last
step), the data window lost (backup time to incident), and every step with who did it, when, how long."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from frappe.utils import get_datetime, get_system_timezone, now_datetime, time_diff_in_seconds

from frappe_diagnostics.recovery import inventory
from frappe_diagnostics.site.context import FrappeContext


def report(doc) -> dict:
	incident = get_datetime(doc.incident_at or doc.started)
	finished = [get_datetime(r.finished) for r in doc.recovery_steps if r.finished]
	end = (
		get_datetime(doc.finished)
		if doc.recovery_state == "Completed" and doc.finished
		else (max(finished) if finished else now_datetime())
	)
	backup_time = _backup_time(doc.backup_set)
	steps = [
		{
			"step": r.step,
			"title": r.title,
			"type": r.step_type,
			"status": r.status,
			"started": r.started,
			"finished": r.finished,
			"duration_s": r.duration_s,
			"by": r.done_by,
			"note": r.note,
			"outcome": r.summary,
			"run": r.result_run,
		}
		for r in doc.recovery_steps
	]
	return {
		"name": doc.name,
		"procedure": doc.procedure,
		"state": doc.recovery_state,
		"incident_at": incident,
		"ended_at": end if doc.recovery_state == "Completed" else None,
		"downtime_s": round(time_diff_in_seconds(end, incident), 1),
		"downtime_final": doc.recovery_state == "Completed",
		"backup_set": doc.backup_set,
		"backup_taken_at": backup_time,
		"data_window_lost_s": round(time_diff_in_seconds(incident, backup_time), 1) if backup_time else None,
		"steps": steps,
		"done_by": sorted({r.done_by for r in doc.recovery_steps if r.done_by}),
	}


def _backup_time(stamp: str | None) -> datetime | None:
	if not stamp:
		return None
	try:
		bset = inventory.select(FrappeContext(), stamp)
		taken = bset.taken_at
	except LookupError:
		taken = inventory.stamp_time(inventory.BackupSet(stamp, ""), get_system_timezone())
	return (
		datetime.fromtimestamp(taken, timezone.utc)
		.astimezone(ZoneInfo(get_system_timezone()))
		.replace(tzinfo=None)
	)


def _hours(seconds) -> str:
	return f"{seconds / 3600:.2f} h" if seconds is not None else "unknown"


def as_text(data: dict) -> str:
	lines = [
		f"Recovery Run {data['name']} ({data['procedure']}): {data['state']}",
		f"  Incident: {data['incident_at']:%Y-%m-%d %H:%M:%S}"
		+ (f"; ended {data['ended_at']:%Y-%m-%d %H:%M:%S}" if data["ended_at"] else "; still open"),
		f"  Downtime: {_hours(data['downtime_s'])}" + ("" if data["downtime_final"] else " so far"),
		f"  Data window lost: {_hours(data['data_window_lost_s'])} (backup {data['backup_set'] or 'none'} to the incident)",
		"  Steps:",
	]
	for s in data["steps"]:
		when = f"{get_datetime(s['finished']):%H:%M:%S}" if s["finished"] else "        "
		lines.append(
			f"    {s['status']:<8} {s['step']:<18} {when} {s['by'] or '':<24} {s['outcome'] or s['type']}"
		)
		if s["note"]:
			lines.append(f"{'':14}note: {s['note']}")
	lines.append(f"  Done by: {', '.join(data['done_by']) or 'nobody yet'}")
	return "\n".join(lines)
