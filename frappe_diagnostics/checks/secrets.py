"""Security: secrets in the site's configuration that are easy to guess. Names the key and why, never the value."""

from __future__ import annotations

from frappe_diagnostics.engine.context import SECRET_KEY, URL_PASSWORD
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status
from frappe_diagnostics.engine.secret_strength import MIN_LENGTH, weakness

NOT_SECRETS = {"root_login", "db_user", "api_key", "auth_type", "bench_id"}  # names, not secrets
PUBLIC_NAMES = ("Administrator", "Guest", "root")


def configured_secrets(conf: dict):
	"""(where, value) for every secret of the config: by key name, and the password inside a URL."""
	for key, value in (conf or {}).items():
		if isinstance(value, bool) or key in NOT_SECRETS:
			continue
		if isinstance(value, str):
			for match in URL_PASSWORD.finditer(value):
				yield f"{key} (the password in its URL)", match.group("pw")
		if SECRET_KEY.search(str(key)) and isinstance(value, str | int | float) and str(value):
			yield key, value


def user_names(conf: dict) -> list[str]:
	"""Names an attacker tries first as passwords: the database user, the admin login, the site's users."""
	return [conf.get("db_name"), conf.get("db_user"), conf.get("root_login"), *PUBLIC_NAMES]


@check(
	"security.weak_config_secrets",
	title="Weak secrets in the configuration",
	tags=("security", "configuration"),
)
def weak_config_secrets(probe):
	conf = probe.site.conf
	names = user_names(conf)
	weak = {where: reason for where, value in configured_secrets(conf) if (reason := weakness(value, names))}
	metrics = [Metric("weak_secrets", len(weak), "keys")]
	if not weak:
		return probe.ok(
			"No configured password or key is short, common or equal to a user name.", metrics=metrics
		)
	listed = "; ".join(f"{where} {reason}" for where, reason in weak.items())
	return probe.result(
		Status.WARNING,
		f"{len(weak)} configured secret(s) are easy to guess: {listed}.",
		metrics=metrics,
		findings=[Finding("Weak secrets (the values are not shown)", {"weak": weak})],
		fixes=[
			Fix(
				f"Replace each with a long random value (at least {MIN_LENGTH} characters, e.g. "
				"`openssl rand -base64 24`); for db_password change the database user's password to match "
				"(ALTER USER … IDENTIFIED BY …) before setting it with `bench --site SITE set-config`."
			)
		],
	)
