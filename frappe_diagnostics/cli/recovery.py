"""The restore command, the same on both command lines (`frappe-diagnostics restore` and
`bench --site S diagnostics restore`); never offered over REST.

Exit codes: 0 done (restored, rolled back, dropped, or status shown), 1 not confirmed, 2 refused or
stopped, 64 bad usage.
"""

from __future__ import annotations

import sys
from datetime import datetime

import click

from frappe_diagnostics.cli import shared
from frappe_diagnostics.engine.render import to_json

ARGUMENT = shared.argument("set_spec", required=False, shown="SET")
OPTIONS = [
	click.Option(
		["--yes"], is_flag=True, help="Do not ask (for scripts): restore, resume or roll back as asked."
	),
	click.Option(
		["--rollback"], is_flag=True, help="Put back the data the last restore replaced (database and files)."
	),
	click.Option(
		["--drop-holding"],
		is_flag=True,
		help="Drop the old data the last restore kept; no rollback after this.",
	),
	click.Option(["--status", "show_status"], is_flag=True, help="Show the last restore's journal."),
	click.Option(
		["--no-files"], is_flag=True, help="Restore the database only, not the public and private files."
	),
	click.Option(
		["--accept-other-site"],
		is_flag=True,
		help="Restore a set taken on another site (its data replaces this site's).",
	),
	click.Option(
		["--encryption-key"], help="The backup_encryption_key of an encrypted set (default: the site's)."
	),
	click.Option(["--db-root-username"], help="An account that may create databases (default: root_login)."),
	click.Option(
		["--db-root-password"], help="Its password (better: DIAG_DB_ROOT_PASSWORD in the environment)."
	),
	click.Option(
		["--job-timeout"],
		type=click.FloatRange(1, 3600),
		default=60.0,
		show_default=True,
		help="Seconds the validation waits for a background job.",
	),
	shared.JSON,
]


def describe_plan(plan: dict) -> str:
	"""What a restore will do, for the operator to confirm."""
	if plan.get("resume"):
		state = "the restored database is already live" if plan["committed"] else "nothing is swapped yet"
		return f"Restore {plan['id']} of set {plan['set']} stopped before '{plan['next']}' ({state}). Continue it?"
	lost = plan["tables_losing_rows"]
	since = plan["since_backup"]
	lines = [
		f"Restore {plan['site']} from set {plan['set']} ({plan['age_h']} h old; parts: {', '.join(plan['files'])}).",
		f"  Verified: it restores in {plan['restore_time_s']} s.",
		f"  Data written since then will be lost: {since['documents_changed']} document(s) changed "
		f"({since['versions']} versions), {since['deleted']} deleted;",
		f"  {len(lost)} table(s) have more rows live than in the backup"
		+ (
			": "
			+ ", ".join(
				f"{t} (+{(d.get('live') or 0) - (d.get('backup') or 0)})" for t, d in list(lost.items())[:8]
			)
			if lost
			else "."
		),
		f"  A safety backup of the live database is taken first: {plan['safety_backup']}",
		f"  The old data stays in database {plan['holding']} until restore --drop-holding; restore --rollback puts it back.",
		"  The site is in maintenance mode while it runs"
		+ (", and is migrated (the backup is older than the code)." if plan["needs_migrate"] else "."),
	]
	return "\n".join(lines)


def confirmer(site: str, yes: bool):
	def confirm(plan: dict) -> bool:
		click.echo(describe_plan(plan), err=True)
		if yes:
			return True
		if plan.get("resume"):
			return click.confirm("Continue?", default=False, err=True)
		typed = click.prompt(
			f"Type the site name ({site}) to restore it", default="", show_default=False, err=True
		)
		return typed.strip() == site

	return confirm


