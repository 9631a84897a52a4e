"""How a troubleshooter is declared: its typed inputs (parsed the same way on every surface), the surfaces
it belongs on, and the inputs several troubleshooters share. The catalog (catalog.py) holds the entries."""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
	desk={"fieldtype": "Select", "options": "30m\n6h\n24h\n7d\n30d", "default": "24h"},
)
USER = Input(
	"user",
	_("Email address or user name."),
	required=True,
	desk={"fieldtype": "Link", "options": "User"},
	example="Administrator",
)
FILE_SINCE = replace(SINCE, default=None, help=_("Start of the window (default: 24h, or all of a file)."))
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
