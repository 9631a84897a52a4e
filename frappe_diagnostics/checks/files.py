"""Files: a sampled consistency check of File records against the site's files folders, within budget.
The full scan (every record, every file) is `diagnostics files`."""

from __future__ import annotations

import itertools
import secrets
from pathlib import Path

from frappe_diagnostics.engine.probe import missing_table
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status
from frappe_diagnostics.engine.shell import bench


def sample_records(probe, size: int) -> list[dict]:
	"""About `size` File records from a random point of the primary key (no full scan, no ORDER BY RAND())."""
	start = secrets.token_hex(5)
	query = (
		"SELECT name, file_url, is_private FROM `tabFile` WHERE is_folder = 0 AND name {op} %s "
		"ORDER BY name {order} LIMIT %s"
	)
	rows = probe.sql(query.format(op=">=", order="ASC"), (start, size))
	if len(rows) < size:
		rows += probe.sql(query.format(op="<", order="DESC"), (start, size - len(rows)))
	return rows


def sample_disk(site_path: Path, size: int) -> list[str]:
	"""File URLs of up to `size` files from each files folder, in directory order (no full listing)."""
	from frappe_diagnostics.checks.files_scan import FOLDERS, walk

	urls = []
	for kind, parts in FOLDERS.items():
		prefix = "/private/files/" if kind == "private" else "/files/"
		for relative, _ in itertools.islice(walk(Path(site_path).joinpath(*parts)), size):
			urls.append(prefix + relative)
	return urls


@check(
	"files.consistency",
	title="Files on disk vs File records",
	tags=("files",),
	thresholds={"sample": 200, "missing_critical_pct": 10},
	budget_ms=5000,
)
def consistency(probe):
	from frappe_diagnostics.checks.files_scan import disk_path, url_key

	ctx = probe.site
	if ctx.site_path is None:
		return probe.skipped("No site folder to compare the File records with.")
	size = int(probe.threshold("sample"))
	try:
		records = sample_records(probe, size)
	except Exception as e:
		if missing_table(e):
			return probe.skipped("This database has no File table.")
		raise
	local = [r for r in records if url_key(r["file_url"])]
	missing = [r["name"] for r in local if not disk_path(ctx.site_path, r["file_url"]).is_file()]
	privacy = [r["name"] for r in local if (url_key(r["file_url"])[0] == "private") != bool(r["is_private"])]
	urls = sample_disk(ctx.site_path, size)
	known = set()
	if urls:
		placeholders = ", ".join(["%s"] * len(urls))
		rows = probe.sql(f"SELECT file_url FROM `tabFile` WHERE file_url IN ({placeholders})", urls)
		known = {r["file_url"] for r in rows}
	orphans = [u for u in urls if u not in known]
	metrics = [
		Metric("sampled_records", len(local), "records"),
		Metric("missing_on_disk", len(missing), "records"),
		Metric("sampled_files", len(urls), "files"),
		Metric("orphans", len(orphans), "files"),
	]
	summary = (
		f"Sampled {len(local)} File record(s) and {len(urls)} file(s): {len(missing)} missing on disk, "
		f"{len(orphans)} without a record, {len(privacy)} with the wrong privacy."
	)
	findings = []
	if missing:
		findings.append(Finding("File records whose file is missing on disk", {"files": missing[:20]}))
	if orphans:
		findings.append(Finding("Files on disk with no File record", {"urls": orphans[:20]}))
	if privacy:
		findings.append(Finding("Private/public flag disagrees with the URL", {"files": privacy[:20]}))
	if not findings:
		return probe.ok(summary, metrics=metrics)
	share = 100 * len(missing) / max(1, len(local))
	status = Status.CRITICAL if share >= probe.threshold("missing_critical_pct") else Status.WARNING
	fixes = [
		Fix(
			"Scan every record and file (counts, sizes, what to do).",
			command=bench(ctx.name, "diagnostics", "files"),
		)
	]
	return probe.result(status, summary, metrics, findings, fixes)


FRAPPE_DEFAULT_MAX = 25 * 1024 * 1024  # frappe.core.api.file.get_max_file_size when nothing is set


def upload_limit_bytes(probe) -> tuple[int, str]:
	"""The upload limit as Frappe computes it: System Settings (MB), else max_file_size (bytes), else 25 MB."""
	stored = probe.system_setting("max_file_size")
	if _whole(stored):
		return int(stored) * 1024 * 1024, "System Settings (Max File Size, MB)"
	if _whole(probe.site.conf.get("max_file_size")):
		return int(probe.site.conf["max_file_size"]), "max_file_size in the site config (bytes)"
	return FRAPPE_DEFAULT_MAX, "Frappe's default"


def _whole(value) -> bool:
	return str(value or "").strip().isdigit() and int(str(value).strip()) > 0


@check("files.upload_limit", title="Upload size limit", tags=("files",), thresholds={"min_mb": 1})
def upload_limit(probe):
	limit, source = upload_limit_bytes(probe)
	metrics = [Metric("max_file_size", round(limit / 1048576, 2), "MB", headline=True)]
	if limit >= probe.threshold("min_mb") * 1048576:
		return probe.ok(f"Uploads up to {limit / 1048576:g} MB are accepted ({source}).", metrics=metrics)
	site = probe.site.name
	summary = (
		f'Uploads larger than {limit / 1024:.0f} KB are refused ("File size exceeded the maximum allowed '
		f'size"): the limit comes from {source}.'
	)
	fix = (
		Fix("Raise Max File Size in System Settings.", link="/app/system-settings")
		if source.startswith("System")
		else Fix(
			"Raise max_file_size (bytes) in the site config, e.g. 25 MB.",
			command=bench(site, "set-config", "-p", "max_file_size", str(FRAPPE_DEFAULT_MAX)),
		)
	)
	return probe.result(
		Status.WARNING, summary, metrics, [Finding("The upload limit is very small", {"bytes": limit})], [fix]
	)
