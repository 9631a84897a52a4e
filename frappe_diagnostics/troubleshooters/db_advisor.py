"""MariaDB configuration advisor: rules over SHOW GLOBAL STATUS / VARIABLES, in the spirit of MySQLTuner.

Pure functions: every rule takes the status and variables maps (strings, as the server gives them) and facts
(RAM, data size), guards every division, and returns Advice with the evidence that triggered it.
"""

from __future__ import annotations

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


def rule_connections(s, v, f):
	used, limit = num(s, "Max_used_connections"), num(v, "max_connections")
	share = ratio(used, limit)
	if share is not None and share > 0.85:
		return Advice(
			"connections",
			"warning",
			f"Peak connections reached {share:.0%} of max_connections.",
			"max_connections",
			str(int(limit * 1.5)),
			{"Max_used_connections": int(used), "max_connections": int(limit)},
		)
	return None


def rule_aborted_connects(s, v, f):
	aborted, total = num(s, "Aborted_connects"), num(s, "Connections")
	share = ratio(aborted, total)
	if share is not None and total >= 100 and share > 0.05:
		return Advice(
			"aborted_connects",
			"warning",
			f"{share:.0%} of connection attempts failed (wrong passwords, network or max_connections).",
			None,
			None,
			{"Aborted_connects": int(aborted), "Connections": int(total)},
		)
	return None


def rule_tmp_disk_tables(s, v, f):
	disk, total = num(s, "Created_tmp_disk_tables"), num(s, "Created_tmp_tables")
	share = ratio(disk, total)
	if share is not None and total >= 100 and share > 0.25:
		size = max(num(v, "tmp_table_size"), num(v, "max_heap_table_size"))
		target = human(max(size * 2, 64 * MiB))
		return Advice(
			"tmp_disk_tables",
			"warning",
			f"{share:.0%} of temporary tables went to disk.",
			"tmp_table_size and max_heap_table_size",
			target,
			{"Created_tmp_disk_tables": int(disk), "Created_tmp_tables": int(total)},
		)
	return None


def rule_sort_merge(s, v, f):
	passes, sorts = num(s, "Sort_merge_passes"), num(s, "Sort_scan") + num(s, "Sort_range")
	share = ratio(passes, sorts)
	if share is not None and sorts >= 100 and share > 0.1:
		return Advice(
			"sort_merge_passes",
			"warning",
			f"Sorts needed merge passes {share:.0%} of the time.",
			"sort_buffer_size",
			human(max(num(v, "sort_buffer_size") * 2, 4 * MiB)),
			{"Sort_merge_passes": int(passes), "sorts": int(sorts)},
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


def rule_open_files(s, v, f):
	used, limit = num(s, "Open_files"), num(v, "open_files_limit")
	share = ratio(used, limit)
	if share is not None and share > 0.85:
		return Advice(
			"open_files",
			"warning",
			f"{share:.0%} of open_files_limit is in use.",
			"open_files_limit",
			str(int(limit * 2)),
			{"Open_files": int(used), "open_files_limit": int(limit)},
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
	rule_buffer_pool, rule_connections, rule_aborted_connects, rule_tmp_disk_tables, rule_sort_merge,
	rule_thread_cache, rule_table_cache, rule_open_files, rule_slow_log, rule_binlog, rule_redo_log,
	rule_file_per_table, rule_charset,
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
