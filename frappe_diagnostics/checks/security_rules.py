"""The security audit's rules: each reads the site (config, System Settings, users, files) and returns a
Verdict or None. Framework-free: SQL through the probe, files from the site folder; passwords are only
ever verified against their stored hash (passlib, as Frappe does), never read or printed."""

from __future__ import annotations

import itertools
import os
import stat
from dataclasses import dataclass, field
from urllib.parse import urlparse

from frappe_diagnostics.engine.result import Finding, Fix, Status
from frappe_diagnostics.engine.shell import bench, command

# passwords people leave on Administrator; checked against the hash, never printed
WEAK = (
	"admin",
	"Admin",
	"administrator",
	"Administrator",
	"password",
	"Password",
	"123456",
	"12345678",
	"123456789",
	"admin123",
	"admin@123",
	"Admin@123",
	"frappe",
	"erpnext",
	"changeme",
	"welcome",
	"qwerty",
)
RISKY_SUFFIXES = (".sql", ".sql.gz", ".env", ".tar", ".tar.gz", ".tgz", ".zip", ".bak", ".key", ".pem")
SCAN_LIMIT = 200_000  # entries of public/files looked at
PENALTY = {Status.CRITICAL: 25, Status.WARNING: 10}


@dataclass
class Verdict:
	rule: str
	title: str
	status: Status
	message: str
	evidence: dict = field(default_factory=dict)
	fixes: list[Fix] = field(default_factory=list)

	def finding(self) -> Finding:
		return Finding(self.message, self.evidence)


def production(ctx) -> bool:
	"""A production bench: supervisor or nginx configured, or an https host_name."""
	if str(ctx.conf.get("host_name") or "").startswith("https://"):
		return True
	return bool(ctx.bench_path) and any(
		(ctx.bench_path / "config" / name).is_file() for name in ("supervisor.conf", "nginx.conf")
	)


def admin_password(probe) -> Verdict | None:
	try:
		from passlib.context import CryptContext
	except ImportError:
		return Verdict(
			"admin_password", "Administrator password", Status.SKIPPED, "passlib is not installed here."
		)
	rows = probe.sql(
		"SELECT password FROM `__Auth` WHERE doctype = 'User' AND name = 'Administrator' "
		"AND fieldname = 'password' AND encrypted = 0"
	)
	if not rows:
		return None
	context = CryptContext(schemes=["pbkdf2_sha256", "argon2"])
	candidates = (*WEAK, probe.site.name, probe.site.name.split(".")[0])
	for candidate in candidates:
		try:
			if context.verify(candidate, rows[0]["password"]):
				return Verdict(
					"admin_password",
					"Administrator password",
					Status.CRITICAL,
					"Administrator's password is a default or common one (verified against the stored hash).",
					{"checked": f"{len(candidates)} common passwords"},
					[
						Fix(
							"Set a long, unique password.",
							command=bench(probe.site.name, "set-admin-password", "<new password>"),
						)
					],
				)
		except (ValueError, TypeError):
			return None
	return None


