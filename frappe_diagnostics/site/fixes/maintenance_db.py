"""Database maintenance actions: ANALYZE TABLE on chosen tables; OPTIMIZE TABLE only where the free space
is large, with the time and space the rebuild will take shown first. Table names are looked up in the
site's own schema before any is quoted into SQL."""

from __future__ import annotations

import frappe
from frappe.utils import cint

MB = 1024 * 1024
REBUILD_MB_PER_S = 40  # a conservative InnoDB table copy rate, for the estimate shown before OPTIMIZE


def _tables(text: str | None) -> dict[str, dict]:
	names = [t.strip() for t in (text or "").split(",") if t.strip()]
	if not names:
		raise ValueError("Name the tables, comma-separated, e.g. tables=tabSales Invoice,tabGL Entry.")
	if len(names) > 50:
		raise ValueError("At most 50 tables at a time.")
	rows = frappe.db.sql(
		"SELECT table_name AS name, engine, data_length, index_length, data_free, table_rows "
		"FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN %(names)s",
		{"names": names},
		as_dict=True,
	)
	found = {r.name: r for r in rows}
	missing = [n for n in names if n not in found]
	if missing:
		raise ValueError(f"No table {', '.join(repr(m) for m in missing)} in this site's database.")
	return {n: found[n] for n in names}


def _quote(name: str) -> str:
	return "`" + name.replace("`", "``") + "`"


class AnalyzeTables:
	name, title, reversible = "analyze_tables", "ANALYZE TABLE", False

	def clean(self, p):
		return {"tables": ",".join(_tables(p.get("tables")))}

	def target(self, p):
		return None, p["tables"][:140]

	def snapshot(self, p):
		return {"analyzed": dict.fromkeys(p["tables"].split(","), False)}

	def desired(self, p, before):
		return {"analyzed": dict.fromkeys(before["analyzed"], True)}

	def describe(self, p):
		tables = _tables(p["tables"])
		rows = sum(cint(t.table_rows) for t in tables.values())
		return (
			f"ANALYZE TABLE {', '.join(tables)} (~{rows:,} rows): refreshes index statistics for the optimizer; "
			"reads index pages, takes a brief metadata lock, changes no data."
		)

	def apply(self, p, before):
		for name in _tables(p["tables"]):
			frappe.db.sql(f"ANALYZE TABLE {_quote(name)}")


class OptimizeTables:
	name, title, reversible = "optimize_tables", "OPTIMIZE TABLE where free space is large", False

	def clean(self, p):
		min_free = cint(p.get("min_free_mb") or 100)
		tables = _tables(p.get("tables"))
		small = [n for n, t in tables.items() if cint(t.data_free) < min_free * MB]
		if small:
			raise ValueError(
				f"Not worth rebuilding (less than {min_free} MB free): {', '.join(small)}. "
				"Lower min_free_mb to insist."
			)
		return {"tables": ",".join(tables), "min_free_mb": min_free}

	def target(self, p):
		return None, p["tables"][:140]

	def snapshot(self, p):
		tables = _tables(p["tables"])
		return {"free_mb": {n: round(cint(t.data_free) / MB) for n, t in tables.items()}}

	def desired(self, p, before):
		return {"free_mb": dict.fromkeys(before["free_mb"], 0)}

	def describe(self, p):
		tables = _tables(p["tables"])
		size = sum(cint(t.data_length) + cint(t.index_length) for t in tables.values())
		free = sum(cint(t.data_free) for t in tables.values())
		seconds = max(1, size / MB / REBUILD_MB_PER_S)
		return (
			f"OPTIMIZE TABLE {', '.join(tables)}: rebuilds {size / MB:.0f} MB to give back about {free / MB:.0f} MB. "
			f"Needs about {size / MB:.0f} MB of free disk while it runs and takes roughly {seconds:.0f} s "
			f"(at {REBUILD_MB_PER_S} MB/s); InnoDB allows reads and writes during most of it."
		)

	def apply(self, p, before):
		for name in _tables(p["tables"]):
			frappe.db.sql(f"OPTIMIZE TABLE {_quote(name)}")
