"""Assess database corruption without harm: `CHECK TABLE … QUICK` on the tables chosen (default: Frappe's
core tables), one at a time within a time budget, and the server's error log where this machine can read it."""

from __future__ import annotations

import re
import time
from pathlib import Path

from frappe_diagnostics.engine.context import server_path
from frappe_diagnostics.engine.result import Finding, Metric
from frappe_diagnostics.engine.steps import CRITICAL, OK, WARNING, step

CORE = ("tabDocType", "tabDocField", "tabUser", "tabHas Role", "tabDefaultValue", "tabSingles", "__Auth")
LOG_LINES = re.compile(r"\[ERROR\]|corrupt|crash|marked as crashed|Database page corruption", re.I)


def existing_tables(conn, wanted) -> tuple[list[str], list[str]]:
	with conn.cursor() as cur:
		cur.execute(
			"SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'"
		)
		have = {row["t"] for row in cur.fetchall()}
	return [t for t in wanted if t in have], [t for t in wanted if t not in have]


def check_tables(ctx, tables=None, budget_s: float = 60.0):
	"""One step: each table's CHECK TABLE … QUICK verdict, until the budget is spent (the rest unchecked)."""
	conn = ctx.connect_db(timeout_s=max(5.0, budget_s))
	try:
		chosen, missing = existing_tables(conn, list(tables or CORE))
		results, unchecked, deadline = {}, [], time.monotonic() + budget_s
		for table in chosen:
			if time.monotonic() >= deadline:
				unchecked.append(table)
				continue
			with conn.cursor() as cur:
				cur.execute("CHECK TABLE `" + table.replace("`", "``") + "` QUICK")
				rows = cur.fetchall()
			verdict = [
				r
				for r in rows
				if r["Msg_type"] in ("error", "warning")
				or r["Msg_text"] not in ("OK", "Table is already up to date")
			]
			results[table] = "; ".join(f"{r['Msg_type']}: {r['Msg_text']}" for r in verdict) or "OK"
	finally:
		conn.close()
	bad = {t: v for t, v in results.items() if v != "OK"}
	evidence = {
		"checked": results,
		**({"unchecked (budget spent)": unchecked} if unchecked else {}),
		**({"no such table": missing} if missing else {}),
	}
	metrics = [Metric("checked", len(results), "tables"), Metric("damaged", len(bad), "tables")]
	if bad:
		return step(
			"recovery.check_tables",
			"CHECK TABLE … QUICK",
			CRITICAL,
			f"{len(bad)} table(s) report damage: {', '.join(list(bad)[:5])}.",
			[Finding("CHECK TABLE", evidence)],
			metrics=metrics,
		)
	status = WARNING if unchecked or missing else OK
	summary = (
		f"{len(results)} table(s) check OK"
		+ (f"; {len(unchecked)} not checked within {budget_s:g} s" if unchecked else "")
		+ (f"; {len(missing)} not found" if missing else "")
		+ "."
	)
	return step(
		"recovery.check_tables",
		"CHECK TABLE … QUICK",
		status,
		summary,
		[Finding("CHECK TABLE", evidence)],
		metrics=metrics,
	)


def error_log(ctx, lines: int = 2000):
	"""The server's error log (when this machine can read it): recent lines that speak of errors or damage."""
	row = ctx.server_variables("log_error", "datadir")
	path = server_path(row["log_error"], row["datadir"]) or Path("")
	try:
		tail = _tail(path, lines)
	except OSError as e:
		return step(
			"recovery.error_log",
			"Database server error log",
			OK,
			f"The server's error log ({path or 'not set'}) cannot be read here ({e.strerror or e}); look at it on the database host.",
		)
	hits = [line for line in tail if LOG_LINES.search(line)]
	if hits:
		return step(
			"recovery.error_log",
			"Database server error log",
			WARNING,
			f"{len(hits)} recent line(s) of {path} speak of errors or damage; the last: {hits[-1][:200]}",
			[Finding("Lines", {"path": str(path), "lines": hits[-20:]})],
		)
	return step(
		"recovery.error_log",
		"Database server error log",
		OK,
		f"No errors or damage in the last {len(tail)} lines of {path}.",
	)


def _tail(path: Path, lines: int) -> list[str]:
	with open(path, "rb") as f:
		f.seek(0, 2)
		size = f.tell()
		f.seek(max(0, size - 512 * 1024))
		return f.read().decode("utf-8", errors="replace").splitlines()[-lines:]
