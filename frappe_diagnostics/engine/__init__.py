"""Framework-free core: results, registry, contexts, runner. Never imports frappe at module level."""

from frappe_diagnostics.engine.registry import CheckDef, Registry, check, registry
from frappe_diagnostics.engine.result import CheckResult, Finding, Fix, Metric, RunResult, Status, worst
from frappe_diagnostics.engine.runner import run_checks

__all__ = [
	"CheckDef",
	"CheckResult",
	"Finding",
	"Fix",
	"Metric",
	"Registry",
	"RunResult",
	"Status",
	"check",
	"registry",
	"run_checks",
	"worst",
]
