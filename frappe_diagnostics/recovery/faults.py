"""Fault injection for the fault-tolerance tests: a run dies by SIGKILL at a named point.

`DIAG_RECOVERY_FAULT=during:swap_db` (comma-separated names) makes the process kill itself there, exactly as
`kill -9` would; unset, every point is a no-op. Nothing else reads this variable.
"""

from __future__ import annotations

import os
import signal
import sys

VARIABLE = "DIAG_RECOVERY_FAULT"


def armed(point: str) -> bool:
	return point in {p.strip() for p in os.environ.get(VARIABLE, "").split(",") if p.strip()}


def point(name: str) -> None:
	"""Die here by SIGKILL when the test asked for it."""
	if armed(name):
		sys.stdout.flush()
		sys.stderr.flush()
		os.kill(os.getpid(), signal.SIGKILL)
