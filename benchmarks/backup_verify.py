"""Backup verification end to end against a plain `mariadb < dump` restore of the same file, in one run.

    python benchmarks/backup_verify.py                    # a generated site with a 1,000,000-row table
    python benchmarks/backup_verify.py --rows 200000 -n 1 # smaller and quicker
    python benchmarks/backup_verify.py --bench ~/frappe-bench --site site1.local --set 20261130_113901

The generated site is Frappe-shaped (tests/recovery_site.py) plus `tabGL Entry` with pseudo-random values
(names, dates, accounts, parties, amounts, remarks), dumped with mariadb-dump | gzip as Frappe does: about
35 MB compressed at 1M rows. Each round restores the dump plainly (gzip -dc | mariadb into an empty
database) and verifies it (diagnose_verification: integrity, scratch restore, comparison, drop), in
alternating order. Targets: verification at most 1.2x the plain restore, and about 90 s or less.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the Frappe-shaped test site, reused as the generated site

from frappe_diagnostics.engine.context import StandaloneContext
from frappe_diagnostics.recovery import dbroot, inventory, scratch
from frappe_diagnostics.recovery.verify import diagnose_verification

RATIO_TARGET, SECONDS_TARGET = 1.2, 90
GL_ENTRY = """CREATE TABLE `tabGL Entry` (
	name varchar(140) PRIMARY KEY, creation datetime(6), modified datetime(6), owner varchar(140),
	posting_date date, account varchar(140), party_type varchar(140), party varchar(140),
	debit decimal(21,9), credit decimal(21,9), voucher_type varchar(140), voucher_no varchar(140),
	remarks text, KEY posting_date (posting_date), KEY account (account)) ENGINE=InnoDB"""
FILL = """INSERT INTO `tabGL Entry`
	SELECT CONCAT(LEFT(MD5(seq), 8), seq), NOW(6) - INTERVAL (seq % 900) DAY, NOW(6), 'Administrator',
	CURDATE() - INTERVAL (seq % 900) DAY, CONCAT('Account ', seq % 57, ' - C'), 'Customer',
	CONCAT('CUST-', LPAD(seq % 4999, 5, '0')), ROUND(RAND(seq) * 10000, 2), ROUND(RAND(seq + 7) * 10000, 2),
	'Sales Invoice', CONCAT('SINV-', seq DIV 3), CONCAT('Against ', SUBSTR(MD5(seq * 31), 1, 4 + seq % 12))
	FROM seq_1_to_{rows}"""


def generated_site(rows: int):
	from recovery_site import RecoverySite

	root = Path(tempfile.mkdtemp(prefix="diag-bench-"))
	site = RecoverySite(root / "frappe-bench")
	try:
		site.sql(GL_ENTRY)
		site.sql("INSERT INTO `tabDocType` VALUES ('GL Entry', 'Accounts', 0, 0, 0)")
		site.sql(FILL.format(rows=int(rows)))
		stamp = site.backup(files=False)
	except BaseException:
		site.cleanup()
		raise
	return site, StandaloneContext(site.root, site.site), stamp


def plain_restore(account: dbroot.RootAccount, dump: Path) -> float:
	"""What an operator's restore costs: gzip -dc dump | mariadb into an empty database."""
	name = f"_diagbench_plain_{secrets.token_hex(3)}"
	conn = dbroot.connect(account)
	try:
		scratch.create(conn, name)
		started = time.monotonic()
		with dbroot.defaults_file(account) as options:
			unzip = subprocess.Popen(["gzip", "-dc", str(dump)], stdout=subprocess.PIPE)
			load = subprocess.run(
				dbroot.client_args(options, name),
				stdin=unzip.stdout,
				capture_output=True,
				pass_fds=options.fds,
			)
			unzip.stdout.close()
			unzip.wait()
		if load.returncode:
			raise RuntimeError(load.stderr.decode()[-500:])
		return time.monotonic() - started
	finally:
		scratch.drop(conn, name)
		conn.close()


def verification(ctx, stamp: str) -> tuple[float, str]:
	started = time.monotonic()
	diagnosis = diagnose_verification(ctx, stamp)
	return time.monotonic() - started, diagnosis.verdict


def main():
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--rows", type=int, default=1_000_000)
	parser.add_argument("-n", "--rounds", type=int, default=2)
	parser.add_argument("--bench", type=Path)
	parser.add_argument("--site")
	parser.add_argument("--set", dest="stamp")
	args = parser.parse_args()
	site = None
	if args.bench:
		ctx = StandaloneContext(args.bench, args.site)
		ctx.load_settings()
		stamp = inventory.select(ctx, args.stamp).stamp
	else:
		print(f"Generating a site with a {args.rows:,}-row table …", flush=True)
		site, ctx, stamp = generated_site(args.rows)
		ctx.load_settings()
	try:
		bset = inventory.select(ctx, stamp)
		dump = bset.database.path
		account = dbroot.find_account(ctx)
		print(f"Set {stamp}: {dump.stat().st_size / 2**20:.1f} MiB compressed ({dump.name})")
		plain, verify = [], []
		for i in range(args.rounds):
			for label in ("plain", "verify") if i % 2 == 0 else ("verify", "plain"):
				if label == "plain":
					plain.append(plain_restore(account, dump))
					print(f"  round {i + 1}: plain restore  {plain[-1]:6.1f} s", flush=True)
				else:
					seconds, verdict = verification(ctx, stamp)
					verify.append(seconds)
					print(f"  round {i + 1}: verification   {seconds:6.1f} s  ({verdict})", flush=True)
		ratio = statistics.median(verify) / statistics.median(plain)
		rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
		print(
			f"median plain {statistics.median(plain):.1f} s, verification {statistics.median(verify):.1f} s: {ratio:.2f}x (target <= {RATIO_TARGET}x, <= {SECONDS_TARGET} s); peak RSS of this process {rss:.0f} MiB"
		)
		ok = ratio <= RATIO_TARGET and statistics.median(verify) <= SECONDS_TARGET
		print("PASS" if ok else "MISS")
		return 0 if ok else 1
	finally:
		if site is not None:
			site.cleanup()
			subprocess.run(["rm", "-rf", str(site.root.parent)], check=False)


if __name__ == "__main__":
	os.environ.setdefault("PYTHONUNBUFFERED", "1")
	sys.exit(main())
