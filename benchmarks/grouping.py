"""Error grouping quality and speed: pairwise precision/recall on labelled error records, records/s.

    python benchmarks/grouping.py                        # generated labelled records (gen_errors.py)
    python benchmarks/grouping.py --labelled real.json   # [{"label": ..., "text": ...}, ...], e.g. from
                                                         # benchmarks/real_errors.py on a Frappe site
    python benchmarks/grouping.py --logs ~/frappe-bench/logs   # unlabelled: groups and records/s only

Pairwise: every two records with the same label should share a key (recall), every two with different
labels should not (precision). Compared with a Sentry-style baseline: the exception chain's types and
in-app frames (module + function) when there is a stack, else the type and the parameterised message.
Targets: precision >= 0.99, recall >= 0.99, >= 20,000 records/s on one core.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from gen_errors import labelled

from frappe_diagnostics.knowledge.tracebacks import fingerprint_error, parse_traceback
from frappe_diagnostics.knowledge.traceparse import is_dispatch

TARGET_PRECISION, TARGET_RECALL, TARGET_RATE = 0.99, 0.99, 20_000
_SENTRY_PARAMS = re.compile(
	r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"  # uuid
	r"|\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?\b"  # date and time
	r"|\b(?:\d{1,3}\.){3}\d{1,3}\b"  # ip
	r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"  # email
	r"|\b0x[0-9a-f]+\b|\b[0-9a-f]{16,}\b"  # hex
	r"|-?\b\d+(?:[.,]\d+)*\b",  # numbers
	re.I,
)


def sentry_key(text: str) -> str:
	"""Sentry's default grouping, approximated: a stack groups by every exception of the chain, each by its
	type and in-app frames (module and function; site-packages and the stdlib are not in-app, and neither
	are Frappe's request and job dispatch frames, as a Sentry user would configure), else by the type and
	the parameterised message."""
	blocks = parse_traceback(text)
	parts = []
	for block in blocks:
		in_app = [f"{f.module}:{f.function}" for f in block.frames if f.kind == "app" and not is_dispatch(f)]
		parts += (
			[block.exception_type, *in_app]
			if in_app
			else [block.exception_type, _sentry_message(block.message)]
		)
	if not blocks:
		first = next((line for line in text.splitlines() if line.strip()), "")
		parts = [_sentry_message(first)]
	return hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()[:16]


def _sentry_message(message: str) -> str:
	return _SENTRY_PARAMS.sub("<int>", message.strip())


def pairwise(labels: list[str], keys: list[str]) -> tuple[float, float]:
	"""Pairwise precision and recall, counted from the label x key contingency table (no n^2 loop)."""
	cells = Counter(zip(labels, keys, strict=True))
	pairs = lambda n: n * (n - 1) // 2  # noqa: E731
	tp = sum(pairs(n) for n in cells.values())
	same_key = sum(pairs(n) for n in Counter(keys).values())
	same_label = sum(pairs(n) for n in Counter(labels).values())
	return (tp / same_key if same_key else 1.0), (tp / same_label if same_label else 1.0)


def splits_and_merges(labels: list[str], keys: list[str]) -> tuple[dict, dict]:
	by_label, by_key = defaultdict(set), defaultdict(set)
	for label, key in zip(labels, keys, strict=True):
		by_label[label].add(key)
		by_key[key].add(label)
	split = {label: len(k) for label, k in by_label.items() if len(k) > 1}
	merged = {key: sorted(v) for key, v in by_key.items() if len(v) > 1}
	return split, merged


def rate(texts: list[str], repeat: int = 3) -> float:
	"""Records fingerprinted per second (best of `repeat` passes over the texts)."""
	best = float("inf")
	for _ in range(repeat):
		started = time.perf_counter()
		for text in texts:
			fingerprint_error(text)
		best = min(best, time.perf_counter() - started)
	return len(texts) / best


def score(name: str, labels: list[str], keys: list[str]) -> dict:
	precision, recall = pairwise(labels, keys)
	f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
	split, merged = splits_and_merges(labels, keys)
	print(
		f"{name:>14}: precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  "
		f"{len(set(keys))} groups for {len(set(labels))} labels"
	)
	if split:
		print(f"{'':>16}split: {dict(sorted(split.items()))}")
	if merged:
		print(f"{'':>16}merged: {list(merged.values())[:8]}")
	return {
		"precision": precision,
		"recall": recall,
		"f1": f1,
		"split": split,
		"merged": list(merged.values()),
	}


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--labelled", type=Path, help="a JSON list of {label, text} (default: generated)")
	parser.add_argument("--per-label", type=int, default=40, help="generated records per label")
	parser.add_argument("--logs", type=Path, help="a logs/ folder: groups and records/s of its error records")
	args = parser.parse_args(argv)
	if args.logs:
		return unlabelled(args.logs)
	if args.labelled:
		rows = json.loads(args.labelled.read_text())
		data = [(row["label"], row["text"]) for row in rows]
		source = str(args.labelled)
	else:
		data = labelled(per_label=args.per_label)
		source = f"generated, {args.per_label} per label"
	labels, texts = [label for label, _ in data], [text for _, text in data]
	print(f"{len(texts):,} records, {len(set(labels))} labels ({source})")
	ours = score("fingerprint", labels, [fingerprint_error(t).key for t in texts])
	score("sentry-style", labels, [sentry_key(t) for t in texts])
	per_second = rate(texts)
	ok = (
		ours["precision"] >= TARGET_PRECISION
		and ours["recall"] >= TARGET_RECALL
		and per_second >= TARGET_RATE
	)
	print(f"{'speed':>14}: {per_second:,.0f} records/s  [{'ok' if ok else 'MISSED'}]")
	return 0


def unlabelled(folder: Path) -> int:
	from frappe_diagnostics.knowledge.logfiles import discover
	from frappe_diagnostics.knowledge.logrecords import ERROR_LEVELS, parse_records
	from frappe_diagnostics.knowledge.sources import ReadReport, read_lines

	texts = []
	for log in discover(folder):
		for record in parse_records(
			read_lines(log.path, ReadReport(log.path.name)), lambda lv: lv in ERROR_LEVELS
		):
			if record.is_error:
				texts.append(record.text)
	keys = Counter(fingerprint_error(t).key for t in texts)
	baseline = Counter(sentry_key(t) for t in texts)
	print(f"{len(texts):,} error records in {folder}: {len(keys)} groups (sentry-style: {len(baseline)})")
	print(f"{'speed':>14}: {rate(texts):,.0f} records/s")
	return 0


if __name__ == "__main__":
	raise SystemExit(main())
