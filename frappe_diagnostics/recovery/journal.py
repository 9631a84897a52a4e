"""The restore's journal: what was done, in order, written to disk (atomically, fsynced) before and after
each stage, so a run killed anywhere can be finished or undone by the next one. It is also the audit
record of the restore: who, when, which set, each stage's timing and outcome.
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
import time
from contextlib import contextmanager
from pathlib import Path

FOLDER = ("private", "diagnostics", "restore")
CURRENT = "current.json"
RUNNING, DONE, FAILED, ROLLED_BACK, CLOSED = "running", "done", "failed", "rolled back", "closed"


def folder(site_path) -> Path:
	return Path(site_path).joinpath(*FOLDER)


def write_atomically(path: Path, text: str, mode: int = 0o600) -> None:
	"""Replace `path` with `text` so a crash leaves the old file or the new, never a mix; fsynced."""
	path.parent.mkdir(parents=True, exist_ok=True)
	temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
	fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
	with os.fdopen(fd, "w", encoding="utf-8") as f:
		f.write(text)
		f.flush()
		os.fsync(f.fileno())
	os.replace(temp, path)
	directory = os.open(path.parent, os.O_RDONLY)
	try:
		os.fsync(directory)
	finally:
		os.close(directory)


class Journal:
	def __init__(self, site_path, data: dict):
		self.site_path = Path(site_path)
		self.data = data

	@classmethod
	def start(cls, site_path, **fields) -> Journal:
		now = time.time()
		data = {
			"id": time.strftime("%Y%m%dT%H%M%S", time.localtime(now)) + "-" + secrets.token_hex(2),
			"state": RUNNING,
			"committed": False,
			"started": now,
			"finished": None,
			"os_user": _os_user(),
			"stages": [],
			**fields,
		}
		journal = cls(site_path, data)
		journal.save()
		return journal

	@classmethod
	def load(cls, site_path) -> Journal | None:
		path = folder(site_path) / CURRENT
		try:
			return cls(site_path, json.loads(path.read_text(encoding="utf-8")))
		except FileNotFoundError:
			return None
		except ValueError as e:
			raise ValueError(
				f"The restore journal {path} is damaged ({e}); look at it before going on."
			) from None

	@property
	def path(self) -> Path:
		return folder(self.site_path) / CURRENT

	def __getitem__(self, key):
		return self.data.get(key)

	def update(self, **fields) -> None:
		self.data.update(fields)
		self.save()

	def save(self) -> None:
		write_atomically(self.path, json.dumps(self.data, indent=1, sort_keys=True, default=str))

	def stage(self, name: str) -> dict | None:
		return next((s for s in self.data["stages"] if s["name"] == name), None)

	def done(self, name: str) -> bool:
		found = self.stage(name)
		return bool(found and found["status"] in ("done", "skipped"))

	@contextmanager
	def running(self, name: str):
		"""Record a stage as running, then done (with the summary the body sets) or failed."""
		entry = self.stage(name)
		if entry is None:
			entry = {"name": name}
			self.data["stages"].append(entry)
		entry.update(
			status="running",
			started=time.time(),
			finished=None,
			summary="",
			attempts=entry.get("attempts", 0) + 1,
		)
		self.save()
		outcome = {"summary": "", "status": "done"}
		try:
			yield outcome
		except BaseException as e:
			entry.update(status="failed", finished=time.time(), summary=str(e) or type(e).__name__)
			self.save()
			raise
		entry.update(status=outcome["status"], finished=time.time(), summary=outcome["summary"])
		self.save()

	def close(self, state: str) -> Path:
		"""Finish the journal: keep it as `<id>.json` (the audit record); returns that path."""
		self.data.update(state=state, finished=time.time())
		kept = folder(self.site_path) / f"{self.data['id']}.json"
		write_atomically(kept, json.dumps(self.data, indent=1, sort_keys=True, default=str))
		if state in (ROLLED_BACK, CLOSED) or (state == FAILED and not self.data.get("committed")):
			self.path.unlink(missing_ok=True)
		else:
			self.save()
		return kept


def _os_user() -> str:
	try:
		return getpass.getuser()
	except (KeyError, OSError):
		return str(os.getuid())
