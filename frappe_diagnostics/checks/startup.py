"""What stops a site from starting: core tables, apps, pending patches, assets, keys, maintenance, permissions.

All read from the bench folder and the database directly, so they work when Frappe cannot boot.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import re
from pathlib import Path

from frappe_diagnostics.engine.probe import ServiceUnavailable
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status

CORE_TABLES = ("tabDocType", "tabUser", "tabInstalled Application")
VERSION = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.M)


def _site(probe) -> str:
	return probe.site.name


@check("database.core_tables", title="Core tables readable", tags=("database", "startup"))
def core_tables(probe):
	missing, unreadable = [], {}
	for table in CORE_TABLES:
		try:
			probe.sql(f"SELECT 1 FROM `{table}` LIMIT 1")
		except ServiceUnavailable:
			raise
		except Exception as e:
			code = e.args[0] if getattr(e, "args", None) else None
			if code == 1146:
				missing.append(table)
			else:
				unreadable[table] = str(e)[:200]
	if not missing and not unreadable:
		return probe.ok(f"{', '.join(CORE_TABLES)} are readable.")
	site = _site(probe)
	fixes = [
		Fix(
			"The database is not a complete Frappe site (an interrupted install or restore). Restore the last "
			"good backup into a fresh database; do not run migrate on a half-restored database.",
			command=f"bench --site {site} restore <path/to/database.sql.gz>",
		)
	]
	if unreadable:
		fixes.append(
			Fix("A table that exists but cannot be read may be corrupt: check the MariaDB error log.")
		)
	return probe.result(
		Status.CRITICAL,
		"Frappe's core tables are " + ("missing: " + ", ".join(missing) if missing else "unreadable") + ".",
		findings=[
			Finding("Core tables missing or unreadable", {"missing": missing, "unreadable": unreadable})
		],
		fixes=fixes,
	)


def app_code_version(bench_path: Path | None, app: str) -> str | None:
	"""The app's __version__ from its source, without importing it."""
	candidates = [bench_path / "apps" / app / app / "__init__.py"] if bench_path else []
	spec = _find_spec(app)
	if spec and spec.origin:
		candidates.append(Path(spec.origin))
	for init in candidates:
		try:
			match = VERSION.search(init.read_text(encoding="utf-8"))
		except OSError:
			continue
		if match:
			return match.group(1)
	return None


def _find_spec(app: str):
	try:
		return importlib.util.find_spec(app)
	except (ImportError, ValueError):
		return None


def app_present(bench_path: Path | None, app: str) -> bool:
	if bench_path and (bench_path / "apps" / app / app / "__init__.py").is_file():
		return True
	return _find_spec(app) is not None


@check("apps.consistency", title="Installed apps present", tags=("apps", "startup"))
def apps_consistency(probe):
	bench = probe.site.bench_path
	rows = probe.sql("SELECT app_name, app_version FROM `tabInstalled Application` ORDER BY idx")
	installed = {r["app_name"]: r["app_version"] for r in rows}
	apps_txt = _apps_txt(bench)
	missing = [a for a in installed if not app_present(bench, a)]
	not_listed = [a for a in installed if apps_txt is not None and a not in apps_txt]
	drift = {}
	for app, db_version in installed.items():
		code = app_code_version(bench, app)
		if code and db_version and code != db_version:
			drift[app] = {"database": db_version, "code": code}
	metrics = [Metric("installed", len(installed), "apps"), Metric("version_drift", len(drift), "apps")]
	site = _site(probe)
	findings, fixes, status = [], [], Status.OK
	if missing:
		status = Status.CRITICAL
		findings.append(Finding("Apps installed on the site are missing from the bench", {"apps": missing}))
		fixes.append(
			Fix(
				"Get the missing apps back into the bench (same branch as before), then migrate.",
				command=f"bench get-app {missing[0]} && bench --site {site} migrate",
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
				command=f"bench --site {site} migrate",
			)
		)
	if status is Status.OK:
		return probe.ok(
			f"{len(installed)} installed apps are present; versions match the code.", metrics=metrics
		)
	return probe.result(status, findings[0].message + ".", metrics=metrics, findings=findings, fixes=fixes)


def _apps_txt(bench: Path | None) -> list[str] | None:
	path = bench / "sites" / "apps.txt" if bench else None
	if not path or not path.is_file():
		return None
	return path.read_text(encoding="utf-8").split()


def app_patches(patches_file: Path) -> list[str]:
	"""The patches an app declares, exactly as Frappe reads and logs them."""
	parser = configparser.ConfigParser(allow_no_value=True, delimiters="\n")
	parser.optionxform = str
	try:
		parser.read(patches_file, encoding="utf-8")
	except configparser.MissingSectionHeaderError:
		lines = patches_file.read_text(encoding="utf-8").splitlines()
		return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
	return [p for section in parser.sections() for p in parser[section]]


@check("migrations.pending_patches", title="Pending patches", tags=("apps", "startup"))
def pending_patches(probe):
	bench = probe.site.bench_path
	apps = [r["app_name"] for r in probe.sql("SELECT app_name FROM `tabInstalled Application`")]
	done = {r["patch"] for r in probe.sql("SELECT patch FROM `tabPatch Log` WHERE skipped = 0")}
	pending, unreadable = {}, []
	for app in apps:
		patches_file = _app_file(bench, app, "patches.txt")
		if patches_file is None:
			unreadable.append(app)
			continue
		todo = [p for p in app_patches(patches_file) if p.replace("finally:", "", 1) not in done]
		if todo:
			pending[app] = todo
	total = sum(len(v) for v in pending.values())
	metrics = [Metric("pending", total, "patches")]
	if not total:
		note = f" ({', '.join(unreadable)}: patches.txt not found)" if unreadable else ""
		return probe.ok(f"No pending patches for {len(apps)} apps{note}.", metrics=metrics)
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
				command=f"bench --site {_site(probe)} backup && bench --site {_site(probe)} migrate",
			)
		],
	)


