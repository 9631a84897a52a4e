"""Framework-free core: results, registry, contexts, runner. Never imports frappe at module level."""

from frappe_diagnostics.engine.registry import CheckDef, Named, Registry, check, registry
from frappe_diagnostics.engine.result import CheckResult, Finding, Fix, Metric, RunResult, Status, worst
from frappe_diagnostics.engine.runner import load_checks, run_checks, run_selected

__all__ = [
	"CheckDef",
	"CheckResult",
	"Finding",
	"Fix",
	"Metric",
	"Named",
	"Registry",
	"RunResult",
	"Status",
	"check",
	"load_checks",
	"registry",
	"run_checks",
	"run_selected",
	"worst",
]
