"""Backups of this site taken with `bench backup` (plain, with files, encrypted): the inventory, the
recovery-point check, verification stored as a run, the drill, the overview and number cards over HTTP."""

from __future__ import annotations

from pathlib import Path

import frappe

from frappe_diagnostics.recovery import scratch
from frappe_diagnostics.site.recovery import drill, service
from frappe_diagnostics.tests.recovery_utils import take_backup
from frappe_diagnostics.tests.test_alerts import make_outgoing_account
from frappe_diagnostics.tests.utils import (
	TestCase,
	bench_command,
	call,
	http_client,
	make_user,
	parse_json_output,
)

MANAGER = "diag-recovery-manager@example.com"
PLAIN = "diag-recovery-plain@example.com"
API = "frappe_diagnostics.api.recovery"


def set_encryption(on: int) -> None:
	frappe.db.set_single_value("System Settings", "encrypt_backup", on)
	frappe.db.commit()


class TestBackupsOfThisSite(TestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		set_encryption(0)
		cls.plain = take_backup("--with-files")
		set_encryption(1)
		cls.encrypted = take_backup("--with-files")
		set_encryption(0)
		# the first encrypted backup writes backup_encryption_key into site_config.json from its own process:
		# read the site's config again, as every new request or job does
		frappe.local.conf = frappe._dict(frappe.get_site_config())

	def test_backups_command_lists_both_sets_read_to_their_end(self):
		done = bench_command("diagnostics", "backups", "--limit", "2", "--json", "--no-store")
		data = parse_json_output(done.stdout)
		steps = {r["check_id"]: r for r in data["results"]}
		self.assertEqual(steps[f"backups.set.{self.plain}"]["status"], "ok")
		encrypted = steps[f"backups.set.{self.encrypted}"]
		self.assertEqual(encrypted["status"], "ok", encrypted["summary"])
		self.assertIn(
			"encrypted (opened with the backup_encryption_key in site_config.json)", encrypted["summary"]
		)
		self.assertIn("every file reads to its end", encrypted["summary"])
		self.assertNotIn(frappe.conf.backup_encryption_key, done.stdout)

	def test_verify_backup_restores_the_encrypted_set_and_stores_the_run(self):
		done = bench_command("diagnostics", "verify-backup", self.encrypted, "--json")
		self.assertEqual(done.returncode, 0, done.stderr)
		data = parse_json_output(done.stdout)
		self.assertTrue(
			data["verdict"].startswith(f"Verified: set {self.encrypted} restores in "), data["verdict"]
		)
		frappe.db.rollback()
		run = frappe.get_doc("Diagnostic Run", data["name"])
		self.assertEqual((run.kind, run.status), ("Backup Verification", "OK"))
		self.assertGreater(service.restore_time(run.name), 0)
		mine = scratch.site_prefix(scratch.SCRATCH, frappe.local.site).replace("_", "\\_") + "%"
		self.assertEqual(frappe.db.sql("SHOW DATABASES LIKE %s", mine), ())  # only this site's

	def test_recovery_point_check_runs_in_the_health_run(self):
		done = bench_command("diagnostics", "run", "--check", "backups.recent", "--json", "--no-store")
		result = parse_json_output(done.stdout)["results"][0]
		self.assertIn(f"The newest backup ({self.encrypted}) is 0.", result["summary"])
		self.assertEqual(result["metrics"][0]["name"], "recovery_point_age")

	def test_the_drill_runs_when_due_and_stays_off_when_off(self):
		frappe.db.delete("Diagnostic Run", {"kind": "Backup Verification", "trigger": "Scheduler"})
		frappe.db.set_single_value("Diagnostics Settings", "drill_frequency", "Off")
		self.assertEqual(drill.scheduled_drill(), "off")
		frappe.db.set_single_value("Diagnostics Settings", "drill_frequency", "Weekly")
		self.assertEqual(drill.scheduled_drill(), "ran")
		self.assertEqual(drill.scheduled_drill(), "not due")
		runs = frappe.get_all(
			"Diagnostic Run", filters={"kind": "Backup Verification", "trigger": "Scheduler"}, pluck="status"
		)
		self.assertEqual(runs, ["OK"])

	def test_a_failing_drill_alerts_like_a_health_run(self):
		frappe.db.delete("Diagnostic Run", {"kind": "Backup Verification", "trigger": "Scheduler"})
		stamp = take_backup()
		dump = next(Path(frappe.get_site_path("private", "backups")).glob(f"{stamp}-*-database.sql.gz"))
		dump.write_bytes(dump.read_bytes()[:-4096])
		if not frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}):
			make_outgoing_account()
		settings = frappe.get_single("Diagnostics Settings")
		settings.alert_recipients = "ops@example.com"
		settings.drill_frequency = "Weekly"
		settings.save()
		try:
			self.assertEqual(drill.scheduled_drill(), "ran")
			run = frappe.get_all(
				"Diagnostic Run",
				filters={"kind": "Backup Verification", "trigger": "Scheduler"},
				fields=["name", "status"],
			)[0]
			self.assertEqual(run.status, "Critical")
			alert = frappe.get_all(
				"Diagnostic Alert",
				filters={"diagnostic_run": run.name},
				fields=["subject", "event", "status", "channels"],
			)
			self.assertEqual(
				[(a.subject, a.event, a.status) for a in alert], [("backup drill", "Firing", "Critical")]
			)
			self.assertIn("queued for 1", alert[0].channels)
			created = frappe.db.get_value("Diagnostic Run", run.name, "creation")
			queued = frappe.get_all("Email Queue", filters={"creation": (">=", created)}, pluck="message")
			self.assertTrue(any("NOT VERIFIED" in (m or "") for m in queued), queued)
		finally:
			dump.unlink()
			settings.reload()
			settings.alert_recipients = ""
			settings.save()

	def test_the_drill_needs_a_root_account(self):
		frappe.db.set_single_value("Diagnostics Settings", "drill_frequency", "Daily")
		saved = {k: frappe.conf.get(k) for k in ("root_login", "root_password")}
		frappe.conf.root_login = frappe.conf.root_password = None
		try:
			self.assertEqual(drill.scheduled_drill(), "no root account")
		finally:
			frappe.conf.update(saved)

	def test_overview_and_cards_over_http_for_managers_only(self):
		make_user(MANAGER, ("System Manager",))
		make_user(PLAIN, ("Blogger",))
		for who in (None, PLAIN):
			client = http_client(who)
			for method, http in (
				("overview", "GET"),
				("verify_backup", "POST"),
				("recovery_point", "GET"),
				("runs", "GET"),
			):
				self.assertEqual(call(client, f"{API}.{method}", http).status_code, 403, (who, method))
		client = http_client(MANAGER)
		overview = call(client, f"{API}.overview").get_json()["message"]
		sets = {s["set"]: s for s in overview["sets"]}
		self.assertTrue(sets[self.encrypted]["encrypted"] and sets[self.encrypted]["complete"])
		self.assertEqual(
			overview["restore_command"],
			f"bench --site {frappe.local.site} diagnostics restore {overview['newest_set']}",
		)
		point = call(client, f"{API}.recovery_point", "POST").get_json()["message"]
		self.assertLess(point["value"], 1)
		self.assertEqual(
			call(client, f"{API}.verify_backup", "GET").status_code, 403
		)  # state changes are POST only

	def test_a_set_files_are_where_bench_put_them(self):
		folder = Path(frappe.get_site_path("private", "backups"))
		names = sorted(p.name for p in folder.glob(f"{self.encrypted}-*"))
		self.assertEqual(len(names), 4)
		self.assertTrue(all("-enc" in n for n in names))
