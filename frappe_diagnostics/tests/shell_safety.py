"""Suggested commands are safe to paste: a helper for the standalone and the bench suites (no frappe here).

Each command is parsed (`shlex.split`, `bash -n`) and then executed by bash with harmless stubs for every
program it may name, `touch` excepted: an unquoted `$(touch …)` or backtick really creates its file.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

STUBBED = """bench sudo mkdir chown mariadb mysql redis-cli du df grep sed tail journalctl supervisorctl systemctl
	apt npm yarn nginx dmesg cat ls rm""".split()


class Planted:
	"""Markers whose creation proves that a command ran planted code."""

	def __init__(self, root: Path):
		self.root = root
		self.dollar = root / "by-dollar"
		self.backtick = root / "by-backtick"
		self.stubs = root / "stubs"
		self.stubs.mkdir(parents=True)
		for name in STUBBED:
			stub = self.stubs / name
			stub.write_text("#!/bin/sh\nexit 0\n")
			stub.chmod(0o755)
		(self.stubs / "touch").symlink_to(_real("touch"))
		self.program = root / "by-program"  # `pwned` needs no space: it fits in an email address
		pwned = self.stubs / "pwned"
		pwned.write_text(f"#!/bin/sh\n/bin/sh -c ': > {shlex.quote(str(self.program))}'\n")
		pwned.chmod(0o755)

	@property
	def text(self) -> str:
		"""What to plant in data: both forms of command substitution."""
		return f"$(touch {self.dollar.name}) `touch {self.backtick.name}`"  # run with cwd=root

	def check(self, commands: list[str]) -> None:
		assert commands, "no command was suggested: the test would prove nothing"
		for command in commands:
			shlex.split(command)  # pasteable: balanced quotes
			syntax = subprocess.run(["bash", "-n", "-c", command], capture_output=True, text=True)
			assert syntax.returncode == 0, (command, syntax.stderr)
			env = {"PATH": str(self.stubs), "HOME": str(self.root)}
			subprocess.run(["/bin/bash", "-c", command], cwd=self.root, env=env, capture_output=True)
			ran = [m.name for m in (self.dollar, self.backtick, self.program) if m.exists()]
			assert not ran, f"ran planted code ({', '.join(ran)}): {command}"


def _real(name: str) -> str:
	for folder in ("/usr/bin", "/bin"):
		if os.path.exists(f"{folder}/{name}"):
			return f"{folder}/{name}"
	raise AssertionError(f"{name} not found")


def commands_of(steps) -> list[str]:
	"""The commands of every fix of these steps (check results)."""
	return [fix.command for s in steps for fix in s.fixes if fix.command]
