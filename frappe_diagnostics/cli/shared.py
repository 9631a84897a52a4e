"""What both command lines share: option declarations read from the catalog, usage errors that exit 64,
and the printing of runs and diagnoses. Framework-free; `commands/` (bench) and `cli` (standalone) use it.

Exit codes everywhere: 0 below --fail-on, 1 warning, 2 critical or error, 64 bad usage.
"""

from __future__ import annotations

import difflib
import os
import sys

import click

from frappe_diagnostics.engine.redact import Redactor
from frappe_diagnostics.engine.render import (
	FAIL_ON,
	diagnosis_to_dict,
	render_diagnosis,
	render_text,
	run_to_dict,
	to_json,
)
from frappe_diagnostics.troubleshooters.catalog import Input, Troubleshooter

EX_USAGE = 64


class UsageFailure(click.ClickException):
	"""Bad usage found after parsing (an unknown check, a bad input): the message and exit 64."""

	exit_code = EX_USAGE


def _as_usage(error: click.UsageError) -> click.UsageError:
	error.exit_code = EX_USAGE
	return error


def colour() -> bool:
	"""Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org)."""
	return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _no_colour(extra: dict) -> dict:
	if os.environ.get("NO_COLOR"):
		extra["color"] = False  # click then strips every style, its own and ours
	return extra


def did_you_mean(word: str, names) -> str:
	"""' Did you mean 'check' or 'checks'?' for a mistyped name, '' when nothing is close."""
	close = difflib.get_close_matches(word, sorted(names), n=3, cutoff=0.6)
	if not close:
		return ""
	quoted = [repr(name) for name in close]
	return (
		" Did you mean "
		+ (" or ".join(quoted) if len(quoted) < 3 else f"{', '.join(quoted[:-1])} or {quoted[-1]}")
		+ "?"
	)


class Command(click.Command):
	"""A click command whose usage errors (missing option, bad choice, unknown option) exit 64, not 2."""

	def parse_args(self, ctx, args):
		try:
			return super().parse_args(ctx, args)
		except click.UsageError as e:
			raise _as_usage(e) from None


class Group(click.Group):
	"""A click group whose usage errors exit 64, its commands' included."""

	command_class = Command

	def make_context(self, info_name, args, parent=None, **extra):
		return super().make_context(info_name, args, parent=parent, **_no_colour(extra))

	def parse_args(self, ctx, args):
		try:
			return super().parse_args(ctx, args)
		except click.UsageError as e:
			raise _as_usage(e) from None

	def resolve_command(self, ctx, args):
		try:
			return super().resolve_command(ctx, args)
		except click.UsageError as e:
			name = click.utils.make_str(args[0]) if args else ""
			if name and self.get_command(ctx, name) is None:
				e.message += did_you_mean(name, self.list_commands(ctx))
			raise _as_usage(e) from None

	def invoke(self, ctx):
		try:
			return super().invoke(ctx)
		except click.UsageError as e:
			raise _as_usage(e) from None


Group.group_class = Group


# --- options -----------------------------------------------------------------------------------------


def input_params(entry: Troubleshooter, surface: str) -> list[click.Parameter]:
	"""The catalog's inputs of `entry` as click parameters; values are parsed by the catalog, once."""
	return [_param(spec) for spec in entry.inputs_on(surface)]


def argument(name: str, required: bool, many: bool = False, shown: str = "") -> click.Argument:
	"""An argument shown as usage shows it: `SQL`, `[SET]` when it may be left out, `[FILES…]` for many."""
	metavar = (shown or name.upper()) + ("…" if many else "")
	return click.Argument(
		[name], required=required, metavar=metavar if required else f"[{metavar}]", nargs=-1 if many else 1
	)


def _param(spec: Input) -> click.Parameter:
	many = spec.type == "list"  # FILE… as an argument, a repeatable option otherwise
	if spec.positional:
		return argument(spec.name, spec.required, many)
	kind = click.Choice(spec.choices) if spec.type == "choice" else None
	shown = spec.default is not None
	return click.Option(
		[spec.option, spec.name],
		help=spec.help,
		required=spec.required,
		type=kind,
		default=spec.default,
		show_default=shown,
		multiple=many,
	)


JSON = click.Option(["--json", "as_json"], is_flag=True, help="Print JSON instead of text.")
FAIL = click.Option(
	["--fail-on"],
	type=click.Choice(FAIL_ON),
	default="critical",
	show_default=True,
	help="The lowest status that fails the command (exit 1 for warning, 2 for critical or error).",
)
NO_STORE = click.Option(["--no-store"], is_flag=True, help="Do not store the result as a Diagnostic Run.")
CHECK = click.Option(
	["--check", "checks"], multiple=True, metavar="ID", help="Run only this check (repeatable)."
)
TAG = click.Option(
	["--tag", "tags"], multiple=True, metavar="TAG", help="Run only checks with this tag (repeatable)."
)


def with_params(*params: click.Parameter):
	"""Attach shared declarations (JSON, FAIL, …) to a command, as `@click.option` would declare them anew."""

	def decorator(fn):
		fn.__click_params__ = [*getattr(fn, "__click_params__", []), *reversed(params)]
		return fn

	return decorator


def output_params(store: bool) -> list[click.Parameter]:
	return [JSON, FAIL, *([NO_STORE] if store else [])]


def announce(entry: Troubleshooter, inputs: dict) -> None:
	"""Print the entry's warnings for the inputs given (e.g. what CHECK TABLE does) before it runs."""
	for name, text in entry.warnings.items():
		if inputs.get(name):
			click.secho(text.format(**inputs), fg="yellow", err=True)


# --- output ------------------------------------------------------------------------------------------


def print_run(run, redactor: Redactor, as_json: bool, title: str = "", **extra) -> None:
	if as_json:
		click.echo(to_json(run_to_dict(run, redactor, **extra)))
	else:
		click.echo(render_text(run, redactor, colour=colour(), title=title))


def print_diagnosis(diagnosis, redactor: Redactor, as_json: bool, stored: str | None = None) -> None:
	"""A troubleshooter's answer, redacted: JSON, or the steps, the likely cause and the verdict."""
	if as_json:
		click.echo(to_json(diagnosis_to_dict(diagnosis, redactor, name=stored)))
		return
	click.echo(render_diagnosis(diagnosis, redactor, colour=colour()))
	if stored:
		click.echo(f"Stored as {stored}.")


def describe_checks(definitions, settings=None) -> list[dict]:
	"""The registry as a listing: id, scopes, tags, title and the thresholds in effect."""
	rows = []
	for definition in sorted(definitions, key=lambda c: c.id):
		row = definition.describe()
		if settings is not None:
			row["thresholds"] = {**row["thresholds"], **settings.thresholds.get(definition.id, {})}
			row["disabled"] = definition.id in settings.disabled
		rows.append(row)
	return rows


def print_checks(rows: list[dict], as_json: bool) -> None:
	if as_json:
		click.echo(to_json(rows))
		return
	for row in rows:
		thresholds = ", ".join(f"{k}={v:g}" for k, v in row["thresholds"].items()) or "-"
		state = "  (disabled)" if row.get("disabled") else ""
		click.echo(f"{row['id']:<28} {', '.join(row['tags']):<26} {row['title']}{state}")
		click.echo(f"{'':28} thresholds: {thresholds}")
