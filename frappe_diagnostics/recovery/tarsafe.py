"""Extract a Frappe files backup (a tar of `./<site>/public/files/…` or `./<site>/private/files/…`) into a
new folder, streaming, with a path check on every member: no absolute paths, no `..`, nothing outside
the files folder, no links that lead out of it, no devices or pipes. A member that fails the check stops
the extraction with its name; nothing is written outside the new folder.
"""

from __future__ import annotations

import os
import shutil
import tarfile
from pathlib import Path, PurePosixPath

from frappe_diagnostics.recovery import faults
from frappe_diagnostics.recovery.integrity import _Counting
from frappe_diagnostics.recovery.streams import Unreadable, open_plain

FOLDER = {"public": "public", "private": "private"}


class UnsafeArchive(Unreadable):
	"""A member that would land outside the files folder, or of a kind a files backup never holds."""


def _inside(root: Path, target: Path) -> bool:
	try:
		target.relative_to(root)
		return True
	except ValueError:
		return False


def member_path(member: tarfile.TarInfo, kind: str, archive: str) -> tuple[str, ...]:
	"""The member's path inside the files folder (empty for the folder itself); UnsafeArchive otherwise."""
	name = member.name
	if name.startswith("/") or "\\" in name:
		raise UnsafeArchive(f"{archive}: member {name!r} has an absolute or Windows path: refused.")
	parts = [p for p in PurePosixPath(name).parts if p not in (".", "")]
	if ".." in parts:
		raise UnsafeArchive(f"{archive}: member {name!r} climbs out with '..': refused.")
	if len(parts) < 3 or parts[1:3] != [FOLDER[kind], "files"]:
		raise UnsafeArchive(f"{archive}: member {name!r} is not under <site>/{FOLDER[kind]}/files: refused.")
	return tuple(parts[3:])


def _check_link(member: tarfile.TarInfo, root: Path, target: Path, kind: str, archive: str) -> Path:
	if member.issym():
		if member.linkname.startswith("/"):
			raise UnsafeArchive(f"{archive}: symlink {member.name!r} points to an absolute path: refused.")
		resolved = Path(os.path.normpath(target.parent / member.linkname))
	else:  # a hard link names another member of the archive
		resolved = root.joinpath(*member_path(tarfile.TarInfo(member.linkname), kind, archive))
	if not _inside(root, resolved):
		raise UnsafeArchive(f"{archive}: link {member.name!r} leads out of the files folder: refused.")
	return resolved


def extract(file, key: str | None, kind: str, destination: Path, fault: str = "") -> dict:
	"""Extract into `destination` (created; it must not exist). Returns counts."""
	destination = Path(destination)
	destination.mkdir(parents=True, exist_ok=False)
	root = destination.resolve()
	counts = {"files": 0, "folders": 0, "links": 0, "bytes": 0}
	with open_plain(file.path, key, file.encrypted) as reader:
		stream = _Counting(reader)
		try:
			with tarfile.open(fileobj=stream, mode="r|") as archive:
				for member in archive:
					_extract_member(archive, member, root, kind, file.name, counts)
					if fault and counts["files"] == 1:
						faults.point(fault)
		except tarfile.ReadError as e:
			raise Unreadable(f"{file.name} is not a readable tar archive: {e}.") from None
	return counts


def _extract_member(archive, member, root: Path, kind: str, name: str, counts: dict) -> None:
	parts = member_path(member, kind, name)
	if not parts:
		return
	target = root.joinpath(*parts)
	if not _inside(root, target) or not _inside(root, target.parent.resolve()):
		raise UnsafeArchive(f"{name}: member {member.name!r} would land outside the files folder: refused.")
	if member.isdir():
		target.mkdir(parents=True, exist_ok=True)
		counts["folders"] += 1
	elif member.isfile():
		target.parent.mkdir(parents=True, exist_ok=True)
		with archive.extractfile(member) as source, open(target, "xb") as out:
			shutil.copyfileobj(source, out, 1 << 20)
		os.chmod(target, member.mode & 0o777)
		os.utime(target, (member.mtime, member.mtime))
		counts["files"] += 1
		counts["bytes"] += member.size
	elif member.issym() or member.islnk():
		source = _check_link(member, root, target, kind, name)
		target.parent.mkdir(parents=True, exist_ok=True)
		if member.issym():
			os.symlink(member.linkname, target)
		else:
			os.link(source, target)
		counts["links"] += 1
	else:
		raise UnsafeArchive(
			f"{name}: member {member.name!r} is a device or pipe, which a files backup never holds: refused."
		)
