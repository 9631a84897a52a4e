"""MariaDB configuration advisor: rules over SHOW GLOBAL STATUS / VARIABLES, in the spirit of MySQLTuner.

Pure functions: every rule takes the status and variables maps (strings, as the server gives them) and facts
(RAM, data size), guards every division, and returns Advice with the evidence that triggered it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

GiB = 2**30
MiB = 2**20


@dataclass(frozen=True)
class Advice:
	rule: str
	severity: str  # "warning" or "info"
	message: str
	setting: str | None = None
	value: str | None = None
	evidence: dict = field(default_factory=dict)


def num(data: dict, key: str, default: float = 0.0) -> float:
	value = data.get(key)
	try:
		return float(value)
	except (TypeError, ValueError):
		if isinstance(value, str) and value.upper() in ("ON", "YES"):
			return 1.0
		return default


def ratio(part: float, whole: float) -> float | None:
	return part / whole if whole else None


def on(variables: dict, key: str) -> bool:
	return str(variables.get(key, "")).upper() in ("ON", "1", "YES")


def human(n: float) -> str:
	return f"{n / GiB:.1f}G" if n >= GiB else f"{max(1, round(n / MiB))}M"


@dataclass(frozen=True)
class Share:
	"""A rule as data: a warning when part / whole passes `above`, judged once whole reaches `least`.
	Keys name their map: "s.Name" (SHOW GLOBAL STATUS) or "v.name" (VARIABLES); a whole of several sums them."""

	rule: str
	part: str
	whole: tuple[str, ...]
	above: float
	message: str  # {share}: the fraction
	setting: str | None = None
	target: Callable[[dict, float], str] | None = None  # the value to set, from the variables and the whole
	least: float = 0
	names: tuple[str, str] | None = None  # the evidence's names (default: the part's and the whole's keys)


def value(s: dict, v: dict, key: str) -> float:
	source, _, name = key.partition(".")
	return num(s if source == "s" else v, name)


def share_rule(spec: Share) -> Callable:
	"""The rule function of a Share: Advice with the part and the whole as evidence, or None."""

	def rule(s, v, f):
		part = value(s, v, spec.part)
		whole = sum(value(s, v, key) for key in spec.whole)
		share = ratio(part, whole)
		if share is None or whole < spec.least or not share > spec.above:
			return None
		names = spec.names or (spec.part[2:], spec.whole[0][2:])
		target = spec.target(v, whole) if spec.target else None
		evidence = {names[0]: int(part), names[1]: int(whole)}
		return Advice(spec.rule, "warning", spec.message.format(share=share), spec.setting, target, evidence)

	rule.__name__ = rule.__qualname__ = f"rule_{spec.rule}"
	return rule


SHARES = {
	spec.rule: share_rule(spec)
	for spec in (
		Share(
			"connections",
			"s.Max_used_connections",
			("v.max_connections",),
			0.85,
			"Peak connections reached {share:.0%} of max_connections.",
			"max_connections",
			lambda v, limit: str(int(limit * 1.5)),
		),
		Share(
			"aborted_connects",
			"s.Aborted_connects",
			("s.Connections",),
			0.05,
			"{share:.0%} of connection attempts failed (wrong passwords, network or max_connections).",
			least=100,
		),
		Share(
			"tmp_disk_tables",
			"s.Created_tmp_disk_tables",
			("s.Created_tmp_tables",),
			0.25,
			"{share:.0%} of temporary tables went to disk.",
			"tmp_table_size and max_heap_table_size",
			lambda v, _: human(
				max(max(num(v, "tmp_table_size"), num(v, "max_heap_table_size")) * 2, 64 * MiB)
			),
			least=100,
		),
		Share(
			"sort_merge_passes",
			"s.Sort_merge_passes",
			("s.Sort_scan", "s.Sort_range"),
			0.1,
			"Sorts needed merge passes {share:.0%} of the time.",
			"sort_buffer_size",
			lambda v, _: human(max(num(v, "sort_buffer_size") * 2, 4 * MiB)),
			least=100,
			names=("Sort_merge_passes", "sorts"),
		),
		Share(
			"open_files",
			"s.Open_files",
			("v.open_files_limit",),
			0.85,
			"{share:.0%} of open_files_limit is in use.",
			"open_files_limit",
			lambda v, limit: str(int(limit * 2)),
		),
	)
}


def rule_buffer_pool(s, v, f):
	pool, ram, data = num(v, "innodb_buffer_pool_size"), f.get("ram_bytes", 0), f.get("innodb_data_bytes", 0)
	evidence = {"innodb_buffer_pool_size": human(pool), "ram": human(ram), "innodb_data": human(data)}
	if ram and pool > 0.8 * ram:
		target = 0.7 * ram
		return Advice(
			"buffer_pool",
			"warning",
			"The InnoDB buffer pool takes over 80% of RAM: the server may swap.",
			"innodb_buffer_pool_size",
			human(target),
			evidence,
		)
	if data and pool < data and (not ram or pool < 0.7 * ram):
		target = min(data * 1.2, 0.7 * ram) if ram else data * 1.2
		if target > pool * 1.1:
			return Advice(
				"buffer_pool",
				"warning",
				"The InnoDB data does not fit in the buffer pool: reads go to disk.",
				"innodb_buffer_pool_size",
				human(target),
				evidence,
			)
	return None


def rule_thread_cache(s, v, f):
	created, connections = num(s, "Threads_created"), num(s, "Connections")
	hit = 1 - ratio(created, connections) if connections else None
	if hit is not None and connections >= 100 and hit < 0.9:
		return Advice(
			"thread_cache",
			"warning",
			f"Thread cache hit rate is {hit:.0%}: new threads are created for most connections.",
			"thread_cache_size",
			str(int(max(num(v, "thread_cache_size") * 2, 32))),
			{"Threads_created": int(created), "Connections": int(connections)},
		)
	return None


def rule_table_cache(s, v, f):
	hits, misses = num(s, "Table_open_cache_hits", -1), num(s, "Table_open_cache_misses", -1)
	if hits < 0 or misses < 0:  # older servers: no counters, nothing to judge
		return None
	rate = ratio(hits, hits + misses)
	if rate is not None and hits + misses >= 1000 and rate < 0.9:
		return Advice(
			"table_cache",
			"warning",
			f"Table cache hit rate is {rate:.0%}.",
			"table_open_cache",
			str(int(max(num(v, "table_open_cache") * 2, 4000))),
			{"hits": int(hits), "misses": int(misses)},
		)
	return None


def rule_slow_log(s, v, f):
	if not on(v, "slow_query_log"):
		return Advice(
			"slow_log",
			"info",
			"The slow query log is off: slow statements leave no trace.",
			"slow_query_log",
			"ON (and long_query_time = 1)",
			{"slow_query_log": v.get("slow_query_log")},
		)
	return None


def rule_binlog(s, v, f):
	if not on(v, "log_bin"):
		return Advice(
			"binlog",
			"info",
			"Binary logging is off: no point-in-time recovery beyond the last backup.",
			"log_bin",
			"ON, with binlog_expire_logs_seconds",
			{"log_bin": v.get("log_bin")},
		)
	expire = num(v, "binlog_expire_logs_seconds") or num(v, "expire_logs_days") * 86400
	if not expire:
		return Advice(
			"binlog",
			"warning",
			"Binary logs never expire and will fill the disk.",
			"binlog_expire_logs_seconds",
			"604800",
			{"binlog_expire_logs_seconds": 0},
		)
	return None


def rule_redo_log(s, v, f):
	redo = num(v, "innodb_log_file_size") * max(1.0, num(v, "innodb_log_files_in_group", 1))
	pool = num(v, "innodb_buffer_pool_size")
	if redo and pool and redo < 0.25 * pool and pool >= GiB:
		return Advice(
			"redo_log",
			"warning",
			"The redo log is under a quarter of the buffer pool: heavy writes will stall on checkpoints.",
			"innodb_log_file_size",
			human(0.25 * pool),
			{"redo": human(redo), "innodb_buffer_pool_size": human(pool)},
		)
	return None


def rule_file_per_table(s, v, f):
	if "innodb_file_per_table" in v and not on(v, "innodb_file_per_table"):
		return Advice(
			"file_per_table",
			"warning",
			"innodb_file_per_table is off: dropped tables never give space back.",
			"innodb_file_per_table",
			"ON",
			{"innodb_file_per_table": v.get("innodb_file_per_table")},
		)
	return None


def rule_charset(s, v, f):
	charset, collation = v.get("character_set_server"), v.get("collation_server")
	if charset and (charset != "utf8mb4" or (collation and collation != "utf8mb4_unicode_ci")):
		return Advice(
			"charset",
			"warning",
			"The server's default character set is not what Frappe expects.",
			"character-set-server / collation-server",
			"utf8mb4 / utf8mb4_unicode_ci",
			{"character_set_server": charset, "collation_server": collation},
		)
	return None


RULES = (
	rule_buffer_pool, SHARES["connections"], SHARES["aborted_connects"], SHARES["tmp_disk_tables"],
	SHARES["sort_merge_passes"], rule_thread_cache, rule_table_cache, SHARES["open_files"], rule_slow_log,
	rule_binlog, rule_redo_log, rule_file_per_table, rule_charset,
)  # fmt: skip


def advise(status: dict, variables: dict, facts: dict | None = None) -> list[Advice]:
	"""Every rule that fires. A rule that fails on odd input is skipped, never raised."""
	found = []
	for rule in RULES:
		try:
			advice = rule(status or {}, variables or {}, facts or {})
		except (ArithmeticError, TypeError, ValueError):
			continue
		if advice:
			found.append(advice)
	return found
