"""Files troubleshooter: "why won't this file upload / open?"

Upload limits (Frappe's max_file_size vs nginx's client_max_body_size vs the upload that failed, allowed
file types) → the full consistency scan (records vs disk, orphans, privacy, readability, disk use per
folder) → a named file: which records point at it and why it answers 404 or 403. Framework-free; the
per-user answer is added inside a site (site/files.py).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from frappe_diagnostics.checks import files_scan
from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.probe import missing_table
from frappe_diagnostics.engine.registry import Registry, check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status
from frappe_diagnostics.engine.runner import run_selected
from frappe_diagnostics.engine.shell import bench, command
from frappe_diagnostics.engine.steps import action
from frappe_diagnostics.knowledge.benchconfig import user_name

MB = 1024 * 1024
DEFAULT_MAX = 25 * MB  # frappe.core.api.file.get_max_file_size
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$", re.I)


def parse_size(text: str | None) -> int | None:
	"""'30MB', '30 m', '1.5G', '31457280' -> bytes; ValueError for anything else."""
	if text in (None, ""):
		return None
	match = SIZE.match(str(text))
	if not match:
		raise ValueError(f"size must look like 30MB, 512k or 1.5G (got {text!r}).")
	return int(float(match.group(1)) * {"": 1, "k": 1024, "m": MB, "g": 1024 * MB}[match.group(2).lower()])


def limits_step(probe, size: int | None, file: str | None):
	from frappe_diagnostics.knowledge.benchconfig import nginx, size_bytes

	ctx = probe.site
	settings_mb = int(float(probe.system_setting("max_file_size") or 0))
	frappe_max = settings_mb * MB or int(ctx.conf.get("max_file_size") or 0) or DEFAULT_MAX
	where = (
		"System Settings" if settings_mb else "site config" if ctx.conf.get("max_file_size") else "default"
	)
	config = nginx(ctx.bench_path) if ctx.bench_path else None
	body = (config.body_limit(ctx.name) or "1m") if config else None  # nginx's own default is 1m
	nginx_max = size_bytes(body) if body else None
	allowed = [
		e.strip().lower()
		for e in (probe.system_setting("allowed_file_extensions") or "").split("\n")
		if e.strip()
	]
	metrics = [Metric("max_file_size", round(frappe_max / MB, 1), "MB")]
	if nginx_max:
		metrics.append(Metric("client_max_body_size", round(nginx_max / MB, 1), "MB"))
	findings, fixes, status = [], [], Status.OK
	limits = {
		"max_file_size": f"{frappe_max / MB:g} MB ({where})",
		"client_max_body_size": body or "no nginx",
	}
	if nginx_max and nginx_max < frappe_max:
		findings.append(
			Finding("nginx refuses uploads Frappe would accept (HTTP 413 before Frappe sees them)", limits)
		)
		fixes.append(
			Fix(
				"Raise client_max_body_size in the nginx config to at least max_file_size, then reload nginx."
			)
		)
		status = Status.WARNING
	if size:
		smallest = min(x for x in (frappe_max, nginx_max) if x)
		if size > smallest:
			by = "nginx (HTTP 413)" if nginx_max and size > nginx_max else f"Frappe's max_file_size ({where})"
			findings.append(Finding(f"An upload of {size / MB:.1f} MB is refused by {by}", limits))
			fixes.append(
				Fix(
					"Raise the limit in System Settings → Max File Size (MB).",
					command=bench(ctx.name, "set-config", "max_file_size", str(size)),
				)
			)
			status = Status.CRITICAL
	extension = Path(file or "").suffix.lstrip(".").lower()
	if allowed and extension and extension not in allowed:
		findings.append(
			Finding(
				f"Files of type .{extension} are not allowed (System Settings → Allowed File Extensions)",
				{"allowed": allowed},
			)
		)
		status = Status.CRITICAL
	summary = f"Uploads up to {frappe_max / MB:g} MB ({where})" + (f"; nginx allows {body}" if body else "")
	summary += f"; {len(allowed)} allowed file types." if allowed else "; any file type."
	if findings:
		summary = findings[-1].message + "."
	return probe.result(status, summary, metrics, findings, fixes)


def scan_step(probe):
	ctx = probe.site
	try:
		result = files_scan.scan(ctx)
	except Exception as e:
		if missing_table(e):
			return probe.skipped("This database has no File table.")
		raise
	metrics = [
		Metric("records", result.records, "records"),
		Metric("files_on_disk", result.files_on_disk, "files"),
		Metric("disk_used", round(result.disk_bytes / MB, 1), "MB"),
		Metric("missing_on_disk", result.missing, "records"),
		Metric("orphans", result.orphans, "files"),
		Metric("orphan_bytes", round(result.orphan_bytes / MB, 1), "MB"),
		Metric("scan_time", result.seconds, "s"),
	]
	top = dict(sorted(result.per_folder.items(), key=lambda kv: -kv[1]["bytes"])[:10])
	findings = [Finding("Disk use per folder", top)]
	fixes = []
	if result.missing:
		findings.append(
			Finding(
				f"{result.missing} File record(s) whose file is missing on disk (they answer 404)",
				{"samples": result.samples["missing"]},
			)
		)
		fixes.append(
			Fix(
				"Restore the files from a backup of the files folders (bench backup --with-files), or delete the records."
			)
		)
	if result.orphans:
		findings.append(
			Finding(
				f"{result.orphans} file(s) on disk with no File record ({result.orphan_bytes / MB:.1f} MB)",
				{"samples": result.samples["orphans"]},
			)
		)
		act = action("quarantine_orphans", limit=min(result.orphans, 10_000))
		fixes.append(
			Fix(
				"Move them into a quarantine folder (revertible); dry run first.",
				command=bench(ctx.name, "diagnostics", "maintain", act),
				action=act,
			)
		)
	if result.wrong_privacy:
		findings.append(
			Finding(
				f"{result.wrong_privacy} record(s) whose private flag disagrees with their URL",
				{"samples": result.samples["wrong_privacy"]},
			)
		)
		fixes.append(Fix("Open each record and toggle Is Private (Frappe moves the file and fixes the URL)."))
	if result.unreadable:
		findings.append(
			Finding(
				f"{result.unreadable} file(s) the bench's user cannot read",
				{"samples": result.samples["unreadable"]},
			)
		)
		fixes.append(
			Fix(
				"Give them back to the bench's user.",
				command=command("sudo", "chown", "-R", _owner(ctx), str(ctx.site_path)),
			)
		)
	status = (
		Status.WARNING
		if (result.missing or result.orphans or result.wrong_privacy or result.unreadable)
		else Status.OK
	)
	summary = (
		f"{result.records} File record(s), {result.files_on_disk} file(s) ({result.disk_bytes / MB:.1f} MB) on disk: "
		f"{result.missing} missing, {result.orphans} orphaned, {result.wrong_privacy} with the wrong privacy, "
		f"{result.unreadable} unreadable ({result.seconds:g} s)."
	)
	return probe.result(status, summary, metrics, findings, fixes)


def _owner(ctx) -> str:
	return user_name((ctx.bench_path or ctx.site_path).stat().st_uid)


def lookup_step(probe, file: str):
	ctx = probe.site
	name = file.strip()
	url = name if name.startswith("/") else None
	rows = probe.sql(
		"SELECT name, file_name, file_url, is_private, owner, attached_to_doctype, attached_to_name "
		"FROM `tabFile` WHERE name = %s OR file_url = %s OR file_name = %s LIMIT 20",
		(name, url or name, Path(name).name),
	)
	if not rows:
		summary = f"No File record points at {name}: Frappe answers 404 for it."
		return probe.result(Status.CRITICAL, summary, findings=[Finding(summary, {"looked_for": name})])
	records = []
	for row in rows:
		path = files_scan.disk_path(ctx.site_path, row["file_url"] or "")
		on_disk = bool(path and path.is_file())
		records.append(
			{
				**{
					k: row[k]
					for k in (
						"name",
						"file_url",
						"is_private",
						"owner",
						"attached_to_doctype",
						"attached_to_name",
					)
				},
				"on_disk": on_disk,
			}
		)
	gone = [r for r in records if not r["on_disk"] and files_scan.url_key(r["file_url"])]
	private = [r for r in records if r["is_private"]]
	findings = [Finding("File records pointing at it", {"records": records})]
	if gone:
		summary = f"{len(gone)} of {len(records)} record(s) point at a file missing on disk: 404 ({gone[0]['file_url']})."
		return probe.result(Status.CRITICAL, summary, findings=findings)
	if private:
		rule = "private: only Administrator, its owner, and users who may read the document it is attached to (403 for others; Guest must log in)"
		return probe.ok(f"{len(records)} record(s); {private[0]['file_url']} is {rule}.", findings=findings)
	return probe.ok(
		f"{len(records)} record(s); {records[0]['file_url']} is public: anyone with the link may open it.",
		findings=findings,
	)


def diagnose_files(ctx, file: str | None = None, size: str | None = None, extra_steps=()) -> Diagnosis:
	started = time.time()
	upload = parse_size(size)
	settings = ctx.troubleshooter_settings(min_check_ms=5000, run_s=900, parallel=1)
	local = Registry()
	check("files.limits", title="Upload limits", tags=("files",), into=local)(
		lambda p: limits_step(p, upload, file)
	)
	check("files.scan", title="Records vs disk", tags=("files",), budget_ms=600_000, into=local)(scan_step)
	if file:
		check("files.lookup", title=f"The file {file}", tags=("files",), into=local)(
			lambda p: lookup_step(p, file)
		)
	# the health checks that answer part of the question come first: who owns the folders, can they be written
	owned = run_selected(ctx, ["filesystem.permissions", "filesystem.writable"]).results
	steps = [*owned, *run_selected(ctx, reg=local, settings=settings).results, *extra_steps]
	question = (
		f"Why won't {file} upload or open on {ctx.name}?" if file else f"Are {ctx.name}'s files consistent?"
	)
	return Diagnosis("Files", question, steps, {"file": file, "size": size}, started, time.time(), ctx.name)
