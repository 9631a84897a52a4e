"""`bench --site S diagnostics maintain ACTION [key=value …] [--apply]`: the safe maintenance actions,
through the same fix framework as `diagnostics fix` (dry run first; --apply asks, applies and records)."""

from __future__ import annotations

import click
from frappe.commands import pass_context

from frappe_diagnostics.cli import shared
from frappe_diagnostics.commands.fixes import fix
from frappe_diagnostics.engine.steps import action as action_string
from frappe_diagnostics.engine.steps import parse_action

ACTIONS = (
	"clear_cache",
	"trim_logs",
	"delete_old_logs",
	"analyze_tables",
	"optimize_tables",
	"quarantine_orphans",
	"restart_process",
)


@click.command("maintain", cls=shared.Command)
@click.argument("name", metavar="ACTION")
@click.argument("params", nargs=-1, metavar="[KEY=VALUE]...")
@click.option("--apply", "do_apply", is_flag=True, help="Apply it (default: dry run only).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (with --apply).")
@shared.with_params(shared.JSON)
@pass_context
def maintain(context, name, params, do_apply, yes, as_json):
	"""Safe maintenance for this site: clear_cache, trim_logs, delete_old_logs days=N, analyze_tables
	tables=A,B, optimize_tables tables=A, quarantine_orphans limit=N, restart_process name=PROGRAM.

	Nothing changes without --apply; every applied action is a Diagnostic Fix Log.
	"""
	base, given = parse_action(name)  # an action string a diagnosis offered works too
	if base not in ACTIONS:
		raise shared.UsageFailure(
			f"Unknown maintenance action {base!r}; choose one of: {', '.join(ACTIONS)}."
		)
	for pair in params:
		key, sep, value = pair.partition("=")
		if not sep or not key:
			raise shared.UsageFailure(f"Parameters are KEY=VALUE (got {pair!r}).")
		given[key.strip()] = value
	click.get_current_context().invoke(
		fix, action=action_string(base, **given), do_apply=do_apply, yes=yes, run_name=None, as_json=as_json
	)
