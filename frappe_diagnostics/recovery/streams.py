"""Backup files as streams of their plain bytes, in constant memory: decrypted by GnuPG when Frappe
encrypted them (symmetric, with the site's `backup_encryption_key`), decompressed when gzipped.

The passphrase reaches gpg through an inherited pipe, never its command line, and gpg runs with a
throw-away home folder so no agent keeps the passphrase.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import tempfile
import zlib
from contextlib import contextmanager
from pathlib import Path

CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
GPG_FIRST_BYTES = (0x8C, 0x8D, 0xC3)  # a symmetric-key session packet, old or new format
TRAILER = re.compile(rb"-- Dump completed( on [^\n]*)?\s*$")
KEY_NAME = "backup_encryption_key"


class Unreadable(Exception):
	"""The file cannot be read to its end: corrupt, truncated, not what its name says. Says which and where."""


class KeyMissing(Unreadable):
	"""An encrypted backup and no key to open it."""


class DecryptFailed(Unreadable):
	"""gpg could not decrypt: a wrong key, or a damaged file."""


def is_encrypted(path: Path, named_encrypted: bool = False) -> bool:
	"""Encrypted by Frappe: named -enc, or starting with a GnuPG symmetric packet instead of gzip/tar bytes."""
	try:
		with open(path, "rb") as f:
			head = f.read(2)
	except OSError as e:
		raise Unreadable(f"{path.name} cannot be opened: {e.strerror}.") from None
	if head.startswith(GZIP_MAGIC):
		return False
	return named_encrypted or (bool(head) and head[0] in GPG_FIRST_BYTES)


@contextmanager
def open_raw(path: Path, key: str | None, named_encrypted: bool = False):
	"""The file's bytes, decrypted when it is encrypted. KeyMissing / DecryptFailed say what went wrong."""
	path = Path(path)
	if not is_encrypted(path, named_encrypted):
		with open(path, "rb") as f:
			yield f
		return
	if not key:
		raise KeyMissing(
			f"{path.name} is encrypted and the site's {KEY_NAME} is missing: put the key that was in "
			f"site_config.json when the backup was taken back into it (or pass it), then try again."
		)
	with _gpg(path, key) as stream:
		yield stream


@contextmanager
def _gpg(path: Path, key: str):
	binary = shutil.which("gpg")
	if not binary:
		raise DecryptFailed(f"{path.name} is encrypted and gpg is not installed: apt-get install gnupg.")
	home = tempfile.mkdtemp(prefix="diag-gpg-")
	read_end, write_end = os.pipe()
	os.write(write_end, key.encode())
	os.close(write_end)
	errors = tempfile.TemporaryFile()
	args = [binary, "--homedir", home, "--batch", "--quiet", "--no-tty", "--pinentry-mode", "loopback"]
	args += ["--no-symkey-cache", "--passphrase-fd", str(read_end), "--decrypt", str(path)]
	proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors, pass_fds=(read_end,))
	os.close(read_end)
	gave_up = False
	try:
		yield proc.stdout
		gave_up = proc.stdout.read(1) != b""
	except BaseException:
		gave_up = True
		raise
	finally:
		proc.stdout.close()  # a gpg still writing gets EPIPE and ends
		try:
			code = proc.wait(timeout=30)
		except subprocess.TimeoutExpired:
			proc.kill()
			code = proc.wait()
		errors.seek(0)
		message = errors.read().decode(errors="replace").strip().replace(key, "********")
		errors.close()
		subprocess.run(
			["gpgconf", "--homedir", home, "--kill", "gpg-agent"], capture_output=True, check=False
		)
		shutil.rmtree(home, ignore_errors=True)
		wrong_key = "bad session key" in message.lower()
		if wrong_key or (code != 0 and not gave_up):
			reason = "wrong backup_encryption_key" if wrong_key else message or f"gpg exited {code}"
			raise DecryptFailed(f"{path.name} could not be decrypted: {reason}.")


class Reader:
	"""Chunks of a plain stream with the count of bytes, the first KiB and the last bytes kept."""

	def __init__(self, stream, name: str, tail: int = 512):
		self.stream, self.name, self.keep = stream, name, tail
		self.bytes, self.head, self.tail = 0, b"", b""

	def chunks(self, size: int = CHUNK):
		while True:
			try:
				chunk = self.stream.read(size)
			except EOFError:
				raise Unreadable(
					f"{self.name} is truncated: the compressed stream ends after {self.bytes:,} bytes of data "
					"without gzip's end marker (an interrupted copy or a full disk when it was written)."
				) from None
			except (gzip.BadGzipFile, zlib.error, OSError) as e:
				raise Unreadable(f"{self.name} is corrupt after {self.bytes:,} bytes of data: {e}.") from None
			if not chunk:
				return
			if len(self.head) < 1024:
				self.head += chunk[: 1024 - len(self.head)]
			self.tail = (self.tail + chunk[-self.keep :])[-self.keep :]
			self.bytes += len(chunk)
			yield chunk

	@property
	def completed(self) -> bool:
		"""MariaDB's dump ends with `-- Dump completed on …`: no trailer, no complete dump."""
		return bool(TRAILER.search(self.tail))


@contextmanager
def open_plain(path: Path, key: str | None, named_encrypted: bool = False):
	"""A Reader over the file's plain bytes: decrypted and, for .gz/.tgz, decompressed."""
	path = Path(path)
	with open_raw(path, key, named_encrypted) as raw:
		if path.name.endswith((".gz", ".tgz")):
			stream = gzip.GzipFile(fileobj=raw, mode="rb")
			try:
				yield Reader(stream, path.name)
			finally:
				stream.close()
		else:
			yield Reader(raw, path.name)


def dump_header(head: bytes) -> dict:
	"""Frappe's metadata comment at the top of a dump: version, branch, and whether it is partial."""
	text = head.decode("utf-8", errors="replace")
	found = {"partial": "Partial Backup" in text}
	for key in ("version", "branch"):
		match = re.search(rf"^-- {key} = (\S+)", text, re.M)
		if match:
			found[key] = match.group(1)
	match = re.search(r"Backup generated by Frappe (\d+\.\d+\.\d+)", text)
	if match and "version" not in found:
		found["version"] = match.group(1)
	return found
