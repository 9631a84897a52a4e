"""`bench --site S diagnostics restore|validate|recovery …`: the restore (the same command as the standalone
one), post-recovery validation, and Recovery Runs from the command line.

Exit codes: 0 done, 1 not confirmed (or a warning), 2 refused, failed or critical, 64 bad usage.
"""

from __future__ import annotations

import sys

import click
from frappe.commands import pass_context

from frappe_diagnostics.cli import recovery as shared_recovery
from frappe_diagnostics.cli import shared
from frappe_diagnostics.commands.support import connected_site
from frappe_diagnostics.engine.render import to_json


def _site_context(context):
	"""The site's context read from its files, without a database connection of Frappe's own: a restore
	must hold no transaction on the tables it swaps."""
	import frappe
	from frappe.commands import get_site
	from frappe.utils import get_bench_path

	from frappe_diagnostics.engine.context import StandaloneContext
	from frappe_diagnostics.engine.runner import load_checks

	site = get_site(context)
	frappe.init(site=site)
	try:
		ctx = StandaloneContext(get_bench_path(), site)
	finally:
		frappe.destroy()
	ctx.load_settings()
	load_checks(ctx.hook_entries)
	return ctx


def _record(context, carry=None):
	"""After a restore or rollback: its audit record (and a Recovery Run it belonged to) in the live database."""

	def after(done, action):
		from frappe_diagnostics.site.recovery.audit import record_restore
		from frappe_diagnostics.site.recovery.runs import carry_over

		with connected_site(context):
			if carry:
				carry_over(carry)
			doc = record_restore(done.journal.data, action)
			if doc is not None:
				click.echo(f"Recorded as {doc.name}.", err=True)

	return after


def _restore(context, **kwargs):
	sys.exit(shared_recovery.run(_site_context(context), after=_record(context), **kwargs))


restore = shared.Command(
	"restore",
	params=[shared_recovery.ARGUMENT, *shared_recovery.OPTIONS],
	callback=pass_context(_restore),
	help="Restore a backup set without risking the live site: verify, safety backup, maintenance mode, atomic swap, rollback.",
)


@click.command("validate", cls=shared.Command)
@click.option(
	"--job-timeout",
	type=click.FloatRange(1, 3600),
	default=60.0,
	show_default=True,
	help="Seconds to wait for the background job.",
)
@shared.with_params(shared.JSON, shared.FAIL)
@pass_context
def validate(context, job_timeout, as_json, fail_on):
	"""Is the site back? Health, core tables, folders, scheduler, a background job, Administrator; stored."""
	import frappe

	from frappe_diagnostics.site.recovery.service import validate as run_validation

	with connected_site(context):
		from frappe_diagnostics.site.context import FrappeContext

		code = shared_recovery.validate(
			FrappeContext(),
			job_timeout,
			as_json,
			fail_on,
			store=lambda result: _stored(run_validation, result, job_timeout),
		)
		frappe.db.commit()
	sys.exit(code)


def _stored(run_validation, result, job_timeout) -> str:
	from frappe_diagnostics.recovery.validation import KIND
	from frappe_diagnostics.site.store import save_run

	return save_run(result, kind=KIND, trigger="CLI", inputs={"job_timeout_s": job_timeout}).name


@click.group("recovery", cls=shared.Group)
def recovery():
	"""Recovery Runs: the procedures (database-corruption, server-failure, data-loss) step by step."""


@recovery.command("start")
@click.argument("procedure", type=click.Choice(("database-corruption", "server-failure", "data-loss")))
@click.option(
	"--incident-at", help="When the incident began (site time, e.g. '2026-11-30 09:15'); default now."
)
@click.option("--set", "set_spec", help="The backup set to recover from (default: the newest).")
@click.option(
	"--table",
	"tables",
	multiple=True,
	help="A table to CHECK in the assess step (repeatable; default: core tables).",
)
@pass_context
def start(context, procedure, incident_at, set_spec, tables):
	"""Start a Recovery Run of a procedure."""
	import frappe

	from frappe_diagnostics.site.recovery import report, runs

	with connected_site(context):
		try:
			doc = runs.start(procedure, incident_at, set_spec, tables, trigger="CLI")
		except (ValueError, LookupError) as e:
			raise shared.UsageFailure(str(e)) from None
		frappe.db.commit()
		click.echo(report.as_text(report.report(doc)))
		click.echo(f"Next: bench --site {frappe.local.site} diagnostics recovery next {doc.name}")


