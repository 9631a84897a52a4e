"""What every `bench --site S diagnostics …` command shares: a connected site for the command's length, and
for the commands that can answer without Frappe (doctor, run, the standalone troubleshooters) the fall-back
to the standalone diagnosis when the site cannot boot."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click

T = TypeVar("T")


@contextmanager
def connected_site(context):
	"""frappe.init + connect for the command's site, destroyed afterwards whatever happens; yields the name."""
	import frappe
	from frappe.commands import get_site

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		yield site
	finally:
		frappe.destroy()


def in_site_or_standalone(context, in_site: Callable[[str], T], standalone: Callable[..., T]) -> T:
	"""`in_site(site)` inside the booted site; when the site cannot boot (its config unreadable, its database
	refusing or gone, a core table missing), `standalone(ctx, reason)` with the site read from the bench
	folder instead. Usage errors and exits pass through; no other exception ends in a traceback."""
	from frappe.commands import get_site

	site = get_site(context)
	bench = _bench_path()
	reason = _unreadable_config(bench, site)
	if reason is None:
		try:
			with connected_site(context):
				return in_site(site)
		except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
			raise
		except Exception as e:
			reason = f"{type(e).__name__}: {str(e).strip() or 'no message'}"[:300]
	ctx = standalone_context(bench, site)
	reason = ctx.redactor().text(reason)
	click.secho(
		f"Frappe could not boot {site} ({reason}); diagnosing it from the bench folder instead.",
		fg="yellow",
		err=True,
	)
	return standalone(ctx, reason)


def standalone_context(bench: Path, site: str):
	from frappe_diagnostics.cli.place import Place, require_site

	return require_site(Place(bench, site))


def _bench_path() -> Path:
	from frappe.utils import get_bench_path

	return Path(get_bench_path())


def _unreadable_config(bench: Path, site: str) -> str | None:
	"""Why Frappe cannot read the site's config (it would print the error and go on half-configured)."""
	from frappe_diagnostics.engine.context import StandaloneContext

	errors = StandaloneContext(bench, site).config_errors
	if not errors:
		return None
	first = errors[0]
	where = f" at line {first['line']}, column {first['column']}" if "line" in first else ""
	return f"{first['file']}: {first['error']}{where}"


def fallback_step(reason: str):
	"""The step a fall-back diagnosis ends with: what failed, and that it ran from the bench folder."""
	from frappe_diagnostics.engine.result import Fix, Status
	from frappe_diagnostics.engine.steps import step

	return step(
		"site.boot",
		"Site boot",
		Status.SKIPPED,
		f"Frappe could not boot the site ({reason}); this ran from the bench folder instead and was not stored.",
		fixes=[Fix("Fix the likely cause, then run the command again to store its result.")],
	)


def redactor():
	from frappe_diagnostics.site.store import site_redactor

	return site_redactor()
