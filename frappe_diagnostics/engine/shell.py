"""Commands the app suggests are pasted by tired operators: every word built from data is shell-quoted."""

from __future__ import annotations

import shlex


def command(*words) -> str:
	"""One shell command line; each word quoted when it needs to be (`$(…)`, backticks, spaces, quotes)."""
	return shlex.join(str(w) for w in words)


def bench(site: str | None, *words) -> str:
	"""`bench --site SITE …` with every word quoted; `bench …` when no site is known."""
	return command("bench", *(("--site", site) if site else ()), *words)