def config_flags(probe) -> list[Verdict]:
	conf, site, prod = probe.site.conf, probe.site.name, production(probe.site)
	found = []
	flags = (
		(
			"developer_mode",
			Status.CRITICAL if prod else Status.WARNING,
			"developer_mode is on: tracebacks reach users and DocTypes can be edited",
		),
		(
			"allow_tests",
			Status.WARNING,
			"allow_tests is on: `bench run-tests` may write test records into this site",
		),
		(
			"ignore_csrf",
			Status.CRITICAL,
			"ignore_csrf is on: any website can make logged-in users' browsers change data",
		),
	)
	for key, status, message in flags:
		if int(conf.get(key) or 0):
			where = " on a production bench" if prod else ""
			found.append(
				Verdict(
					key,
					key,
					status,
					message + where + ".",
					{key: conf.get(key)},
					[Fix(f"Turn {key} off.", command=bench(site, "set-config", key, "0"))],
				)
			)
	cors = conf.get("allow_cors")
	if cors == "*" or (isinstance(cors, list) and "*" in cors):
		found.append(
			Verdict(
				"allow_cors",
				"allow_cors",
				Status.CRITICAL,
				"allow_cors is '*': every website may call this site's API with users' sessions.",
				{"allow_cors": cors},
				[
					Fix(
						"List only the origins that need the API.",
						command=bench(site, "set-config", "allow_cors", "https://app.example.com"),
					)
				],
			)
		)
	if not conf.get("rate_limit"):
		found.append(
			Verdict(
				"rate_limit",
				"API rate limiting",
				Status.WARNING,
				"No rate_limit in the site config: API requests are not rate limited.",
				{},
				[
					Fix(
						"Set a per-IP budget of request time, e.g. 5 minutes of server time per hour.",
						command=bench(
							site, "set-config", "-p", "rate_limit", '{"limit": 300, "window": 3600}'
						),
					)
				],
			)
		)
	return found


def system_settings(probe) -> list[Verdict]:
	found = []
	if not int(probe.system_setting("enable_password_policy", 1) or 0):
		found.append(
			Verdict(
				"password_policy",
				"Password policy",
				Status.WARNING,
				"The password policy is off: users may choose any password.",
				{},
				[Fix("System Settings → Enable Password Policy (minimum score 2 or more).")],
			)
		)
	elif int(probe.system_setting("minimum_password_score", 2) or 0) < 2:
		found.append(
			Verdict(
				"password_policy",
				"Password policy",
				Status.WARNING,
				"The minimum password score is below 2 (weak passwords pass).",
				{"minimum_password_score": probe.system_setting("minimum_password_score")},
				[Fix("System Settings → Minimum Password Score: 2 or more.")],
			)
		)
	attempts = int(probe.system_setting("allow_consecutive_login_attempts", 10) or 0)
	if attempts <= 0:
		found.append(
			Verdict(
				"login_attempts",
				"Login attempts",
				Status.WARNING,
				"Consecutive failed logins are not limited: passwords can be guessed without lockout.",
				{"allow_consecutive_login_attempts": attempts},
				[Fix("System Settings → Allow Consecutive Login Attempts: e.g. 10.")],
			)
		)
	expiry = str(probe.system_setting("session_expiry", "170:00") or "170:00")
	hours = _hours(expiry)
	if hours is not None and hours > 24 * 30:
		found.append(
			Verdict(
				"session_expiry",
				"Session expiry",
				Status.WARNING,
				f"Sessions last {expiry} hours ({hours / 24:.0f} days) without activity.",
				{"session_expiry": expiry},
				[Fix("System Settings → Session Expiry: e.g. 170:00 or less.")],
			)
		)
	found += _two_factor(probe)
	return found


def _hours(text: str) -> float | None:
	hours, _, minutes = text.partition(":")
	try:
		return int(hours) + int(minutes or 0) / 60
	except ValueError:
		return None


def _managers(probe) -> list[str]:
	rows = probe.sql(
		"SELECT DISTINCT u.name FROM `tabHas Role` r JOIN `tabUser` u ON u.name = r.parent "
		"WHERE r.role = 'System Manager' AND r.parenttype = 'User' AND u.enabled = 1 "
		"AND u.name NOT IN ('Administrator', 'Guest') ORDER BY u.name LIMIT 200"
	)
	return [r["name"] for r in rows]


def _two_factor(probe) -> list[Verdict]:
	managers = _managers(probe)
	if not managers:
		return []
	enabled = int(probe.system_setting("enable_two_factor_auth", 0) or 0)
	role = probe.sql("SELECT two_factor_auth FROM `tabRole` WHERE name = 'System Manager'")
	if enabled and role and int(role[0]["two_factor_auth"] or 0):
		return []
	why = "two-factor authentication is off" if not enabled else "the System Manager role does not require it"
	return [
		Verdict(
			"two_factor",
			"Two-factor for System Managers",
			Status.WARNING,
			f"{len(managers)} System Manager(s) log in without a second factor: {why}.",
			{"system_managers": managers[:20]},
			[
				Fix(
					"System Settings → Enable Two Factor Auth, and Role System Manager → Two Factor Authentication."
				)
			],
		)
	]


