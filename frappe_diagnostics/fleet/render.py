"""Every site of a bench as a table of sites by status, or JSON with one object per site."""

from __future__ import annotations

from frappe_diagnostics.engine.render import SYMBOL
from frappe_diagnostics.fleet.allsites import FleetResult


def fleet_table(result: FleetResult, width: int = 100) -> str:
	took = result.finished - result.started
	lines = [f"Bench {result.bench}: {len(result.sites)} site(s) in {took:.1f} s", ""]
	rows = [
		(name, run.status, f"{len(run.failing)}/{len(run.results)}", run.summary)
		for name, run in result.services.items()
	]
	for s in sorted(result.sites, key=lambda s: s.site):
		failing = f"{len(s.run.failing)}/{len(s.run.results)}" if s.run is not None else ""
		rows.append((s.site, s.status, failing, s.summary))
	name_width = max([len("SITE")] + [len(r[0]) for r in rows])
	lines.append(f"{'SITE':<{name_width}}  {'STATUS':<10} {'FAILING':<8} SUMMARY")
	for name, status, failing, summary in rows:
		label = f"{SYMBOL[status.value]} {status.value.upper()}"
		room = max(20, width - name_width - 24)
		text = summary if len(summary) <= room else summary[: room - 1] + "…"
		lines.append(f"{name:<{name_width}}  {label:<10} {failing:<8} {text}")
	lines += ["", f"Worst: {result.status.value.upper()}"]
	return "\n".join(lines)


def fleet_dict(result: FleetResult, redactor) -> dict:
	return {
		"bench": result.bench,
		"status": result.status.value,
		"duration_s": round(result.finished - result.started, 3),
		"services": {name: redactor.data(run.to_dict()) for name, run in result.services.items()},
		"sites": [s.to_dict(redactor) for s in sorted(result.sites, key=lambda s: s.site)],
	}
