"""Configuration: the site's config files are readable JSON and hold what Frappe needs to boot."""

from __future__ import annotations

from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status

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
				command=f"bench --site {ctx.name} set-config {key} <value>",
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
