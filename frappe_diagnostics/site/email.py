"""Email troubleshooter: "why isn't email going out / coming in?" Inside a site: the accounts' passwords are
read with Frappe's own decryption, used for a login with a short timeout, and never shown.

Outgoing: a default outgoing account → SMTP connect, TLS and login per outgoing account → sender settings
and mute_emails → the Email Queue → the queue's flush job. Incoming: IMAP/POP login per incoming account,
the last pull, and pull errors from the Error Log.
"""

from __future__ import annotations

import time
from datetime import timedelta

import frappe
from frappe.utils import cint, now_datetime

from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.result import Finding, Fix, Status
from frappe_diagnostics.engine.runner import run_selected
from frappe_diagnostics.engine.steps import step
from frappe_diagnostics.troubleshooters import mailprobe

FLUSH = "frappe.email.queue.flush"
PULL = "frappe.email.doctype.email_account.email_account.pull"
FIELDS = (
	"name",
	"email_id",
	"login_id",
	"login_id_is_different",
	"enable_outgoing",
	"default_outgoing",
	"smtp_server",
	"smtp_port",
	"use_tls",
	"use_ssl_for_outgoing",
	"no_smtp_authentication",
	"always_use_account_email_id_as_sender",
	"enable_incoming",
	"use_imap",
	"email_server",
	"incoming_port",
	"use_ssl",
	"use_starttls",
	"auth_method",
	"no_failed",
	"awaiting_password",
)


def _accounts() -> list:
	return frappe.get_all("Email Account", fields=list(FIELDS), order_by="name")


def _password(account) -> str | None:
	from frappe.utils.password import get_decrypted_password

	return get_decrypted_password("Email Account", account.name, raise_exception=False)


def _login(account) -> str:
	return account.login_id if cint(account.login_id_is_different) and account.login_id else account.email_id


def outgoing_step(accounts: list, conf) -> object:
	title = "Default outgoing account"
	default = [a for a in accounts if cint(a.default_outgoing)]
	enabled = [a for a in default if cint(a.enable_outgoing)]
	evidence = {
		"mute_emails": cint(conf.get("mute_emails")),
		"always_use_account_email_id_as_sender": cint(conf.get("always_use_account_email_id_as_sender")),
	}
	fixes = []
	if evidence["mute_emails"]:
		fixes.append(Fix("Unmute email.", command=_bench("set-config", "mute_emails", "0")))
	if not enabled:
		summary = "There is no enabled default outgoing Email Account: Frappe has nothing to send with."
		if default:
			summary = f"The default outgoing account {default[0].name} has Enable Outgoing off."
		fixes.append(
			Fix("Open /app/email-account and set Enable Outgoing and Default Outgoing on one account.")
		)
		return step(
			"email.outgoing_account", title, Status.CRITICAL, summary, [Finding(summary, evidence)], fixes
		)
	if evidence["mute_emails"]:
		return step(
			"email.outgoing_account",
			title,
			Status.CRITICAL,
			"mute_emails is set in the site config: nothing is sent.",
			[Finding("config", evidence)],
			fixes,
		)
	sender = (
		"always its own address"
		if cint(enabled[0].always_use_account_email_id_as_sender)
		or evidence["always_use_account_email_id_as_sender"]
		else "the user's address when allowed"
	)
	return step(
		"email.outgoing_account",
		title,
		Status.OK,
		f"{enabled[0].name} ({enabled[0].email_id}) sends, as {sender}.",
		[Finding("config", evidence)],
	)


def smtp_step(accounts: list, timeout: float) -> object:
	title = "SMTP connect, TLS and login"
	outgoing = [a for a in accounts if cint(a.enable_outgoing)][:5]
	if not outgoing:
		return step("email.smtp", title, Status.SKIPPED, "No account has Enable Outgoing.")
	findings, statuses, fixes = [], [], []
	for account in outgoing:
		login = None if cint(account.no_smtp_authentication) else _login(account)
		result = mailprobe.smtp(
			account.smtp_server,
			cint(account.smtp_port) or None,
			use_ssl=cint(account.use_ssl_for_outgoing),
			use_tls=cint(account.use_tls),
			login=login,
			password=_password(account) if login else None,
			timeout=timeout,
		)
		where = f"{account.smtp_server}:{account.smtp_port or ('465' if cint(account.use_ssl_for_outgoing) else '25')}"
		findings.append(
			Finding(
				f"{account.name} → {where}: {'logged in' if result.ok else result.kind + ' at ' + result.stage}",
				result.to_dict(),
			)
		)
		statuses.append(Status.OK if result.ok else Status.CRITICAL)
		if not result.ok:
			fixes.append(Fix(f"{account.name}: {mailprobe.HINTS.get(result.kind, result.detail)}"))
	bad = statuses.count(Status.CRITICAL)
	summary = f"{len(outgoing) - bad} of {len(outgoing)} outgoing account(s) log in to their SMTP server."
	if bad:
		summary = (
			findings[statuses.index(Status.CRITICAL)].message
			+ f" ({findings[statuses.index(Status.CRITICAL)].evidence['detail']})."
		)
	return step("email.smtp", title, max(statuses, key=lambda s: s.rank), summary, findings, fixes)


