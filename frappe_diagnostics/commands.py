"""`bench --site S diagnostics …`: exit codes 0 below --fail-on, 1 warning, 2 critical or error, 64 bad usage."""

from __future__ import annotations

import sys

import click
from frappe.commands import get_site, pass_context

from frappe_diagnostics.report import (
	FAIL_ON,
	diagnosis_to_dict,
	exit_code,
	render_diagnosis,
	render_text,
	run_to_dict,
	to_json,
)


class UsageFailure(click.ClickException):
	exit_code = 64


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


def output_options(fn):
	fn = click.option("--no-store", is_flag=True, help="Do not store the result as a Diagnostic Run.")(fn)
	fn = click.option("--fail-on", type=click.Choice(FAIL_ON), default="critical", show_default=True)(fn)
	return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(fn)


def troubleshoot(context, name: str, as_json: bool, fail_on: str, no_store: bool, **inputs):
	"""Run a troubleshooter in the site, store it, print it, exit by its status."""
	import frappe

	from frappe_diagnostics.service import troubleshoot as run_troubleshooter
	from frappe_diagnostics.store import site_redactor

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		try:
			diagnosis, doc = run_troubleshooter(name, trigger="CLI", store=not no_store, **inputs)
		except (KeyError, ValueError) as e:
			raise UsageFailure(e.args[0]) from None
		frappe.db.commit()
		redactor = site_redactor()
		if as_json:
			click.echo(to_json(diagnosis_to_dict(diagnosis, redactor, name=doc.name if doc else None)))
		else:
			click.echo(render_diagnosis(diagnosis, redactor, colour=sys.stdout.isatty()))
			if doc:
				click.echo(f"Stored as {doc.name}.")
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


commands = [diagnostics]
