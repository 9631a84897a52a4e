"""`diagnostics fix ACTION [--apply]`: dry-run or apply a fix a diagnosis offered, recorded and revertible.

Exit codes: 0 when the dry run or the fix succeeded, 1 when not confirmed, 2 when refused or failed,
64 for bad usage.
"""

from __future__ import annotations

import sys

import click
from frappe.commands import pass_context

from frappe_diagnostics.cli import shared
from frappe_diagnostics.commands.support import connected_site
from frappe_diagnostics.engine.render import to_json


def _print_plan(result: dict) -> None:
	click.echo(f"{result['title']}: {result['description']}")
	if result.get("noop"):
		click.echo("Nothing to change: the state is already what this fix would set.")
		return
	for change in result["changes"]:
		click.echo(f"  {change['field']}: {change['before']!r} -> {change['after']!r}")
	click.echo(
		"Reversible: " + ("yes (diagnostics fix 'revert?log=<log>')" if result["reversible"] else "no")
	)


def _done(log: dict, reverting: bool, reversible: bool) -> str:
	if reverting:
		return f"Reverted {log['name']}: {log['target_doctype']} {log['target_name']} is as it was before."
	undo = f" (undo: diagnostics fix 'revert?log={log['name']}' --apply)" if reversible else " (one-way)"
	return f"Applied and recorded as {log['name']}{undo}."


@click.command("fix", cls=shared.Command)
@click.argument("action")
@click.option("--apply", "do_apply", is_flag=True, help="Apply the fix (default: dry run only).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (with --apply).")
@click.option("--run", "run_name", help="The Diagnostic Run that proposed this fix (for the audit log).")
@shared.with_params(shared.JSON)
@pass_context
def fix(context, action, do_apply, yes, run_name, as_json):
	"""Dry-run or apply a fix offered by a diagnosis, e.g. 'enable_user?user=a@b.c' or 'revert?log=DFL-…'.

	Without --apply nothing changes: the command prints exactly what would. Every applied fix is recorded
	as a Diagnostic Fix Log (with the state before and after).
	"""
	import frappe

	from frappe_diagnostics.site import fixes

	code = 0
	with connected_site(context):
		try:
			result = fixes.dry_run(action)
		except fixes.FixRefused as e:
			click.secho(str(e), fg="red", err=True)
			sys.exit(2)
		except ValueError as e:
			raise shared.UsageFailure(str(e)) from None
		if not do_apply or result["noop"]:
			if as_json:
				click.echo(to_json(result))
			else:
				_print_plan(result)
				click.echo("" if result["noop"] else "Dry run only: add --apply to change it.")
			return
		if not as_json:
			_print_plan(result)
		if not yes and not click.confirm("Apply this change?", default=False):
			click.echo("Not applied.")
			sys.exit(1)
		try:
			log = fixes.apply(action, result["confirmation"], trigger="CLI", run=run_name)
			frappe.db.commit()
		except fixes.FixRefused as e:
			click.secho(str(e), fg="red", err=True)
			code = 2
		else:
			click.echo(
				to_json(log) if as_json else _done(log, result["name"] == fixes.REVERT, result["reversible"])
			)
	sys.exit(code)
