"""What every `bench --site S diagnostics …` command shares: options, bad-usage exit code, printing a diagnosis."""

from __future__ import annotations

import sys

import click

from frappe_diagnostics.report import FAIL_ON, diagnosis_to_dict, render_diagnosis, to_json


class UsageFailure(click.ClickException):
	exit_code = 64


def output_options(fn):
	fn = click.option("--no-store", is_flag=True, help="Do not store the result as a Diagnostic Run.")(fn)
	fn = click.option("--fail-on", type=click.Choice(FAIL_ON), default="critical", show_default=True)(fn)
	return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(fn)


def print_diagnosis(diagnosis, doc, as_json: bool, verdict: str | None = None) -> None:
	"""Print a stored (or unstored) diagnosis as JSON or text, redacted."""
	from frappe_diagnostics.store import site_redactor

	redactor = site_redactor()
	if as_json:
		click.echo(to_json(diagnosis_to_dict(diagnosis, redactor, name=doc.name if doc else None)))
		return
	click.echo(render_diagnosis(diagnosis, redactor, colour=sys.stdout.isatty()))
	if verdict:
		click.echo(redactor.text(verdict))
	if doc:
		click.echo(f"Stored as {doc.name}.")
