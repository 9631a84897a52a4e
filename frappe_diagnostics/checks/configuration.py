"""Configuration: the site's config files are readable JSON and hold what Frappe needs to boot."""

from __future__ import annotations

from frappe_diagnostics.engine.probe import ServiceUnavailable
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status, route
from frappe_diagnostics.engine.shell import bench

REQUIRED = ("db_name", "db_password")
INTEGER = (
	"db_port",
	"maintenance_mode",
	"pause_scheduler",
	"developer_mode",
	"webserver_port",
	"socketio_port",
)
TEXT = ("db_name", "db_password", "db_host", "db_socket", "host_name", "encryption_key")
REDIS = ("redis_cache", "redis_queue", "redis_socketio")


def type_errors(conf: dict) -> dict[str, str]:
	"""Keys whose value has a type Frappe cannot use, with what it should be."""
	errors = {}
	for key in INTEGER:
		value = conf.get(key)
		if value is not None and not (
			isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())
		):
			errors[key] = f"must be a whole number, not {value!r}"
	for key in TEXT:
		if key in conf and conf[key] is not None and not isinstance(conf[key], str):
			errors[key] = f"must be a string, not {type(conf[key]).__name__}"
	for key in REDIS:
		value = conf.get(key)
		if value is not None and not (
			isinstance(value, str) and value.startswith(("redis://", "rediss://", "unix://"))
		):
			errors[key] = "must be a redis://host:port URL"
	return errors


@check("configuration.site_config", title="Site configuration", tags=("configuration", "startup"))
def site_config(probe):
	ctx = probe.site
	findings, fixes = [], []
	for error in ctx.config_errors:
		where = f" at line {error['line']}, column {error['column']}" if "line" in error else ""
		findings.append(Finding(f"{error['file']}: {error['error']}{where}", dict(error)))
		fixes.append(
			Fix(f"Repair {error['file']}{where}; it must be a JSON object (check commas and quotes).")
		)
	missing = [key for key in REQUIRED if not ctx.conf.get(key)]
	if missing and not ctx.config_errors:
		findings.append(Finding("Keys Frappe needs to connect are missing", {"missing": missing}))
		fixes.append(
			Fix(
				f"Add {', '.join(missing)} to site_config.json (they were written when the site was created)."
			)
		)
	for key, problem in type_errors(ctx.conf).items():
		findings.append(Finding(f"{key} {problem}", {"key": key}))
		fixes.append(
			Fix(
				f"Correct {key} in site_config.json or common_site_config.json.",
				command=bench(ctx.name, "set-config", key, "<value>"),
			)
		)
	metrics = [Metric("config_keys", len(ctx.conf), "keys")]
	if findings:
		return probe.result(
			Status.CRITICAL,
			"The site's configuration cannot be used: " + findings[0].message + ".",
			metrics=metrics,
			findings=findings,
			fixes=fixes,
		)
	return probe.ok(
		f"site_config.json and common_site_config.json are valid ({len(ctx.conf)} keys).", metrics=metrics
	)


SAMPLE = 5  # stored secrets tried against the key


def decrypts(key: str, token: str) -> str:
	"""How Frappe would fare decrypting `token` with `key`: "ok", "wrong key", "invalid key" or "unknown"."""
	try:
		from cryptography.fernet import Fernet, InvalidToken
	except ImportError:
		return "unknown"
	try:
		fernet = Fernet(str(key).encode())
	except (ValueError, TypeError):
		return "invalid key"
	try:
		fernet.decrypt(str(token).encode())
	except (InvalidToken, ValueError, TypeError):
		return "wrong key"
	return "ok"


def _stored_secrets(probe) -> list[dict] | None:
	"""A few encrypted values of __Auth (None when the table is missing); the values never leave the check."""
	try:
		return probe.sql(
			f"SELECT doctype, name, fieldname, password FROM `__Auth` WHERE encrypted = 1 LIMIT {SAMPLE}"
		)
	except ServiceUnavailable:
		raise
	except Exception:
		return None


def _restore_key_fix() -> Fix:
	return Fix(
		"Put back the encryption_key the secrets were written with, from a backup of site_config.json (bench "
		"backups include it with --with-files or in the site_config backup). If it is lost, set a new key "
		"and enter every stored password again (Email Accounts, integrations)."
	)


@check("configuration.encryption_key", title="Encryption key", tags=("configuration", "security", "startup"))
def encryption_key(probe):
	key = probe.site.conf.get("encryption_key")
	if key:
		return _key_decrypts(probe, str(key))
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
		f"site_config.json has no encryption_key, so {what} cannot be decrypted.",
		metrics=[Metric("encrypted_values", encrypted if encrypted is not None else "unknown", "values")],
		findings=[Finding("encryption_key missing from site_config.json", {"site": probe.site.name})],
		fixes=[_restore_key_fix()],
	)


