"""Login state kept outside the User record: Redis, failed-login counters, two-factor, sessions."""

from __future__ import annotations

import frappe
from frappe.utils import cint, get_datetime

from frappe_diagnostics.engine.result import Fix
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.engine.steps import CRITICAL, ERROR, OK, WARNING, finding, step
from frappe_diagnostics.site.fixes.offer import fix_action

TIMEOUT_S = 1.0


def redis_step():
	"""Sessions, login counters and the boot cache live in the Redis cache: no Redis, no login."""
	import redis

	cid, title = "login.redis", "Redis cache (sessions)"
	url = frappe.conf.get("redis_cache")
	if not url:
		return step(cid, title, CRITICAL, "No redis_cache in the site config: sessions cannot be stored.")
	try:
		client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S)
		try:
			client.ping()
		finally:
			client.close()
	except Exception as e:
		return step(
			cid,
			title,
			CRITICAL,
			f"Redis cache is unreachable ({type(e).__name__}: {e}): sessions cannot be created or resumed, "
			"so nobody can log in.",
			fixes=[
				Fix(
					"Start the cache Redis (redis_cache in common_site_config.json), then check the site:",
					bench(frappe.local.site, "diagnostics", "doctor"),
				)
			],
		)
	return step(cid, title, OK, "Redis cache answers: sessions can be stored.")


def tracker(key: str, settings):
	from frappe.auth import LoginAttemptTracker

	return LoginAttemptTracker(
		key,
		max_consecutive_login_attempts=cint(settings.allow_consecutive_login_attempts),
		lock_interval=cint(settings.allow_login_after_fail),
	)


def counter_state(key: str, settings) -> dict:
	"""Frappe's own failed-login counters for a user name or IP (the LoginAttemptTracker's Redis keys)."""
	t = tracker(key, settings)
	count = cint(t.login_failed_count)
	first = t.login_failed_time
	state = {
		"failed": count,
		"first_failure": str(first) if first else None,
		"locked": False,
		"seconds_left": 0,
	}
	if cint(settings.allow_consecutive_login_attempts) > 0 and not t.is_user_allowed():
		left = (get_datetime(first) + t.lock_interval - get_datetime()).total_seconds()
		state.update(locked=True, seconds_left=max(0, int(left)))
	return state


def lockout_step(name: str, ip: str | None, settings):
	cid, title = "login.lockout", "Failed-login lockout"
	limit = cint(settings.allow_consecutive_login_attempts)
	interval = cint(settings.allow_login_after_fail)
	try:
		states = {"user": counter_state(name, settings)}
		if ip:
			states["ip"] = counter_state(ip, settings)
	except Exception as e:
		return step(cid, title, ERROR, f"Could not read the failed-login counters: {type(e).__name__}: {e}")
	rules = f"locked for {interval} s after more than {limit} consecutive failures"
	evidence = [
		finding(
			f"Counters for {'the user' if kind == 'user' else 'the address'} {name if kind == 'user' else ip}.",
			**state,
		)
		for kind, state in states.items()
	]
	evidence.append(
		finding("System Settings.", allow_consecutive_login_attempts=limit, allow_login_after_fail=interval)
	)
	if limit <= 0:
		return step(
			cid,
			title,
			OK,
			"Lockout after failed logins is off (allow_consecutive_login_attempts = 0).",
			evidence,
		)
	locked = {kind: s for kind, s in states.items() if s["locked"]}
	if locked:
		what = " and ".join(
			f"the {'address ' + ip if kind == 'ip' else 'user'} ({s['failed']} failures, {s['seconds_left']} s left)"
			for kind, s in locked.items()
		)
		summary = f"Locked out: {what}; Frappe answers 'Your account has been locked' even to the right password ({rules})."
		fix = fix_action(
			"Reset the failed-login counters now (or wait until the lock expires).",
			"reset_login_attempts",
			user=name,
			ip=ip if "ip" in locked else None,
		)
		return step(cid, title, CRITICAL, summary, evidence, [fix])
	failed = states["user"]["failed"]
	if failed:
		return step(cid, title, WARNING, f"{failed} recent failed login(s); {rules}.", evidence)
	return step(cid, title, OK, f"No recent failed logins ({rules}).", evidence)


