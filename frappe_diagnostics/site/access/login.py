"""Why can't this user log in? The steps of Frappe's LoginManager, in the order a login meets them."""

from __future__ import annotations

import time

import frappe
import frappe.permissions
from frappe.utils import cint, date_diff, getdate, now_datetime, today

from frappe_diagnostics.engine.result import Finding, Fix, Status, route
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.engine.steps import (
	CRITICAL,
	OK,
	WARNING,
	AccessDiagnosis,
	finding,
	skipped,
	step,
)
from frappe_diagnostics.site.access import login_state
from frappe_diagnostics.site.access.subject import LOGIN_FIELDS, find_user
from frappe_diagnostics.site.fixes.offer import fix_action

USER_FIELDS = (
	"name",
	"enabled",
	"user_type",
	"username",
	"mobile_no",
	"login_after",
	"login_before",
	"restrict_ip",
	"bypass_restrict_ip_check_if_2fa_enabled",
	"simultaneous_sessions",
	"last_password_reset_date",
)
LATER = (
	("login.password_login", "Username and password login"),
	("login.lockout", "Failed-login lockout"),
	("login.password", "Password set"),
	("login.enabled", "User enabled"),
	("login.password_expiry", "Password expiry"),
	("login.two_factor", "Two-factor authentication"),
	("login.ip", "Allowed IP addresses"),
	("login.hours", "Allowed hours"),
	("login.user_type", "Desk access"),
	("login.sessions", "Sessions"),
)


def diagnose_login(ctx, user: str, ip: str | None = None) -> AccessDiagnosis:
	"""Every reason Frappe would refuse `user` a login (from `ip` when given), in the order it checks them.

	`ctx` is the site context every troubleshooter takes; this one reads the site through frappe.
	"""
	user = (user or "").strip()
	if not user:
		raise ValueError("Name the user: an email address or user name (--user).")
	ip = (ip or "").strip() or None
	started = time.time()
	settings = frappe.get_single("System Settings")
	steps = [login_state.redis_step()]
	redis_up = steps[0].status is OK
	info, user_step = _user_step(user, settings)
	steps.append(user_step)
	if info is None:
		steps += [skipped(cid, title, "Not checked: there is no such user.") for cid, title in LATER]
	else:
		steps += [
			_password_login_step(settings),
			login_state.lockout_step(info.name, ip, settings)
			if redis_up
			else skipped("login.lockout", "Failed-login lockout", "Not checked: Redis is unreachable."),
			_password_set_step(info.name),
			_enabled_step(info),
			_expiry_step(info, settings),
			login_state.two_factor_step(info, settings, ip),
			_ip_step(info, settings, ip),
			_hours_step(info),
			_user_type_step(info),
			login_state.sessions_step(info, settings),
		]
	blocking = [s for s in steps if s.status is CRITICAL]
	verdict = f"{user} cannot log in." if blocking else f"{user} can log in."
	return AccessDiagnosis(
		kind="Login",
		question=f"Why can't {user} log in?",
		steps=steps,
		inputs={"user": user, "ip": ip},
		started=started,
		finished=time.time(),
		site=frappe.local.site,
		cause_from=Status.CRITICAL,
		verdict=verdict,
	)


def _user_step(text: str, settings):
	cid, title = "login.user", "User exists"
	name, via = find_user(text, LOGIN_FIELDS)  # every field; whether this site allows it is judged below
	info = frappe.db.get_value("User", name, USER_FIELDS, as_dict=True) if name else None
	if info is None:
		fix = Fix("Check the spelling, or create the user.", link=route("user", "new"))
		return None, step(
			cid, title, CRITICAL, f"There is no user {text!r} (by email or user name).", fixes=[fix]
		)
	if info.name == "Guest":
		return None, step(cid, title, CRITICAL, "Guest is the anonymous visitor; nobody can log in as Guest.")
	allowed = {
		"name": True,
		"email": True,
		"username": cint(settings.allow_login_using_user_name),
		"mobile_no": cint(settings.allow_login_using_mobile_number),
	}[via]
	roles = frappe.get_roles(info.name)
	evidence = Finding(
		f"Found by {via}.",
		{"user": info.name, "user_type": info.user_type, "roles": sorted(roles)},
		link=route("user", info.name),
	)
	if not allowed:
		setting = "allow_login_using_user_name" if via == "username" else "allow_login_using_mobile_number"
		summary = (
			f"{text!r} is the {via.replace('_no', '')} of {info.name}, but this site only accepts the email "
			f"address at login (System Settings {setting} is off)."
		)
		fix = Fix(f"Log in with {info.name}, or turn on System Settings > {setting}.")
		return info, step(cid, title, CRITICAL, summary, [evidence], [fix])
	return info, step(cid, title, OK, f"User {info.name} exists ({info.user_type}).", [evidence])


def _password_login_step(settings):
	cid, title = "login.password_login", "Username and password login"
	if not cint(settings.disable_user_pass_login):
		return step(cid, title, OK, "Login with a user name and password is allowed.")
	other = "login with an email link" if cint(settings.login_with_email_link) else "a social login"
	return step(
		cid,
		title,
		CRITICAL,
		f"System Settings disable username/password login: only {other} works.",
		fixes=[Fix("Uncheck System Settings > Disable Username/Password Login, or use the other method.")],
	)


