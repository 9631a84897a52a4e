"""Security baseline: the audit's rules (checks/security_rules.py) as one scored health check."""

from __future__ import annotations

from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Metric, Status
from frappe_diagnostics.engine.shell import bench


@check("security.baseline", title="Security baseline", tags=("security",), budget_ms=5000)
def baseline(probe):
	from frappe_diagnostics.checks.security_rules import all_verdicts, score

	verdicts = [v for v in all_verdicts(probe) if v.status is not Status.SKIPPED]
	points = score(verdicts)
	critical = [v for v in verdicts if v.status is Status.CRITICAL]
	warnings = [v for v in verdicts if v.status is Status.WARNING]
	metrics = [Metric("score", points, "/100"), Metric("critical", len(critical), "findings")]
	summary = f"Security score {points}/100: {len(critical)} critical, {len(warnings)} warning finding(s)."
	if not verdicts:
		return probe.ok(summary, metrics=metrics)
	status = Status.CRITICAL if critical else Status.WARNING
	fixes = [fix for v in critical + warnings for fix in v.fixes[:1]][:8]
	fixes.append(
		type(fixes[0])(
			"The whole audit, with evidence.", command=bench(probe.site.name, "diagnostics", "security")
		)
		if fixes
		else None
	)
	return probe.result(
		status, summary, metrics, [v.finding() for v in critical + warnings], [f for f in fixes if f]
	)