def run(
	ctx,
	set_spec,
	yes,
	rollback,
	drop_holding,
	show_status,
	no_files,
	accept_other_site,
	encryption_key,
	db_root_username,
	db_root_password,
	job_timeout,
	as_json,
	after=None,
) -> int:
	"""Do what the options say; returns the exit code. `after(run, action)` records the outcome (bench)."""
	from frappe_diagnostics.recovery import restore

	chosen = [
		n
		for n, on in (("--rollback", rollback), ("--drop-holding", drop_holding), ("--status", show_status))
		if on
	]
	if len(chosen) > 1 or (chosen and set_spec):
		raise shared.UsageFailure(
			f"Give either a SET to restore or one of --rollback, --drop-holding, --status (got {', '.join(chosen + ([set_spec] if set_spec else []))})."
		)
	redactor = ctx.redactor()
	if show_status:
		data = restore.status(ctx)
		click.echo(to_json(redactor.data(data)) if as_json else _describe_journal(data))
		return 0
	options = restore.Options(
		spec=set_spec,
		encryption_key=encryption_key,
		files=not no_files,
		other_site=accept_other_site,
		db_root_username=db_root_username,
		db_root_password=db_root_password,
		confirm=confirmer(ctx.name, yes),
		say=lambda text: click.echo(redactor.text(text), err=True),
		job_timeout_s=job_timeout,
	)
	action = "rollback" if rollback else "drop_holding" if drop_holding else "restore"
	if (
		action == "rollback"
		and not yes
		and not click.confirm(
			f"Put back the data {ctx.name} had before the last restore?", default=False, err=True
		)
	):
		click.echo("Not rolled back.", err=True)
		return 1
	try:
		done = getattr(restore, action)(ctx, options)
	except restore.RestoreRefused as e:
		click.secho(redactor.text(str(e)), fg="red", err=True)
		return 1 if str(e).startswith("Not confirmed") else 2
	except restore.RestoreStopped as e:
		click.secho(redactor.text(str(e)), fg="red", err=True)
		return 2
	if after is not None:
		try:
			after(done, action)
		except Exception as e:  # the restore is done; only its record in the database is missing
			done.warnings.append(
				f"Not recorded in the site's database ({type(e).__name__}: {e}); the journal {done.journal.path} is the record."
			)
	for warning in done.warnings:
		click.secho(redactor.text(warning), fg="yellow", err=True)
	if as_json:
		click.echo(to_json(redactor.data(done.journal.data)))
	else:
		click.echo(_finished(done, action))
	return 0


def _finished(done, action: str) -> str:
	journal = done.journal
	seconds = round((journal["finished"] or 0) - journal["started"], 1)
	if action == "rollback":
		return f"Rolled back: {journal['site']} has the data it had before restore {journal['id']}."
	if action == "drop_holding":
		return f"Dropped {journal['holding']}: restore {journal['id']} can no longer be rolled back."
	return (
		f"Restored {journal['site']} from set {journal['set']} in {seconds} s. Safety backup: {journal['safety_backup']}.\n"
		f"The old data is kept in {journal['holding']}: restore --rollback puts it back, restore --drop-holding drops it."
	)


def _describe_journal(data: dict | None) -> str:
	if not data:
		return "No restore in progress, and none keeps old data."
	lines = [
		f"Restore {data['id']} of set {data['set']}: {data['state']}"
		+ (" (the restored database is live)" if data["committed"] else "")
	]
	for entry in data["stages"]:
		when = datetime.fromtimestamp(entry["started"]).strftime("%H:%M:%S") if entry.get("started") else ""
		lines.append(f"  {entry['status']:<8} {entry['name']:<16} {when}  {entry.get('summary') or ''}")
	if data.get("error"):
		lines.append(f"  error: {data['error']}")
	return "\n".join(lines)


def command(name: str, place_params: list, context_of, after=None, pass_context=None) -> click.Command:
	"""The restore command for a command line: `context_of(**place)` gives the site's context."""

	def callback(*args, **kwargs):
		place = {p.name: kwargs.pop(p.name) for p in place_params}
		ctx = context_of(*args, **place)
		sys.exit(run(ctx, after=after, **kwargs))

	callback = pass_context(callback) if pass_context else callback
	return shared.Command(
		name,
		params=[*place_params, ARGUMENT, *OPTIONS],
		callback=callback,
		help="Restore a backup set without risking the live site (see docs/recovery.md).",
	)


JOB_TIMEOUT = click.Option(
	["--job-timeout"],
	type=click.FloatRange(1, 3600),
	default=60.0,
	show_default=True,
	help="Seconds to wait for the background job to complete.",
)


def validate(ctx, job_timeout: float, as_json: bool, fail_on: str, store=None) -> int:
	"""Post-recovery validation; `store(run)` keeps it (bench) and returns its name."""
	from frappe_diagnostics.engine.render import exit_code
	from frappe_diagnostics.recovery.validation import validate_recovery

	result = validate_recovery(ctx, job_timeout_s=job_timeout)
	name = store(result) if store else None
	shared.print_run(
		result,
		ctx.redactor(),
		as_json,
		title=f"Is {ctx.name} back? (post-recovery validation)",
		**({"name": name} if name else {}),
	)
	if name and not as_json:
		click.echo(f"Stored as {name}.")
	return exit_code(result.status, fail_on)


def add_standalone(main, place_params: list) -> None:
	"""`frappe-diagnostics restore` and `frappe-diagnostics validate`."""
	from frappe_diagnostics.cli.place import Place, require_site

	def context_of(bench, site, budget_ms):
		return require_site(Place(bench, site, budget_ms))

	def validate_callback(bench, site, budget_ms, job_timeout, as_json, fail_on):
		sys.exit(validate(context_of(bench, site, budget_ms), job_timeout, as_json, fail_on))

	main.add_command(command("restore", place_params, context_of))
	params = [*place_params, JOB_TIMEOUT, shared.JSON, shared.FAIL]
	main.add_command(
		shared.Command(
			"validate",
			params=params,
			callback=validate_callback,
			help="Is the site back? Post-recovery validation: health, core tables, folders, scheduler, a job, Administrator.",
		)
	)
