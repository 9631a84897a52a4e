"""The accepted query's shape: which table each EXPLAIN row names, and which of its columns filter or sort.

Pure parsing of a tree the gate (sql_guard) accepted; linear in its size.
"""

from __future__ import annotations

from sqlglot import exp


def is_derived(table) -> bool:
	"""EXPLAIN's name for a subquery result (<derived2>, <subquery3>, <union1,2>), not a table."""
	return bool(table) and str(table).startswith("<") and str(table).endswith(">")


class QueryShape:
	"""Tables by the name EXPLAIN shows (alias or table) and the columns each SELECT uses them by."""

	ROLES = ("WHERE", "JOIN ON", "ORDER BY", "GROUP BY", "WHERE (inside a function)")

	def __init__(self, tree: exp.Expression):
		ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
		self.aliases: dict[str, str] = {}
		self.columns: dict[str, list[tuple[int, str]]] = {}
		for select in tree.find_all(exp.Select):
			sources = self._sources(select, ctes)
			self.aliases.update(sources)
			for rank, column in self._scope_columns(select):
				ref = column.table or (next(iter(sources)) if len(sources) == 1 else "")
				if ref in sources and column.name and column.name != "*":
					self.columns.setdefault(ref, []).append((rank, column.name))

	def label(self, ref) -> str:
		"""How a plan row's table is named in messages: the table, and the alias when there is one."""
		if not ref:
			return "the query"
		real = self.aliases.get(ref)
		return f"`{real}` (as `{ref}`)" if real and real != ref else f"`{ref}`"

	def real_tables(self) -> list[str]:
		return sorted(set(self.aliases.values()))

	def columns_for(self, ref: str, order_first: bool = False) -> list[tuple[str, str]]:
		"""Distinct (column, role) pairs, the most useful index candidate first."""
		ranked = self.columns.get(ref, [])
		if order_first:
			ranked = [(-1 if rank == 2 else rank, name) for rank, name in ranked]
		seen, result = set(), []
		for rank, name in sorted(ranked, key=lambda item: item[0]):
			if name.lower() not in seen:
				seen.add(name.lower())
				result.append((name, self.ROLES[2 if rank < 0 else rank]))
		return result

	@staticmethod
	def _sources(select: exp.Select, ctes: set) -> dict[str, str]:
		tables = []
		source = select.args.get("from_") or select.args.get("from")
		if source is not None:
			tables.append(source.this)
		tables += [join.this for join in select.args.get("joins") or ()]
		return {
			t.alias_or_name: t.name
			for t in tables
			if isinstance(t, exp.Table) and t.name and not t.db and t.name not in ctes and not _is_dual(t)
		}

	@staticmethod
	def _scope_columns(select: exp.Select):
		where = select.args.get("where")
		parts = [(where, 0)] if where is not None else []
		parts += [(join.args.get("on"), 1) for join in select.args.get("joins") or () if join.args.get("on")]
		parts += [(select.args.get(k), r) for k, r in (("order", 2), ("group", 3)) if select.args.get(k)]
		for part, rank in parts:
			for column, in_function in _own_columns(part):
				yield (4 if rank == 0 and in_function else rank), column


def _is_dual(table: exp.Table) -> bool:
	identifier = table.this
	return table.name.lower() == "dual" and not getattr(identifier, "quoted", False)


def _own_columns(node: exp.Expression):
	"""(column, inside a function) for the columns of this SELECT only: nested SELECTs are judged in their
	own scope. One pass from the top, so a long AND/OR chain costs its length, not its length squared."""
	stack = [(node, False)]
	while stack:
		current, in_function = stack.pop()
		if isinstance(current, exp.Column):
			yield current, in_function
			continue
		if current is not node and isinstance(current, exp.Select):
			continue
		call = (
			current is not node and isinstance(current, exp.Func) and not isinstance(current, exp.Connector)
		)
		inside = in_function or call
		stack.extend((child, inside) for child in reversed(list(current.iter_expressions())))
