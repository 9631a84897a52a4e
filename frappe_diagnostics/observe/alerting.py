"""When to alert, as alerting tools decide it: a status must hold for N consecutive runs before it alerts,
recovery is announced once, a bad status is repeated after an interval, and each site and each check is
judged on its own. Pure functions over statuses; site/alerts.py reads and records them."""

from __future__ import annotations

from dataclasses import dataclass

BAD = ("warning", "critical", "error")
FIRING, REPEAT, RESOLVED = "Firing", "Repeat", "Resolved"
SITE = "site"  # the subject of the site's overall status; checks are named by their id


@dataclass(frozen=True)
class LastAlert:
	event: str
	status: str
	age_s: float  # since it was sent


@dataclass(frozen=True)
class Decision:
	subject: str
	event: str  # Firing, Repeat or Resolved
	status: str  # the status it alerts about (lower case)
	previous: str  # the status the last alert announced ("ok" when none, or after a recovery)
	held: int  # consecutive runs it held


def decide(
	subject: str, history: list[str], last: LastAlert | None, need: int, repeat_s: float
) -> Decision | None:
	"""The alert for one subject, or None. `history`: its statuses in the latest runs, newest first, skipped
	ones left out (a skipped check tells nothing)."""
	if need < 1 or len(history) < need:
		return None
	current = history[0]
	if any(status != current for status in history[:need]):
		return None  # flapping, or not yet held for `need` runs
	announced = last.status if last is not None and last.event != RESOLVED else "ok"
	if current == announced:
		if current in BAD and last is not None and last.age_s >= repeat_s:
			return Decision(subject, REPEAT, current, announced, need)
		return None
	if current in BAD:
		return Decision(subject, FIRING, current, announced, need)
	if announced in BAD:
		return Decision(subject, RESOLVED, current, announced, need)
	return None


def decide_all(
	histories: dict[str, list[str]], last: dict[str, LastAlert], need: int, repeat_s: float
) -> list[Decision]:
	"""Decisions for every subject, the site's first, then the checks by id."""
	order = sorted(histories, key=lambda s: (s != SITE, s))
	found = (decide(s, histories[s], last.get(s), need, repeat_s) for s in order)
	return [d for d in found if d is not None]


def histories(runs: list[dict], per_check: bool) -> dict[str, list[str]]:
	"""Statuses per subject from runs (newest first), each {"status": …, "results": {check id: status}}."""
	found: dict[str, list[str]] = {SITE: []}
	for run in runs:
		if run["status"] != "skipped":
			found[SITE].append(run["status"])
		if per_check:
			for check_id, status in run["results"].items():
				if status != "skipped":
					found.setdefault(check_id, []).append(status)
	return found


def headline(site: str, decisions: list[Decision]) -> str:
	"""One line naming every change, worst news first: the subject of an email or a chat message."""
	ranked = sorted(decisions, key=lambda d: (d.event == RESOLVED, d.subject != SITE))
	parts = [_part(d) for d in ranked[:4]]
	more = f" and {len(decisions) - 4} more" if len(decisions) > 4 else ""
	return f"[{site}] " + "; ".join(parts) + more


def _part(d: Decision) -> str:
	name = "site" if d.subject == SITE else d.subject
	if d.event == RESOLVED:
		return f"{name} recovered ({d.previous.upper()} → {d.status.upper()})"
	if d.event == REPEAT:
		return f"{name} still {d.status.upper()}"
	return f"{name} {d.status.upper()} (was {d.previous.upper()})"


def lines(decisions: list[Decision], summaries: dict[str, str]) -> list[str]:
	"""One line per change with what the latest run said about it."""
	return [f"{_part(d)}: {summaries.get(d.subject, '')}".rstrip(": ") for d in decisions]