def _password_set_step(name: str):
	cid, title = "login.password", "Password set"
	if name == "Administrator" or _has_password(name):
		return step(cid, title, OK, "A password is set.")
	site = frappe.local.site
	return step(
		cid,
		title,
		CRITICAL,
		"The user has no password yet (welcome email never used?): every login is 'Invalid login credentials'.",
		fixes=[
			Fix(
				"Let the user use 'Forgot password' on the login page, or set one:",
				bench(site, "set-password", name),
			)
		],
	)


def _has_password(name: str) -> bool:
	return bool(
		frappe.db.sql(
			"""select 1 from `__Auth` where doctype='User' and name=%s and fieldname='password'
			and encrypted=0 limit 1""",
			name,
		)
	)


def _enabled_step(info):
	cid, title = "login.enabled", "User enabled"
	if info.enabled or info.name == "Administrator":
		return step(cid, title, OK, "The user is enabled.")
	return step(
		cid,
		title,
		CRITICAL,
		"The user is disabled: Frappe answers 'User disabled or missing' even to the right password.",
		fixes=[fix_action(f"Enable {info.name}.", "enable_user", user=info.name)],
	)


def _expiry_step(info, settings):
	cid, title = "login.password_expiry", "Password expiry"
	days = cint(settings.force_user_to_reset_password)
	if not days or info.name in frappe.STANDARD_USERS:
		return step(cid, title, OK, "Passwords do not expire (System Settings force_user_to_reset_password).")
	last = getdate(info.last_password_reset_date or today())
	age = date_diff(today(), last)
	evidence = finding("Password age.", age_days=age, expires_after_days=days, last_reset=str(last))
	if age <= days:
		return step(cid, title, OK, f"Password set {age} day(s) ago; expires after {days} days.", [evidence])
	summary = (
		f"The password is {age} days old (limit {days}): login stops at 'Password Reset' and sends the user "
		"to set a new one."
	)
	fix = Fix(
		"The user follows the reset link shown at login; or set a new password:",
		bench(frappe.local.site, "set-password", info.name),
	)
	return step(cid, title, CRITICAL, summary, [evidence], [fix])


def _ip_step(info, settings, ip: str | None):
	from frappe.core.doctype.user.user import get_restricted_ip_list

	cid, title = "login.ip", "Allowed IP addresses"
	allowed = get_restricted_ip_list(info)
	if not allowed:
		return step(cid, title, OK, "No IP restriction on this user.")
	bypass = cint(settings.bypass_restrict_ip_check_if_2fa_enabled)
	if cint(settings.enable_two_factor_auth) and not bypass:
		bypass = cint(info.bypass_restrict_ip_check_if_2fa_enabled)
	evidence = finding("User > Restrict IP.", allowed_prefixes=allowed, bypass_with_two_factor=bool(bypass))
	if bypass:
		return step(
			cid, title, OK, "IP restriction set, but bypassed because two-factor auth is on.", [evidence]
		)
	if not ip:
		return step(
			cid,
			title,
			WARNING,
			f"Login is allowed only from addresses starting with {', '.join(allowed)} (pass an IP to test one).",
			[evidence],
		)
	if any(ip.startswith(prefix) for prefix in allowed):
		return step(cid, title, OK, f"{ip} is an allowed address.", [evidence])
	return step(
		cid,
		title,
		CRITICAL,
		f"{ip} is not allowed: 'Access not allowed from this IP Address' (allowed: {', '.join(allowed)}).",
		[evidence],
		[
			Fix(
				f"Add {ip} (or its prefix) to User > Restrict IP of {info.name}, or clear the field.",
				link=route("user", info.name),
			)
		],
	)


def _hours_step(info):
	cid, title = "login.hours", "Allowed hours"
	after, before = cint(info.login_after), cint(info.login_before)
	if not (after or before):
		return step(cid, title, OK, "No login-hours restriction.")
	now = now_datetime()
	window = f"from {after or 0}:00 to {before or 24}:00 (system time zone)"
	evidence = finding(
		"User > Login After / Login Before.", login_after=after, login_before=before, now=str(now)
	)
	if (before and now.hour >= before) or (after and now.hour < after):
		return step(
			cid,
			title,
			CRITICAL,
			f"Login is allowed only {window}; it is now {now:%H:%M}: 'Login not allowed at this time'.",
			[evidence],
			[
				Fix(
					f"Clear or widen Login After / Login Before on {info.name}, or wait until {after or 0}:00.",
					link=route("user", info.name),
				)
			],
		)
	return step(cid, title, WARNING, f"Allowed now, but only {window}.", [evidence])


def _user_type_step(info):
	cid, title = "login.user_type", "Desk access"
	roles = frappe.permissions.get_roles(info.name, with_standard=False)
	evidence = finding("User type and roles.", user_type=info.user_type, roles=sorted(roles))
	if info.user_type != "System User":
		return step(
			cid,
			title,
			WARNING,
			f"{info.user_type}: login works, but only the website and portal; /app (the desk) is refused.",
			[evidence],
			[
				Fix(
					"Give the user a role with desk access; Frappe then makes them a System User.",
					link=route("user", info.name),
				)
			],
		)
	if not roles:
		return step(
			cid, title, WARNING, "System User without any role: logs in to an empty desk.", [evidence]
		)
	return step(cid, title, OK, f"System User with {len(roles)} role(s).", [evidence])
