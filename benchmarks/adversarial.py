"""Time of the text parsers on hostile input: the speed limits the test suites no longer time.

    python benchmarks/adversarial.py

- every message pattern of the error knowledge base against six adversarial 20,000-character inputs
  (target: each search under 0.1 s; a catastrophic backtrack takes seconds to forever);
- solution matching on a 5 MB traceback (target: under 2 s; matching reads only its two ends);
- the pt-query-digest fingerprint on eight pathological statements of 100-200 KB (target: under 5 s each).
Exit 1 when a target is missed.
"""

from __future__ import annotations

import random
import re
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from frappe_diagnostics.knowledge.solutions import load_solutions, match
from frappe_diagnostics.knowledge.sqlfingerprint import fingerprint

STATEMENTS = {
	"open-comments": "/* x " * 50_000,
	"insert-values": "INSERT INTO t VALUES (1) " * 20_000,
	"hashes": "#" * 200_000 + "'",
	"dashes": "-" * 200_000 + "'",
	"unions": "select a from t union " * 20_000,
	"asc": "select * from t order by " + ", ".join(f"a{i} asc" for i in range(20_000)),
	"quotes": "'" * 200_001,
	"in-lists": "in (" * 100_000,
}


def timed(fn, *args) -> float:
	started = time.perf_counter()
	fn(*args)
	return time.perf_counter() - started


def adversarial_inputs(pattern: str, rng: random.Random) -> list[str]:
	alphabet = "".join(sorted(set(re.sub(r"\\.", "", pattern)))) or "a"
	words = re.findall(r"[A-Za-z]{2,}", pattern) or ["a"]
	phrase = " ".join(words) + " "
	return [
		"a" * 20_000,
		" " * 20_000,
		"".join(rng.choice(alphabet) for _ in range(20_000)),
		phrase * (20_000 // len(phrase) + 1),
		"".join(rng.choice(string.printable) for _ in range(20_000)),
		"'" + "x" * 20_000,
	]


def main() -> int:
	rng, failed = random.Random(11), False
	worst = (0.0, "")
	for solution in load_solutions():
		for pattern in solution.messages:
			for text in adversarial_inputs(pattern.pattern, rng):
				took = timed(pattern.search, text)
				worst = max(worst, (took, f"{solution.id}: /{pattern.pattern}/"))
	print(f"knowledge-base patterns: slowest search {worst[0] * 1000:.1f} ms ({worst[1]}); target < 100 ms")
	failed |= worst[0] >= 0.1
	big = "Traceback (most recent call last):\n" + "x" * 5_000_000 + "\n(1213, 'Deadlock found')"
	took = timed(match, big)
	print(f"matching a 5 MB traceback: {took * 1000:.1f} ms; target < 2000 ms")
	failed |= took >= 2
	for name, statement in STATEMENTS.items():
		took = timed(fingerprint, statement) + timed(lambda s: fingerprint(s, legacy_quotes=True), statement)
		print(
			f"fingerprint {name:<14} {len(statement) / 1000:>6.0f} KB: {took * 1000:8.1f} ms; target < 5000 ms"
		)
		failed |= took >= 5
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main())
