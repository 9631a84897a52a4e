"""Per-check times of a full health run on a big site: 1M Error Logs, 300k Communications, 100k jobs waiting.

    python benchmarks/big_site.py                       # build the site, time 30 runs, drop it again
    python benchmarks/big_site.py --errors 200000 -n 10 # smaller and quicker
    python benchmarks/big_site.py --creation-index      # as after the patch that indexes Error Log.creation

The tables are made in a scratch database on the local MariaDB with Frappe v15's own DDL (Error Log is
MyISAM with an index on `modified` only, as Frappe creates it); the backlog is made with rq's own API in a
scratch redis-server started on a free port (the shared Redis is never touched). Both go away afterwards.
Targets: the full run under 150 ms median and 300 ms p95; jobs.queues and jobs.workers under 5 ms each.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import redis

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from health_run import measure, p95, root_connection, throwaway_site

TARGET_MEDIAN_MS, TARGET_P95_MS, TARGET_JOBS_MS = 150, 300, 5
ERROR_LOG = """CREATE TABLE `tabError Log` (
	`name` varchar(140) NOT NULL, `creation` datetime(6), `modified` datetime(6), `modified_by` varchar(140),
	`owner` varchar(140), `docstatus` int(1) NOT NULL DEFAULT 0, `idx` int(8) NOT NULL DEFAULT 0,
	`seen` int(1) NOT NULL DEFAULT 0, `reference_doctype` varchar(140), `reference_name` varchar(140),
	`method` varchar(140), `error` longtext, `trace_id` varchar(140), `_user_tags` text, `_comments` text,
	`_assign` text, `_liked_by` text, PRIMARY KEY (`name`), KEY `reference_doctype` (`reference_doctype`),
	KEY `modified` (`modified`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC"""
COMMUNICATION = """CREATE TABLE `tabCommunication` (
	`name` varchar(140) NOT NULL, `creation` datetime(6), `modified` datetime(6), `owner` varchar(140),
	`subject` text, `communication_medium` varchar(140), `sender` varchar(255), `recipients` longtext,
	`content` longtext, `communication_type` varchar(140) DEFAULT 'Communication', `status` varchar(140),
	`sent_or_received` varchar(140), `communication_date` datetime(6), `reference_doctype` varchar(140),
	`reference_name` varchar(140), `reference_owner` varchar(140), `email_account` varchar(140),
	`seen` int(1) NOT NULL DEFAULT 0, PRIMARY KEY (`name`), KEY `reference_owner` (`reference_owner`),
	KEY `modified` (`modified`),
	KEY `reference_doctype_reference_name_index` (`reference_doctype`, `reference_name`),
	KEY `status_communication_type_index` (`status`, `communication_type`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC"""
CORE = (
	"CREATE TABLE `tabDefaultValue` (name varchar(255) PRIMARY KEY, creation datetime(6), parent varchar(255), "
	"defkey varchar(140), defvalue text, KEY parent (parent))",
	"CREATE TABLE `tabInstalled Application` (name varchar(140) PRIMARY KEY, app_name varchar(140), "
	"app_version varchar(140), idx int)",
	"CREATE TABLE `tabPatch Log` (name varchar(140) PRIMARY KEY, patch longtext, skipped int(1) DEFAULT 0)",
	"CREATE TABLE `tabDocType` (name varchar(140) PRIMARY KEY)",
	"CREATE TABLE `tabUser` (name varchar(140) PRIMARY KEY, enabled int DEFAULT 1)",
	"CREATE TABLE `__Auth` (doctype varchar(140), name varchar(255), fieldname varchar(140), password text, "
	"encrypted int(1) NOT NULL DEFAULT 0, PRIMARY KEY (doctype, name, fieldname))",
	"INSERT INTO `tabDefaultValue` VALUES ('d1', NOW(6), '__global', 'installed_apps', '[\"frappe\"]')",
	"INSERT INTO `tabInstalled Application` VALUES ('a1', 'frappe', '15.55.1', 1)",
	"INSERT INTO `tabDocType` VALUES ('User'), ('Error Log'), ('Communication')",
	"INSERT INTO `tabUser` VALUES ('Administrator', 1)",
	"INSERT INTO `tabSingles` VALUES ('System Settings', 'enable_scheduler', '1')",
)
METHODS = ("frappe.email.queue.flush", "erpnext.stock.reorder_item.reorder_item", "Webhook failed", "")


def fill_tables(cur, errors: int, communications: int, days: int = 30) -> None:
	"""Error Log rows spread evenly over `days` (the newest now), Communications likewise."""
	for statement in CORE:
		cur.execute(statement)
	cur.execute("DROP TABLE IF EXISTS `tabError Log`")
	cur.execute(ERROR_LOG)
	cur.execute(COMMUNICATION)
	step = days * 86400 / max(errors, 1)
	cur.execute(
		"INSERT INTO `tabError Log` (name, creation, modified, owner, method, error) "
		"SELECT CONCAT('err-', seq), NOW(6) - INTERVAL (seq * %s) SECOND, NOW(6) - INTERVAL (seq * %s) SECOND, "
		"'Administrator', ELT(1 + seq %% 4, %s, %s, %s, %s), "
		"CONCAT('Traceback (most recent call last):\\n', REPEAT('  File \"apps/frappe/frappe/x.py\", line 1, in f\\n', 8),"
		" 'frappe.exceptions.ValidationError: row ', seq) "
		f"FROM seq_1_to_{int(errors)}",
		(step, step, *METHODS),
	)
	step = days * 86400 / max(communications, 1)
	cur.execute(
		"INSERT INTO `tabCommunication` (name, creation, modified, owner, subject, communication_medium, "
		"sender, recipients, content, status, sent_or_received, communication_date, reference_doctype, "
		"reference_name) SELECT CONCAT('comm-', seq), NOW(6) - INTERVAL (seq * %s) SECOND, NOW(6) - INTERVAL "
		"(seq * %s) SECOND, 'Administrator', CONCAT('Invoice ', seq), 'Email', 'erp@example.com', "
		"'customer@example.com', REPEAT('Dear customer, please find attached. ', 10), 'Linked', 'Sent', "
		"NOW(6) - INTERVAL (seq * %s) SECOND, 'Sales Invoice', CONCAT('SINV-', seq) "
		f"FROM seq_1_to_{int(communications)}",
		(step, step, step),
	)
	cur.execute(
		"INSERT INTO `tabSessions` (user, sid, lastupdate) SELECT CONCAT('user', seq, '@example.com'), "
		"MD5(seq), NOW(6) - INTERVAL seq MINUTE FROM seq_1_to_200"
	)
	cur.execute("ANALYZE TABLE `tabError Log`, `tabCommunication`")


@contextmanager
def scratch_redis():
	"""A redis-server of our own on a free port, in a temp folder; stopped and removed afterwards."""
	import socket

	binary = shutil.which("redis-server")
	if not binary:
		raise SystemExit("redis-server is not installed (apt-get install redis-server)")
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		port = s.getsockname()[1]
	folder = tempfile.mkdtemp(prefix="big-site-redis-")
	args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
	proc = subprocess.Popen([*args, "--dir", folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
	try:
		client = redis.Redis(port=port)
		for _ in range(100):
			try:
				client.ping()
				break
			except redis.ConnectionError:
				time.sleep(0.05)
		yield f"redis://127.0.0.1:{port}/0"
	finally:
		proc.terminate()
		proc.wait(10)
		shutil.rmtree(folder, ignore_errors=True)


def fill_queue(url: str, bench_id: str, jobs: int, failed: int = 500, workers: int = 2) -> None:
	"""`jobs` jobs waiting on the default queue, `failed` in its failed registry, workers on every queue."""
	from datetime import datetime, timezone

	from rq import Queue, Worker
	from rq.job import Job, JobStatus

	conn = redis.Redis.from_url(url)
	queue = Queue(f"{bench_id}:default", connection=conn)
	for start in range(0, jobs, 2000):
		with conn.pipeline() as pipe:
			for n in range(start, min(jobs, start + 2000)):
				job = Job.create(
					"frappe.utils.background_jobs.execute_job",
					kwargs={"n": n},
					connection=conn,
					origin=queue.name,
					status=JobStatus.QUEUED,
				)
				job.enqueued_at = datetime.now(timezone.utc).replace(tzinfo=None)
				job.save(pipeline=pipe)
				queue.push_job_id(job.id, pipeline=pipe)
			pipe.execute()
	registry = queue.failed_job_registry
	for n in range(failed):
		job = Job.create("frappe.utils.background_jobs.execute_job", kwargs={"n": n}, connection=conn)
		job.save()
		registry.add(job, ttl=-1, exc_string="Traceback ...")
	names = [f"{bench_id}:{q}" for q in ("short", "default", "long")]
	for n in range(workers):
		Worker([Queue(q, connection=conn) for q in names], connection=conn, name=f"w{n}").register_birth()


def time_grouping_pass(cur, runs: int = 5) -> dict:
	"""The Error Log grouping job's two queries with its watermark an hour behind: what the patch's
	index on (creation, name) is for."""
	cur.execute("SELECT MAX(creation) FROM `tabError Log` WHERE creation < NOW(6) - INTERVAL 1 HOUR")
	mark = cur.fetchone()[0]
	queries = {
		"next batch of 500": "SELECT name, creation, method, error FROM `tabError Log` WHERE creation > %s "
		"OR (creation = %s AND name > '') ORDER BY creation, name LIMIT 500",
		"pending count": "SELECT COUNT(*) FROM `tabError Log` WHERE creation > %s OR (creation = %s AND name > '')",
	}
	times = {}
	for label, query in queries.items():
		samples = []
		for _ in range(runs):
			t0 = time.perf_counter()
			cur.execute(query, (mark, mark))
			cur.fetchall()
			samples.append((time.perf_counter() - t0) * 1000)
		times[label] = statistics.median(samples)
		print(f"grouping pass, {label}: {times[label]:.1f} ms median")
	return times


def report(data: dict, runs: int, label: str) -> dict:
	checks = {
		cid: {"median": statistics.median(v), "p95": p95(v), "status": data["statuses"][cid]}
		for cid, v in sorted(data["per_check"].items())
	}
	overall = {"median": statistics.median(data["overall"]), "p95": p95(data["overall"])}
	print(f"\n{label}\n{'check':<28} {'median ms':>10} {'p95 ms':>10}  status")
	for cid, row in checks.items():
		print(f"{cid:<28} {row['median']:>10.2f} {row['p95']:>10.2f}  {row['status']}")
	verdict = "meets" if overall["median"] < TARGET_MEDIAN_MS and overall["p95"] < TARGET_P95_MS else "MISSES"
	print(
		f"full run over {runs} runs: median {overall['median']:.1f} ms, p95 {overall['p95']:.1f} ms "
		f"({verdict} {TARGET_MEDIAN_MS} ms median / {TARGET_P95_MS} ms p95)"
	)
	for cid in ("jobs.queues", "jobs.workers", "application.error_log"):
		ms = checks[cid]["median"]
		target = TARGET_JOBS_MS if cid.startswith("jobs.") else None
		note = f" ({'meets' if ms < target else 'MISSES'} the {target} ms target)" if target else ""
		print(f"{cid}: {ms:.2f} ms median{note}")
	return {"overall_ms": overall, "checks_ms": checks}


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("-n", "--runs", type=int, default=30)
	parser.add_argument("--errors", type=int, default=1_000_000, help="Error Log rows")
	parser.add_argument("--communications", type=int, default=300_000, help="Communication rows")
	parser.add_argument("--jobs", type=int, default=100_000, help="jobs waiting on the default queue")
	parser.add_argument(
		"--creation-index", action="store_true", help="add the index the app's patch adds to Error Log"
	)
	parser.add_argument("--json", action="store_true")
	args = parser.parse_args(argv)
	with throwaway_site() as (bench, site), scratch_redis() as url:
		conf_path = bench / "sites" / "common_site_config.json"
		common = json.loads(conf_path.read_text())
		common.update(redis_cache=url, redis_queue=url)
		conf_path.write_text(json.dumps(common))
		db_name = json.loads((bench / "sites" / site / "site_config.json").read_text())["db_name"]
		started = time.perf_counter()
		with root_connection() as root, root.cursor() as cur:
			cur.execute(f"USE `{db_name}`")
			fill_tables(cur, args.errors, args.communications)
			if args.creation_index:  # what patches/v1_0/index_error_log_creation.py adds
				t0 = time.perf_counter()
				cur.execute("ALTER TABLE `tabError Log` ADD INDEX `creation_name` (`creation`, `name`)")
				print(f"indexed Error Log on (creation, name) in {time.perf_counter() - t0:.1f} s")
			grouping = time_grouping_pass(cur)
		fill_queue(url, common["bench_id"], args.jobs)
		print(
			f"built {args.errors:,} Error Logs, {args.communications:,} Communications and {args.jobs:,} "
			f"waiting jobs in {time.perf_counter() - started:.0f} s"
		)
		data = measure(bench, site, args.runs)
	index = "with" if args.creation_index else "without"
	summary = report(data, args.runs, f"big site ({index} the patch's index on Error Log (creation, name))")
	summary["grouping_pass_ms"] = grouping
	if args.json:
		print(json.dumps(summary, indent=2))
	return 0


if __name__ == "__main__":
	raise SystemExit(main())
