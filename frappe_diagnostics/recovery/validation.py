"""Post-recovery validation (the guide's `validate_system_recovery`, made real): a health run, the core
tables' row counts, a file written and read back in each site folder, the scheduler's state, a background
job enqueued and seen completing within a time limit, and whether Administrator can log in."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from frappe_diagnostics.engine.result import Finding, Fix, Metric, RunResult
from frappe_diagnostics.engine.runner import run_selected
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.engine.steps import CRITICAL, ERROR, OK, WARNING, step

KIND = "Recovery Validation"
CORE = ("tabDocType", "tabDocField", "tabUser", "tabHas Role", "tabDefaultValue", "tabSingles")
FOLDERS = (".", "public/files", "private/files", "private/backups")
JOB_METHOD = "frappe.ping"


def validate_recovery(ctx, job_timeout_s: float = 60.0, in_restore: bool = False) -> RunResult:
	"""Run every step; never raises (a step that cannot decide says so)."""
	started = time.time()
	results = [_health(ctx, in_restore)]
	for fn in (_core_tables, _folders, _scheduler, _administrator):
		results.append(_guarded(fn, ctx, in_restore))
	results.append(_guarded(_job, ctx, job_timeout_s))
	return RunResult(results, started, time.time(), ctx.name)


def _guarded(fn, ctx, arg):
	started = time.monotonic()
	try:
		result = fn(ctx, arg)
	except Exception as e:
		name = fn.__name__.strip("_")
		result = step(
			f"recovery.{name}",
			name.replace("_", " ").capitalize(),
			ERROR,
			f"Could not check: {type(e).__name__}: {e}",
		)
	result.duration_ms = (time.monotonic() - started) * 1000
	return result


def _health(ctx, in_restore: bool):
	skip = {"configuration.maintenance"} if in_restore else set()  # the restore holds maintenance mode on
	run = run_selected(ctx, exclude=skip)
	failing = [r.check_id for r in run.failing]
	evidence = {"failing": [f"{r.check_id}: {r.status.value}" for r in run.failing]}
	return step(
		"recovery.health",
		"Health run",
		run.status,
		run.summary,
		[Finding("Checks", evidence)] if failing else [],
		metrics=[Metric("checks", len(run.results), "checks"), Metric("failing", len(failing), "checks")],
		duration_ms=run.duration_ms,
	)


def _core_tables(ctx, _in_restore):
	counts, missing = {}, {}
	for table in CORE:
		try:
			counts[table] = ctx.query(f"SELECT COUNT(*) AS n FROM `{table}`", timeout_s=10.0)[0]["n"]
		except Exception as e:
			missing[table] = str(e.args[1] if len(e.args) > 1 else e)
	metrics = [Metric(t, n, "rows") for t, n in counts.items()]
	if missing or not counts.get("tabDocType") or not counts.get("tabUser"):
		return step(
			"recovery.core_tables",
			"Core tables",
			CRITICAL,
			f"Core tables missing, unreadable or empty: {', '.join(missing) or 'tabDocType/tabUser empty'}.",
			[Finding("Errors", missing)],
			metrics=metrics,
		)
	return step(
		"recovery.core_tables",
		"Core tables",
		OK,
		f"{counts['tabDocType']} DocTypes, {counts['tabUser']} users; every core table reads.",
		metrics=metrics,
	)


def _folders(ctx, _in_restore):
	broken = {}
	for name in FOLDERS:
		folder = Path(ctx.site_path) / name
		probe = folder / f".diag-validate-{secrets.token_hex(4)}"
		text = secrets.token_hex(16)
		try:
			probe.write_text(text, encoding="utf-8")
			if probe.read_text(encoding="utf-8") != text:
				broken[name] = "read back something else"
		except OSError as e:
			broken[name] = e.strerror or str(e)
		finally:
			try:
				probe.unlink()
			except OSError:
				pass
	if broken:
		return step(
			"recovery.files",
			"Site folders",
			CRITICAL,
			f"Cannot write and read back in: {', '.join(broken)}.",
			[Finding("Folders", broken)],
		)
	return step(
		"recovery.files",
		"Site folders",
		OK,
		f"A file was written, read back and removed in each of {', '.join(FOLDERS)}.",
	)


def _scheduler(ctx, in_restore: bool):
	rows = ctx.query(
		"SELECT value FROM `tabSingles` WHERE doctype = 'System Settings' AND field = 'enable_scheduler'",
		timeout_s=10.0,
	)
	enabled = bool(rows and str(rows[0]["value"]) not in ("0", "", "None"))
	paused = int(ctx.conf.get("pause_scheduler") or 0) and not in_restore
	if not enabled or paused:
		why = "disabled in System Settings" if not enabled else "paused (pause_scheduler)"
		fix = (
			bench(ctx.name, "enable-scheduler")
			if not enabled
			else bench(ctx.name, "set-config", "pause_scheduler", "0")
		)
		return step(
			"recovery.scheduler",
			"Scheduler",
			WARNING,
			f"The scheduler is {why}: scheduled jobs and backups will not run.",
			fixes=[Fix("Turn it on when the site is ready.", fix)],
		)
	note = " (paused only while the restore holds maintenance mode)" if in_restore else ""
	return step("recovery.scheduler", "Scheduler", OK, f"The scheduler is enabled{note}.")


def _administrator(ctx, _in_restore):
	user = ctx.query("SELECT name, enabled FROM `tabUser` WHERE name = 'Administrator'", timeout_s=10.0)
	password = ctx.query(
		"SELECT COUNT(*) AS n FROM `__Auth` WHERE doctype = 'User' AND name = 'Administrator' AND fieldname = 'password'",
		timeout_s=10.0,
	)
	if not user:
		return step("recovery.login", "Administrator can log in", CRITICAL, "There is no Administrator user.")
	if not int(user[0]["enabled"] or 0):
		return step("recovery.login", "Administrator can log in", CRITICAL, "Administrator is disabled.")
	if not password[0]["n"]:
		return step(
			"recovery.login",
			"Administrator can log in",
			CRITICAL,
			"Administrator has no password.",
			fixes=[Fix("Set one.", bench(ctx.name, "set-admin-password", "<password>"))],
		)
	return step(
		"recovery.login",
		"Administrator can log in",
		OK,
		"Administrator exists, is enabled and has a password.",
	)


def _job(ctx, timeout_s: float):
	from rq import Queue

	queue = Queue(f"{ctx.bench_id()}:short", connection=ctx.redis_client("queue", timeout_s=5.0))
	name = f"frappe_diagnostics-validate-{secrets.token_hex(4)}"
	kwargs = {
		"site": ctx.name,
		"method": JOB_METHOD,
		"event": None,
		"job_name": name,
		"kwargs": {},
		"is_async": True,
	}
	job = queue.enqueue_call(
		"frappe.utils.background_jobs.execute_job",
		kwargs=kwargs,
		timeout=max(30, int(timeout_s)),
		result_ttl=300,
		failure_ttl=3600,
	)
	started = time.monotonic()
	status = job.get_status(refresh=True)
	while status not in ("finished", "failed") and time.monotonic() - started < timeout_s:
		time.sleep(0.2)
		status = job.get_status(refresh=True)
	waited = round(time.monotonic() - started, 1)
	metrics = [Metric("waited", waited, "s")]
	if status == "finished":
		return step(
			"recovery.jobs",
			"Background job",
			OK,
			f"A job ({JOB_METHOD}) was enqueued on the short queue and completed in {waited} s.",
			metrics=metrics,
		)
	if status == "failed":
		return step(
			"recovery.jobs",
			"Background job",
			CRITICAL,
			f"The job ({JOB_METHOD}) failed in the worker: {(job.exc_info or '').strip().splitlines()[-1:] or 'no error recorded'}.",
			metrics=metrics,
		)
	job.cancel()
	return step(
		"recovery.jobs",
		"Background job",
		WARNING,
		f"No worker completed the job within {timeout_s:g} s (status: {status}): start the workers (bench start, or supervisor).",
		metrics=metrics,
	)
