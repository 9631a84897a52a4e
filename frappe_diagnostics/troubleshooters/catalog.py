"""Every troubleshooter, declared once: its question, typed inputs and the surfaces it belongs on.

The bench commands, the standalone CLI, the REST methods, the desk's Troubleshoot menu and the README's
command reference are all generated from (or checked against) this catalog. Adding a troubleshooter means
one module with its answer function, `fn(ctx, **inputs) -> Diagnosis`, plus one entry here; another app
adds entries from a module named in its `diagnostics_troubleshooters` hook (`catalog.register(entry)`).
Framework-free: answers are named by dotted path and imported only when asked for.
"""

from __future__ import annotations

import json
from pathlib import Path

from frappe_diagnostics.engine.registry import Named, load_modules
from frappe_diagnostics.engine.runner import load_checks
from frappe_diagnostics.troubleshooters import catalog_operations, recovery_entries
from frappe_diagnostics.troubleshooters.declare import (
	BENCH,
	CLI_ONLY,
	DESK,
	FILE_SINCE,
	FILES,
	IN_SITE,
	NEEDS,
	REST,
	SINCE,
	STANDALONE,
	SURFACES,
	TYPES,
	UNTIL,
	USER,
	BadInput,
	Input,
	Troubleshooter,
	_,
	top,
)

__all__ = [  # the declaration's names, for the surfaces that read the catalog
	"BENCH",
	"CLI_ONLY",
	"DESK",
	"IN_SITE",
	"NEEDS",
	"REST",
	"STANDALONE",
	"SURFACES",
	"TYPES",
	"BadInput",
	"Input",
	"Troubleshooter",
]

PTYPES = (
	"read",
	"write",
	"create",
	"delete",
	"submit",
	"cancel",
	"amend",
	"print",
	"email",
	"report",
	"export",
	"import",
	"share",
	"select",
)

_ENTRIES = (
	Troubleshooter(
		"doctor",
		_("What's wrong with this site?"),
		"Triage",
		"frappe_diagnostics.troubleshooters.triage:diagnose_site",
		_("What's wrong?"),
	),
	Troubleshooter(
		"database",
		_("Why is the database slow or broken?"),
		"Database",
		"frappe_diagnostics.troubleshooters.database:diagnose_database",
		_("Database"),
		inputs=(
			Input(
				"doctype",
				_("Also check that this DocType's Link fields point at existing records."),
				desk={"fieldtype": "Link", "options": "DocType"},
			),
			Input(
				"table",
				_("Run CHECK TABLE on this one table (it reads the whole table and may lock it)."),
				flag="--check-table",
			),
		),
		warnings={"table": _("CHECK TABLE {table} reads the whole table and may lock it while it runs.")},
	),
	Troubleshooter(
		"performance",
		_("Why is the site slow?"),
		"Performance",
		"frappe_diagnostics.troubleshooters.performance:diagnose_performance",
		_("Performance"),
		inputs=(
			Input(
				"hours",
				_("Hours of the request monitor log to read."),
				type="float",
				default=24.0,
				bounds=(0.01, 24 * 366),
			),
		),
	),
	Troubleshooter(
		"explain",
		_("Why is this query slow?"),
		"Query",
		"frappe_diagnostics.troubleshooters.query:diagnose_query",
		_("Explain a query"),
		needs="database",
		inputs=(
			Input(
				"sql",
				_("One read-only SELECT statement; only EXPLAIN runs, the query itself never does."),
				required=True,
				positional=True,
				desk={"fieldtype": "Code"},
				example="SELECT name FROM `tabUser` WHERE enabled = 1 ORDER BY name",
			),
		),
	),
	Troubleshooter(
		"logs",
		_("What do the bench's logs say?"),
		"Log Analysis",
		"frappe_diagnostics.troubleshooters.logs:diagnose_logs",
		_("Log analysis"),
		inputs=(FILES, SINCE, UNTIL, top("error groups")),
		needs="files",
	),
	Troubleshooter(
		"slowlog",
		_("Which statements cost the most time?"),
		"Slow Query Log",
		"frappe_diagnostics.troubleshooters.slowlog:diagnose_slowlog",
		_("Slow query log"),
		inputs=(
			FILES,
			Input(
				"path", _("A slow log file (default: the one the database server writes)."), surfaces=CLI_ONLY
			),
			FILE_SINCE,
			UNTIL,
			top("query groups"),
			Input(
				"order_by",
				_("Rank the groups by total, count, max or p95 time."),
				type="choice",
				default="total",
				choices=("total", "count", "max", "p95"),
			),
			Input("filter_db", _("Only statements on this schema (database).")),
			Input("filter_user", _("Only statements of this database user.")),
		),
		needs="files",
	),
	Troubleshooter(
		"why_no_login",
		_("Why can't this user log in?"),
		"Login",
		"frappe_diagnostics.site.access.login:diagnose_login",
		_("Why can't a user log in?"),
		inputs=(
			USER,
			Input(
				"ip",
				_("Also test logging in from this address (lockout, Restrict IP)."),
				desk={"label": _("From IP address (optional)")},
			),
		),
		surfaces=IN_SITE,
		command="why-no-login",
		rest="frappe_diagnostics.api.access.why_no_login",
		verdict=True,
	),
	Troubleshooter(
		"why_denied",
		_("Why can't this user read, write, create or submit this document, or see it in the list?"),
		"Permission",
		"frappe_diagnostics.site.access.permissions:diagnose_permission",
		_("Why is access denied?"),
		inputs=(
			USER,
			Input(
				"doctype",
				_("The DocType."),
				required=True,
				desk={"fieldtype": "Link", "options": "DocType"},
				example="ToDo",
			),
			Input(
				"name",
				_("The document (optional: without it, the DocType as a whole)."),
				desk={"fieldtype": "Dynamic Link", "options": "doctype"},
			),
			Input("ptype", _("The permission type."), type="choice", default="read", choices=PTYPES),
		),
		surfaces=IN_SITE,
		command="why-denied",
		rest="frappe_diagnostics.api.access.why_denied",
		verdict=True,
	),
)