def job_step(check_id: str, title: str, method: str, every: str) -> object:
	last = frappe.db.get_value(
		"Scheduled Job Type", {"method": method}, ["last_execution", "stopped"], as_dict=True
	)
	if not last:
		return step(check_id, title, Status.WARNING, f"There is no Scheduled Job Type for {method}.")
	if cint(last.stopped):
		return step(
			check_id,
			title,
			Status.CRITICAL,
			f"{method} is stopped: it never runs.",
			fixes=[Fix("Un-stop it in /app/scheduled-job-type.")],
		)
	if not last.last_execution:
		return step(
			check_id,
			title,
			Status.WARNING,
			f"{method} has never run (it should run {every}).",
			fixes=[Fix("See why scheduled jobs do not run.", command=_bench("diagnostics", "jobs"))],
		)
	age = (now_datetime() - last.last_execution).total_seconds()
	status = Status.OK if age < 3600 else Status.WARNING
	fixes = (
		[]
		if status is Status.OK
		else [
			Fix("See why scheduled jobs do not run.", command=_bench("diagnostics", "jobs", "--job", method))
		]
	)
	return step(
		check_id,
		title,
		status,
		f"{method} last ran {age / 60:.0f} min ago (it should run {every}).",
		fixes=fixes,
	)


def incoming_step(accounts: list, timeout: float) -> object:
	title = "Incoming accounts: login and pull errors"
	incoming = [a for a in accounts if cint(a.enable_incoming)][:5]
	if not incoming:
		return step("email.incoming", title, Status.OK, "No account pulls incoming mail.")
	since = now_datetime() - timedelta(hours=24)
	findings, statuses, fixes = [], [], []
	for account in incoming:
		probe = mailprobe.imap if cint(account.use_imap) else mailprobe.pop
		kwargs = {
			"use_ssl": cint(account.use_ssl),
			"login": _login(account),
			"password": _password(account),
			"timeout": timeout,
		}
		if cint(account.use_imap):
			kwargs["use_starttls"] = cint(account.use_starttls)
		result = probe(account.email_server, cint(account.incoming_port) or None, **kwargs)
		errors = frappe.db.count(
			"Error Log", {"creation": (">=", since), "method": ("like", f"%{account.name}%")}
		)
		errors += frappe.db.count("Error Log", {"creation": (">=", since), "method": "EmailAccount.receive"})
		protocol = "IMAP" if cint(account.use_imap) else "POP"
		evidence = {
			**result.to_dict(),
			"pull_errors_24h": errors,
			"failed_pulls_in_a_row": cint(account.no_failed),
		}
		findings.append(
			Finding(
				f"{account.name} → {protocol} {account.email_server}: {'logged in' if result.ok else result.kind + ' at ' + result.stage}",
				evidence,
			)
		)
		statuses.append(
			Status.CRITICAL
			if not result.ok
			else Status.WARNING
			if errors or cint(account.no_failed)
			else Status.OK
		)
		if not result.ok:
			fixes.append(Fix(f"{account.name}: {mailprobe.HINTS.get(result.kind, result.detail)}"))
	bad = [f for f, s in zip(findings, statuses, strict=True) if s is Status.CRITICAL]
	summary = f"{len(incoming) - len(bad)} of {len(incoming)} incoming account(s) log in."
	if bad:
		summary = f"{bad[0].message} ({bad[0].evidence['detail']})."
	return step("email.incoming", title, max(statuses, key=lambda s: s.rank), summary, findings, fixes)


def _bench(*words) -> str:
	from frappe_diagnostics.engine.shell import bench

	return bench(frappe.local.site, *words)


def diagnose_email(ctx, timeout: float = 5.0) -> Diagnosis:
	started = time.time()
	accounts = _accounts()
	checks = {
		r.check_id: r for r in run_selected(ctx, ["configuration.encryption_key", "email.queue"]).results
	}
	key = checks["configuration.encryption_key"]
	readable = key.status in (Status.OK, Status.SKIPPED)  # else decrypting fails, or writes a new key
	steps = [key, outgoing_step(accounts, ctx.conf)]
	steps.append(_logins(smtp_step, "email.smtp", "SMTP connect, TLS and login", readable, accounts, timeout))
	steps.append(checks["email.queue"])
	steps.append(job_step("email.flush_job", "Email queue job", FLUSH, "every few minutes"))
	steps.append(_logins(incoming_step, "email.incoming", "Incoming accounts", readable, accounts, timeout))
	if any(cint(a.enable_incoming) for a in accounts):
		steps.append(job_step("email.pull_job", "Incoming pull job", PULL, "every few minutes"))
	return Diagnosis(
		"Email",
		f"Why isn't email going out or coming in on {ctx.name}?",
		steps,
		{"timeout": timeout},
		started,
		time.time(),
		ctx.name,
	)


def _logins(fn, check_id: str, title: str, readable: bool, accounts: list, timeout: float):
	"""A login step, only when the stored passwords can be read; any failure becomes the step's error."""
	if not readable:
		why = "Not tried: the stored passwords cannot be decrypted (see configuration.encryption_key)."
		return step(check_id, title, Status.SKIPPED, why)
	try:
		return fn(accounts, timeout)
	except Exception as e:
		return step(check_id, title, Status.ERROR, f"Could not try the logins: {type(e).__name__}: {e}")