def _key_decrypts(probe, key: str):
	rows = _stored_secrets(probe) or []
	outcomes = [decrypts(key, r["password"]) for r in rows]
	where = [
		f"{r['doctype']} {r['name']} ({r['fieldname']})"
		for r, o in zip(rows, outcomes, strict=True)
		if o != "ok"
	]
	metrics = [Metric("secrets_tried", len(rows), "values")]
	if decrypts(key, "") == "invalid key":
		status = Status.CRITICAL if rows else Status.WARNING
		summary = (
			'The encryption_key in site_config.json is not a valid key (Frappe says "Encryption key is '
			'invalid"): '
			+ ("stored secrets cannot be decrypted." if rows else "saving a password will fail.")
		)
		return probe.result(
			status, summary, metrics, [Finding(summary, {"secrets": where})], [_restore_key_fix()]
		)
	if not rows or "unknown" in outcomes:
		return probe.ok("site_config.json holds an encryption_key.", metrics=metrics)
	if not where:
		return probe.ok(
			f"The encryption_key decrypts the stored secrets ({len(rows)} tried).", metrics=metrics
		)
	summary = (
		f"The encryption_key no longer decrypts stored secrets ({len(where)} of {len(rows)} tried fail, e.g. "
		f"{where[0]}): it was changed or replaced, so email accounts and integrations cannot log in."
	)
	status = Status.CRITICAL if len(where) == len(rows) else Status.WARNING
	return probe.result(
		status, summary, metrics, [Finding(summary, {"secrets": where})], [_restore_key_fix()]
	)


@check("configuration.maintenance", title="Maintenance mode and scheduler", tags=("configuration", "startup"))
def maintenance(probe):
	conf, site = probe.site.conf, probe.site.name
	findings, fixes, status = [], [], Status.OK
	if int(conf.get("maintenance_mode") or 0):
		status = Status.CRITICAL
		findings.append(
			Finding("maintenance_mode is on: every user sees the maintenance page", {"maintenance_mode": 1})
		)
		fixes.append(
			Fix(
				"Turn maintenance mode off once migration/restore has finished.",
				command=bench(site, "set-maintenance-mode", "off"),
			)
		)
	if int(conf.get("pause_scheduler") or 0):
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		findings.append(Finding("pause_scheduler is on: no scheduled job runs", {"pause_scheduler": 1}))
		fixes.append(Fix("Resume the scheduler.", command=bench(site, "set-config", "pause_scheduler", "0")))
	if conf.get("disable_scheduler"):  # as Frappe reads it: any true value
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		findings.append(Finding("disable_scheduler is set in the site config: no scheduled job runs", {}))
		fixes.append(Fix("Remove it.", command=bench(site, "set-config", "disable_scheduler", "0")))
	enabled = probe.system_setting("enable_scheduler")
	if str(enabled or "0").strip() in ("0", ""):  # no value stored: Frappe's cint(None) is 0, disabled
		status = max(status, Status.WARNING, key=lambda s: s.rank)
		stored = "not set" if enabled is None else enabled
		findings.append(Finding("The scheduler is disabled in System Settings", {"enable_scheduler": stored}))
		fixes.append(
			Fix(
				"Enable the scheduler, then watch the Scheduled Job Log for the jobs it runs.",
				command=bench(site, "enable-scheduler"),
				link=route("scheduled-job-log"),
			)
		)
	if status is Status.OK:
		return probe.ok("Not in maintenance mode; the scheduler is enabled.")
	return probe.result(status, findings[0].message + ".", findings=findings, fixes=fixes)


@check("configuration.host_name", title="host_name (the site's public URL)", tags=("configuration", "web"))
def host_name(probe):
	import socket
	from urllib.parse import urlparse

	conf, site = probe.site.conf, probe.site.name
	value = conf.get("host_name") or conf.get("hostname")
	if not value:
		return probe.ok("No host_name is set: links are built from the request's host.")
	parsed = urlparse(str(value) if "://" in str(value) else f"//{value}")
	host = parsed.hostname or ""
	known = {site, *(d.get("domain") if isinstance(d, dict) else d for d in conf.get("domains") or [])}
	problems = []
	if not parsed.scheme:
		problems.append("it has no http:// or https:// scheme")
	try:
		socket.getaddrinfo(host, None)
	except (OSError, UnicodeError):
		problems.append(f"{host or value!r} does not resolve")
	if host and host not in known and host not in ("localhost", "127.0.0.1"):
		problems.append(f"it names {host}, which is neither the site ({site}) nor one of its domains")
	if not problems:
		return probe.ok(f"host_name is {value}.")
	summary = (
		f"host_name {value!r} looks wrong: {'; '.join(problems)}. Links in emails, redirects after login, "
		"OAuth callbacks and PDF assets point there."
	)
	fix = Fix(
		"Set host_name to the URL users open the site with.",
		command=bench(site, "set-config", "host_name", f"https://{site}"),
	)
	return probe.result(
		Status.WARNING, summary, findings=[Finding(summary, {"host_name": value})], fixes=[fix]
	)
