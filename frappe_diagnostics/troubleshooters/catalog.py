"""Every troubleshooter, declared once: its question, typed inputs and the surfaces it belongs on.

The bench commands, the standalone CLI, the REST methods, the desk's Troubleshoot menu and the README's
command reference are all generated from (or checked against) this catalog. Adding a troubleshooter means
one module with its answer function, `fn(ctx, **inputs) -> Diagnosis`, plus one entry here.
Framework-free: answers are named by dotted path and imported only when asked for.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

BENCH, STANDALONE, REST, DESK = "bench", "standalone", "rest", "desk"
SURFACES = frozenset((BENCH, STANDALONE, REST, DESK))
IN_SITE = frozenset((BENCH, REST, DESK))  # needs a booted site (Frappe-level answers)
CLI_ONLY = frozenset((BENCH, STANDALONE))
TYPES = ("str", "float", "int", "choice", "list", "limit")  # list: many values; limit: a count or "all"
NEEDS = ("site", "bench", "files", "database")  # standalone: what must be found before it can answer


def _(text: str) -> str:
	"""Marks a user-facing string for Frappe's translation extractor; the surfaces translate it."""
	return text


class BadInput(ValueError):
	"""An input a troubleshooter cannot take: a readable message naming the input (exit 64, HTTP 417)."""


@dataclass(frozen=True)
class Input:
	name: str
	help: str
	type: str = "str"
	required: bool = False
	default: Any = None
	choices: tuple[str, ...] = ()
	flag: str | None = None  # the command-line option when it is not --<name>
	positional: bool = False  # a command-line argument rather than an option
	surfaces: frozenset[str] = SURFACES  # further limited by the troubleshooter's own surfaces
	desk: dict = field(default_factory=dict)  # desk dialog field: fieldtype, options, label…
	bounds: tuple[float, float] | None = None  # inclusive, for numbers
	example: str | None = None  # a value that works on any Frappe site: the README and the tests use it

	@property
	def option(self) -> str:
		return self.flag or "--" + self.name.replace("_", "-")

	@property
	def label(self) -> str:
		"""How messages name the input on every surface: `hours (--hours)`."""
		return f"{self.name} ({self.option})" if not self.positional else self.name

	def parse(self, value: Any) -> Any:
		"""The value as the answer function takes it; BadInput with the reason otherwise."""
		if self.type == "list" and value is not None:
			value = [str(v).strip() for v in (value if isinstance(value, list | tuple) else [value])]
			value = [v for v in value if v] or None
		if value is None or (isinstance(value, str) and not value.strip()):
			if self.required:
				raise BadInput(f"{self.label} is required: {self.help}")
			if self.type != "limit" or self.default is None:
				return self.default
			value = self.default  # "20" on the command line: parsed like any value
		if self.type == "list":
			return value
		if self.type == "limit":
			return None if str(value).strip().lower() == "all" else self._number(value, "int")
		if self.type in ("float", "int"):
			return self._number(value)
		text = str(value).strip() if self.type == "choice" else str(value)
		if self.type == "choice" and text not in self.choices:
			raise BadInput(f"{self.label} must be one of {', '.join(self.choices)} (got {text!r}).")
		return text

	def _number(self, value: Any, kind: str | None = None) -> float | int:
		try:
			number = float(value) if (kind or self.type) == "float" else int(str(value).strip())
		except (TypeError, ValueError):
			raise BadInput(f"{self.label} must be a number ({self.help}); got {value!r}.") from None
		if isinstance(number, float) and not math.isfinite(number):
			raise BadInput(f"{self.label} must be a finite number; got {value!r}.")
		if self.bounds and not self.bounds[0] <= number <= self.bounds[1]:
			low, high = self.bounds
			raise BadInput(f"{self.label} must be between {low:g} and {high:g}; got {value!r}.")
		return number


