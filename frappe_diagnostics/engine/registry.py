"""Registries, and check registration and selection.

One registry shape (`Named`) holds checks, troubleshooters, fixes and recovery procedures: `register`,
`get`, `all`; an id that something else already holds is refused with a message naming both.
A check is a function `fn(probe) -> CheckResult` registered with `@check(...)` under a stable, namespaced id.
Apps add checks through the `diagnostics_checks` hook and troubleshooters through the
`diagnostics_troubleshooters` hook: lists of dotted module paths to import (importing registers).
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Generic, TypeVar

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
SCOPES = ("site", "host")
HOOK_NAME = "diagnostics_checks"
TROUBLESHOOTER_HOOK = "diagnostics_troubleshooters"
T = TypeVar("T")
_MISSING = object()


class Named(Generic[T]):
	"""Items by id: register, get, all. Registering the same item again is a no-op (a module imported
	twice); another item under a taken id is refused."""

	what = "item"

	def __init__(self, key: Callable[[T], str], what: str | None = None, items=()):
		self._key = key
		self.what = what or self.what
		self._items: dict[str, T] = {}
		for item in items:
			self.register(item)

	def register(self, item: T) -> T:
		name = self._key(item)
		existing = self._items.get(name)
		if existing is not None and not self.same(existing, item):
			raise ValueError(
				f"{self.what.capitalize()} id {name!r} is already registered by {self.owner(existing)}; "
				"choose another id"
			)
		self._items[name] = item
		return item

	def same(self, existing: T, item: T) -> bool:
		return existing is item or existing == item

	def owner(self, item: T) -> str:
		return type(item).__module__ + "." + type(item).__qualname__

	def unknown(self, name: str) -> Exception:
		return KeyError(f"No {self.what} {name!r}; choose one of: {', '.join(self._items)}.")

	def get(self, name: str, default=_MISSING) -> T:
		"""The item with that id; the `unknown` error (or `default` when given) otherwise."""
		try:
			return self._items[name]
		except (KeyError, TypeError):
			if default is not _MISSING:
				return default
			raise self.unknown(name) from None

	def all(self) -> list[T]:
		return list(self._items.values())

	def unregister(self, name: str) -> None:
		self._items.pop(name, None)

	def __getitem__(self, name: str) -> T:
		return self.get(name)

	def __contains__(self, name) -> bool:
		return name in self._items

	def __iter__(self):
		return iter(list(self._items))

	def __len__(self) -> int:
		return len(self._items)

	def __bool__(self) -> bool:  # an empty registry is still one: `reg or registry` must keep it
		return True


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


class Registry(Named[CheckDef]):
	"""The checks: a Named registry that also selects by scope and tag and imports the hooked modules."""

	what = "check"

	def __init__(self):
		super().__init__(key=lambda definition: definition.id)
		self.load_errors: dict[str, str] = {}

	def register(self, definition: CheckDef) -> CheckDef:
		if not ID_PATTERN.match(definition.id):
			raise ValueError(f"Check id {definition.id!r} must look like 'area.name' (lower case, dots)")
		if not definition.scopes or set(definition.scopes) - set(SCOPES):
			raise ValueError(f"Check {definition.id}: scopes must be taken from {SCOPES}")
		return super().register(definition)

	def same(self, existing: CheckDef, item: CheckDef) -> bool:
		return _qualname(existing.func) == _qualname(item.func)

	def owner(self, item: CheckDef) -> str:
		return _qualname(item.func)

	def unknown(self, name: str) -> Exception:
		return KeyError(f"No check with id {name!r}; list them with `diagnostics checks`")

	def all(self, scope: str | None = "site") -> list[CheckDef]:
		return [c for c in self._items.values() if scope is None or scope in c.scopes]

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
		load_modules(entries, self.load_errors)


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


def load_modules(entries: Iterable[str], errors: dict[str, str]) -> None:
	"""Import each hooked module (importing registers what it declares); failures go into `errors`."""
	for entry in entries:
		try:
			importlib.import_module(entry)
		except Exception as e:
			errors[entry] = f"{type(e).__name__}: {e}"
		else:
			errors.pop(entry, None)


def hook_entries_from_file(hooks_file: Path, hook: str = HOOK_NAME) -> list[str]:
	"""Read `diagnostics_checks = [...]` (or another hook) from an app's hooks.py without executing it."""
	try:
		tree = ast.parse(Path(hooks_file).read_text(encoding="utf-8"))
	except (OSError, SyntaxError, ValueError):
		return []
	for node in tree.body:
		targets = node.targets if isinstance(node, ast.Assign) else []
		if any(isinstance(t, ast.Name) and t.id == hook for t in targets):
			try:
				value = ast.literal_eval(node.value)
			except ValueError:
				return []
			return [v for v in (value if isinstance(value, list | tuple) else [value]) if isinstance(v, str)]
	return []
