"""Rendering of runs and diagnoses for terminals and JSON, and exit codes. Framework-free; used by both CLIs."""

from __future__ import annotations

import json
import re
import shutil
import textwrap

from frappe_diagnostics.engine.redact import Redactor
from frappe_diagnostics.engine.result import RunResult, Status

FAIL_ON = ("warning", "critical", "never")
SYMBOL = {"ok": "✓", "warning": "!", "critical": "✗", "error": "?", "skipped": "-"}
COLOUR = {"ok": "32", "warning": "33", "critical": "31", "error": "35", "skipped": "90"}


def exit_code(status: Status, fail_on: str = "critical") -> int:
	"""0 when below the fail level; else 1 for warning, 2 for critical or error."""
	if fail_on not in FAIL_ON:
		raise ValueError(f"--fail-on must be one of {', '.join(FAIL_ON)}")
	if fail_on == "never":
		return 0
	limit = Status.WARNING if fail_on == "warning" else Status.ERROR
	if status.rank < limit.rank:
		return 0
	return 2 if status.rank >= Status.ERROR.rank else 1


def run_to_dict(run: RunResult, redactor: Redactor | None = None, **extra) -> dict:
	data = {**run.to_dict(), **extra}
	return (redactor or Redactor()).data(data)


_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str, *, in_json: bool = False) -> str:
	"""Text that encodes as UTF-8: bytes a log held that were not UTF-8 (read with surrogateescape) become
	a visible \\xNN (its backslash escaped inside JSON text); other lone surrogates become U+FFFD."""
	if not _SURROGATE.search(text):
		return text
	mark = "\\\\x" if in_json else "\\x"
	return _SURROGATE.sub(
		lambda m: f"{mark}{ord(m[0]) - 0xDC00:02x}" if "\udc80" <= m[0] <= "\udcff" else "\ufffd", text
	)


def to_json(data) -> str:
	"""JSON text that is always valid UTF-8, whatever bytes the data was read from."""
	return printable(json.dumps(data, indent=2, default=str, ensure_ascii=False), in_json=True)


def render_text(
	run: RunResult, redactor: Redactor | None = None, colour: bool = False, title: str = ""
) -> str:
	data = run_to_dict(run, redactor)
	width = max(60, min(shutil.get_terminal_size((100, 20)).columns, 140))
	paint = (lambda s, st: f"\033[{COLOUR[st]}m{s}\033[0m") if colour else (lambda s, st: s)
	lines = []
	if title:
		lines += [title, "=" * min(len(title), width)]
	id_width = max([len(r["check_id"]) for r in data["results"]] + [5])
	for r in data["results"]:
		label = f"{SYMBOL[r['status']]} {r['status'].upper():<8}"
		head = f"{paint(label, r['status'])} {r['check_id']:<{id_width}} {r['duration_ms']:>7.1f} ms  "
		body = textwrap.wrap(r["summary"], width=max(30, width - id_width - 30)) or [""]
		lines.append(head + body[0])
		lines += [" " * (id_width + 30) + more for more in body[1:]]
		if r["status"] in ("warning", "critical", "error"):
			for f in r["findings"]:
				lines.append(
					f"{'':12}- {f['message']}"
					+ (f"  {json.dumps(f['evidence'], default=str)}" if f["evidence"] else "")
				)
			for fix in r["fixes"]:
				lines.append(
					f"{'':12}→ {fix['description']}"
					+ (f" [{fix['link']}]" if fix.get("link") else "")
					+ (f"\n{'':14}$ {fix['command']}" if fix.get("command") else "")
				)
	overall = data["status"]
	lines.append("")
	lines.append(f"{paint(overall.upper(), overall)}: {data['summary']} ({data['duration_ms']:.0f} ms)")
	return "\n".join(lines)


def render_diagnosis(diagnosis, redactor: Redactor | None = None, colour: bool = False) -> str:
	"""A troubleshooter's answer: the likely cause first, then every step in order."""
	return printable(_render_diagnosis(diagnosis, redactor, colour))


def _render_diagnosis(diagnosis, redactor: Redactor | None, colour: bool) -> str:
	redactor = redactor or Redactor()
	text = render_text(diagnosis.as_run(), redactor, colour, title=diagnosis.question)
	appendix = getattr(diagnosis, "appendix", None)
	if appendix:
		text += "\n\n" + redactor.text("\n".join(appendix))
	cause = diagnosis.likely_cause
	if cause is None:
		return text + "\n\n" + redactor.text(diagnosis.summary)
	lines = [text, "", redactor.text(f"LIKELY CAUSE ({cause.check_id}): {cause.summary}")]
	for fix in cause.fixes:
		lines.append(
			redactor.text(f"  → {fix.description}" + (f"\n    $ {fix.command}" if fix.command else ""))
		)
	if getattr(diagnosis, "impact", ""):  # the doctor: how much of the site it breaks, and where to go next
		lines.append(f"  Impact: {diagnosis.impact}.")
	if getattr(diagnosis, "deeper", None):
		lines.append(redactor.text(f"  Go deeper: {diagnosis.deeper['command']}"))
	if getattr(diagnosis, "verdict", ""):
		lines.append(redactor.text(diagnosis.verdict))
	return "\n".join(lines)


def diagnosis_to_dict(diagnosis, redactor: Redactor | None = None, **extra) -> dict:
	return (redactor or Redactor()).data({**diagnosis.to_dict(), **extra})