def two_factor_step(info, settings, ip: str | None):
	cid, title = "login.two_factor", "Two-factor authentication"
	if not cint(settings.enable_two_factor_auth):
		return step(cid, title, OK, "Two-factor authentication is off.")
	roles = [*frappe.get_roles(info.name), "All"]
	requiring = frappe.get_all("Role", filters={"two_factor_auth": 1, "name": ["in", roles]}, pluck="name")
	if info.name == "Administrator" or not requiring:
		return step(
			cid, title, OK, "Two-factor is on for the site, but none of this user's roles requires it."
		)
	method = settings.two_factor_method or "OTP App"
	evidence = [finding("Roles requiring a second factor.", roles=sorted(requiring), method=method)]
	if cint(settings.bypass_2fa_for_retricted_ip_users) and info.restrict_ip and ip:
		prefixes = [p.strip() for p in info.restrict_ip.split(",")]
		if any(ip.startswith(p) for p in prefixes):
			return step(
				cid, title, OK, f"Not asked from {ip}: restricted-IP users bypass two-factor.", evidence
			)
	problem = _two_factor_problem(info, method)
	if problem:
		return step(cid, title, CRITICAL, f"Two-factor by {method} is required, but {problem}.", evidence)
	note = ""
	if method == "OTP App" and not frappe.db.get_default(info.name + "_otpsecret"):
		note = " The user has not set up the app yet: the first login shows how (QR code or email)."
	fix = Fix("If the user lost the authenticator: User form > Reset OTP Secret.")
	return step(
		cid, title, OK, f"Two-factor by {method} is required after the password.{note}", evidence, [fix]
	)


def _two_factor_problem(info, method: str) -> str:
	if method == "SMS":
		if not info.mobile_no:
			return "the user has no mobile number to send the code to"
		if not frappe.db.get_single_value("SMS Settings", "sms_gateway_url"):
			return "SMS Settings have no gateway URL, so no code can be sent"
	if method == "Email" and not frappe.db.exists(
		"Email Account", {"default_outgoing": 1, "enable_outgoing": 1}
	):
		return "there is no default outgoing Email Account, so the code cannot be sent"
	return ""


def sessions_step(info, settings):
	from frappe.sessions import get_expired_threshold, get_expiry_period

	cid, title = "login.sessions", "Sessions"
	expiry = get_expiry_period()
	active = frappe.db.count("Sessions", {"user": info.name, "lastupdate": (">", get_expired_threshold())})
	deny = cint(frappe.conf.get("deny_multiple_sessions")) or cint(settings.deny_multiple_sessions)
	allowed = cint(info.simultaneous_sessions) or 1
	evidence = [
		finding(
			"Session settings.",
			idle_session_expiry=readable_period(expiry),
			setting=f"System Settings > Session Expiry {expiry}",
			active_sessions=active,
			deny_multiple_sessions=bool(deny),
			simultaneous_sessions=allowed,
		)
	]
	if deny and active >= allowed:
		summary = (
			f"{active} active session(s) and only {allowed} allowed at once: a new login signs the oldest "
			"out ('Logged In From Another Session')."
		)
		return step(
			cid, title, WARNING, summary, evidence, [Fix("Raise User > Simultaneous Sessions if needed.")]
		)
	if period_minutes(expiry) < 60:
		summary = f"Idle sessions end after {readable_period(expiry)}: users are logged out often."
		return step(cid, title, WARNING, summary, evidence, [Fix("Raise System Settings > Session Expiry.")])
	summary = f"{active} active session(s); idle sessions end after {readable_period(expiry)}."
	return step(cid, title, OK, summary, evidence)


def period_minutes(expiry: str) -> int:
	"""Minutes in Frappe's "HHH:MM[:SS]" session expiry (hours may exceed 24)."""
	parts = [cint(p) for p in str(expiry).split(":")] + [0, 0]
	return parts[0] * 60 + parts[1]


def readable_period(expiry: str) -> str:
	"""Frappe's "170:00:00" as people say it: "7 days 2 hours"."""
	minutes = period_minutes(expiry)
	days, rest = divmod(minutes, 24 * 60)
	hours, minutes = divmod(rest, 60)
	words = [(days, "day"), (hours, "hour"), (minutes, "minute")]
	text = " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in words if n)
	return text or "0 minutes"
