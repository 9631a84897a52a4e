"""`frappe-diagnostics`: the checks from a bench folder when the site cannot boot, or of the host alone.

Exit codes: 0 below --fail-on, 1 warning, 2 critical or error, 64 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from frappe_diagnostics import __version__
from frappe_diagnostics.engine.context import (
	HostContext,
	SiteContext,
	StandaloneContext,
	bench_sites,
	default_site,
	find_bench,
)
from frappe_diagnostics.engine.redact import Redactor
from frappe_diagnostics.engine.registry import registry
from frappe_diagnostics.engine.result import worst
from frappe_diagnostics.engine.runner import run_checks
from frappe_diagnostics.report import (
	FAIL_ON,
	diagnosis_to_dict,
	exit_code,
	render_diagnosis,
	render_text,
	run_to_dict,
	to_json,
)

EX_USAGE = 64


class UsageError(Exception):
	pass


class _Parser(argparse.ArgumentParser):
	def error(self, message):
		self.print_usage(sys.stderr)
		print(f"{self.prog}: {message}", file=sys.stderr)
		raise SystemExit(EX_USAGE)


def build_parser() -> argparse.ArgumentParser:
	parser = _Parser(prog="frappe-diagnostics", description=__doc__.splitlines()[0])
	parser.add_argument("--version", action="version", version=__version__)
	sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

	def common(p, site=True):
		p.add_argument(
			"--bench", type=Path, help="bench folder (default: found at or above the current folder)"
		)
		if site:
			p.add_argument("--site", help="site name (default: sites/currentsite.txt or the only site)")
		p.add_argument("--json", action="store_true", help="print JSON instead of a table")
		p.add_argument(
			"--fail-on", choices=FAIL_ON, default="critical", help="lowest status that fails (exit 1/2)"
		)
		p.add_argument(
			"--budget-ms", type=int, help="time budget per check in ms (default: site settings or 1000)"
		)

	check = sub.add_parser("check", help="run the site's health checks without booting Frappe")
	common(check)
	check.add_argument(
		"--check", action="append", default=[], metavar="ID", help="run only this check (repeatable)"
	)
	check.add_argument(
		"--tag", action="append", default=[], metavar="TAG", help="run only checks with this tag"
	)
	doctor = sub.add_parser(
		"doctor", help="check the host, and why the bench's site won't start (when there is one)"
	)
	common(doctor)
	database = sub.add_parser("database", help="why is the site's database slow or broken?")
	common(database)
	database.add_argument("--doctype", help="also check this DocType's Link fields")
	database.add_argument(
		"--check-table", dest="table", help="run CHECK TABLE on this one table (may lock it)"
	)
	perf = sub.add_parser("performance", help="why is the site slow?")
	common(perf)
	perf.add_argument("--hours", type=float, default=24, help="time window of the request monitor log")
	explain = sub.add_parser("explain", help="why is this query slow? (EXPLAIN only; the query never runs)")
	common(explain)
	explain.add_argument("sql", help="one read-only SELECT statement")
	logs = sub.add_parser("logs", help="what do the bench's logs say? (works with the site down)")
	common(logs)
	logs.add_argument("--since", default="24h", help="30m, 24h, 7d, 2w or a date (UTC)")
	slow = sub.add_parser("slowlog", help="which statements cost the most time? (MariaDB's slow log)")
	common(slow)
	slow.add_argument("--path", help="a slow log file (default: ask the site's server for its own)")
	slow.add_argument("--since", default="24h", help="30m, 24h, 7d, 2w or a date (UTC)")
	listing = sub.add_parser("checks", help="list the registered checks")
	listing.add_argument("--json", action="store_true")
	return parser


def main(argv=None) -> int:
	args = build_parser().parse_args(argv)
	try:
		return COMMANDS[args.command](args)
	except UsageError as e:
		print(f"frappe-diagnostics: {e}", file=sys.stderr)
		return EX_USAGE


def site_context(args, required: bool = True) -> StandaloneContext | None:
	bench = args.bench.resolve() if args.bench else find_bench()
	if args.bench and not (bench / "sites").is_dir():
		raise UsageError(f"{bench} is not a bench folder (it has no sites/ folder).")
	if bench is None:
		if required:
			raise UsageError(
				"No bench found at or above this folder; pass --bench PATH, or run `frappe-diagnostics doctor` to check the host."
			)
		return None
	site = args.site or default_site(bench)
	if not site:
		sites = ", ".join(bench_sites(bench)) or "none"
		raise UsageError(f"Name the site with --site (sites in {bench}: {sites}).")
	if not (bench / "sites" / site).is_dir():
		raise UsageError(
			f"There is no site {site!r} in {bench}/sites (sites: {', '.join(bench_sites(bench)) or 'none'})."
		)
	ctx = StandaloneContext(bench, site)
	ctx.load_settings()
	if args.budget_ms:
		ctx.settings.check_budget_ms = max(50, args.budget_ms)
	registry.load_hooks(ctx.hook_entries)
	return ctx


def cmd_check(args) -> int:
	ctx = site_context(args)
	try:
		checks = registry.select(ids=args.check, tags=args.tag, scope="site")
	except KeyError as e:
		raise UsageError(e.args[0]) from None
	run = run_checks(ctx, checks)
	redactor = Redactor(ctx.secret_values())
	if args.json:
		print(to_json(run_to_dict(run, redactor, context=ctx.describe())))
	else:
		print(
			render_text(
				run, redactor, colour=sys.stdout.isatty(), title=f"Site {ctx.name} ({ctx.bench_path})"
			)
		)
	return exit_code(run.status, args.fail_on)


def cmd_doctor(args) -> int:
	"""The host's install readiness; with a bench and a site, also why the site won't start."""
	from frappe_diagnostics.troubleshooters.startup import diagnose_startup

	registry.load_hooks(["frappe_diagnostics.checks"])
	host = HostContext()
	if args.budget_ms:
		host.settings.check_budget_ms = max(50, args.budget_ms)
	host_run = run_checks(host, registry.all(scope="host"))
	ctx = site_context(args, required=False)
	diagnosis = diagnose_startup(ctx) if ctx is not None else None
	redactor = Redactor([*host.secret_values(), *(ctx.secret_values() if ctx else [])])
	if args.json:
		data = {"host": run_to_dict(host_run, redactor)}
		if diagnosis is not None:
			data["startup"] = diagnosis_to_dict(diagnosis, redactor)
		print(to_json(data))
	else:
		colour = sys.stdout.isatty()
		print(render_text(host_run, redactor, colour, title="Host (install readiness)"))
		if diagnosis is None:
			print("\nNo bench found here: only the host was checked (pass --bench PATH to check a site).")
		else:
			print()
			print(render_diagnosis(diagnosis, redactor, colour))
	statuses = [host_run.status] + ([diagnosis.status] if diagnosis else [])
	return exit_code(worst(statuses), args.fail_on)


def bench_context(args):
	"""The site when one can be named, else the bench alone (logs need no site)."""
	bench = args.bench.resolve() if args.bench else find_bench()
	if bench is None or not (bench / "sites").is_dir():
		raise UsageError("No bench found here; pass --bench PATH (the folder with sites/ and logs/).")
	if args.site or default_site(bench):
		return site_context(args)
	return SiteContext(bench.name, bench_path=bench)


def cmd_troubleshoot(name: str, args, ctx=None, **inputs) -> int:
	from frappe_diagnostics.troubleshooters.catalog import get_troubleshooter

	ctx = ctx or site_context(args)
	try:
		diagnosis = get_troubleshooter(name)(ctx, **inputs)
	except ValueError as e:
		raise UsageError(str(e)) from None
	redactor = Redactor(ctx.secret_values())
	if args.json:
		print(to_json(diagnosis_to_dict(diagnosis, redactor)))
	else:
		print(render_diagnosis(diagnosis, redactor, colour=sys.stdout.isatty()))
	return exit_code(diagnosis.status, args.fail_on)


def cmd_database(args) -> int:
	if args.table:
		print(
			f"CHECK TABLE {args.table} reads the whole table and may lock it while it runs.", file=sys.stderr
		)
	return cmd_troubleshoot("database", args, doctype=args.doctype, table=args.table)


def cmd_checks(args) -> int:
	registry.load_hooks(["frappe_diagnostics.checks"])
	checks = sorted(registry.all(scope=None), key=lambda c: c.id)
	if args.json:
		print(to_json([c.describe() for c in checks]))
	else:
		for c in checks:
			print(f"{c.id:<28} {'/'.join(c.scopes):<10} {', '.join(c.tags):<24} {c.title}")
	return 0


COMMANDS = {
	"check": cmd_check,
	"doctor": cmd_doctor,
	"database": cmd_database,
	"performance": lambda args: cmd_troubleshoot("performance", args, hours=args.hours),
	"explain": lambda args: cmd_troubleshoot("explain", args, sql=args.sql),
	"logs": lambda args: cmd_troubleshoot("logs", args, ctx=bench_context(args), since=args.since),
	"slowlog": lambda args: cmd_troubleshoot(
		"slowlog", args, ctx=bench_context(args) if args.path else None, path=args.path, since=args.since
	),
	"checks": cmd_checks,
}

if __name__ == "__main__":
	sys.exit(main())
