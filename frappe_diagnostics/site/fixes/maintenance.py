"""Safe maintenance actions, through the fix framework (dry run → signed confirmation → apply → Diagnostic
Fix Log → revert where possible). Each touches this site only: never all sites, never all of Redis.

clear_cache (Frappe's clear_cache for this site), trim_logs (Log Settings' own clean-up),
delete_old_logs (rotated bench log files older than N days), quarantine_orphans (revertible),
restart_process (through supervisor, when supervisor runs it); the database ones are in maintenance_db.py.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import frappe
from frappe.utils import cint, get_bench_path, now_datetime

from frappe_diagnostics.site.fixes.maintenance_db import AnalyzeTables, OptimizeTables

ROTATED = re.compile(r"\.log\.\d+(\.gz)?$|\.log\.\d{4}-\d{2}-\d{2}(\.gz)?$")


class ClearCache:
	name, title, reversible = "clear_cache", "Clear this site's cache", False

	def clean(self, p):
		return {}

	def target(self, p):
		return None, frappe.local.site

	def snapshot(self, p):
		return {"site_cache_cleared": False}

	def desired(self, p, before):
		return {"site_cache_cleared": True}

	def describe(self, p):
		return (
			f"Clear the cache of {frappe.local.site} only (Frappe's clear_cache: its keys in Redis, not FLUSHDB; "
			"other sites keep theirs). Users stay logged in."
		)

	def apply(self, p, before):
		frappe.clear_cache()


class TrimLogs:
	name, title, reversible = "trim_logs", "Trim log tables per Log Settings", False

	def clean(self, p):
		return {}

	def target(self, p):
		return "Log Settings", "Log Settings"

	@staticmethod
	def _rules():
		"""Log Settings' rules as its own clean-up will apply them (with the default log types added)."""
		doc = frappe.get_doc("Log Settings")
		doc.remove_unsupported_doctypes()
		doc.add_default_logtypes()
		frappe.local.message_log = []  # its "added default log doctypes" alert is not for us
		return doc.logs_to_clear

	def snapshot(self, p):
		counts = {}
		for entry in self._rules():
			cutoff = now_datetime().date() - timedelta(days=cint(entry.days))
			if frappe.db.table_exists(entry.ref_doctype):
				counts[entry.ref_doctype] = frappe.db.count(entry.ref_doctype, {"modified": ("<", cutoff)})
		return {"older_than_retention": counts}

	def desired(self, p, before):
		return {"older_than_retention": dict.fromkeys(before["older_than_retention"], 0)}

	def describe(self, p):
		rules = ", ".join(f"{e.ref_doctype} {e.days} d" for e in self._rules())
		return (
			f"Delete log rows older than Log Settings keeps them ({rules}), with Log Settings' own clean-up."
		)

	def apply(self, p, before):
		from frappe.core.doctype.log_settings.log_settings import run_log_clean_up

		run_log_clean_up()


def _logs_dir() -> Path:
	return Path(get_bench_path()).resolve() / "logs"


class DeleteOldLogs:
	name, title, reversible = "delete_old_logs", "Delete rotated bench log files", False

	def clean(self, p):
		days = cint(p.get("days") or 30)
		if not 1 <= days <= 3650:
			raise ValueError("days must be between 1 and 3650.")
		return {"days": days}

	def target(self, p):
		return None, "logs/"

	def _files(self, days: int) -> dict[str, int]:
		cutoff = now_datetime().timestamp() - days * 86400
		found = {}
		folder = _logs_dir()
		for entry in os.scandir(folder) if folder.is_dir() else ():
			if entry.is_file(follow_symlinks=False) and ROTATED.search(entry.name):
				st = entry.stat(follow_symlinks=False)
				if st.st_mtime < cutoff:
					found[entry.name] = st.st_size
		return dict(sorted(found.items()))

	def snapshot(self, p):
		return {"files": self._files(p["days"])}

	def desired(self, p, before):
		return {"files": dict.fromkeys(before["files"])}

	def describe(self, p):
		files = self._files(p["days"])
		total = sum(files.values()) / 1024 / 1024
		return (
			f"Delete {len(files)} rotated log file(s) ({total:.1f} MB) in logs/ older than {p['days']} days "
			"(only *.log.N and *.log.N.gz; live logs are kept)."
		)

	def apply(self, p, before):
		folder = _logs_dir()
		for name in before["files"]:
			path = folder / name
			if path.parent == folder and ROTATED.search(name) and path.is_file() and not path.is_symlink():
				path.unlink()


