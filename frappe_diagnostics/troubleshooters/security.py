"""Security audit: a scored list of findings, each with its evidence and fix. Works from a bench folder
with the site down (SQL, config and files; passwords only verified against their stored hash)."""

from __future__ import annotations

import time

from frappe_diagnostics.checks.security_rules import all_verdicts, score
from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.registry import Registry, check
from frappe_diagnostics.engine.result import Finding, Metric, Status
from frappe_diagnostics.engine.runner import run_selected
from frappe_diagnostics.engine.steps import step

RULES = (
	"admin_password",
	"developer_mode",
	"allow_tests",
	"ignore_csrf",
	"allow_cors",
	"rate_limit",
	"password_policy",
	"login_attempts",
	"session_expiry",
	"two_factor",
	"api_keys",
	"public_files",
	"config_permissions",
	"plain_http",
)


def audit_step(probe):
	verdicts = all_verdicts(probe)
	probe.verdicts = verdicts
	counted = [v for v in verdicts if v.status is not Status.SKIPPED]
	points = score(counted)
	status = Status.CRITICAL if points < 50 else Status.WARNING if counted else Status.OK
	passed = [r for r in RULES if r not in {v.rule for v in verdicts}]
	findings = [Finding("Passed", {"rules": passed})]
	summary = (
		f"Security score {points}/100: {len(counted)} finding(s); {len(passed)} of {len(RULES)} rules pass."
	)
	return probe.result(status, summary, [Metric("score", points, "/100")], findings)


def diagnose_security(ctx) -> Diagnosis:
	started = time.time()
	settings = ctx.troubleshooter_settings(min_check_ms=10000, run_s=60, parallel=1)
	local = Registry()
	holder = {}

	def run(probe):
		result = audit_step(probe)
		holder["verdicts"] = probe.verdicts
		return result

	check("security.score", title="Security score", tags=("security",), budget_ms=10000, into=local)(run)
	first = run_selected(ctx, reg=local, settings=settings).results
	if first[0].status is Status.SKIPPED and "Diagnostics Settings" not in first[0].summary:
		first = [_not_audited(first[0])]  # the audit could not read the site: unknown, not passed
	verdicts = sorted(holder.get("verdicts", []), key=lambda v: -v.status.rank)
	steps = [
		step(f"security.{v.rule}", v.title, v.status, v.message, [v.finding()], v.fixes) for v in verdicts
	]
	return Diagnosis(
		"Security", f"How exposed is {ctx.name}?", [*steps, *first], {}, started, time.time(), ctx.name
	)


def _not_audited(skipped):
	reason = skipped.summary.removeprefix("Skipped: ")
	return step(
		skipped.check_id,
		skipped.title,
		Status.ERROR,
		f"Not audited: {reason[0].lower()}{reason[1:]} Start the database, or correct the site's db_password, "
		"then run this again.",
	)
