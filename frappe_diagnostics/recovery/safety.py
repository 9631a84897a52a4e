"""The safety backup a restore takes of the live database before it swaps anything: a dump named like
Frappe's own (so the inventory lists it and a restore can take it back), written under a temporary name
and renamed when complete, so a killed or failed dump never looks like a backup."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from frappe_diagnostics.recovery import dbroot, faults
from frappe_diagnostics.recovery.naming import slug_of


class SafetyFailed(Exception):
	pass


def site_account(ctx) -> dbroot.RootAccount:
	conf = ctx.conf
	return dbroot.RootAccount(
		str(conf.get("db_user") or conf["db_name"]),
		str(conf.get("db_password") or ""),
		"the site's own database user",
		dbroot.server_of(ctx),
	)


def paths(folder: Path, site: str, stamp: str) -> tuple[Path, Path]:
	base = f"{stamp}-{slug_of(site)}"
	return folder / f"{base}-database.sql.gz", folder / f"{base}-site_config_backup.json"


def header(frappe_version: str | None) -> str:
	lines = [
		"begin frappe metadata",
		"[frappe]",
		f"version = {frappe_version or '0.0.0'}",
		"branch = N/A",
		"end frappe metadata",
		"",
		"Safety backup taken by frappe_diagnostics before a restore",
		"",
	]
	return "\n".join(f"-- {line}" for line in lines) + "\n"


def take(ctx, folder: Path, stamp: str, frappe_version: str | None, fault: str = "") -> Path:
	"""Dump the live database to `folder`; returns the dump's path. SafetyFailed with the reason."""
	folder.mkdir(parents=True, exist_ok=True)
	target, config = paths(folder, ctx.name, stamp)
	partial = target.with_name("." + target.name + ".partial")
	try:
		with gzip.open(partial, "wt") as f:
			f.write(header(frappe_version))
		with (
			dbroot.defaults_file(site_account(ctx)) as options,
			tempfile.TemporaryFile() as errors,
			open(partial, "ab") as out,
		):
			args = dbroot.client_args(
				options,
				"--single-transaction",
				"--quick",
				"--lock-tables=false",
				ctx.conf["db_name"],
				dump=True,
			)
			dump = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors, pass_fds=options.fds)
			zipper = subprocess.Popen(
				[shutil.which("gzip") or "gzip", "-c"], stdin=dump.stdout, stdout=out, stderr=errors
			)
			dump.stdout.close()
			if fault:
				time.sleep(0.2)
				faults.point(fault)
			codes = (dump.wait(), zipper.wait())
			out.flush()
			errors.seek(0)
			message = errors.read().decode(errors="replace").strip()
		if codes != (0, 0):
			raise SafetyFailed(_reason(message, codes))
		shutil.copyfile(Path(ctx.site_path) / "site_config.json", config)
		partial.rename(target)
	except OSError as e:
		raise SafetyFailed(f"Could not write the safety backup in {folder}: {e.strerror or e}.") from None
	finally:
		partial.unlink(missing_ok=True)
	return target


def _reason(message: str, codes) -> str:
	if "No space left" in message or "Errcode: 28" in message:
		return f"The disk is full: the safety backup could not be written ({message.splitlines()[-1]})."
	return f"The safety backup failed (mariadb-dump {codes[0]}, gzip {codes[1]}): {message or 'no message'}"
