"""Swap a site's files folder for a restored one, extracted beside it, in one atomic step: Linux's
renameat2(RENAME_EXCHANGE) trades the two folders, so the live path always holds the whole old folder or
the whole new one; the old one then moves to a holding name. The restored folder is known by its inode
(recorded in the journal when it was extracted), so a rerun sees which side of the exchange it is on.
Where the filesystem cannot exchange, two renames are used and a kill between them leaves the folder
briefly absent until the rerun (or rollback) finishes."""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from frappe_diagnostics.recovery import faults

AT_FDCWD, RENAME_EXCHANGE = -100, 2


@dataclass(frozen=True)
class Folders:
	live: Path
	new: Path
	hold: Path

	@classmethod
	def of(cls, site_path, kind: str, run_id: str) -> Folders:
		parent = Path(site_path) / kind
		return cls(
			parent / "files", parent / f".diag-new-files-{run_id}", parent / f".diag-hold-files-{run_id}"
		)

	@property
	def undone(self) -> Path:
		return self.live.with_name(self.hold.name.replace("-hold-", "-undone-"))


def inode(path: Path) -> int | None:
	try:
		return os.stat(path, follow_symlinks=False).st_ino
	except FileNotFoundError:
		return None


def exchange(a: Path, b: Path) -> None:
	"""Atomically trade two paths; OSError(ENOSYS/EINVAL) where the system or filesystem cannot."""
	libc = ctypes.CDLL(None, use_errno=True)
	renameat2 = getattr(libc, "renameat2", None)
	if renameat2 is None:
		raise OSError(errno.ENOSYS, "renameat2 is not available")
	if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) != 0:
		code = ctypes.get_errno()
		raise OSError(code, os.strerror(code), str(a))


def _trade(new: Path, live: Path, fault: str) -> None:
	try:
		exchange(new, live)
	except OSError as e:
		if e.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
			raise
		aside = live.with_name(live.name + ".diag-aside")
		os.rename(live, aside)
		if fault:
			faults.point(fault)
		os.rename(new, live)
		os.rename(aside, new)


def swap(folders: Folders, new_inode: int, fault: str = "") -> None:
	"""Put the restored folder (inode `new_inode`) at the live path; the old one ends as `hold`. Idempotent."""
	live, new, hold = folders.live, folders.new, folders.hold
	if inode(live) != new_inode:
		if inode(live) is None:
			os.rename(new, live)  # the site had no such folder: it appears whole
		else:
			_trade(new, live, fault)
	if fault:
		faults.point(fault)
	if inode(new) is not None and inode(new) != new_inode:
		os.rename(new, hold)  # the old folder, traded out


def undo(folders: Folders, new_inode: int | None, fault: str = "") -> None:
	"""Put the old folder back at the live path and remove the restored one. Idempotent."""
	live, new, hold, undone = folders.live, folders.new, folders.hold, folders.undone
	if new_inode is not None and inode(live) == new_inode:
		old = hold if inode(hold) is not None else new if inode(new) is not None else None
		if old is None:
			os.rename(live, undone)  # the site had no such folder before
		else:
			_trade(old, live, fault)  # the old folder returns whole; the restored one takes its path
	if fault:
		faults.point(fault)
	for path in (new, hold):
		found = inode(path)
		if found is not None and (found == new_inode or (new_inode is None and path == new)):
			os.rename(path, undone)  # the restored (or half-extracted) folder
	shutil.rmtree(undone, ignore_errors=True)


def drop_hold(folders: Folders) -> None:
	shutil.rmtree(folders.hold, ignore_errors=True)