def _site_path() -> Path:
	return Path(frappe.get_site_path()).resolve()


class QuarantineOrphans:
	name, title, reversible = "quarantine_orphans", "Quarantine orphan files", True

	def clean(self, p):
		limit = cint(p.get("limit") or 1000)
		if not 1 <= limit <= 100_000:
			raise ValueError("limit must be between 1 and 100000.")
		return {"limit": limit}

	def target(self, p):
		return "File", None

	def snapshot(self, p):
		from frappe_diagnostics.checks.files_scan import orphan_paths
		from frappe_diagnostics.site.context import FrappeContext

		return {"orphans": dict(orphan_paths(FrappeContext(), p["limit"]))}

	def desired(self, p, before):
		return {"orphans": dict.fromkeys(before["orphans"])}

	def describe(self, p):
		return (
			f"Move up to {p['limit']} file(s) that no File record points at into private/quarantine/ "
			"(not served; revert moves them back)."
		)

	@staticmethod
	def folder(before) -> Path:
		digest = hashlib.sha1("\n".join(sorted(before["orphans"])).encode()).hexdigest()[:12]
		return _site_path() / "private" / "quarantine" / digest

	def apply(self, p, before):
		site, target = _site_path(), self.folder(before)
		for relative in before["orphans"]:
			source = (site / relative).resolve()
			if not source.is_file() or site not in source.parents:
				continue
			dest = target / relative
			dest.parent.mkdir(parents=True, exist_ok=True)
			shutil.move(source, dest)

	def revert(self, p, before, after):
		site, target = _site_path(), self.folder(before)
		clashes = [r for r in before["orphans"] if (site / r).exists()]
		if clashes:
			raise ValueError(f"Files are back at {', '.join(clashes[:3])}: not overwriting them.")
		for relative in before["orphans"]:
			source = target / relative
			if source.is_file():
				(site / relative).parent.mkdir(parents=True, exist_ok=True)
				shutil.move(source, site / relative)


class RestartProcess:
	name, title, reversible = "restart_process", "Restart a process through supervisor", False

	def clean(self, p):
		name = (p.get("name") or "").strip()
		states = self._states()
		if not name:
			raise ValueError(
				"Name the process (supervisorctl's name), e.g. " + ", ".join(list(states)[:3] or ["…"])
			)
		if name not in states:
			raise ValueError(
				f"Supervisor does not run {name!r} for this bench (it runs: {', '.join(states) or 'nothing'}); "
				"restart it the way it was started."
			)
		return {"name": name}

	@staticmethod
	def _states() -> dict[str, str]:
		from frappe_diagnostics.checks.web import _program_of
		from frappe_diagnostics.knowledge.benchconfig import supervisor as programs
		from frappe_diagnostics.knowledge.processes import supervisor_status

		bench = Path(get_bench_path()).resolve()
		names = {p.name for p in programs(bench)}
		states, _ = supervisor_status(bench)
		return {s.name: s.state for s in states if _program_of(s.name) in names}

	def target(self, p):
		return None, p["name"]

	def snapshot(self, p):
		return {"restarted": False}

	def desired(self, p, before):
		return {"restarted": True}

	def describe(self, p):
		return f"supervisorctl restart {p['name']} (now {self._states().get(p['name'], 'unknown')}); other programs are left alone."

	def apply(self, p, before):
		from frappe_diagnostics.knowledge.processes import supervisorctl

		done = supervisorctl(Path(get_bench_path()).resolve(), "restart", p["name"], timeout_s=120)
		if done.returncode != 0 or "ERROR" in done.stdout:
			raise RuntimeError((done.stdout + done.stderr).strip()[:300])


MAINTENANCE = {
	a.name: a
	for a in (
		ClearCache(),
		TrimLogs(),
		DeleteOldLogs(),
		AnalyzeTables(),
		OptimizeTables(),
		QuarantineOrphans(),
		RestartProcess(),
	)
}
