"""Apps: the apps a site has installed are in the bench at the version it was migrated to; no patch pending.

Read from the bench folder and the database directly, so they work when Frappe cannot boot (tag: startup).
Both checks say they could not decide (status error) rather than OK when the site's list of installed
apps is missing or unreadable.
"""

from __future__ import annotations

from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status
from frappe_diagnostics.engine.shell import bench as bench_command
from frappe_diagnostics.knowledge.frappeapps import (
	INSTALLED_APPS_SQL,
	app_dir,
	app_file,
	apps_txt,
	declared_patches,
	describe_expected,
	expected_version,
	parse_installed_apps,
	versions_match,
)


def installed_apps(probe) -> list[str] | None:
	"""The site's installed apps where Frappe keeps them (the installed_apps default); None if unreadable."""
	return parse_installed_apps(probe.sql_value(INSTALLED_APPS_SQL))


def undecided(probe, what: str):
	return probe.result(
		Status.ERROR,
		f"Could not decide: {what}",
		findings=[Finding("The site's installed_apps default is missing or not a JSON list of app names")],
		fixes=[
			Fix(
				"Check that this database really is the site's (db_name in site_config.json), and that a "
				"restore or install did not stop half-way."
			)
		],
	)


def recorded_versions(probe) -> dict[str, str]:
	rows = probe.sql("SELECT app_name, app_version FROM `tabInstalled Application` ORDER BY idx")
	return {r["app_name"]: r["app_version"] for r in rows}


@check("apps.consistency", title="Installed apps present", tags=("apps", "startup"))
def apps_consistency(probe):
	bench, site = probe.site.bench_path, probe.site.name
	installed = installed_apps(probe)
	if not installed:
		return undecided(probe, "the site's list of installed apps is missing or empty.")
	listed = apps_txt(bench)
	missing = [a for a in installed if app_dir(bench, a) is None]
	not_listed = [a for a in installed if listed is not None and a not in listed]
	recorded = recorded_versions(probe)
	drift = {}
	for app in installed:
		expected = expected_version(bench, app)
		if versions_match(recorded.get(app), expected) is False:
			drift[app] = {
				"recorded at the last migrate": recorded[app],
				"code now": describe_expected(expected),
			}
	metrics = [
		Metric("installed", len(installed), "apps"),
		Metric("version_drift", len(drift), "apps", headline=True),
	]
	findings, fixes, status = [], [], Status.OK
	if missing:
		status = Status.CRITICAL
		findings.append(Finding("Apps installed on the site are missing from the bench", {"apps": missing}))
		fixes.append(
			Fix(
				"Get the missing apps back into the bench (same branch as before), then migrate.",
				command=f"{bench_command(None, 'get-app', missing[0])} && {bench_command(site, 'migrate')}",
			)
		)
	if not_listed:
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		findings.append(Finding("Installed apps not listed in sites/apps.txt", {"apps": not_listed}))
		fixes.append(Fix("Add them to sites/apps.txt, one per line, in install order (frappe first)."))
	if drift:
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		findings.append(Finding("App code was updated but the site was not migrated", drift))
		fixes.append(
			Fix(
				"Migrate the site so its schema and patches match the code.",
				command=bench_command(site, "migrate"),
			)
		)
	if status is not Status.OK:
		return probe.result(
			status, findings[0].message + ".", metrics=metrics, findings=findings, fixes=fixes
		)
	if not recorded:
		summary = (
			f"The {len(installed)} installed apps ({', '.join(installed)}) are present; their versions are not "
			"recorded yet (Frappe records them at the first migrate), so code updates cannot be compared."
		)
		return probe.ok(summary, metrics=metrics)
	return probe.ok(
		f"The {len(installed)} installed apps ({', '.join(installed)}) are present at the versions the site "
		"was migrated to.",
		metrics=metrics,
	)


@check("migrations.pending_patches", title="Pending patches", tags=("apps", "startup"))
def pending_patches(probe):
	bench, site = probe.site.bench_path, probe.site.name
	apps = installed_apps(probe)
	if not apps:
		return undecided(
			probe, "without the site's list of installed apps there is no patch list to compare."
		)
	done = {r["patch"] for r in probe.sql("SELECT patch FROM `tabPatch Log` WHERE skipped = 0")}
	pending, unreadable = {}, []
	for app in apps:
		patches_file = app_file(bench, app, "patches.txt")
		if patches_file is None:
			unreadable.append(app)
			continue
		todo = [p for p in declared_patches(patches_file) if p.replace("finally:", "", 1) not in done]
		if todo:
			pending[app] = todo
	total = sum(len(v) for v in pending.values())
	metrics = [
		Metric("pending", total, "patches", headline=True),
		Metric("patches_run", len(done), "patches"),
	]
	if not total:
		note = f" ({', '.join(unreadable)}: patches.txt not found)" if unreadable else ""
		return probe.ok(f"No pending patches for the {len(apps)} installed apps{note}.", metrics=metrics)
	return probe.result(
		Status.WARNING,
		f"{total} patch(es) have not run: {', '.join(f'{a} {len(p)}' for a, p in pending.items())}.",
		metrics=metrics,
		findings=[
			Finding(
				"Patches declared by the apps but absent from the Patch Log",
				{a: p[:5] for a, p in pending.items()},
			)
		],
		fixes=[
			Fix(
				"Run the migration (take a backup first).",
				command=f"{bench_command(site, 'backup')} && {bench_command(site, 'migrate')}",
			)
		],
	)
