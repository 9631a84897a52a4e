"""`diagnostics debug start|status|stop`: a time-boxed debug session for this site (and optionally one user).

Exit codes: 0 done, 1 nothing to stop, 64 bad usage.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import click
from frappe.commands import pass_context

from frappe_diagnostics.cli import shared
from frappe_diagnostics.commands.support import connected_site, redactor
from frappe_diagnostics.engine.render import to_json
from frappe_diagnostics.observe.debugsession import LEVELS


@click.group("debug", cls=shared.Group)
def debug():
	"""Time-boxed debugging: the request monitor, the Recorder (SQL with EXPLAIN) and log levels, switched
	off by themselves at expiry, with a Debug Session report at the end. Never turns on developer_mode."""


def _until(epoch: float) -> str:
	return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


@debug.command("start", cls=shared.Command)
@click.option("--minutes", type=click.FloatRange(0.1, 1440), default=15, show_default=True, help="How long.")
@click.option("--monitor", is_flag=True, help="Frappe's request monitor (logs/monitor.json.log).")
@click.option("--recorder", is_flag=True, help="The Recorder: every request with its timings.")
@click.option(
	"--sql", is_flag=True, help="The Recorder with every query and its EXPLAIN (implies --recorder)."
)
@click.option("--log-level", type=click.Choice(LEVELS, case_sensitive=False), help="Level for --logger.")
@click.option(
	"--logger", "loggers", multiple=True, metavar="NAME", help="A logger for --log-level (default: frappe)."
)
@click.option("--user", help="Only this user's requests (Recorder and log levels; the monitor is site-wide).")
@pass_context
def start(context, minutes, monitor, recorder, sql, log_level, loggers, user):
	"""Turn the chosen instruments on for this site for --minutes."""
	import frappe

	from frappe_diagnostics.site.debug.session import DEVELOPER_MODE
	from frappe_diagnostics.site.debug.session import start as begin

	with connected_site(context) as site:
		try:
			session = begin(minutes, monitor, recorder, sql, log_level, tuple(loggers), user)
		except ValueError as e:
			raise shared.UsageFailure(str(e)) from None
		frappe.db.commit()
		click.echo(
			f"Debug session {session.log} on {site}: {session.describe()}, until {_until(session.expires)}."
		)
		click.echo("It switches itself off then (scheduler, and every health run); `debug stop` ends it now.")
		click.echo(DEVELOPER_MODE)


@debug.command("status", cls=shared.Command)
@shared.with_params(shared.JSON)
@pass_context
def status(context, as_json):
	"""Whether a debug session is on, what it turned on and until when."""
	from frappe_diagnostics.site.debug.session import current

	with connected_site(context) as site:
		session = current()
	if as_json:
		click.echo(to_json(session.to_conf() if session else None))
	elif session is None:
		click.echo(f"No debug session is on for {site}.")
	else:
		state = "on" if session.active() else f"LAPSED {session.lapsed_for() / 60:.0f} min ago"
		click.echo(f"{session.log}: {session.describe()}, {state}, until {_until(session.expires)}.")


@debug.command("stop", cls=shared.Command)
@shared.with_params(shared.JSON)
@pass_context
def stop(context, as_json):
	"""End the session now and store its Debug Session report."""
	from frappe_diagnostics.site.debug.session import stop as end

	with connected_site(context) as site:
		ended = end(trigger="CLI", reason="stopped")
		if ended is None:
			click.echo(f"No debug session is on for {site}.")
			sys.exit(1)
		session, report, doc = ended
		shared.print_diagnosis(report, redactor(), as_json, stored=doc.name)
		if not as_json:
			click.echo(f"Debug session {session.log} ended; the instruments are off.")
