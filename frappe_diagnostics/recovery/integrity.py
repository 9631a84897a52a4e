"""Quick integrity of a backup set, streaming each file once in constant memory: the dump decompresses to
its end and ends with MariaDB's "Dump completed" trailer; each tar lists to its end-of-archive blocks;
the site config backup is a JSON object."""

from __future__ import annotations

import json
import tarfile
import time
from dataclasses import dataclass, field

from frappe_diagnostics.recovery.naming import CONFIG, DATABASE, BackupFile
from frappe_diagnostics.recovery.streams import CHUNK, Reader, Unreadable, dump_header, open_plain

END_OF_ARCHIVE = 1024  # two zero blocks


@dataclass
class Integrity:
	kind: str
	name: str
	ok: bool
	message: str
	bytes: int = 0  # plain bytes read
	seconds: float = 0.0
	details: dict = field(default_factory=dict)

	def to_dict(self) -> dict:
		return {
			"kind": self.kind,
			"file": self.name,
			"ok": self.ok,
			"message": self.message,
			"bytes": self.bytes,
			"seconds": round(self.seconds, 3),
			**self.details,
		}


def check_file(file: BackupFile, key: str | None) -> Integrity:
	"""Read one file of a set to its end; never raises for a bad file (the result says what is wrong)."""
	started = time.monotonic()
	try:
		if file.kind == DATABASE:
			result = _database(file, key)
		elif file.kind == CONFIG:
			result = _config(file)
		else:
			result = _tar(file, key)
	except Unreadable as e:
		result = Integrity(file.kind, file.name, False, str(e))
	except OSError as e:
		result = Integrity(file.kind, file.name, False, f"{file.name} cannot be read: {e.strerror or e}.")
	result.seconds = time.monotonic() - started
	return result


def check_set(bset, key: str | None, kinds=None) -> dict[str, Integrity]:
	return {k: check_file(f, key) for k, f in bset.files.items() if kinds is None or k in kinds}


def _database(file: BackupFile, key: str | None) -> Integrity:
	with open_plain(file.path, key, file.encrypted) as reader:
		for _chunk in reader.chunks():
			pass
	return dump_verdict(file, reader)


def dump_verdict(file: BackupFile, reader: Reader) -> Integrity:
	"""What a dump read to its end says about itself: empty, no trailer, or whole."""
	details = {"header": dump_header(reader.head)}
	if reader.bytes == 0:
		return Integrity(
			file.kind, file.name, False, f"{file.name} holds no data.", reader.bytes, details=details
		)
	if not reader.completed:
		return Integrity(
			file.kind,
			file.name,
			False,
			f"{file.name} ends without MariaDB's '-- Dump completed' line: the dump was cut off while it was "
			f"written ({reader.bytes:,} bytes of SQL).",
			reader.bytes,
			details=details,
		)
	return Integrity(
		file.kind,
		file.name,
		True,
		"Decompresses to its end; the dump is complete.",
		reader.bytes,
		details=details,
	)


class _Counting:
	"""A plain stream that counts what tarfile reads from it."""

	def __init__(self, reader: Reader):
		self._chunks = reader.chunks(CHUNK)
		self._chunk, self._at = b"", 0
		self.count = 0

	def read(self, size: int = -1) -> bytes:
		parts, need = [], size
		while need != 0:
			if self._at >= len(self._chunk):
				self._chunk, self._at = next(self._chunks, b""), 0
				if not self._chunk:
					break
			take = len(self._chunk) - self._at if need < 0 else min(need, len(self._chunk) - self._at)
			parts.append(self._chunk[self._at : self._at + take])
			self._at += take
			need = need - take if need > 0 else need
		out = b"".join(parts)
		self.count += len(out)
		return out


def _tar(file: BackupFile, key: str | None) -> Integrity:
	with open_plain(file.path, key, file.encrypted) as reader:
		stream = _Counting(reader)
		members = files = 0
		try:
			with tarfile.open(fileobj=stream, mode="r|") as archive:
				for member in archive:
					members += 1
					files += member.isfile()
				end = archive.offset
		except tarfile.ReadError as e:
			raise Unreadable(
				f"{file.name} is not a readable tar archive after {stream.count:,} bytes: {e}."
			) from None
		stream.read()
	details = {"members": members, "files": files}
	if stream.count - end < END_OF_ARCHIVE:
		return Integrity(
			file.kind,
			file.name,
			False,
			f"{file.name} ends after its last member without tar's end-of-archive blocks: it was cut off.",
			stream.count,
			details=details,
		)
	return Integrity(
		file.kind, file.name, True, f"Lists to its end: {files} file(s).", stream.count, details=details
	)


def _config(file: BackupFile) -> Integrity:
	try:
		data = json.loads(file.path.read_text(encoding="utf-8"))
	except ValueError as e:
		return Integrity(file.kind, file.name, False, f"{file.name} is not valid JSON: {e}.")
	if not isinstance(data, dict):
		return Integrity(file.kind, file.name, False, f"{file.name} does not hold a JSON object.")
	keys = sorted(k for k in ("db_name", "encryption_key", "backup_encryption_key") if data.get(k))
	return Integrity(file.kind, file.name, True, "A readable site config.", file.size, details={"keys": keys})
