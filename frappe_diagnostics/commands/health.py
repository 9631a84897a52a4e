"""`diagnostics run` (health checks, stored) and `diagnostics checks` (the registry with thresholds)."""

from __future__ import annotations

import sys

import click
from frappe.commands import pass_context

from frappe_diagnostics.cli import shared
from frappe_diagnostics.commands import allsites
from frappe_diagnostics.commands.support import connected_site, fallback_step, in_site_or_standalone, redactor
from frappe_diagnostics.engine.render import exit_code
from frappe_diagnostics.engine.runner import run_selected


@click.command("run", cls=shared.Command)
@pass_context
def run(context, checks, tags, as_json, fail_on, no_store, total_budget_s, parallel):
	"""Run health checks, store the run, print it; the exit code follows the worst status.

	With `bench --site all` every site is run, each in its own process, within --total-budget-s."""
	import frappe

	from frappe_diagnostics.site.service import run_health

	if len(context.sites or ()) > 1:
		every_site(context.sites, checks, tags, as_json, fail_on, no_store, total_budget_s, parallel)

	def in_site(site):
		try:
			result, doc = run_health(checks=checks, tags=tags, trigger="CLI", store=not no_store)
		except KeyError as e:
			raise shared.UsageFailure(e.args[0]) from None
		frappe.db.commit()
		title = f"Site {site}" + (f" — stored as {doc.name}" if doc else "")
		shared.print_run(result, redactor(), as_json, title=title, name=doc.name if doc else None)
		return result.status

	def standalone(ctx, reason):
		try:
			result = run_selected(ctx, checks, tags)
		except KeyError as e:
			raise shared.UsageFailure(e.args[0]) from None
		result.results.append(fallback_step(reason))
		title = f"Site {ctx.name} (from the bench folder: Frappe could not boot it; not stored)"
		shared.print_run(result, ctx.redactor(), as_json, title=title, fallback=reason)
		return result.status

	sys.exit(exit_code(in_site_or_standalone(context, in_site, standalone), fail_on))


run.params = [shared.CHECK, shared.TAG, *shared.output_params(store=True), *allsites.OPTIONS]


def every_site(sites, checks, tags, as_json, fail_on, no_store, budget_s, parallel):
	import os

	from frappe_diagnostics.engine.redact import Redactor
	from frappe_diagnostics.fleet.render import fleet_dict, fleet_table

	if checks or tags:
		raise shared.UsageFailure(
			"With --site all every check runs (a full run per site): drop --check and --tag."
		)
	result = allsites.run_every_site(list(sites), os.getcwd(), not no_store, budget_s, parallel)
	redactor = Redactor()  # each site's own run redacted its secrets before printing them
	click.echo(shared.to_json(fleet_dict(result, redactor)) if as_json else fleet_table(result))
	sys.exit(exit_code(result.status, fail_on))


@click.command("checks", cls=shared.Command)
@pass_context
def list_checks(context, as_json):
	"""List the site's checks with their tags and the thresholds in effect (Diagnostics Settings)."""
	from frappe_diagnostics.engine.runner import load_checks
	from frappe_diagnostics.site.service import site_context

	with connected_site(context):
		ctx = site_context()
		rows = shared.describe_checks(load_checks(ctx.hook_entries).all(scope="site"), ctx.settings)
	shared.print_checks(rows, as_json)


list_checks.params = [shared.JSON]
