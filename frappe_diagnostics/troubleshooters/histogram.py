"""A per-minute rate as a text histogram for terminals: one row a minute, or a row per k minutes (still
per minute, averaged) when the span is longer than the rows allowed."""

from __future__ import annotations

import math
from datetime import datetime, timezone

BAR = "█"
QUIET_ROWS = 3  # this many empty rows in a row or more are shown as one line


def per_minute_histogram(counts: dict[int, int], what: str, max_rows: int = 60, width: int = 40) -> list[str]:
	"""`counts`: epoch minute -> events. Minutes without events inside the span show as empty rows."""
	if not counts:
		return []
	first, last = min(counts), max(counts)
	span = last - first + 1
	step = max(1, math.ceil(span / max_rows))
	rows = []
	for start in range(first, last + 1, step):
		total = sum(counts.get(m, 0) for m in range(start, min(start + step, last + 1)))
		rows.append((start, total / step))
	peak = max(rate for _, rate in rows) or 1
	days = _label(first, "%Y-%m-%d") != _label(last, "%Y-%m-%d")
	fmt = "%Y-%m-%d %H:%M" if days else "%H:%M"
	how = "per minute" if step == 1 else f"per minute, averaged over {step}-minute rows"
	lines = [f"{what} {how} (UTC, {_label(first, '%Y-%m-%d %H:%M')} to {_label(last, '%H:%M')}):"]
	quiet: list[int] = []  # a run of empty rows, shown as one line when it is long
	for start, rate in rows:
		if not rate:
			quiet.append(start)
			continue
		lines += _quiet(quiet, step, fmt)
		quiet = []
		bar = BAR * max(1, round(rate / peak * width))
		lines.append(
			f"  {_label(start, fmt)}  {bar} {rate:.0f}"
			if step == 1
			else f"  {_label(start, fmt)}  {bar} {rate:.1f}"
		)
	return lines


def _quiet(starts: list[int], step: int, fmt: str) -> list[str]:
	if len(starts) < QUIET_ROWS:
		return [f"  {_label(m, fmt)}" for m in starts]
	end = starts[-1] + step - 1
	return [
		f"  {'⋮':<{len(_label(starts[0], fmt))}}  none from {_label(starts[0], fmt)} to {_label(end, fmt)}"
	]


def _label(minute: int, fmt: str) -> str:
	return datetime.fromtimestamp(minute * 60, timezone.utc).strftime(fmt)
