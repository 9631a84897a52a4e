"""`frappe-diagnostics`: the checks and troubleshooters from a bench folder when the site cannot boot, or of
the host alone. Its troubleshooter commands are generated from the catalog, like the bench commands.

Exit codes: 0 below --fail-on, 1 warning, 2 critical or error, 64 bad usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from frappe_diagnostics import __version__
from frappe_diagnostics.cli import fleet, shared
from frappe_diagnostics.cli.metrics import metrics
from frappe_diagnostics.cli.place import Place, for_entry, host_and_site, require_site
from frappe_diagnostics.engine.context import find_bench, hook_entries_for_bench
from frappe_diagnostics.engine.registry import TROUBLESHOOTER_HOOK
from frappe_diagnostics.engine.render import exit_code
from frappe_diagnostics.engine.result import worst
from frappe_diagnostics.engine.runner import load_checks, run_selected
from frappe_diagnostics.troubleshooters import catalog
from frappe_diagnostics.troubleshooters.catalog import STANDALONE, BadInput

PLACE = [
	click.Option(
		["--bench"],
		type=click.Path(path_type=Path),
		metavar="PATH",
		help="Bench folder (default: found at or above here).",
	),
	click.Option(
		["--site"],
		metavar="NAME",
		help="Site name: a folder under sites/ (default: currentsite.txt, default_site or the only site).",
	),
	click.Option(
		["--budget-ms"], type=click.IntRange(50, 60_000), metavar="MS", help="Time budget per check in ms."
	),
]


class Main(shared.Group):
	"""The command group, with the commands of the troubleshooters the bench's other apps add through
	their `diagnostics_troubleshooters` hook (the bench of --bench, else the one found from here)."""

	def resolve_command(self, ctx, args):
		add_hooked_commands(_bench_arg(args))
		return super().resolve_command(ctx, args)

	def list_commands(self, ctx):
		add_hooked_commands(None)
		return super().list_commands(ctx)


def _bench_arg(args: list[str]) -> str | None:
	for i, arg in enumerate(args):
		if arg == "--bench" and i + 1 < len(args):
			return args[i + 1]
		if arg.startswith("--bench="):
			return arg.partition("=")[2]
	return None


def add_hooked_commands(bench: str | None) -> None:
	path = Path(bench).expanduser() if bench else find_bench()
	if path is None or not (path / "sites").is_dir():
		return
	catalog.load_hooks(hook_entries_for_bench(path, TROUBLESHOOTER_HOOK))
	for entry, reason in sorted(catalog.hook_errors.items()):
		click.echo(
			f"The {TROUBLESHOOTER_HOOK} hook entry {entry!r} could not be imported: {reason}", err=True
		)
	for entry in catalog.on(STANDALONE):
		if entry.command not in main.commands:
			main.add_command(troubleshooter_command(entry))


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="frappe-diagnostics")
def main():
	"""Checks and troubleshooters of frappe_diagnostics, straight from a bench folder (no Frappe boot)."""


def _command(name: str, params: list, help_text: str):
	def decorator(fn):
		main.add_command(shared.Command(name, params=params, callback=fn, help=help_text))
		return fn

	return decorator


@_command(
	"check",
	[*PLACE, *fleet.OPTIONS, shared.JSON, shared.FAIL, shared.CHECK, shared.TAG],
	"Run the site's health checks (or every site's, with --all-sites).",
)
def check(bench, site, budget_ms, all_sites, total_budget_s, parallel, as_json, fail_on, checks, tags):
	if all_sites:
		fleet.refuse_selection(site, checks, tags)
		fleet.run(Place(bench, None, budget_ms), total_budget_s, parallel, as_json, fail_on)
	ctx = require_site(Place(bench, site, budget_ms))
	try:
		run = run_selected(ctx, checks, tags)
	except KeyError as e:  # the registry names the bench's listing; this command has its own
		message = e.args[0].replace("`diagnostics checks`", "`frappe-diagnostics checks`")
		raise shared.UsageFailure(message) from None
	title = f"Site {ctx.name} ({ctx.bench_path})"
	shared.print_run(run, ctx.redactor(), as_json, title=title, context=ctx.describe())
	sys.exit(exit_code(run.status, fail_on))


@_command(
	"doctor",
	[*PLACE, *fleet.OPTIONS, shared.JSON, shared.FAIL],
	"Check the host for running Frappe and, inside a bench, why its site (or every site) won't start.",
)
def doctor(bench, site, budget_ms, all_sites, total_budget_s, parallel, as_json, fail_on):
	if all_sites:
		fleet.refuse_selection(site, (), ())
		fleet.run(Place(bench, None, budget_ms), total_budget_s, parallel, as_json, fail_on, doctor=True)
	host, ctx = host_and_site(Place(bench, site, budget_ms))
	host_run = run_selected(host, scope="host")
	diagnosis = catalog.run(ctx, "doctor", STANDALONE) if ctx is not None else None
	redactor = host.redactor(ctx)
	if as_json:
		data = {"host": shared.run_to_dict(host_run, redactor)}
		if diagnosis is not None:
			data["doctor"] = shared.diagnosis_to_dict(diagnosis, redactor)
		click.echo(shared.to_json(data))
	else:
		shared.print_run(host_run, redactor, False, title="Host (install readiness)")
		click.echo()
		if diagnosis is None:
			click.echo("No bench found here: only the host was checked (pass --bench PATH to check a site).")
		else:
			shared.print_diagnosis(diagnosis, redactor, False)
	statuses = [host_run.status] + ([diagnosis.status] if diagnosis else [])
	sys.exit(exit_code(worst(statuses), fail_on))


@_command("checks", [shared.JSON], "List the registered checks with their tags and default thresholds.")
def list_checks(as_json):
	shared.print_checks(shared.describe_checks(load_checks().all(scope=None)), as_json)


def troubleshooter_command(entry: catalog.Troubleshooter) -> click.Command:
	"""A standalone command for a catalog entry: place options, its inputs, output options."""

	def callback(bench, site, budget_ms, as_json, fail_on, **raw):
		ctx = for_entry(entry.needs, Place(bench, site, budget_ms), raw)
		shared.announce(entry, raw)
		try:
			diagnosis = catalog.run(ctx, entry.name, STANDALONE, **raw)
		except (BadInput, ValueError) as e:
			raise shared.UsageFailure(str(e)) from None
		shared.print_diagnosis(diagnosis, ctx.redactor(), as_json)
		sys.exit(exit_code(diagnosis.status, fail_on))

	params = [*PLACE, *shared.input_params(entry, STANDALONE), shared.JSON, shared.FAIL]
	return shared.Command(entry.command, params=params, callback=callback, help=entry.question)


main.add_command(metrics)

for _entry in catalog.on(STANDALONE):
	if _entry.command not in main.commands:  # `doctor` adds the host checks to the triage
		main.add_command(troubleshooter_command(_entry))


def _add_recovery_commands() -> None:
	from frappe_diagnostics.cli.recovery import add_standalone

	add_standalone(main, PLACE)


_add_recovery_commands()
