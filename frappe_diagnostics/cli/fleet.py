"""`frappe-diagnostics check|doctor --all-sites`: every site of a bench, in parallel within one total
budget; a table of sites by status (or JSON with one object per site); the exit code of the worst."""

from __future__ import annotations

import sys

import click

from frappe_diagnostics.cli import shared
from frappe_diagnostics.cli.place import Place, find
from frappe_diagnostics.engine.render import exit_code
from frappe_diagnostics.engine.result import worst


def budget_options(total_budget_s: float, parallel: int, what: str) -> list[click.Option]:
	"""--total-budget-s and --parallel for running every site (standalone --all-sites, bench --site all)."""
	return [
		click.Option(
			["--total-budget-s"],
			type=click.FloatRange(1, 3600),
			metavar="S",
			default=total_budget_s,
			show_default=True,
			help=f"With {what}: the whole run's budget; sites not started by then are skipped.",
		),
		click.Option(
			["--parallel"],
			type=click.IntRange(1, 64),
			metavar="N",
			default=parallel,
			show_default=True,
			help=f"With {what}: sites at once.",
		),
	]


OPTIONS = [
	click.Option(
		["--all-sites"], is_flag=True, help="Every site of the bench (bench services checked once)."
	),
	*budget_options(120, 4, "--all-sites"),
]


def refuse_selection(site, checks, tags) -> None:
	if site or checks or tags:
		raise shared.UsageFailure(
			"--all-sites checks every site with every check: drop --site, --check and --tag."
		)


def run(
	place: Place, total_budget_s: float, parallel: int, as_json: bool, fail_on: str, doctor: bool = False
):
	"""Run, print and exit with the worst status's code."""
	from frappe_diagnostics.fleet.allsites import check_all_sites
	from frappe_diagnostics.fleet.render import fleet_dict, fleet_table

	bench = find(place)
	host_run = _host(place) if doctor else None
	result = check_all_sites(bench, total_budget_s, parallel, place.budget_ms, doctor=doctor)
	if not result.sites:
		raise shared.UsageFailure(f"{bench}/sites holds no site (no folder with a site_config.json).")
	statuses = [result.status] + ([host_run.status] if host_run else [])
	if as_json:
		data = fleet_dict(result, result.redactor)
		if host_run is not None:
			data["host"] = shared.run_to_dict(host_run, result.redactor)
		click.echo(shared.to_json(data))
	else:
		if host_run is not None:
			shared.print_run(host_run, result.redactor, False, title="Host (install readiness)")
			click.echo()
		click.echo(result.redactor.text(fleet_table(result)))
	sys.exit(exit_code(worst(statuses), fail_on))


def _host(place: Place):
	from frappe_diagnostics.engine.context import HostContext
	from frappe_diagnostics.engine.runner import run_selected

	host = HostContext()
	if place.budget_ms:
		host.settings.check_budget_ms = place.budget_ms
	return run_selected(host, scope="host")