def _app_file(bench: Path | None, app: str, name: str) -> Path | None:
	candidates = [bench / "apps" / app / app / name] if bench else []
	spec = _find_spec(app)
	if spec and spec.origin:
		candidates.append(Path(spec.origin).parent / name)
	return next((c for c in candidates if c.is_file()), None)


@check("assets.built", title="Assets built", tags=("assets", "startup"), scope="site")
def assets_built(probe):
	bench = probe.site.bench_path
	if not bench:
		return probe.skipped("No bench folder is known in this context.")
	assets = bench / "sites" / "assets"
	apps = _apps_txt(bench) or []
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
				command=(f"bench build --app {app}" if app and not missing_files else "bench build")
				+ f" && bench --site {_site(probe)} clear-cache",
			)
		],
	)


@check("configuration.encryption_key", title="Encryption key", tags=("configuration", "security", "startup"))
def encryption_key(probe):
	if probe.site.conf.get("encryption_key"):
		return probe.ok("site_config.json holds an encryption_key.")
	try:
		encrypted = int(probe.sql_value("SELECT COUNT(*) FROM `__Auth` WHERE encrypted = 1") or 0)
	except ServiceUnavailable:
		raise
	except Exception:
		encrypted = None  # no __Auth table to look at: judge by the key alone
	if encrypted == 0:
		return probe.ok(
			"No encryption_key yet: nothing is encrypted, and Frappe creates the key on first use (back it up then).",
			metrics=[Metric("encrypted_values", 0, "values")],
		)
	what = f"{encrypted} stored secret(s)" if encrypted else "stored passwords (email accounts, API secrets)"
	return probe.result(
		Status.CRITICAL,
		f"site_config.json has no encryption_key: {what} cannot be decrypted.",
		metrics=[Metric("encrypted_values", encrypted if encrypted is not None else "unknown", "values")],
		findings=[Finding("encryption_key missing from site_config.json", {"site": _site(probe)})],
		fixes=[
			Fix(
				"Put back the encryption_key from a backup of site_config.json (bench backups include it with "
				"--with-files or in the site_config backup). A new key makes existing encrypted passwords unreadable."
			)
		],
	)


@check("configuration.maintenance", title="Maintenance mode and scheduler", tags=("configuration", "startup"))
def maintenance(probe):
	conf, site = probe.site.conf, _site(probe)
	findings, fixes, status = [], [], Status.OK
	if int(conf.get("maintenance_mode") or 0):
		status = Status.CRITICAL
		findings.append(
			Finding("maintenance_mode is on: every user sees the maintenance page", {"maintenance_mode": 1})
		)
		fixes.append(
			Fix(
				"Turn maintenance mode off once migration/restore has finished.",
				command=f"bench --site {site} set-maintenance-mode off",
			)
		)
	if int(conf.get("pause_scheduler") or 0):
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		findings.append(Finding("pause_scheduler is on: no scheduled job runs", {"pause_scheduler": 1}))
		fixes.append(
			Fix("Resume the scheduler.", command=f"bench --site {site} set-config pause_scheduler 0")
		)
	enabled = probe.sql_value(
		"SELECT value FROM `tabSingles` WHERE doctype = 'System Settings' AND field = 'enable_scheduler'"
	)
	if enabled is not None and str(enabled) in ("0", ""):
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		findings.append(Finding("The scheduler is disabled in System Settings", {"enable_scheduler": 0}))
		fixes.append(Fix("Enable the scheduler.", command=f"bench --site {site} enable-scheduler"))
	if status is Status.OK:
		return probe.ok("Not in maintenance mode; the scheduler is enabled.")
	return probe.result(status, findings[0].message + ".", findings=findings, fixes=fixes)


@check("filesystem.permissions", title="Ownership of the site's files", tags=("filesystem", "startup"))
def permissions(probe):
	site_path, bench = probe.site.site_path, probe.site.bench_path
	if not site_path or not bench:
		return probe.skipped("No bench folder is known in this context.")
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
			foreign[str(path.relative_to(bench))] = _user(st.st_uid)
		if st.st_uid != owner and not (st.st_mode & 0o044):
			unreadable.append(str(path.relative_to(bench)))
	if not foreign:
		return probe.ok(f"The site's files belong to the bench's owner ({_user(owner)}).")
	status = Status.CRITICAL if unreadable else Status.WARNING
	return probe.result(
		status,
		f"Files of the site belong to another user than the bench's owner ({_user(owner)}): {', '.join(foreign)}.",
		findings=[
			Finding(
				"Files owned by another user (often from running bench as root)",
				{"owners": foreign, "unreadable": unreadable},
			)
		],
		fixes=[
			Fix(
				"Give the bench's files back to its user.",
				command=f"sudo chown -R {_user(owner)}:{_user(owner)} {bench / 'sites'}",
			)
		],
	)


def _user(uid: int) -> str:
	try:
		import pwd

		return pwd.getpwuid(uid).pw_name
	except (ImportError, KeyError):
		return str(uid)