@dataclass(frozen=True)
class Troubleshooter:
	name: str  # stable key (also the REST method's name unless `rest` says otherwise)
	question: str
	kind: str  # the Diagnostic Run kind it is stored as
	answer: str  # "module:function"
	label: str  # the desk menu entry
	inputs: tuple[Input, ...] = ()
	surfaces: frozenset[str] = SURFACES
	command: str = ""  # the command name on bench and standalone (default: name)
	rest: str = ""  # the REST method's dotted path (default: api.troubleshoot.<name>)
	warnings: dict[str, str] = field(default_factory=dict)  # input -> printed before running when given
	needs: str = "site"  # standalone (NEEDS): a site; a bench folder; files or a bench; a site or a database
	verdict: bool = False  # the answer leads with an allowed/denied verdict
	site_answer: str = ""  # "module:function" under site/ that answers inside a booted site (more evidence)

	def __post_init__(self):
		if not self.command:
			object.__setattr__(self, "command", self.name)
		if not self.rest:
			object.__setattr__(self, "rest", f"frappe_diagnostics.api.troubleshoot.{self.name}")

	def on(self, surface: str) -> bool:
		return surface in self.surfaces

	def inputs_on(self, surface: str) -> tuple[Input, ...]:
		return tuple(i for i in self.inputs if surface in i.surfaces)

	def example_args(self, surface: str) -> list[str]:
		"""Command-line arguments that run this troubleshooter on any site: the required inputs' examples."""
		args = []
		for spec in self.inputs_on(surface):
			if spec.required:
				args += [spec.example] if spec.positional else [spec.option, spec.example]
		return args

	def parse(self, raw: dict[str, Any], surface: str) -> dict[str, Any]:
		"""Inputs offered on `surface`, parsed; unknown names are refused rather than ignored."""
		offered = {i.name: i for i in self.inputs_on(surface)}
		unknown = sorted(set(raw) - set(offered))
		if unknown:
			raise BadInput(f"{self.command} takes no {', '.join(unknown)} here.")
		return {name: spec.parse(raw.get(name)) for name, spec in offered.items()}

	def function(self, surface: str = STANDALONE) -> Callable:
		"""The answer for a surface: the site answer inside a booted site when there is one."""
		path = self.site_answer if self.site_answer and surface in IN_SITE else self.answer
		module, _, attr = path.partition(":")
		return getattr(importlib.import_module(module), attr)

	def describe(self, translate: Callable[[str], str] = _) -> dict:
		"""What the desk needs to build the menu entry and its dialog, in the user's language."""
		return {
			"name": self.name,
			"label": translate(self.label),
			"question": translate(self.question),
			"kind": self.kind,
			"method": self.rest,
			"verdict": self.verdict,
			"inputs": [
				{
					"name": i.name,
					"help": translate(i.help),
					"type": i.type,
					"required": i.required,
					"default": i.default,
					"choices": list(i.choices),
					"desk": {k: translate(v) if k == "label" else v for k, v in i.desk.items()},
				}
				for i in self.inputs_on(DESK)
			],
		}


SINCE = Input(
	"since",
	_("Start of the window: 30m, 24h, 7d, 2w, or a date/time (local time unless it has an offset)."),
	default="24h",
	desk={"fieldtype": "Select", "options": "30m\n6h\n24h\n7d\n30d"},
)
USER = Input(
	"user",
	_("Email address or user name."),
	required=True,
	desk={"fieldtype": "Link", "options": "User"},
	example="Administrator",
)
UNTIL = Input("until", _("End of the window, in the same forms as --since (default: now)."))
FILES = Input(
	"files",
	_("Files to read instead of the bench's (any name, plain or gzip); no bench is needed then."),
	type="list",
	positional=True,
	surfaces=CLI_ONLY,
)


def top(what: str) -> Input:
	return Input(
		"top",
		_("How many {0} to show: a number, or all.").format(what),
		type="limit",
		default="20",
		bounds=(1, 100_000),
	)


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
				"path",
				_("A slow log file (default: the one the site's database server writes)."),
				surfaces=CLI_ONLY,
			),
			SINCE,
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

CATALOG: dict[str, Troubleshooter] = {t.name: t for t in _ENTRIES}


def register(entry: Troubleshooter) -> None:
	"""Add a troubleshooter (another app's, or a test's) to every surface that is built after this."""
	CATALOG[entry.name] = entry


def on(surface: str) -> list[Troubleshooter]:
	return [t for t in CATALOG.values() if t.on(surface)]


def get(name: str) -> Troubleshooter:
	try:
		return CATALOG[name]
	except KeyError:
		raise BadInput(f"No troubleshooter {name!r}; choose one of: {', '.join(sorted(CATALOG))}") from None


def run(ctx, name: str, surface: str, /, **raw):
	"""The one path every surface takes: parse the inputs as declared, load the site's hooked checks, then
	answer. Returns a Diagnosis."""
	from frappe_diagnostics.engine.registry import registry

	entry = get(name)
	if not entry.on(surface):
		raise BadInput(f"{entry.command} is not available here ({surface}).")
	inputs = entry.parse(raw, surface)
	registry.load_hooks(ctx.hook_entries)
	return entry.function(surface)(ctx, **inputs)


# the operations (jobs, web, email, security, files) and recovery troubleshooters have modules of their own
from frappe_diagnostics.troubleshooters import catalog_operations, recovery_entries

CATALOG.update((t.name, t) for t in (*catalog_operations.ENTRIES, *recovery_entries.ENTRIES))
