"""The backup inventory as a Diagnosis: each set of the site with its age, parts, size, encryption (and
whether a key opens it), partial or full, and quick integrity of every file; then the recovery point."""

from __future__ import annotations

import time

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.result import Finding, Fix, Metric
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.engine.steps import CRITICAL, OK, WARNING, step
from frappe_diagnostics.recovery import integrity, inventory
from frappe_diagnostics.recovery.naming import slug_of
from frappe_diagnostics.recovery.streams import KeyMissing
from frappe_diagnostics.recovery.verify import find_key

RECOVERY_POINT_HOURS = (26, 72)  # the defaults of backups.recent


def diagnose_backups(ctx, limit: int = 10) -> Diagnosis:
	"""The site's backup sets, newest first; the newest `limit` are read to their end."""
	started = time.time()
	folders = inventory.backup_folders(ctx)
	every = inventory.site_sets(ctx, include_other_sites=True)
	own = [s for s in every if s.slug == slug_of(ctx.name)]
	steps = [_folders_step(ctx, folders, own, every)]
	steps += [_set_step(ctx, bset, read=i < limit) for i, bset in enumerate(own)]
	steps.append(_point_step(ctx, own))
	question = f"Which backups does {ctx.name} have, and would they open?"
	return Diagnosis("Backups", question, steps, {"limit": limit}, started, time.time(), ctx.name)


def _folders_step(ctx, folders, own, every):
	missing = [str(f) for f in folders if not f.is_dir()]
	others = len(every) - len(own)
	evidence = {
		"folders": [str(f) for f in folders],
		**({"missing": missing} if missing else {}),
		**({"other_sites_sets": others} if others else {}),
	}
	metrics = [Metric("sets", len(own), "sets"), Metric("folders", len(folders), "folders")]
	if not own:
		return step(
			"backups.folders",
			"Backup folders",
			CRITICAL,
			f"No backup of {ctx.name} in {', '.join(map(str, folders))}.",
			[Finding("Where we looked", evidence)],
			[Fix("Take one now.", bench(ctx.name, "backup", "--with-files"))],
			metrics=metrics,
		)
	status = WARNING if missing else OK
	summary = (
		f"{len(own)} set(s) in {len(folders)} folder(s)"
		+ (f"; missing: {', '.join(missing)}" if missing else "")
		+ "."
	)
	return step(
		"backups.folders",
		"Backup folders",
		status,
		summary,
		[Finding("Where we looked", evidence)],
		metrics=metrics,
	)


def _set_step(ctx, bset, read: bool):
	info = bset.describe()
	parts = "full" if not bset.partial else "PARTIAL"
	kinds = ", ".join(k for k in ("database", "public", "private", "config") if k in bset.files)
	head = f"{bset.stamp}: {info['age_h']} h old, {parts}, {bset.size / 2**20:.1f} MiB ({kinds})"
	metrics = [Metric("age", info["age_h"], "h"), Metric("size", round(bset.size / 2**20, 2), "MiB")]
	findings, status = [Finding("Set", info)], OK
	try:
		key, source = find_key(ctx, bset)
		head += f", encrypted (opened with the {source})" if key else ""
	except KeyMissing as e:
		return step(
			f"backups.set.{bset.stamp}",
			f"Set {bset.stamp}",
			CRITICAL,
			f"{head}, encrypted: {e}",
			findings,
			metrics=metrics,
		)
	if bset.missing:
		status = WARNING
		head += f"; missing: {', '.join(bset.missing)}"
	if bset.partial:
		status = WARNING
	if read:
		checked = integrity.check_set(bset, key)
		findings.append(Finding("Integrity", {k: r.to_dict() for k, r in checked.items()}))
		bad = [r for r in checked.values() if not r.ok]
		if bad:
			return step(
				f"backups.set.{bset.stamp}",
				f"Set {bset.stamp}",
				CRITICAL,
				f"{head}; {bad[0].message}",
				findings,
				metrics=metrics,
			)
		head += "; every file reads to its end"
	else:
		head += "; not read (older than the newest sets)"
	return step(
		f"backups.set.{bset.stamp}", f"Set {bset.stamp}", status, head + ".", findings, metrics=metrics
	)


def _point_step(ctx, own):
	overrides = ctx.settings.thresholds.get("backups.recent", {})
	warning_h = overrides.get("warning_hours", RECOVERY_POINT_HOURS[0])
	critical_h = overrides.get("critical_hours", RECOVERY_POINT_HOURS[1])
	status, summary, metrics = inventory.recovery_point(own, warning_h, critical_h)
	fixes = [] if status is OK else [Fix("Take a backup now.", bench(ctx.name, "backup", "--with-files"))]
	return step("backups.recovery_point", "Recovery point", status, summary, fixes=fixes, metrics=metrics)