@recovery.command("next")
@click.argument("run")
@click.option("--step", "step_id", help="Run this step instead of the next pending one.")
@click.option("--yes", is_flag=True, help="Do not ask (the restore step asks for confirmation otherwise).")
@pass_context
def next_step(context, run, step_id, yes):
	"""Run the next automatic step of a Recovery Run (the restore step runs the restore, with confirmation)."""
	import frappe

	from frappe_diagnostics.site.recovery import report, runs, steps

	with connected_site(context):
		try:
			doc = runs.load(run)
			row = runs.row_of(doc, step_id)
		except ValueError as e:
			raise shared.UsageFailure(str(e)) from None
		if row.step == "restore" and row.step_type == "Command line":
			runs.begin(doc, row)
			snapshot = runs.load(run).as_dict(convert_dates_to_str=True)
			frappe.db.commit()
			frappe.db.close()
			frappe.local.db = None
		else:
			snapshot = None
			try:
				doc = steps.run_next(run, step_id, trigger="CLI")
			except ValueError as e:
				raise shared.UsageFailure(str(e)) from None
			click.echo(report.as_text(report.report(doc)))
			return
	sys.exit(_restore_step(context, run, snapshot, yes))


def _restore_step(context, run, snapshot, yes) -> int:
	from frappe_diagnostics.site.recovery import report, runs

	options = {k: None for k in ("encryption_key", "db_root_username", "db_root_password")}
	flags = dict(
		rollback=False,
		drop_holding=False,
		show_status=False,
		no_files=False,
		accept_other_site=False,
		job_timeout=60.0,
		as_json=False,
	)
	code = shared_recovery.run(
		_site_context(context),
		set_spec=snapshot.get("backup_set"),
		yes=yes,
		after=_record(context, snapshot),
		**options,
		**flags,
	)
	with connected_site(context):
		runs.carry_over(snapshot)
		doc = runs.load(run)
		row = runs.row_of(doc, "restore")
		status = "Done" if code == 0 else "Failed"
		runs.finish(
			doc,
			row,
			status,
			"Restored (see the restore's own record)."
			if code == 0
			else f"The restore ended with exit code {code}: see its messages.",
		)
		click.echo(report.as_text(report.report(runs.load(run))))
	return code


@recovery.command("done")
@click.argument("run")
@click.argument("step")
@click.option("--note", required=True, help="What was done (shown in the report).")
@click.option("--skip", is_flag=True, help="Mark the step skipped rather than done.")
@pass_context
def done(context, run, step, note, skip):
	"""Mark a manual step of a Recovery Run done (or skipped) with a note."""
	from frappe_diagnostics.site.recovery import report, runs

	with connected_site(context):
		try:
			doc = runs.mark_done(run, step, note, skipped=skip)
		except ValueError as e:
			raise shared.UsageFailure(str(e)) from None
		click.echo(report.as_text(report.report(doc)))


@recovery.command("report")
@click.argument("run")
@shared.with_params(shared.JSON)
@pass_context
def show_report(context, run, as_json):
	"""The run's real figures: downtime, data window lost, steps and who did them."""
	from frappe_diagnostics.site.recovery import report, runs

	with connected_site(context):
		try:
			data = report.report(runs.load(run))
		except ValueError as e:
			raise shared.UsageFailure(str(e)) from None
		click.echo(to_json(data) if as_json else report.as_text(data))


@recovery.command("close")
@click.argument("run")
@click.option("--abandon", is_flag=True, help="Close it as abandoned (not completed).")
@pass_context
def close(context, run, abandon):
	"""Close a Recovery Run (Completed, or Abandoned)."""
	from frappe_diagnostics.site.recovery import report, runs

	with connected_site(context):
		try:
			doc = runs.close(run, "Abandoned" if abandon else "Completed")
		except ValueError as e:
			raise shared.UsageFailure(str(e)) from None
		click.echo(report.as_text(report.report(doc)))


COMMANDS = (restore, validate, recovery)
