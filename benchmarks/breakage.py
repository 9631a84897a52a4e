"""Real-world breakages, one at a time, on a throw-away site: does the doctor name the cause first?

    bench new-site site17-break --install-app frappe_diagnostics ...      # a site you may break
    env/bin/python benchmarks/breakage.py --bench ~/frappe-bench --site site17-break

Run it with the bench's Python (the one that has Frappe and this app). Each breakage (wrong db password,
Redis down, workers dead, scheduler disabled, encryption key changed, emails stuck in Sending, …) is planted
for real, then `bench --site S diagnostics doctor --json` and the standalone `frappe-diagnostics doctor` are
run, and Frappe's own `bench --site S doctor` for comparison; then the breakage is undone. Printed per
breakage and in total: top-1 (the likely cause is the planted one), top-3 (among the first three findings),
crashes (a traceback or no answer), the triage's own time and the command's wall time.

To have a healthy baseline the script starts the bench's processes (web, worker, scheduler, socket.io) for
its duration, as `bench start` would, and stops them (by pid) at the end: run it when nobody else depends on
those processes being down. Target: top-1 >= 90 %, no crash, the triage under 3 s each.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pymysql

from frappe_diagnostics.engine.context import StandaloneContext
from frappe_diagnostics.recovery.dbroot import connect, find_account

TARGET_TOP1, TARGET_S = 0.90, 3.0


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


class Site:
	"""The throw-away site: its config files, its database (as the MariaDB admin) and its bench commands."""

	def __init__(self, bench: Path, name: str, root_user: str, root_password: str):
		self.bench, self.name = bench, name
		self.path = bench / "sites" / name
		self.config_path = self.path / "site_config.json"
		self.common = json.loads((bench / "sites" / "common_site_config.json").read_text())
		self.conf = json.loads(self.config_path.read_text())
		# the admin account as the recovery commands find it: given, else the bench's root_login/root_password
		self.account = find_account(StandaloneContext(bench, name), root_user, root_password)
		self.python = str(bench / "env" / "bin" / "python")

	def sql(self, query: str, args=None) -> list[dict]:
		conn = connect(self.account, database=self.conf["db_name"])
		try:
			with conn.cursor(pymysql.cursors.DictCursor) as cur:
				cur.execute(query, args)
				return list(cur.fetchall())
		finally:
			conn.close()

	def bench_cmd(self, *args: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
		cmd = [self.python, "-m", "frappe.utils.bench_helper", "frappe", "--site", self.name, *args]
		t0 = time.perf_counter()
		done = subprocess.run(
			cmd, cwd=self.bench / "sites", capture_output=True, text=True, timeout=timeout, check=False
		)
		return done, time.perf_counter() - t0

	def standalone(self, *args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
		cmd = [
			self.python,
			"-m",
			"frappe_diagnostics.cli",
			*args,
			"--bench",
			str(self.bench),
			"--site",
			self.name,
		]
		t0 = time.perf_counter()
		done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
		return done, time.perf_counter() - t0

	@contextmanager
	def config(self, text: str | None = None, **changes):
		"""site_config.json replaced by `text`, or with `changes` (None removes a key); restored after."""
		original = self.config_path.read_text()
		if text is None:
			conf = json.loads(original)
			conf.update(changes)
			text = json.dumps({k: v for k, v in conf.items() if v is not None}, indent=1)
		self.config_path.write_text(text)
		try:
			yield
		finally:
			self.config_path.write_text(original)

	def single(self, doctype: str, field: str, value) -> None:
		self.sql("DELETE FROM `tabSingles` WHERE doctype = %s AND field = %s", (doctype, field))
		if value is not None:
			self.sql(
				"INSERT INTO `tabSingles` (doctype, field, value) VALUES (%s, %s, %s)",
				(doctype, field, value),
			)

	def forget_dormancy(self) -> None:
		"""Frappe caches "is this site dormant?" for an hour: drop this site's cached answer, so the next
		breakage starts from an active site (only this site's own key is touched)."""
		import redis

		client = redis.Redis.from_url(self.common.get("redis_cache") or "redis://127.0.0.1:6379")
		pattern = f"{self.conf['db_name']}|frappe.utils.scheduler.schedule_jobs_based_on_activity*"
		for key in client.scan_iter(match=pattern):
			client.delete(key)

	def frequent_job_behind_s(self) -> float | None:
		rows = self.sql(
			"SELECT MAX(last_execution) AS last FROM `tabScheduled Job Type` WHERE frequency = 'All' AND stopped = 0"
		)
		last = rows[0]["last"] if rows else None
		return (self.now() - last).total_seconds() if last else None

	def now(self) -> datetime:
		"""Now on the site's clock, as Frappe stamps rows (its default zone when System Settings has none)."""
		from zoneinfo import ZoneInfo

		zone = self.get_single("System Settings", "time_zone") or "Asia/Kolkata"
		return datetime.now(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)

	def get_single(self, doctype: str, field: str):
		rows = self.sql("SELECT value FROM `tabSingles` WHERE doctype = %s AND field = %s", (doctype, field))
		return rows[0]["value"] if rows else None

	@contextmanager
	def single_set(self, doctype: str, field: str, value):
		before = self.get_single(doctype, field)
		self.single(doctype, field, value)
		try:
			yield
		finally:
			self.single(doctype, field, before)


ROLES = {
	"web": ["frappe", "serve", "--port"],
	"worker": ["frappe", "worker"],
	"schedule": ["frappe", "schedule"],
}


class Processes:
	"""The bench's processes, as `bench start` runs them; each in its own session, stopped by pid."""

	def __init__(self, site: Site):
		self.site, self.procs = site, {}

	def start(self, role: str) -> None:
		if role in self.procs and self.procs[role].poll() is None:
			return
		logs = open(self.site.bench / "logs" / f"breakage-{role}.log", "ab")
		if role == "socketio":
			cmd, cwd = ["node", "apps/frappe/socketio.js"], self.site.bench
		else:
			words = list(ROLES[role])
			if role == "web":
				words.append(str(self.site.common.get("webserver_port") or 8000))
			cmd, cwd = (
				[self.site.python, "-m", "frappe.utils.bench_helper", *words],
				self.site.bench / "sites",
			)
		self.procs[role] = subprocess.Popen(cmd, cwd=cwd, stdout=logs, stderr=logs, start_new_session=True)

	def stop(self, role: str) -> None:
		proc = self.procs.pop(role, None)
		if proc is None or proc.poll() is not None:
			return
		with suppress(ProcessLookupError):
			os.killpg(proc.pid, signal.SIGTERM)
		try:
			proc.wait(timeout=15)
		except subprocess.TimeoutExpired:
			with suppress(ProcessLookupError):
				os.killpg(proc.pid, signal.SIGKILL)
			proc.wait()

	def start_all(self) -> None:
		for role in ("web", "worker", "schedule", "socketio"):
			self.start(role)

	def stop_all(self) -> None:
		for role in list(self.procs):
			self.stop(role)

	@contextmanager
	def stopped(self, role: str):
		self.stop(role)
		time.sleep(1.0)
		try:
			yield
		finally:
			self.start(role)


@dataclass
class Breakage:
	name: str
	expected: frozenset[str]  # check ids that name the cause
	plant: object  # a callable returning a context manager
	frappe_says: str | None = None  # a regex: Frappe's own `bench doctor` output names the cause


@dataclass
class Outcome:
	name: str
	top1: bool = False
	top3: bool = False
	crashed: str = ""
	cause: str | None = None
	triage_s: float = 0.0
	wall_s: float = 0.0
	standalone_top1: bool = False
	standalone_crashed: str = ""
	standalone_s: float = 0.0
	frappe_names_it: bool = False
	extra: dict = field(default_factory=dict)


def parse(done: subprocess.CompletedProcess) -> tuple[dict | None, str]:
	text = done.stdout
	if "Traceback (most recent call last)" in done.stdout + done.stderr:
		return None, "traceback"
	try:
		return json.loads(text[text.index("{") :]), ""
	except (ValueError, json.JSONDecodeError):
		return None, f"no JSON (exit {done.returncode}): {(done.stderr or done.stdout)[-200:]}"


def ranked(data: dict) -> list[str]:
	return [r["check_id"] for r in data["results"] if r["status"] in ("critical", "warning", "error")]


# --- the breakages ----------------------------------------------------------------------------------------


def breakages(site: Site, procs: Processes, secret_token: str) -> list[Breakage]:
	conf = site.conf
	db = conf["db_name"]

	@contextmanager
	def renamed(table):
		site.sql(f"RENAME TABLE `{table}` TO `diag17_break_hidden`")
		try:
			yield
		finally:
			site.sql(f"RENAME TABLE `diag17_break_hidden` TO `{table}`")

	@contextmanager
	def patch_forgotten():
		row = site.sql("SELECT * FROM `tabPatch Log` ORDER BY creation DESC LIMIT 1")[0]
		site.sql("DELETE FROM `tabPatch Log` WHERE name = %s", (row["name"],))
		try:
			yield
		finally:
			cols = ", ".join(f"`{k}`" for k in row)
			site.sql(
				f"INSERT INTO `tabPatch Log` ({cols}) VALUES ({', '.join(['%s'] * len(row))})",
				list(row.values()),
			)

	@contextmanager
	def ghost_app():
		rows = site.sql(
			"SELECT defvalue FROM `tabDefaultValue` WHERE parent = '__global' AND defkey = 'installed_apps'"
		)
		before = rows[0]["defvalue"]
		site.sql(
			"UPDATE `tabDefaultValue` SET defvalue = %s WHERE parent = '__global' AND defkey = 'installed_apps'",
			(json.dumps([*json.loads(before), "ghost_app"]),),
		)
		try:
			yield
		finally:
			site.sql(
				"UPDATE `tabDefaultValue` SET defvalue = %s WHERE parent = '__global' AND defkey = 'installed_apps'",
				(before,),
			)

	@contextmanager
	def rows(table, values: list[dict]):
		for v in values:
			cols = ", ".join(f"`{k}`" for k in v)
			site.sql(
				f"INSERT INTO `{table}` ({cols}) VALUES ({', '.join(['%s'] * len(v))})", list(v.values())
			)
		try:
			yield
		finally:
			site.sql(f"DELETE FROM `{table}` WHERE name LIKE 'diag17-break-%%'")

	def now():
		return site.now()

	def emails(status, error=None, age=timedelta(hours=3), count=5):
		t = now() - age
		return [
			{
				"name": f"diag17-break-{i}",
				"creation": t,
				"modified": t,
				"status": status,
				"error": error,
				"sender": "ops@example.com",
			}
			for i in range(count)
		]

	@contextmanager
	def default_account_off():
		site.sql("UPDATE `tabEmail Account` SET default_outgoing = 0 WHERE name = 'diag17-baseline-out'")
		try:
			yield
		finally:
			site.sql("UPDATE `tabEmail Account` SET default_outgoing = 1 WHERE name = 'diag17-baseline-out'")

	@contextmanager
	def chowned(path: Path):
		st = path.stat()
		os.chown(path, 65534, 65534)
		try:
			yield
		finally:
			os.chown(path, st.st_uid, st.st_gid)

	@contextmanager
	def aged_activity():
		site.sql("UPDATE `tabActivity Log` SET modified = modified - INTERVAL 60 DAY")
		try:
			yield
		finally:
			site.sql("UPDATE `tabActivity Log` SET modified = modified + INTERVAL 60 DAY")
			site.forget_dormancy()

	@contextmanager
	def lock_wait():
		"""One transaction holds a row lock; a second waits on it, for longer than the wait threshold."""
		site.sql(
			"INSERT IGNORE INTO `tabDefaultValue` (name, parent, defkey) VALUES ('diag17-break-lock', 'x', 'y')"
		)
		holder = pymysql.connect(
			host=site.common.get("db_host") or "127.0.0.1",
			port=int(site.common.get("db_port") or 3306),
			user=site.root[0],
			password=site.root[1],
			database=db,
		)
		holder.begin()
		holder.cursor().execute(
			"UPDATE `tabDefaultValue` SET defvalue = '1' WHERE name = 'diag17-break-lock'"
		)

		def wait():
			with suppress(Exception):
				site.sql("UPDATE `tabDefaultValue` SET defvalue = '2' WHERE name = 'diag17-break-lock'")

		waiter = threading.Thread(target=wait, daemon=True)
		waiter.start()
		time.sleep(6)
		try:
			yield
		finally:
			holder.rollback()
			holder.close()
			waiter.join(timeout=60)
			site.sql("DELETE FROM `tabDefaultValue` WHERE name = 'diag17-break-lock'")

	failed_logins = [
		{
			"name": f"diag17-break-{i}",
			"creation": now() - timedelta(minutes=i),
			"modified": now() - timedelta(minutes=i),
			"user": "locked@example.com",
			"operation": "Login",
			"status": "Failed",
			"subject": "Incorrect password",
		}
		for i in range(12)
	]
	errors = [
		{
			"name": f"diag17-break-{i}",
			"creation": now() - timedelta(seconds=i * 5),
			"modified": now() - timedelta(seconds=i * 5),
			"method": "app.api.sync_orders",
			"error": "Traceback (most recent call last):\nKeyError: 'customer'",
		}
		for i in range(300)
	]
	smtp_error = (
		"Traceback ...\nsmtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted')"
	)
	B = Breakage
	return [
		B(
			"wrong db password",
			frozenset({"database.connectivity"}),
			lambda: site.config(db_password="wrong"),
			r"(?i)access denied",
		),
		B(
			"database unreachable",
			frozenset({"database.connectivity"}),
			lambda: site.config(db_port=free_port()),
			r"(?i)can't connect|connection refused",
		),
		B(
			"database missing",
			frozenset({"database.connectivity"}),
			lambda: site.config(db_name="diag17_no_such_db"),
			r"(?i)unknown database|access denied",
		),
		B(
			"bad site_config JSON",
			frozenset({"configuration.site_config"}),
			lambda: site.config(text='{"db_name": "x",\n'),
			r"(?i)site_config.json is invalid",
		),
		B(
			"missing core table",
			frozenset({"database.core_tables"}),
			lambda: renamed("tabDefaultValue"),
			r"(?i)tabDefaultValue",
		),
		B(
			"Redis cache down",
			frozenset({"redis.cache"}),
			lambda: site.config(redis_cache=f"redis://127.0.0.1:{free_port()}"),
			r"(?i)redis.*(refused|error)",
		),
		B(
			"Redis queue down",
			frozenset({"redis.queue"}),
			lambda: site.config(redis_queue=f"redis://127.0.0.1:{free_port()}"),
			r"(?i)redis.*(refused|error)",
		),
		B(
			"workers dead",
			frozenset({"jobs.workers", "web.processes"}),
			lambda: procs.stopped("worker"),
			r"(?i)workers online: 0",
		),
		B(
			"scheduler process dead",
			frozenset({"scheduler.alive", "web.processes"}),
			lambda: procs.stopped("schedule"),
			None,
		),
		B(
			"scheduler disabled",
			frozenset({"configuration.maintenance", "scheduler.alive"}),
			lambda: site.single_set("System Settings", "enable_scheduler", "0"),
			r"(?i)scheduler.*(disabled|inactive)",
		),
		B(
			"scheduler paused",
			frozenset({"configuration.maintenance", "scheduler.alive"}),
			lambda: site.config(pause_scheduler=1),
			r"(?i)scheduler.*(paused|disabled|inactive)",
		),
		B(
			"maintenance mode stuck",
			frozenset({"configuration.maintenance"}),
			lambda: site.config(maintenance_mode=1),
			r"(?i)maintenance",
		),
		B(
			"pending migrations",
			frozenset({"migrations.pending_patches"}),
			patch_forgotten,
			r"(?i)pending (patch|migration)",
		),
		B("app removed from bench", frozenset({"apps.consistency"}), ghost_app, r"(?i)ghost_app"),
		B(
			"encryption key missing",
			frozenset({"configuration.encryption_key"}),
			lambda: site.config(encryption_key=None),
			r"(?i)encryption",
		),
		B(
			"encryption key changed",
			frozenset({"configuration.encryption_key"}),
			lambda: site.config(encryption_key="ZGlhZzE3LWEtZGlmZmVyZW50LWtleS0wMTIzNDU2Nzg="),
			r"(?i)encryption",
		),
		B(
			"SMTP auth failing",
			frozenset({"email.queue"}),
			lambda: rows("tabEmail Queue", emails("Error", smtp_error, timedelta(minutes=10))),
			r"(?i)smtp|authentication",
		),
		B("no default outgoing account", frozenset({"email.queue"}), default_account_off, r"(?i)outgoing"),
		B(
			"emails stuck in Sending",
			frozenset({"email.queue"}),
			lambda: rows("tabEmail Queue", emails("Sending")),
			r"(?i)sending",
		),
		B(
			"max_file_size too small",
			frozenset({"files.upload_limit"}),
			lambda: site.config(max_file_size=1024),
			r"(?i)file size",
		),
		B(
			"files owned by another OS user",
			frozenset({"filesystem.permissions"}),
			lambda: chowned(site.path / "private" / "files"),
			r"(?i)permission|owner",
		),
		B(
			"user locked out",
			frozenset({"security.login_lockouts"}),
			lambda: rows("tabActivity Log", failed_logins),
			r"(?i)locked",
		),
		B(
			"host_name wrong",
			frozenset({"configuration.host_name"}),
			lambda: site.config(host_name="https://erp.example.invalid"),
			r"(?i)host_name",
		),
		B(
			"socket.io down",
			frozenset({"web.realtime", "web.processes"}),
			lambda: procs.stopped("socketio"),
			r"(?i)socket",
		),
		B(
			"web server down",
			frozenset({"web.processes", "web.http"}),
			lambda: procs.stopped("web"),
			r"(?i)web",
		),
		B("lock waits", frozenset({"database.locks"}), lock_wait, r"(?i)lock"),
		B(
			"Error Log flood",
			frozenset({"application.error_log"}),
			lambda: rows("tabError Log", errors),
			r"(?i)error log",
		),
		# last: Frappe keeps treating a woken site as dormant for up to an hour (see forget_dormancy)
		B("site dormant", frozenset({"scheduler.alive"}), aged_activity, r"(?i)dormant"),
	]


# --- baseline ---------------------------------------------------------------------------------------------


def healthy_baseline(site: Site) -> str:
	"""What a working production site has: scheduler on, recent activity, an outgoing account, a stored
	secret (so the key matters), lockout tracking on. Returns an encrypted token for the key checks."""
	from cryptography.fernet import Fernet

	key = site.conf.get("encryption_key")
	if not key:
		key = Fernet.generate_key().decode()
		site.conf["encryption_key"] = key
		site.config_path.write_text(json.dumps(site.conf, indent=1))
	token = Fernet(key.encode()).encrypt(b"diag17-smtp-secret").decode()
	site.sql("DELETE FROM `__Auth` WHERE name = 'diag17-baseline-out'")
	site.sql(
		"INSERT INTO `__Auth` (doctype, name, fieldname, password, encrypted) VALUES ('Email Account', 'diag17-baseline-out', 'password', %s, 1)",
		(token,),
	)
	site.sql("DELETE FROM `tabEmail Account` WHERE name = 'diag17-baseline-out'")
	site.sql(
		"INSERT INTO `tabEmail Account` (name, email_id, email_account_name, enable_outgoing, default_outgoing, "
		"smtp_server, smtp_port) VALUES ('diag17-baseline-out', 'ops@example.com', 'diag17-baseline-out', 1, 1, "
		"'127.0.0.1', '25')"
	)
	site.single("System Settings", "enable_scheduler", "1")
	site.single("System Settings", "allow_consecutive_login_attempts", "10")
	now = site.now()
	site.sql("DELETE FROM `tabActivity Log` WHERE name = 'diag17-baseline-active'")
	site.sql(
		"INSERT INTO `tabActivity Log` (name, creation, modified, user, operation, status, subject) "
		"VALUES ('diag17-baseline-active', %s, %s, 'Administrator', 'Login', 'Success', 'Administrator logged in')",
		(now, now),
	)
	for table in ("tabEmail Queue", "tabError Log"):
		site.sql(f"DELETE FROM `{table}` WHERE name LIKE 'diag17-break-%%'")
	return token


def clean_up(site: Site) -> None:
	site.sql("DELETE FROM `__Auth` WHERE name = 'diag17-baseline-out'")
	site.sql("DELETE FROM `tabEmail Account` WHERE name = 'diag17-baseline-out'")


# --- running ----------------------------------------------------------------------------------------------


def triage(site: Site, breakage: Breakage, with_standalone: bool, with_frappe: bool) -> Outcome:
	out = Outcome(breakage.name)
	with breakage.plant():
		done, out.wall_s = site.bench_cmd("diagnostics", "doctor", "--json", "--no-store")
		data, out.crashed = parse(done)
		if data:
			found = ranked(data)
			out.cause = data.get("likely_cause")
			out.top1 = out.cause in breakage.expected
			out.top3 = bool(set(found[:3]) & breakage.expected)
			out.triage_s = data.get("duration_ms", 0) / 1000
			out.extra["first3"] = found[:3]
		if with_standalone:
			done, out.standalone_s = site.standalone("doctor", "--json")
			sdata, out.standalone_crashed = parse(done)
			if sdata:
				out.extra["standalone_cause"] = (sdata.get("doctor") or {}).get("likely_cause")
				out.standalone_top1 = out.extra["standalone_cause"] in breakage.expected
		if with_frappe and breakage.frappe_says:
			done, _ = site.bench_cmd("doctor", timeout=120)
			said = done.stdout + done.stderr  # a traceback that happens to contain the words names nothing
			out.frappe_names_it = "Traceback" not in said and bool(re.search(breakage.frappe_says, said))
	return out


def report(outcomes: list[Outcome], with_standalone: bool, with_frappe: bool) -> None:
	head = f"{'breakage':<32} {'top1':>4} {'top3':>4} {'triage s':>8} {'wall s':>7}  likely cause"
	if with_standalone:
		head += "  | standalone top1"
	if with_frappe:
		head += "  | bench doctor names it"
	print(head)
	print("-" * len(head))
	for o in outcomes:
		mark = lambda ok: "yes" if ok else "NO"  # noqa: E731
		line = f"{o.name:<32} {mark(o.top1):>4} {mark(o.top3):>4} {o.triage_s:>8.2f} {o.wall_s:>7.2f}  "
		line += (o.crashed and f"CRASH {o.crashed}") or f"{o.cause}"
		if with_standalone:
			line += f"  | {(o.standalone_crashed and 'CRASH') or mark(o.standalone_top1)}"
		if with_frappe:
			line += f"  | {mark(o.frappe_names_it)}"
		print(line)
	n = len(outcomes)
	top1 = sum(o.top1 for o in outcomes)
	top3 = sum(o.top3 for o in outcomes)
	crashes = sum(bool(o.crashed) for o in outcomes)
	slowest = max((o.triage_s for o in outcomes), default=0)
	print()
	print(
		f"bench diagnostics doctor: top-1 {top1}/{n} ({top1 / n:.0%}), top-3 {top3}/{n} ({top3 / n:.0%}), "
		f"crashes {crashes}, triage slowest {slowest:.2f} s, wall median "
		f"{sorted(o.wall_s for o in outcomes)[n // 2]:.2f} s"
	)
	if with_standalone:
		s1 = sum(o.standalone_top1 for o in outcomes)
		sc = sum(bool(o.standalone_crashed) for o in outcomes)
		print(
			f"standalone frappe-diagnostics doctor: top-1 {s1}/{n} ({s1 / n:.0%}), crashes {sc}, wall median "
			f"{sorted(o.standalone_s for o in outcomes)[n // 2]:.2f} s"
		)
	if with_frappe:
		f1 = sum(o.frappe_names_it for o in outcomes)
		print(f"Frappe's bench doctor names the cause: {f1}/{n} ({f1 / n:.0%})")
	ok = top1 / n >= TARGET_TOP1 and not crashes and slowest < TARGET_S
	print(
		f"target (top-1 >= {TARGET_TOP1:.0%}, no crash, triage < {TARGET_S:g} s): {'met' if ok else 'NOT met'}"
	)


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--bench", type=Path, required=True, help="the bench folder")
	parser.add_argument("--site", required=True, help="a throw-away site of that bench (it gets broken)")
	parser.add_argument(
		"--db-root-user", default=None, help="MariaDB admin (default: root_login of the bench)"
	)
	parser.add_argument("--db-root-password", default=None, help="its password (default: root_password)")
	parser.add_argument("--only", action="append", default=[], help="run only this breakage (repeatable)")
	parser.add_argument("--no-standalone", action="store_true", help="skip the standalone doctor")
	parser.add_argument("--no-frappe-doctor", action="store_true", help="skip Frappe's own bench doctor")
	parser.add_argument("--json", dest="as_json", type=Path, help="also write the outcomes to this file")
	args = parser.parse_args()
	site = Site(args.bench.resolve(), args.site, args.db_root_user, args.db_root_password)
	procs = Processes(site)
	token = healthy_baseline(site)
	site.forget_dormancy()
	procs.start_all()
	time.sleep(8)  # the web server, workers and socket.io come up; the first scheduler tick runs
	for _ in range(30):  # until the scheduler has enqueued the frequent jobs for this site
		behind = site.frequent_job_behind_s()
		if behind is not None and behind < 120:
			break
		time.sleep(3)
	outcomes = []
	try:
		baseline, _ = site.bench_cmd("diagnostics", "doctor", "--json", "--no-store")
		data, crashed = parse(baseline)
		print(f"baseline: {crashed or (data['summary'] if data else '?')}\n")
		for breakage in breakages(site, procs, token):
			if args.only and breakage.name not in args.only:
				continue
			outcomes.append(triage(site, breakage, not args.no_standalone, not args.no_frappe_doctor))
	finally:
		procs.stop_all()
		clean_up(site)
	report(outcomes, not args.no_standalone, not args.no_frappe_doctor)
	if args.as_json:
		args.as_json.write_text(json.dumps([o.__dict__ for o in outcomes], indent=1, default=str))


if __name__ == "__main__":
	sys.exit(main())
