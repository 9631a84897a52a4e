"""Time the SQL gate (`sql_guard.validate_select`) on long input: the answer must come in linear time.

    python benchmarks/sql_gate.py            # OR/AND chains from 1 KB to 100 KB, an IN list, a long string
    python benchmarks/sql_gate.py -n 9       # more runs per case (median and max reported)

Target: every case answers (accepted, or refused at the node cap) in well under a second; before the
cap and the single rendering, a 14 KB OR chain took 176 s.
"""

from __future__ import annotations

import argparse
import statistics
import time

from frappe_diagnostics.troubleshooters.sql_guard import MAX_NODES, QueryRejected, validate_select

TARGET_S = 1.0
HEAD = "SELECT * FROM `tabUser` WHERE "


def chain(chars: int, joiner: str) -> str:
	term = "a=1"
	return HEAD + joiner.join([term] * ((chars - len(HEAD)) // (len(term) + len(joiner))))


def cases() -> list[tuple[str, str]]:
	found = [(f"OR chain {kb} KB", chain(kb * 1000, " OR ")) for kb in (1, 2, 7, 14, 30, 60, 100)]
	found.append(("AND chain 100 KB", chain(100_000 - 100, " AND ")))
	names = ", ".join(f"'SINV-{i:05d}'" for i in range(9_000))
	found.append(("IN list of 9,000 names (~100 KB)", f"{HEAD}name IN ({names})"[:99_990] + "')"))
	found.append(("a 99 KB string literal", f"{HEAD}a = '{'x' * 99_000}'"))
	return found


def answer(sql: str) -> str:
	try:
		validate_select(sql)
	except QueryRejected as e:
		return "refused: " + str(e)[:60]
	return "accepted"


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("-n", "--runs", type=int, default=5)
	args = parser.parse_args(argv)
	print(f"node cap: {MAX_NODES:,}")
	worst = 0.0
	for label, sql in cases():
		times = []
		for _ in range(args.runs):
			t0 = time.perf_counter()
			outcome = answer(sql)
			times.append(time.perf_counter() - t0)
		worst = max(worst, max(times))
		median = statistics.median(times)
		print(f"{label:<36} {len(sql):>7,} chars  median {median:.3f} s  max {max(times):.3f} s  {outcome}")
	verdict = "meets" if worst < TARGET_S else "MISSES"
	print(f"\nthe slowest answer took {worst:.3f} s: the gate {verdict} the {TARGET_S:g} s target")
	return 0


if __name__ == "__main__":
	raise SystemExit(main())
