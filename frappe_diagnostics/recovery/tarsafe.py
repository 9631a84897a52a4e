"""Extract a Frappe files backup (a tar of `./<site>/public/files/…` or `./<site>/private/files/…`) into a
new folder, streaming, with a path check on every member: no absolute paths, no `..`, nothing outside
the files folder, no links that lead out of it, no devices or pipes (tarfile's extraction filters, PEP 706,
with the files folder's own rule on top). A member that fails the check stops the extraction with its
name; nothing is written outside the new folder.
"""

from __future__ import annotations

import tarfile
from pathlib import Path, PurePosixPath

from frappe_diagnostics.recovery import faults
from frappe_diagnostics.recovery.integrity import _Counting
from frappe_diagnostics.recovery.streams import Unreadable, open_plain

FOLDER = {"public": "public", "private": "private"}


class UnsafeArchive(Unreadable):
	"""A member that would land outside the files folder, or of a kind a files backup never holds."""


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


REFUSALS = (  # tarfile's data filter (PEP 706) refuses these; the words say why a files backup never needs them
	(tarfile.AbsolutePathError, "has an absolute path"),
	(tarfile.OutsideDestinationError, "would land outside the files folder"),
	(tarfile.AbsoluteLinkError, "is a symlink to an absolute path"),
	(tarfile.LinkOutsideDestinationError, "is a link that leads out of the files folder"),
	(tarfile.SpecialFileError, "is a device or pipe, which a files backup never holds"),
)


def files_filter(kind: str, archive: str):
	"""The extraction filter of a files backup: the member moved to its path inside the files folder
	(member_path), then tarfile's `data` filter, which refuses absolute paths, anything outside, links out
	and devices, and drops set-uid bits and foreign owners. UnsafeArchive names the member it refused."""

	def check(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo | None:
		parts = member_path(member, kind, archive)
		if not parts:
			return None  # the files folder itself: it is the destination
		changes = {"name": "/".join(parts)}
		if member.islnk():  # a hard link names another member by its path in the archive
			changes["linkname"] = "/".join(member_path(tarfile.TarInfo(member.linkname), kind, archive))
		try:
			return tarfile.data_filter(member.replace(**changes, deep=False), destination)
		except tarfile.FilterError as e:
			why = next((words for kind_, words in REFUSALS if isinstance(e, kind_)), str(e))
			raise UnsafeArchive(f"{archive}: member {member.name!r} {why}: refused.") from None

	return check


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
	safe = files_filter(kind, name)(member, str(root))
	if safe is None:
		return
	archive.extract(member, root, set_attrs=True, filter=lambda *_: safe)
	if safe.isdir():
		counts["folders"] += 1
	elif safe.isfile():
		counts["files"] += 1
		counts["bytes"] += safe.size
	else:
		counts["links"] += 1