def api_keys(probe) -> Verdict | None:
	rows = probe.sql(
		"SELECT DISTINCT u.name FROM `tabUser` u JOIN `tabHas Role` r ON r.parent = u.name AND r.parenttype = 'User' "
		"WHERE r.role = 'System Manager' AND u.enabled = 1 AND COALESCE(u.api_key, '') != '' ORDER BY u.name LIMIT 200"
	)
	if not rows:
		return None
	users = [r["name"] for r in rows]
	return Verdict(
		"api_keys",
		"API keys with System Manager",
		Status.WARNING,
		f"{len(users)} user(s) with an API key also hold System Manager: a leaked key controls the site.",
		{"users": users[:20]},
		[Fix("Give integrations their own user with only the roles they need; regenerate the keys.")],
	)


def public_files(probe) -> Verdict | None:
	from frappe_diagnostics.checks.files_scan import walk

	root = probe.site.site_path / "public" / "files"
	risky = []
	for relative, _ in itertools.islice(walk(root), SCAN_LIMIT):
		name = relative.rsplit("/", 1)[-1].lower()
		if name.endswith(RISKY_SUFFIXES) or name.startswith("site_config") or name == ".env":
			risky.append(f"/files/{relative}")
	if not risky:
		return None
	return Verdict(
		"public_files",
		"Sensitive files in public/files",
		Status.CRITICAL,
		f"{len(risky)} backup, database, key or config file(s) are downloadable by anyone under /files/.",
		{"files": risky[:20]},
		[
			Fix(
				"Move them out of public/files (backups belong in private/backups).",
				command=command(
					"mv",
					str(root / risky[0][len("/files/") :]),
					str(probe.site.site_path / "private" / "backups"),
				),
			)
		],
	)


def config_permissions(probe) -> Verdict | None:
	path = probe.site.site_path / "site_config.json"
	try:
		mode = os.stat(path).st_mode
	except OSError:
		return None
	if not mode & stat.S_IROTH:
		return None
	return Verdict(
		"config_permissions",
		"site_config.json permissions",
		Status.CRITICAL,
		f"site_config.json is readable by every OS user (mode {stat.S_IMODE(mode):o}): it holds the database password and the encryption key.",
		{"mode": f"{stat.S_IMODE(mode):o}"},
		[Fix("Make it readable by the bench's user only.", command=command("chmod", "600", str(path)))],
	)


def plain_http(probe) -> Verdict | None:
	from frappe_diagnostics.checks.web import certificate_files

	ctx = probe.site
	host_name = str(ctx.conf.get("host_name") or "")
	if host_name.startswith("https://") or certificate_files(ctx):
		return None
	if not production(ctx) and not host_name:
		return None
	shown = urlparse(host_name).hostname or ctx.name
	return Verdict(
		"plain_http",
		"HTTPS",
		Status.WARNING,
		f"{shown} is served over plain HTTP: passwords and session cookies cross the network readable.",
		{"host_name": host_name or None},
		[
			Fix(
				"Get a certificate and serve the site over HTTPS.",
				command=command("sudo", "bench", "setup", "lets-encrypt", ctx.name),
			)
		],
	)


def all_verdicts(probe) -> list[Verdict]:
	found = [admin_password(probe), *config_flags(probe), *system_settings(probe), api_keys(probe)]
	if probe.site.site_path is not None:
		found += [public_files(probe), config_permissions(probe), plain_http(probe)]
	return [v for v in found if v is not None]


def score(verdicts: list[Verdict]) -> int:
	return max(0, 100 - sum(PENALTY.get(v.status, 0) for v in verdicts))
