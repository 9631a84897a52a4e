"""The files-backup extractor: tarfile's extraction filters (PEP 706) under the files folder's own rule.
Each archive is built with the member it names; the extraction either refuses that member by name, leaving
nothing outside the new folder, or writes exactly the files folder's content."""

from __future__ import annotations

import io
import os
import stat
import tarfile

import pytest

from frappe_diagnostics.recovery.naming import BackupFile
from frappe_diagnostics.recovery.tarsafe import UnsafeArchive, extract

PREFIX = "./s.local/public/files"


def archive(tmp_path, *members: tarfile.TarInfo, data: dict[str, bytes] | None = None) -> BackupFile:
	path = tmp_path / "20261201_000000-s_local-files.tar"
	with tarfile.open(path, "w") as tar:
		for member in members:
			body = (data or {}).get(member.name)
			if body is not None:
				member.size = len(body)
			tar.addfile(member, io.BytesIO(body) if body is not None else None)
	return BackupFile(path, "20261201_000000", "s_local", "public", False, False, path.stat().st_size)


def entry(name: str, kind=tarfile.REGTYPE, linkname: str = "", mode: int = 0o644) -> tarfile.TarInfo:
	info = tarfile.TarInfo(name)
	info.type, info.linkname, info.mode, info.mtime = kind, linkname, mode, 1_700_000_000
	return info


def test_a_files_backup_is_extracted_with_its_folders_files_links_and_times(tmp_path):
	backup = archive(
		tmp_path,
		entry(PREFIX, tarfile.DIRTYPE, mode=0o755),
		entry(f"{PREFIX}/sub", tarfile.DIRTYPE, mode=0o755),
		entry(f"{PREFIX}/sub/a.txt"),
		entry(f"{PREFIX}/b.txt", tarfile.LNKTYPE, linkname=f"{PREFIX}/sub/a.txt"),
		entry(f"{PREFIX}/c.txt", tarfile.SYMTYPE, linkname="sub/a.txt"),
		data={f"{PREFIX}/sub/a.txt": b"hello"},
	)
	out = tmp_path / "out"
	counts = extract(backup, None, "public", out)
	assert counts == {"files": 1, "folders": 1, "links": 2, "bytes": 5}
	assert (out / "sub/a.txt").read_bytes() == b"hello"
	assert os.stat(out / "b.txt").st_ino == os.stat(out / "sub/a.txt").st_ino
	assert os.readlink(out / "c.txt") == "sub/a.txt"
	assert os.stat(out / "sub/a.txt").st_mtime == 1_700_000_000


def test_set_uid_and_group_write_bits_are_dropped(tmp_path):
	backup = archive(tmp_path, entry(f"{PREFIX}/x.sh", mode=0o4777), data={f"{PREFIX}/x.sh": b"#!/bin/sh\n"})
	extract(backup, None, "public", tmp_path / "out")
	assert stat.S_IMODE(os.stat(tmp_path / "out/x.sh").st_mode) == 0o755


@pytest.mark.parametrize(
	("member", "message"),
	[
		(entry("/etc/evil"), "member '/etc/evil' has an absolute or Windows path: refused."),
		(entry(f"{PREFIX}/../../../evil"), f"member '{PREFIX}/../../../evil' climbs out with '..': refused."),
		(entry("./s.local/private/files/x"), "is not under <site>/public/files: refused."),
		(
			entry(f"{PREFIX}/up", tarfile.SYMTYPE, linkname="../../../../etc"),
			f"member '{PREFIX}/up' is a link that leads out of the files folder: refused.",
		),
		(
			entry(f"{PREFIX}/abs", tarfile.SYMTYPE, linkname="/etc/passwd"),
			f"member '{PREFIX}/abs' is a symlink to an absolute path: refused.",
		),
		(
			entry(f"{PREFIX}/fifo", tarfile.FIFOTYPE),
			f"member '{PREFIX}/fifo' is a device or pipe, which a files backup never holds: refused.",
		),
		(
			entry(f"{PREFIX}/dev", tarfile.CHRTYPE),
			f"member '{PREFIX}/dev' is a device or pipe, which a files backup never holds: refused.",
		),
	],
)
def test_an_unsafe_member_is_refused_by_name_and_nothing_lands_outside(tmp_path, member, message):
	backup = archive(tmp_path, member)
	before = sorted(p.name for p in tmp_path.iterdir())
	with pytest.raises(UnsafeArchive) as refused:
		extract(backup, None, "public", tmp_path / "out")
	assert str(refused.value).endswith(message)
	assert str(refused.value).startswith(backup.name + ": ")
	assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "out"])
	assert list((tmp_path / "out").rglob("*")) == []


def test_a_file_written_through_an_inside_symlink_that_leaves_is_refused(tmp_path):
	"""A symlink to a folder inside, then a member 'through' it that climbs out: the realpath check catches it."""
	outside = tmp_path / "outside"
	outside.mkdir()
	backup = archive(
		tmp_path,
		entry(f"{PREFIX}/sub", tarfile.DIRTYPE, mode=0o755),
		entry(f"{PREFIX}/sub/link", tarfile.SYMTYPE, linkname=".."),
		entry(f"{PREFIX}/sub/link/link2", tarfile.SYMTYPE, linkname="../../outside"),
	)
	with pytest.raises(UnsafeArchive, match=r"leads out of the files folder: refused\."):
		extract(backup, None, "public", tmp_path / "out")
	assert list(outside.iterdir()) == []
