"""`bench --site all diagnostics run`: every site's health run stored in its own database (so each site's
history, metrics and alerts stay whole), each in its own process — a site that cannot boot or hangs cannot
stall the others — `parallel` at a time within one total budget; a table of sites by status."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from frappe_diagnostics.cli.fleet import budget_options
from frappe_diagnostics.engine.result import CheckResult, RunResult, Status
from frappe_diagnostics.fleet.allsites import FleetResult, SiteOutcome

# each site boots Frappe in its own process: fewer at once than the standalone command's threads
OPTIONS = budget_options(300, 2, "--site all")


def run_every_site(
	sites: list[str], sites_path: str, store: bool, budget_s: float, parallel: int
) -> FleetResult:
	deadline = time.monotonic() + budget_s
	result = FleetResult(str(Path(sites_path).resolve().parent), started=time.time())
	with ThreadPoolExecutor(max_workers=parallel) as pool:
		result.sites = list(pool.map(lambda site: _one(site, sites_path, store, deadline), sites))
	result.finished = time.time()
	return result


def _one(site: str, sites_path: str, store: bool, deadline: float) -> SiteOutcome:
	remaining = deadline - time.monotonic()
	if remaining <= 0:
		return SiteOutcome(site, Status.SKIPPED, "Not started: the total budget was used up.")
	cmd = [sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", site]
	cmd += ["diagnostics", "run", "--json", "--fail-on", "never", *([] if store else ["--no-store"])]
	try:
		done = subprocess.run(cmd, cwd=sites_path, capture_output=True, text=True, timeout=remaining)
	except subprocess.TimeoutExpired:
		return SiteOutcome(
			site, Status.ERROR, f"Did not finish within the total budget ({remaining:.0f} s left)."
		)
	try:
		data = json.loads(done.stdout[done.stdout.index("{") :])
	except ValueError:
		last = (done.stderr.strip().splitlines() or ["no output"])[-1]
		return SiteOutcome(
			site, Status.ERROR, f"The site's run failed (exit {done.returncode}): {last[:200]}"
		)
	run = RunResult(
		[CheckResult.from_dict(r) for r in data["results"]], data["started"], data["finished"], site
	)
	stored = f" Stored as {data['name']}." if data.get("name") else ""
	return SiteOutcome(site, run.status, run.summary + stored, run=run)
