"""Configuration: the site's config files are readable JSON and hold what Frappe needs to boot."""

from __future__ import annotations

from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status

REQUIRED = ("db_name", "db_password")


@check("configuration.site_config", title="Site configuration", tags=("configuration",))
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
