"""`bench --site S diagnostics …`: exit codes 0 below --fail-on, 1 warning, 2 critical or error, 64 bad usage."""

from __future__ import annotations

import sys

import click
from frappe.commands import get_site, pass_context

from frappe_diagnostics.command_support import UsageFailure, output_options, print_diagnosis
from frappe_diagnostics.report import FAIL_ON, exit_code, render_text, run_to_dict, to_json


@click.group("diagnostics")
def diagnostics():
	"""Health checks and troubleshooters of frappe_diagnostics."""


@diagnostics.command("run")
@click.option("--check", "checks", multiple=True, metavar="ID", help="Run only this check (repeatable).")
@click.option(
	"--tag", "tags", multiple=True, metavar="TAG", help="Run only checks with this tag (repeatable)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="critical", show_default=True)
@click.option("--no-store", is_flag=True, help="Do not store the run as a Diagnostic Run.")
@pass_context
def run(context, checks, tags, as_json, fail_on, no_store):
	"""Run health checks, store the run, print it; the exit code follows the worst status."""
	import frappe

	from frappe_diagnostics.service import run_health
	from frappe_diagnostics.store import site_redactor

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		try:
			result, doc = run_health(checks=checks, tags=tags, trigger="CLI", store=not no_store)
		except KeyError as e:
			raise UsageFailure(e.args[0]) from None
		frappe.db.commit()
		redactor = site_redactor()
		if as_json:
			click.echo(to_json(run_to_dict(result, redactor, name=doc.name if doc else None)))
		else:
			title = f"Site {site}" + (f" — stored as {doc.name}" if doc else "")
			click.echo(render_text(result, redactor, colour=sys.stdout.isatty(), title=title))
	finally:
		frappe.destroy()
	sys.exit(exit_code(result.status, fail_on))


def troubleshoot(context, name: str, as_json: bool, fail_on: str, no_store: bool, **inputs):
	"""Run a troubleshooter in the site, store it, print it, exit by its status."""
	import frappe

	from frappe_diagnostics.service import troubleshoot as run_troubleshooter

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		try:
			diagnosis, doc = run_troubleshooter(name, trigger="CLI", store=not no_store, **inputs)
		except (KeyError, ValueError) as e:
			raise UsageFailure(e.args[0]) from None
		frappe.db.commit()
		print_diagnosis(diagnosis, doc, as_json)
	finally:
		frappe.destroy()
	sys.exit(exit_code(diagnosis.status, fail_on))


@diagnostics.command("doctor")
@output_options
@pass_context
def doctor(context, as_json, fail_on, no_store):
	"""Why won't this site start? Config, database, Redis, apps, patches, assets, keys, permissions.

	When the site cannot boot at all, run `frappe-diagnostics doctor --site S` from the bench folder instead.
	"""
	troubleshoot(context, "startup", as_json, fail_on, no_store)


@diagnostics.command("database")
@click.option("--doctype", help="Also check that this DocType's Link fields point at existing records.")
@click.option("--check-table", "table", help="Run CHECK TABLE on this one table (reads and may lock it).")
@output_options
@pass_context
def database(context, doctype, table, as_json, fail_on, no_store):
	"""Why is the database slow or broken? Connections, slow statements, integrity, configuration advice."""
	if table:
		click.secho(
			f"CHECK TABLE {table} reads the whole table and may lock it while it runs.", fg="yellow", err=True
		)
	troubleshoot(context, "database", as_json, fail_on, no_store, doctype=doctype, table=table)


@diagnostics.command("performance")
@click.option(
	"--hours", type=float, default=24, show_default=True, help="Time window of the request monitor log."
)
@output_options
@pass_context
def performance(context, hours, as_json, fail_on, no_store):
	"""Why is the site slow? System, database, cache, queues, and request timings when the monitor is on."""
	troubleshoot(context, "performance", as_json, fail_on, no_store, hours=hours)


@diagnostics.command("explain")
@click.argument("sql")
@output_options
@pass_context
def explain(context, sql, as_json, fail_on, no_store):
	"""Why is this query slow? EXPLAIN one read-only SELECT (never run it) and suggest indexes."""
	troubleshoot(context, "explain", as_json, fail_on, no_store, sql=sql)


@diagnostics.command("errors")
@click.option(
	"--backfill", is_flag=True, help="Group every Error Log not grouped yet, in batches, with progress."
)
@click.option("--batch-size", type=click.IntRange(50, 10_000), default=1000, show_default=True)
@click.option(
	"--status", type=click.Choice(["Open", "Ignored", "Resolved"]), help="Only groups with this status."
)
@click.option("--since", help="Only groups seen since: 30m, 24h, 7d, 2w or a date.")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def errors(context, backfill, batch_size, status, since, limit, as_json):
	"""Error Log grouped by fingerprint, most frequent first, with the matched solution."""
	import frappe

	from frappe_diagnostics.errors.grouping import pending_count, process_error_logs

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		if backfill:
			total = pending_count()
			with click.progressbar(
				length=total, label=f"Grouping {total} Error Logs", file=sys.stderr
			) as bar:
				seen = [0]

				def progress(done, _total):
					bar.update(done - seen[0])
					seen[0] = done

				process_error_logs(batch_size=batch_size, progress=progress)
		filters = {"status": status} if status else {}
		if since:
			from frappe.utils import convert_utc_to_system_timezone

			from frappe_diagnostics.troubleshooters.logs import parse_since

			try:
				start = parse_since(since)
			except ValueError as e:
				raise UsageFailure(str(e)) from None
			local = convert_utc_to_system_timezone(start.replace(tzinfo=None)).replace(tzinfo=None)
			filters["last_occurrence"] = (">=", local)
		rows = frappe.get_all(
			"Error Group",
			filters=filters,
			fields=["name", "title", "status", "count", "last_7_days", "last_occurrence", "solution"],
			order_by="count desc",
			limit=limit,
		)
	finally:
		frappe.destroy()
	if as_json:
		click.echo(to_json(rows))
		return
	for row in rows:
		solution = f"  → {row.solution}" if row.solution else ""
		line = f"{row['count']:>7} {row.last_7_days or 0:>6}/7d  {row.status:<8} {str(row.last_occurrence)[:16]}  {row.title}"
		click.echo(line + solution)
	if not rows:
		click.echo("No error groups yet (run with --backfill to group existing Error Logs).")


@diagnostics.command("logs")
@click.option("--since", default="24h", show_default=True, help="30m, 24h, 7d, 2w or a date (UTC).")
@output_options
@pass_context
def logs(context, since, as_json, fail_on, no_store):
	"""What do the bench's logs say? Levels, sources, top error groups with their solutions."""
	troubleshoot(context, "logs", as_json, fail_on, no_store, since=since)


@diagnostics.command("slowlog")
@click.option("--path", type=click.Path(dir_okay=False), help="A slow log file (default: the server's own).")
@click.option("--since", default="24h", show_default=True, help="30m, 24h, 7d, 2w or a date (UTC).")
@output_options
@pass_context
def slowlog(context, path, since, as_json, fail_on, no_store):
	"""Which statements cost the most time? MariaDB's slow log grouped as pt-query-digest does."""
	troubleshoot(context, "slowlog", as_json, fail_on, no_store, path=path, since=since)


@diagnostics.command("checks")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def list_checks(context, as_json):
	"""List the registered checks with their tags and default thresholds."""
	import frappe

	from frappe_diagnostics.engine.registry import registry
	from frappe_diagnostics.service import site_context

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		site_context()
		rows = [c.describe() for c in sorted(registry.all(scope="site"), key=lambda c: c.id)]
	finally:
		frappe.destroy()
	if as_json:
		click.echo(to_json(rows))
		return
	for row in rows:
		click.echo(f"{row['id']:<28} {', '.join(row['tags']):<24} {row['title']}")


def _attach_access_commands():
	from frappe_diagnostics.access_commands import access_commands

	for command in access_commands:
		diagnostics.add_command(command)


_attach_access_commands()
commands = [diagnostics]
