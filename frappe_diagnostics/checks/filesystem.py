"""Filesystem: the folders a site writes to, and free space on the bench's filesystem."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from frappe_diagnostics.checks.verdicts import undecided
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status
from frappe_diagnostics.engine.shell import command
from frappe_diagnostics.knowledge.benchconfig import user_name

PROBE_PREFIX = ".diagnostics-"  # the writability probe's temporary files (the files scans skip them)


def site_folders(ctx) -> dict[str, Path]:
	folders = {}
	if ctx.site_path:
		folders["site"] = ctx.site_path
		folders["private/files"] = ctx.site_path / "private" / "files"
		folders["public/files"] = ctx.site_path / "public" / "files"
	if ctx.bench_path:
		folders["logs"] = ctx.bench_path / "logs"
	return folders


def is_writable(folder: Path) -> str | None:
	"""None when a file can really be created there; else the reason."""
	if not folder.exists():
		return "missing"
	if not folder.is_dir():
		return "not a folder"
	try:
		with tempfile.NamedTemporaryFile(dir=folder, prefix=PROBE_PREFIX, delete=True):
			pass
	except OSError as e:
		return e.strerror or str(e)
	return None


@check("filesystem.writable", title="Site folders writable", tags=("filesystem",))
def writable(probe):
	folders = site_folders(probe.site)
	if not folders:
		return probe.skipped("No site folder is known in this context.")
	problems = {name: reason for name, path in folders.items() if (reason := is_writable(path))}
	metrics = [Metric(name, "not writable" if name in problems else "writable") for name in folders]
	if not problems:
		return probe.ok(f"{len(folders)} folders are writable: {', '.join(folders)}.", metrics=metrics)
	critical = {n for n in problems if n != "logs"}
	user, paths = _user_name(), [str(folders[n]) for n in problems]
	return probe.result(
		Status.CRITICAL if critical else Status.WARNING,
		"Not writable: " + ", ".join(f"{n} ({r})" for n, r in problems.items()) + ".",
		metrics=metrics,
		findings=[
			Finding("Folders the site writes to are not writable", {n: str(folders[n]) for n in problems})
		],
		fixes=[
			Fix(
				"Create the missing folders and give them to the user that runs the bench.",
				command=f"{command('mkdir', '-p', *paths)} && {command('sudo', 'chown', '-R', f'{user}:{user}', *paths)}",
			)
		],
	)


def _user_name() -> str:
	try:
		import pwd

		return pwd.getpwuid(os.geteuid()).pw_name
	except (ImportError, KeyError):
		return "frappe"


@check(
	"filesystem.disk_space",
	title="Free disk space",
	tags=("filesystem", "system"),
	thresholds={
		"free_warning_pct": 15,
		"free_critical_pct": 5,
		"free_critical_gb": 1,
		"inodes_warning_pct": 10,
	},
	scope=("site", "host"),
)
def disk_space(probe):
	path = probe.site.bench_path or probe.site.site_path or Path.home()
	usage = shutil.disk_usage(path)
	free_pct = 100.0 * usage.free / usage.total
	free_gb = usage.free / 2**30
	stat = os.statvfs(path)
	# some filesystems (btrfs, overlay, NFS) report no inode counts: then there is nothing to judge
	inodes_pct = 100.0 * stat.f_favail / stat.f_files if stat.f_files else None
	status = probe.graded(
		free_pct,
		probe.threshold("free_warning_pct"),
		probe.threshold("free_critical_pct"),
		higher_is_worse=False,
	)
	if free_gb < probe.threshold("free_critical_gb"):
		status = Status.CRITICAL
	if inodes_pct is not None and inodes_pct < probe.threshold("inodes_warning_pct") and status is Status.OK:
		status = Status.WARNING
	metrics = [
		Metric("free", round(free_gb, 2), "GiB", headline=True),
		Metric("free_pct", round(free_pct, 1), "%", headline=True),
		Metric("total", round(usage.total / 2**30, 1), "GiB"),
		Metric("free_inodes_pct", round(inodes_pct, 1), "%")
		if inodes_pct is not None
		else Metric("free_inodes_pct", "not reported by this filesystem"),
	]
	summary = f"{free_gb:.1f} GiB free of {usage.total / 2**30:.0f} GiB ({free_pct:.0f}%) on {path}."
	if status is Status.OK:
		return probe.ok(summary, metrics=metrics)
	return probe.result(
		status,
		summary,
		metrics=metrics,
		findings=[Finding("The bench's filesystem is running out of space", {"path": str(path)})],
		fixes=[
			Fix(
				"Remove old backups and rotated logs; move backups off the machine.",
				command="du -sh sites/*/private/backups logs",
			),
			Fix("Grow the disk if the data itself has grown."),
		],
	)


@check("filesystem.permissions", title="Ownership of the site's files", tags=("filesystem", "startup"))
def permissions(probe):
	site_path, bench = probe.site.site_path, probe.site.bench_path
	if not site_path or not bench:
		return probe.skipped("No bench folder is known in this context.")
	if not site_path.is_dir():
		return undecided(
			probe,
			f"the site folder {site_path} does not exist, so the owner of its files cannot be checked.",
			{"site_path": str(site_path)},
			"Check the site name (a folder under sites/ holding site_config.json).",
		)
	owner = bench.stat().st_uid
	paths = [
		bench / "sites",
		site_path,
		site_path / "site_config.json",
		site_path / "private" / "files",
		bench / "sites" / "common_site_config.json",
	]
	foreign, unreadable = {}, []
	for path in paths:
		try:
			st = path.stat()
		except FileNotFoundError:
			continue
		if st.st_uid != owner:
			foreign[str(path.relative_to(bench))] = user_name(st.st_uid)
		if st.st_uid != owner and not (st.st_mode & 0o044):
			unreadable.append(str(path.relative_to(bench)))
	if not foreign:
		return probe.ok(f"The site's files belong to the bench's owner ({user_name(owner)}).")
	status = Status.CRITICAL if unreadable else Status.WARNING
	return probe.result(
		status,
		f"Files of the site belong to another user than the bench's owner ({user_name(owner)}): {', '.join(foreign)}.",
		findings=[
			Finding(
				"Files owned by another user (often from running bench as root)",
				{"owners": foreign, "unreadable": unreadable},
			)
		],
		fixes=[
			Fix(
				"Give the bench's files back to its user.",
				command=command(
					"sudo", "chown", "-R", f"{user_name(owner)}:{user_name(owner)}", bench / "sites"
				),
			)
		],
	)
