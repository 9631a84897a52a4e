"""`diagnostics errors`: Error Log grouped by fingerprint, and the back-fill of existing Error Logs."""

from __future__ import annotations

import sys

import click
from frappe.commands import pass_context

from frappe_diagnostics.cli import shared
from frappe_diagnostics.commands.support import connected_site
from frappe_diagnostics.engine.render import to_json


@click.command("errors", cls=shared.Command)
@click.option(
	"--backfill", is_flag=True, help="Group every Error Log not grouped yet, in batches, with progress."
)
@click.option(
	"--batch-size",
	type=click.IntRange(50, 10_000),
	default=1000,
	show_default=True,
	help="Error Logs per batch of --backfill.",
)
@click.option(
	"--status", type=click.Choice(["Open", "Ignored", "Resolved"]), help="Only groups with this status."
)
@click.option("--since", help="Only groups seen since: 30m, 24h, 7d, 2w or a date (local time).")
@click.option(
	"--limit", type=click.IntRange(1, 500), default=20, show_default=True, help="How many groups to list."
)
@shared.with_params(shared.JSON)
@pass_context
def errors(context, backfill, batch_size, status, since, limit, as_json):
	"""Error Log grouped by fingerprint, most frequent first, with the matched solution."""
	from frappe_diagnostics.site.errorlog import list_groups, pending_count, process_error_logs

	with connected_site(context):
		if backfill:
			total = pending_count()
			with click.progressbar(
				length=total, label=f"Grouping {total} Error Logs", file=sys.stderr
			) as bar:
				seen = [0]

				def progress(done, _total):
					bar.update(done - seen[0])
					seen[0] = done

				process_error_logs(batch_size=batch_size, progress=progress)
		try:
			rows = list_groups(status=status, since=since, limit=limit)
		except ValueError as e:
			raise shared.UsageFailure(str(e)) from None
	if as_json:
		click.echo(to_json(rows))
		return
	for row in rows:
		solution = f"  → {row['solution']}" if row["solution"] else ""
		seen = str(row["last_occurrence"])[:16]
		line = f"{row['count']:>7} {row['last_7_days'] or 0:>6}/7d  {row['status']:<8} {seen}  {row['title']}"
		click.echo(line + solution)
	if not rows:
		click.echo("No error groups yet (run with --backfill to group existing Error Logs).")
