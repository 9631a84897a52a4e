"""Run settings and the one table of their defaults and limits.

Diagnostics Settings (the DocType), its controller's validation, the install step, the standalone command
and the engine all read `DEFAULTS`; nothing else writes a default down.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Default:
	value: Any
	low: float | None = None
	high: float | None = None

	def clamp(self, raw: Any) -> Any:
		"""`raw` as a number within the limits; the default when it is empty, zero or not a number."""
		try:
			number = int(raw)
		except (TypeError, ValueError):
			return self.value
		if number <= 0:
			return self.value
		return max(self.low, min(self.high, number)) if self.low is not None else number


DEFAULTS: dict[str, Default] = {
	"enable_scheduled_runs": Default(1),
	"frequency": Default("Hourly"),
	"retention_days": Default(30, 1, 3650),
	"check_budget_ms": Default(1000, 50, 60_000),
	"run_budget_s": Default(20, 1, 600),
	"parallel": Default(4, 1, 16),
	# alerts, metrics, probes and debug sessions (site/alerts.py, api/probes.py, site/debug/)
	"alert_consecutive_runs": Default(2, 1, 20),
	"alert_repeat_minutes": Default(240, 5, 10080),
	"alert_per_check": Default(1),
	"alert_desk_notification": Default(1),
	"alert_webhook_format": Default("JSON"),
	"readiness_checks": Default("database.connectivity\nredis.cache\nredis.queue"),
	"probe_rate_limit": Default(120, 1, 6000),
	"debug_max_minutes": Default(120, 1, 1440),
	"drill_frequency": Default("Weekly"),  # the backup verification drill; runs only with a root account
}
LIMITS = {name: (d.low, d.high) for name, d in DEFAULTS.items() if d.low is not None}


def doctype_defaults() -> dict[str, str]:
	"""The table as Diagnostics Settings' DocType JSON writes defaults: what a new document (the form,
	Frappe's init of singles at install) starts with. `python -m frappe_diagnostics.engine.settings` syncs it."""
	return {name: str(d.value) for name, d in DEFAULTS.items()}


@dataclass
class Settings:
	"""Run settings: Diagnostics Settings in a site, the defaults elsewhere."""

	check_budget_ms: int = DEFAULTS["check_budget_ms"].value
	run_budget_s: float = DEFAULTS["run_budget_s"].value
	parallel: int = DEFAULTS["parallel"].value
	disabled: frozenset[str] = frozenset()
	thresholds: dict[str, dict[str, float]] = field(default_factory=dict)
	backup_folders: tuple[str, ...] = ()  # extra folders of backup sets (recovery/inventory.py)

	@classmethod
	def from_mapping(cls, data: dict[str, Any] | None) -> Settings:
		"""From Diagnostics Settings' fields (as stored, strings allowed); bad values fall back to defaults."""
		data = data or {}
		thresholds = data.get("thresholds") or data.get("threshold_overrides") or {}
		if isinstance(thresholds, str):
			thresholds = json.loads(thresholds) if thresholds.strip() else {}
		disabled = data.get("disabled") or data.get("disabled_checks") or ()
		if isinstance(disabled, str):
			disabled = [line.strip() for line in re.split(r"[\n,]", disabled)]
		return cls(
			check_budget_ms=DEFAULTS["check_budget_ms"].clamp(data.get("check_budget_ms")),
			run_budget_s=float(DEFAULTS["run_budget_s"].clamp(data.get("run_budget_s"))),
			parallel=DEFAULTS["parallel"].clamp(data.get("parallel")),
			disabled=frozenset(d for d in disabled if d),
			thresholds={k: dict(v) for k, v in thresholds.items()},
			backup_folders=tuple(
				line.strip() for line in str(data.get("backup_folders") or "").splitlines() if line.strip()
			),
		)


def sync_doctype(path) -> bool:
	"""Write doctype_defaults() into the DocType JSON at `path` (and bump "modified" so migrate reloads it);
	False when it already holds them."""
	from datetime import datetime
	from pathlib import Path

	doc = json.loads(Path(path).read_text())
	wanted = doctype_defaults()
	changed = False
	for f in doc["fields"]:
		value = wanted.get(f["fieldname"])
		if f.get("default") != value:
			f.pop("default", None) if value is None else f.__setitem__("default", value)
			changed = True
	if changed:
		doc["modified"] = datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")
		Path(path).write_text(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
	return changed


if __name__ == "__main__":
	from pathlib import Path

	here = Path(__file__).resolve().parent.parent / "frappe_diagnostics/doctype/diagnostics_settings"
	print("updated" if sync_doctype(here / "diagnostics_settings.json") else "already in sync")
