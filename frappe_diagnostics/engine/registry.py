"""Check registration and selection.

A check is a function `fn(probe) -> CheckResult` registered with `@check(...)` under a stable, namespaced id.
Apps add checks through the `diagnostics_checks` hook: a list of dotted module paths to import.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
SCOPES = ("site", "host")
HOOK_NAME = "diagnostics_checks"


@dataclass(frozen=True)
class CheckDef:
	id: str
	title: str
	func: Callable = field(compare=False, repr=False)
	tags: tuple[str, ...] = ()
	thresholds: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
	scopes: tuple[str, ...] = ("site",)
	affects_status: bool = True  # whether its status counts toward the run's
	budget_ms: int | None = None

	@property
	def category(self) -> str:
		return self.tags[0] if self.tags else self.id.split(".")[0]

	def describe(self) -> dict:
		return {
			"id": self.id,
			"title": self.title,
			"tags": list(self.tags),
			"category": self.category,
			"scopes": list(self.scopes),
			"thresholds": dict(self.thresholds),
			"module": getattr(self.func, "__module__", ""),
		}


class Registry:
	def __init__(self):
		self._checks: dict[str, CheckDef] = {}
		self.load_errors: dict[str, str] = {}

	def register(self, definition: CheckDef) -> CheckDef:
		if not ID_PATTERN.match(definition.id):
			raise ValueError(f"Check id {definition.id!r} must look like 'area.name' (lower case, dots)")
		if not definition.scopes or set(definition.scopes) - set(SCOPES):
			raise ValueError(f"Check {definition.id}: scopes must be taken from {SCOPES}")
		existing = self._checks.get(definition.id)
		if existing and _qualname(existing.func) != _qualname(definition.func):
			raise ValueError(
				f"Check id {definition.id!r} is already registered by {_qualname(existing.func)}; choose another id"
			)
		self._checks[definition.id] = definition
		return definition

	def unregister(self, check_id: str) -> None:
		self._checks.pop(check_id, None)

	def get(self, check_id: str) -> CheckDef:
		try:
			return self._checks[check_id]
		except KeyError:
			raise KeyError(f"No check with id {check_id!r}; list them with `diagnostics checks`") from None

	def all(self, scope: str | None = "site") -> list[CheckDef]:
		return [c for c in self._checks.values() if scope is None or scope in c.scopes]

	def tags(self, scope: str | None = "site") -> list[str]:
		return sorted({t for c in self.all(scope) for t in c.tags})

	def select(
		self,
		ids: Iterable[str] = (),
		tags: Iterable[str] = (),
		exclude: Iterable[str] = (),
		scope: str | None = "site",
	) -> list[CheckDef]:
		"""Checks of the scope by id and/or tag (union); all of the scope when neither is given.

		Unknown ids and tags raise KeyError, and so does an id of another scope (a host check asked for in
		a site run): the message says where that check runs instead.
		"""
		ids, tags, exclude = list(ids or ()), list(tags or ()), set(exclude or ())
		for check_id in ids:
			found = self.get(check_id)
			if scope is not None and scope not in found.scopes:
				where = " or ".join(found.scopes)
				raise KeyError(f"{check_id} is a {where} check and does not run here ({scope}).")
		known = self.tags(scope)
		unknown = [t for t in tags if t not in known]
		if unknown:
			raise KeyError(f"No checks are tagged {', '.join(unknown)}; known tags: {', '.join(known)}")
		if ids or tags:
			chosen = [c for c in self.all(scope) if c.id in ids or set(tags) & set(c.tags)]
		else:
			chosen = self.all(scope)
		return [c for c in chosen if c.id not in exclude]

	def load_hooks(self, entries: Iterable[str]) -> None:
		"""Import each hooked module (its @check decorators register). Failures are kept, not raised."""
		for entry in entries:
			try:
				importlib.import_module(entry)
			except Exception as e:
				self.load_errors[entry] = f"{type(e).__name__}: {e}"
			else:
				self.load_errors.pop(entry, None)


def _qualname(func: Callable) -> str:
	return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', '?')}"


registry = Registry()


def check(
	check_id: str,
	*,
	title: str,
	tags: Iterable[str] = (),
	thresholds: dict | None = None,
	scope: str | tuple[str, ...] = "site",
	affects_status: bool = True,
	budget_ms: int | None = None,
	into: Registry | None = None,
):
	"""Register a check function under a stable id."""

	def decorator(func: Callable) -> Callable:
		(into or registry).register(
			CheckDef(
				id=check_id,
				title=title,
				func=func,
				tags=tuple(tags),
				thresholds=MappingProxyType(dict(thresholds or {})),
				scopes=(scope,) if isinstance(scope, str) else tuple(scope),
				affects_status=affects_status,
				budget_ms=budget_ms,
			)
		)
		func.check_id = check_id
		return func

	return decorator


def hook_entries_from_file(hooks_file: Path) -> list[str]:
	"""Read `diagnostics_checks = [...]` from an app's hooks.py without executing it."""
	try:
		tree = ast.parse(Path(hooks_file).read_text(encoding="utf-8"))
	except (OSError, SyntaxError, ValueError):
		return []
	for node in tree.body:
		targets = node.targets if isinstance(node, ast.Assign) else []
		if any(isinstance(t, ast.Name) and t.id == HOOK_NAME for t in targets):
			try:
				value = ast.literal_eval(node.value)
			except ValueError:
				return []
			return [v for v in (value if isinstance(value, list | tuple) else [value]) if isinstance(v, str)]
	return []
