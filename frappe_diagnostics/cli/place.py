"""Where the standalone command looks: the bench folder and the site, validated into a context.

A site is a folder name under sites/ and nothing else: `--site ..` or `--site /etc` is bad usage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from frappe_diagnostics.cli.shared import UsageFailure
from frappe_diagnostics.engine.context import (
	HostContext,
	SiteContext,
	StandaloneContext,
	bench_sites,
	default_site,
	find_bench,
)
from frappe_diagnostics.engine.runner import load_checks

SITE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


@dataclass
class Place:
	bench: Path | None = None
	site: str | None = None
	budget_ms: int | None = None


def find(place: Place, required: bool = True) -> Path | None:
	"""The bench folder: --bench (which must hold sites/), else the nearest one at or above here."""
	if place.bench is not None:
		bench = Path(place.bench).expanduser().resolve()
		if not (bench / "sites").is_dir():
			raise UsageFailure(f"{bench} is not a bench folder (it has no sites/ folder).")
		return bench
	bench = find_bench()
	if bench is None and required:
		raise UsageFailure(
			"No bench found at or above this folder; pass --bench PATH, or run `frappe-diagnostics doctor` "
			"to check the host alone."
		)
	return bench


def site_name(bench: Path, given: str | None) -> str:
	"""The site to look at: --site (a folder name under sites/), else currentsite.txt or the only site."""
	sites = ", ".join(bench_sites(bench)) or "none"
	if given is not None and (not SITE_NAME.match(given) or ".." in given):
		raise UsageFailure(f"--site takes the name of a folder under {bench}/sites (sites: {sites}).")
	name = given or default_site(bench)
	if not name:
		raise UsageFailure(f"Name the site with --site (sites in {bench}: {sites}).")
	if not SITE_NAME.match(name) or ".." in name or not (bench / "sites" / name).is_dir():
		raise UsageFailure(f"There is no site {name!r} in {bench}/sites (sites: {sites}).")
	return name


def require_site(place: Place) -> StandaloneContext:
	bench = find(place)
	return _context(bench, site_name(bench, place.site), place.budget_ms)


def bench_or_site(place: Place) -> SiteContext:
	"""The site when one can be named, else the bench alone (log files need no site)."""
	bench = find(place)
	if place.site or default_site(bench):
		return _context(bench, site_name(bench, place.site), place.budget_ms)
	return SiteContext(bench.name, bench_path=bench)


def for_entry(needs: str, place: Place, raw: dict) -> SiteContext:
	"""The context a catalog entry answers in from the standalone command (catalog.NEEDS)."""
	if needs == "files" and raw.get("files") and find(place, required=False) is None:
		return SiteContext("")  # no site: the analysers read the files given, nothing else
	if needs == "database" and find(place, required=False) is None:
		host = HostContext()
		if not host.database:
			raise UsageFailure(
				"No bench found here: pass --bench PATH, or name the database to use with DIAG_DB_NAME "
				"(and DIAG_DB_HOST, DIAG_DB_PORT, DIAG_DB_USER, DIAG_DB_PASSWORD)."
			)
		return host
	if needs in ("bench", "files"):
		return bench_or_site(place)
	return require_site(place)


def host_and_site(place: Place) -> tuple[HostContext, StandaloneContext | None]:
	"""The host, and the bench's site when there is a bench here (the doctor checks both)."""
	host = HostContext()
	if place.budget_ms:
		host.settings.check_budget_ms = place.budget_ms
	bench = find(place, required=False)
	if bench is None and place.site is not None:
		raise UsageFailure(
			f"--site {place.site} names a site of a bench, and there is no bench here: run this in the bench "
			"folder or pass --bench PATH (or leave --site out to check the host alone)."
		)
	if bench is None:
		return host, None
	return host, _context(bench, site_name(bench, place.site), place.budget_ms)


def _context(bench: Path, site: str, budget_ms: int | None) -> StandaloneContext:
	ctx = StandaloneContext(bench, site)
	ctx.load_settings()
	if budget_ms:
		ctx.settings.check_budget_ms = budget_ms
	load_checks(ctx.hook_entries)
	return ctx