def run_kinds() -> tuple[str, ...]:
	"""The kinds a Diagnostic Run can be stored as: its DocType's `kind` options, read from its JSON."""
	path = Path(__file__).parent.parent / "frappe_diagnostics/doctype/diagnostic_run/diagnostic_run.json"
	fields = json.loads(path.read_text(encoding="utf-8"))["fields"]
	return tuple(next(f for f in fields if f["fieldname"] == "kind")["options"].split("\n"))


KINDS = run_kinds()


class Catalog(Named[Troubleshooter]):
	what = "troubleshooter"

	def register(self, item: Troubleshooter) -> Troubleshooter:
		if item.kind not in KINDS:
			raise ValueError(
				f"Troubleshooter {item.name!r}: its runs are stored with kind {item.kind!r}, which a Diagnostic "
				f"Run cannot have; use one of: {', '.join(KINDS)}"
			)
		return super().register(item)

	def unknown(self, name: str) -> Exception:
		return BadInput(f"No troubleshooter {name!r}; choose one of: {', '.join(sorted(self))}")

	def owner(self, item: Troubleshooter) -> str:
		return item.answer


CATALOG = Catalog(lambda t: t.name, items=(*_ENTRIES, *catalog_operations.ENTRIES, *recovery_entries.ENTRIES))
hook_errors: dict[str, str] = {}  # hooked module -> why it could not be imported


def register(entry: Troubleshooter) -> Troubleshooter:
	"""Add a troubleshooter (another app's, or a test's) to every surface that is built after this;
	a name another entry holds is refused (ValueError)."""
	return CATALOG.register(entry)


def load_hooks(entries) -> list[Troubleshooter]:
	"""Import the modules of the apps' `diagnostics_troubleshooters` hooks (they call `register`); the
	troubleshooters they added. A module that fails to import is kept in hook_errors, not raised."""
	before = set(CATALOG)
	load_modules(entries, hook_errors)
	return [t for t in CATALOG.all() if t.name not in before]


def on(surface: str) -> list[Troubleshooter]:
	return [t for t in CATALOG.all() if t.on(surface)]


def get(name: str) -> Troubleshooter:
	return CATALOG.get(name)


def run(ctx, name: str, surface: str, /, **raw):
	"""The one path every surface takes: parse the inputs as declared, load the site's hooked checks and
	troubleshooters, then answer. Returns a Diagnosis."""
	load_hooks(getattr(ctx, "troubleshooter_entries", ()))
	entry = get(name)
	if not entry.on(surface):
		raise BadInput(f"{entry.command} is not available here ({surface}).")
	inputs = entry.parse(raw, surface)
	load_checks(ctx.hook_entries)
	return entry.function(surface)(ctx, **inputs)
