"""Debug sessions: a session that should have ended is reported (and the next health run in the site ends
it); one that runs says what is on and until when."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.observe.debugsession import DebugSession


@check("debug.session", title="Debug session", tags=("debug", "configuration"))
def session(probe):
	found = DebugSession.from_conf(probe.site.conf)
	if found is None:
		return probe.ok("No debug session is on.")
	now = time.time()
	until = datetime.fromtimestamp(found.expires, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
	what = found.describe()
	if found.active(now):
		minutes = (found.expires - now) / 60
		return probe.ok(
			f"A debug session ({what}) is on until {until} ({found.log}).",
			metrics=[Metric("remaining", round(minutes, 1), "min")],
		)
	late = found.lapsed_for(now) / 60
	return probe.result(
		Status.WARNING,
		f"The debug session {found.log} ({what}) lapsed {late:.0f} min ago, at {until}, and is still on.",
		metrics=[Metric("lapsed", round(late, 1), "min")],
		findings=[Finding("Debug instruments still on after the session's end", found.to_conf())],
		fixes=[
			Fix(
				"End it now (it also ends at the next scheduled tick while the scheduler runs):",
				command=bench(probe.site.name, "diagnostics", "debug", "stop"),
			)
		],
	)
