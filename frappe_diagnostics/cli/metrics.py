"""`frappe-diagnostics metrics --bench PATH`: every site of a bench as Prometheus metrics, from stored
results and cheap counters (never by running the checks): printed, served on a port, or written to a file
for node_exporter's textfile collector."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from frappe_diagnostics.cli import shared
from frappe_diagnostics.cli.place import Place, find

TOKEN_ENV = "DIAG_METRICS_TOKEN"


@click.command("metrics", cls=shared.Command)
@click.option(
	"--bench",
	type=click.Path(path_type=Path),
	metavar="PATH",
	help="Bench folder (default: found at or above here).",
)
@click.option(
	"--port",
	type=click.IntRange(1, 65535),
	metavar="PORT",
	help=f"Serve the metrics over HTTP on this port (scrapes must send `Authorization: Bearer ${TOKEN_ENV}` "
	"when that variable is set).",
)
@click.option(
	"--addr",
	default="127.0.0.1",
	show_default=True,
	metavar="ADDR",
	help="Address to serve on (with --port).",
)
@click.option(
	"--textfile",
	type=click.Path(path_type=Path),
	metavar="FILE",
	help="Write the metrics to this .prom file and exit.",
)
@click.option(
	"--parallel",
	type=click.IntRange(1, 64),
	default=8,
	show_default=True,
	metavar="N",
	help="Sites read at once.",
)
def metrics(bench, port, addr, textfile, parallel):
	"""Metrics of every site of a bench (one Prometheus target per bench)."""
	from frappe_diagnostics.observe.bench import BenchCollector
	from frappe_diagnostics.observe.exposition import render

	if port and textfile:
		raise shared.UsageFailure("Give --port or --textfile, not both.")
	if textfile and not Path(textfile).expanduser().parent.is_dir():
		folder = Path(textfile).expanduser().parent
		raise shared.UsageFailure(
			f"{folder} does not exist: give --textfile a path in an existing folder (node_exporter's "
			"--collector.textfile.directory)."
		)
	collector = BenchCollector(find(Place(bench)), parallel=parallel)
	try:
		if textfile:
			from frappe_diagnostics.observe.serve import write_textfile

			try:
				write_textfile(collector, str(textfile))
			except OSError as e:
				raise shared.UsageFailure(f"Cannot write {textfile}: {e.strerror or e}.") from None
		elif port:
			_serve(collector, port, addr)
		else:
			now = time.time()
			sites, benches = collector.snapshots(now)
			click.echo(render(sites, benches, now).decode(), nl=False)
	finally:
		collector.close()


def _serve(collector, port: int, addr: str) -> None:
	from frappe_diagnostics.observe.serve import make_metrics_server

	token = os.environ.get(TOKEN_ENV) or None
	try:
		server = make_metrics_server(collector, port, addr, token)
	except OSError as e:
		raise shared.UsageFailure(f"Cannot serve on {addr}:{port}: {e.strerror}.") from None
	guard = "bearer token required" if token else f"no token: set {TOKEN_ENV} or keep it on localhost"
	click.echo(f"Serving metrics of {collector.bench} on http://{addr}:{port}/metrics ({guard}).", err=True)
	try:
		server.serve_forever()
	except KeyboardInterrupt:
		pass
	finally:
		server.server_close()
