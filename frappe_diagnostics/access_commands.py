"""`bench --site S diagnostics why-no-login | why-denied | fix`: access troubleshooters and fixes.

Exit codes as for `diagnostics run`: 0 below --fail-on, 1 warning, 2 critical or error, 64 bad usage.
`fix` exits 0 when the dry run or the fix succeeded, 2 when it was refused or failed, 64 for bad usage.
"""

from __future__ import annotations

import sys

import click
from frappe.commands import get_site, pass_context

from frappe_diagnostics.command_support import UsageFailure, output_options, print_diagnosis
from frappe_diagnostics.report import exit_code, to_json

PTYPES = (
	"read",
	"write",
	"create",
	"delete",
	"submit",
	"cancel",
	"amend",
	"print",
	"email",
	"report",
	"export",
	"import",
	"share",
	"select",
)


AccessUsageError = UsageFailure
_output_options = output_options


def _connect(context):
	import frappe

	frappe.init(site=get_site(context))
	frappe.connect()
	return frappe


def _diagnose(context, run, as_json: bool, fail_on: str, no_store: bool, **inputs):
	frappe = _connect(context)
	try:
		try:
			diagnosis, doc = run(trigger="CLI", store=not no_store, **inputs)
		except ValueError as e:
			raise AccessUsageError(str(e)) from None
		frappe.db.commit()
		print_diagnosis(
			diagnosis, doc, as_json, diagnosis.verdict if diagnosis.likely_cause is not None else None
		)
	finally:
		frappe.destroy()
	sys.exit(exit_code(diagnosis.status, fail_on))


@click.command("why-no-login")
@click.option("--user", required=True, help="Email address or user name.")
@click.option("--ip", help="Also test logging in from this address (lockout, Restrict IP).")
@_output_options
@pass_context
def why_no_login(context, user, ip, as_json, fail_on, no_store):
	"""Why can't this user log in? Account, lockout, password, IP, hours, two-factor, sessions, Redis."""
	from frappe_diagnostics.access.service import why_no_login as run

	_diagnose(context, run, as_json, fail_on, no_store, user=user, ip=ip)


@click.command("why-denied")
@click.option("--user", required=True, help="Email address or user name.")
@click.option("--doctype", required=True)
@click.option("--name", help="The document (optional: without it, the DocType as a whole).")
@click.option("--ptype", type=click.Choice(PTYPES), default="read", show_default=True)
@_output_options
@pass_context
def why_denied(context, user, doctype, name, ptype, as_json, fail_on, no_store):
	"""Why can't this user read/write/create/submit… this document, or see it in the list?"""
	from frappe_diagnostics.access.service import why_denied as run

	_diagnose(context, run, as_json, fail_on, no_store, user=user, doctype=doctype, name=name, ptype=ptype)


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


@click.command("fix")
@click.argument("action")
@click.option("--apply", "do_apply", is_flag=True, help="Apply the fix (default: dry run only).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (with --apply).")
@click.option("--run", "run_name", help="The Diagnostic Run that proposed this fix (for the audit log).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
def fix(context, action, do_apply, yes, run_name, as_json):
	"""Dry-run or apply a fix offered by a diagnosis, e.g. 'enable_user?user=a@b.c' or 'revert?log=DFL-…'.

	Without --apply nothing changes: the command prints exactly what would. Every applied fix is recorded
	as a Diagnostic Fix Log (with the state before and after).
	"""
	frappe = _connect(context)
	from frappe_diagnostics.access import fixes

	code = 0
	try:
		try:
			result = fixes.dry_run(action)
		except ValueError as e:
			raise AccessUsageError(str(e)) from None
		except fixes.FixRefused as e:
			click.secho(str(e), fg="red", err=True)
			sys.exit(2)
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
			click.echo(to_json(log) if as_json else f"Applied and recorded as {log['name']}.")
	finally:
		frappe.destroy()
	sys.exit(code)


access_commands = [why_no_login, why_denied, fix]
