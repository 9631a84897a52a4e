"""Assets: every bundle the desk loads is built, and every app with public/ is linked into sites/assets."""

from __future__ import annotations

import json

from frappe_diagnostics.checks.verdicts import undecided
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status
from frappe_diagnostics.engine.shell import bench as bench_command
from frappe_diagnostics.knowledge.frappeapps import apps_txt


@check("assets.built", title="Assets built", tags=("assets", "startup"), scope="site")
def assets_built(probe):
	bench = probe.site.bench_path
	if not bench:
		return probe.skipped("No bench folder is known in this context.")
	assets = bench / "sites" / "assets"
	listed = apps_txt(bench)
	apps = listed or []
	unlinked = [a for a in apps if (bench / "apps" / a / a / "public").is_dir() and not (assets / a).exists()]
	manifest, missing_files = assets / "assets.json", []
	if manifest.is_file():
		try:
			bundles = json.loads(manifest.read_text(encoding="utf-8"))
		except ValueError:
			bundles = {}
			missing_files.append("assets.json (invalid JSON)")
		for path in bundles.values():
			if (
				isinstance(path, str)
				and path.startswith("/assets/")
				and not (assets / path[len("/assets/") :]).exists()
			):
				missing_files.append(path)
	else:
		missing_files.append("sites/assets/assets.json")
	metrics = [
		Metric("missing_bundles", len(missing_files), "files"),
		Metric("unlinked_apps", len(unlinked), "apps"),
	]
	if not unlinked and not missing_files:
		if not listed:
			return undecided(
				probe,
				"sites/apps.txt is missing or empty, so which apps' assets must be linked is unknown "
				"(the bundles assets.json lists are built).",
				{"apps_txt": str(bench / "sites" / "apps.txt")},
				"Restore sites/apps.txt: the bench's apps, one per line, frappe first.",
				metrics,
			)
		return probe.ok(f"Assets of {len(apps)} apps are built and linked.", metrics=metrics)
	app = unlinked[0] if unlinked else None
	return probe.result(
		Status.CRITICAL if missing_files else Status.WARNING,
		"Desk assets are missing or stale: the desk will load without styles or scripts.",
		metrics=metrics,
		findings=[
			Finding(
				"Built bundles missing or apps not linked into sites/assets",
				{"missing": missing_files[:5], "unlinked": unlinked},
			)
		],
		fixes=[
			Fix(
				"Rebuild the assets, then clear the cache.",
				command=bench_command(None, "build", *(("--app", app) if app and not missing_files else ()))
				+ " && "
				+ bench_command(probe.site.name, "clear-cache"),
			)
		],
	)
