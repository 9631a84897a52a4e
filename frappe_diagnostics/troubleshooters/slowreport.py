"""The slow-log digest as a readable report, group by group like pt-query-digest's, for terminals: rank,
query id, share of the time, counts, time percentiles, rows examined vs sent, where and when, the
fingerprint and the worst sample."""

from __future__ import annotations

import textwrap

from frappe_diagnostics.knowledge.slowstats import QueryGroup, SlowLogDigest
from frappe_diagnostics.knowledge.timewindow import iso

SAMPLE_CHARS = 600
WIDTH = 100


def report(result: SlowLogDigest, order_by: str = "total") -> list[str]:
	if not result.groups:
		return []
	shown = len(result.groups)
	lines = [
		f"{result.queries:,} slow statement(s), {result.total_time:,.1f} s in all, {result.fingerprints:,} "
		f"group(s); {shown} shown, ranked by {'count' if order_by == 'count' else order_by + ' time'}"
		+ (f"; {result.filtered_out:,} left out by the filters" if result.filtered_out else "")
		+ ".",
	]
	for rank, g in enumerate(result.groups, start=1):
		lines += ["", *_group(rank, g)]
	return lines


def _group(rank: int, g: QueryGroup) -> list[str]:
	per_sent = f"{g.rows_examined / g.rows_sent:,.0f}:1" if g.rows_sent else "nothing sent"
	where = ", ".join(g.databases) or "?"
	who = ", ".join(g.users) or "?"
	head = f"#{rank}  {g.query_id}  {g.total_time:,.2f} s ({g.share:.0%} of the time)  {g.count:,}×  mean {g.mean_time:.3f} s"
	body = [
		f"    time   p50 {g.p50_time:.3f}  p95 {g.p95_time:.3f}  p99 {g.p99_time:.3f}  max {g.max_time:.3f} s"
		f"   lock {g.lock_time:.3f} s",
		f"    rows   examined {g.rows_examined:,} ({g.rows_examined / g.count:,.0f} a call)  sent {g.rows_sent:,}"
		f" ({g.rows_sent / g.count:,.1f} a call)  examined:sent {per_sent}"
		+ (f"  full scans {g.full_scans:,}" if g.full_scans else ""),
		f"    where  {where}  by {who}  first {iso(g.first_seen) or '?'}  last {iso(g.last_seen) or '?'}",
	]
	body += _wrapped("shape  ", g.fingerprint or "(no statement: the entry was only `use db;`)")
	body += _wrapped(
		f"worst  ({g.max_time:.3f} s) ",
		g.sample[:SAMPLE_CHARS] + ("…" if len(g.sample) > SAMPLE_CHARS else ""),
	)
	return [head, *body]


def _wrapped(label: str, text: str) -> list[str]:
	flat = " ".join(text.split())
	lines = textwrap.wrap(flat, width=WIDTH - 4 - len(label)) or [""]
	return [f"    {label}{lines[0]}", *(f"    {' ' * len(label)}{line}" for line in lines[1:])]
