"""`bench --site S diagnostics restore` on a real site of this bench, from a real `bench backup --with-files`:
the restored data and files are live, the old ones held until rolled back or dropped; a SIGKILL at the
commit point is finished by a rerun; the restore is recorded in the restored database."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import frappe

from frappe_diagnostics.tests.recovery_utils import TargetSite, take_backup
from frappe_diagnostics.tests.utils import TestCase

FAST = ("--job-timeout", "10")


class TestRestoreOnARealSite(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.target = TargetSite()

	@classmethod
	def tearDownClass(cls):
		cls.target.cleanup()
		super().tearDownClass()

	def todo(self) -> list:
		return self.target.sql("SELECT description FROM `tabToDo` WHERE name = 'RECOVERY-TEST-TODO'")

	def test_restore_kill_rerun_rollback_and_drop(self):
		target = self.target
		stamp = take_backup("--with-files", site_runner=target.bench)
		target.sql(
			"INSERT INTO `tabToDo` (name, description, status) VALUES ('RECOVERY-TEST-TODO', 'written after the backup', 'Open')"
		)
		target.write_file("public", "target.txt", "v2")

		killed = target.bench(
			"diagnostics", "restore", stamp, "--yes", *FAST, env={"DIAG_RECOVERY_FAULT": "during:swap_db"}
		)
		self.assertEqual(killed.returncode, -signal.SIGKILL, killed.stderr)
		self.assertEqual(
			target.conf().get("maintenance_mode"), 1
		)  # killed inside the restore: still in maintenance

		rerun = target.bench("diagnostics", "restore", "--yes", *FAST)
		self.assertEqual(rerun.returncode, 0, rerun.stderr)
		self.assertIn(f"Restored {target.name} from set {stamp}", rerun.stdout)
		self.assertEqual(self.todo(), [])
		self.assertEqual(target.read_file("public", "target.txt"), "v1")
		self.assertIsNone(target.conf().get("maintenance_mode"))
		recorded = target.sql(
			"SELECT name FROM `tabDiagnostic Run` WHERE kind = 'Recovery' AND `procedure` = 'restore'"
		)
		self.assertEqual(len(recorded), 1)

		back = target.bench("diagnostics", "restore", "--rollback", "--yes")
		self.assertEqual(back.returncode, 0, back.stderr)
		self.assertEqual(self.todo(), [("written after the backup",)])
		self.assertEqual(target.read_file("public", "target.txt"), "v2")
		self.assertEqual(target.ours(), [])

		again = target.bench("diagnostics", "restore", stamp, "--yes", *FAST)
		self.assertEqual(again.returncode, 0, again.stderr)
		dropped = target.bench("diagnostics", "restore", "--drop-holding")
		self.assertEqual(dropped.returncode, 0, dropped.stderr)
		self.assertEqual(target.ours(), [])
		self.assertEqual(self.todo(), [])

	def test_a_set_of_another_site_and_a_corrupt_set_are_refused_untouched(self):
		target = self.target
		own = take_backup()  # a set of the test site, copied where the target keeps its backups
		for path in Path(frappe.get_site_path("private", "backups")).glob(f"{own}-*"):
			shutil.copy(path, target.path / "private" / "backups" / path.name)
		before = target.sql("SELECT COUNT(*) FROM `tabToDo`")
		other = target.bench("diagnostics", "restore", own, "--yes", *FAST)
		self.assertEqual(other.returncode, 2)
		self.assertIn(f"is a backup of site '{frappe.local.site}', not of {target.name}", other.stderr)
		self.assertIn("--accept-other-site", other.stderr)
		for encrypted in (1, 0):  # an encrypted and a plain dump, both cut short
			target.sql(
				"UPDATE `tabSingles` SET value = %s WHERE doctype = 'System Settings' AND field = 'encrypt_backup'",
				(encrypted,),
			)
			stamp = take_backup(site_runner=target.bench)
			dump = next((target.path / "private" / "backups").glob(f"{stamp}-*-database*.sql.gz"))
			dump.write_bytes(dump.read_bytes()[:-4096])
			corrupt = target.bench("diagnostics", "restore", stamp, "--yes", *FAST)
			self.assertEqual(corrupt.returncode, 2)
			self.assertIn("is truncated", corrupt.stderr)
		self.assertEqual(target.sql("SELECT COUNT(*) FROM `tabToDo`"), before)
		self.assertIsNone(target.conf().get("maintenance_mode"))
		self.assertEqual(target.ours(), [])
