"""What a bench runs now: its processes (psutil) by role, the holder of the scheduler's lock, and
supervisor's view of its programs. Framework-free; read-only."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from frappe_diagnostics.knowledge.benchconfig import classify

SCHEDULER_LOCK = ("config", "scheduler_process")  # frappe.utils.scheduler.start_scheduler's FileLock


@dataclass
class Running:
	pid: int
	role: str
	command: str
	queues: tuple[str, ...]
	uptime_s: float
	user: str

	def to_dict(self) -> dict:
		return {
			"pid": self.pid,
			"role": self.role,
			"command": self.command[:300],
			"queues": list(self.queues),
			"uptime_s": round(self.uptime_s),
			"user": self.user,
		}


def _belongs(proc, bench: Path) -> bool:
	"""A process of this bench: started from its env/ or working inside its folder."""
	root = str(bench)
	try:
		cmdline = proc.info.get("cmdline") or []
		if cmdline and cmdline[0].startswith(root + os.sep):
			return True
		cwd = proc.cwd()
	except Exception:
		return False
	return cwd == root or cwd.startswith(root + os.sep)


def bench_processes(bench: Path) -> list[Running]:
	"""Every process of this bench with a role (web, worker, schedule, socketio, redis, watch)."""
	import psutil

	bench = Path(bench).resolve()
	now = time.time()
	found = []
	for proc in psutil.process_iter(["pid", "cmdline", "create_time", "username"]):
		cmdline = proc.info.get("cmdline") or []
		if not cmdline:  # not skipping ourselves: inside the web server, this process IS the web process
			continue
		role, queues = classify(" ".join(cmdline))
		if role == "other" or not _belongs(proc, bench):
			continue
		if _is_child_of_same_role(proc, role, bench):
			continue  # gunicorn's workers and node's helpers: count the master once
		found.append(
			Running(
				proc.pid,
				role,
				" ".join(cmdline),
				queues,
				now - (proc.info.get("create_time") or now),
				proc.info.get("username") or "",
			)
		)
	return found


def _is_child_of_same_role(proc, role: str, bench: Path) -> bool:
	try:
		parent = proc.parent()
		if parent is None:
			return False
		parent_role, _ = classify(" ".join(parent.cmdline()))
	except Exception:
		return False
	return parent_role == role


def lock_holder(path: Path) -> int | None:
	"""The pid holding a flock/POSIX lock on `path` (Linux /proc/locks); None when nobody does.

	Read-only: taking the lock to test it could make a scheduler starting at that moment exit.
	"""
	try:
		inode = os.stat(path).st_ino
		with open("/proc/locks", encoding="ascii", errors="replace") as f:
			lines = f.read(2_000_000).splitlines()
	except OSError:
		return None
	for line in lines:
		parts = line.split()
		# "1: FLOCK  ADVISORY  WRITE 12053 00:2f:1234 0 EOF"
		for i, part in enumerate(parts):
			if part.count(":") == 2 and i >= 1:
				try:
					if int(part.rsplit(":", 1)[1]) == inode:
						return int(parts[i - 1])
				except ValueError:
					pass
				break
	return None


def scheduler_holder(bench: Path) -> int | None:
	return lock_holder(Path(bench).joinpath(*SCHEDULER_LOCK))


@dataclass
class SupervisorState:
	name: str
	state: str  # RUNNING, STOPPED, FATAL, BACKOFF, EXITED, STARTING …
	detail: str

	def to_dict(self) -> dict:
		return {"name": self.name, "state": self.state, "detail": self.detail}


def supervisorctl(bench: Path, *args: str, timeout_s: float = 3.0) -> subprocess.CompletedProcess:
	"""Run supervisorctl from the bench folder (it finds /etc/supervisor/supervisord.conf, or a
	supervisord.conf in the folder). OSError/TimeoutExpired when it cannot run."""
	binary = shutil.which("supervisorctl")
	if not binary:
		raise FileNotFoundError("supervisorctl is not installed")
	return subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout_s, cwd=bench)


def supervisor_status(bench: Path, timeout_s: float = 3.0) -> tuple[list[SupervisorState], str]:
	"""`supervisorctl status` parsed: ([states], "") or ([], why not). Never raises."""
	try:
		done = supervisorctl(bench, "status", timeout_s=timeout_s)
	except (OSError, subprocess.TimeoutExpired) as e:
		return [], f"supervisorctl did not answer: {e}"
	states = []
	for line in done.stdout.splitlines():
		parts = line.split(None, 2)
		if len(parts) >= 2 and parts[1].isupper():
			states.append(SupervisorState(parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
	if not states and done.returncode not in (0, 3):
		return [], (done.stdout + done.stderr).strip()[:300] or f"exit {done.returncode}"
	return states, ""
