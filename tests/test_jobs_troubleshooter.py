"""Background jobs and scheduler: scheduler.alive, jobs.failed_recent and `diagnostics jobs`, on a real
bench folder with the real MariaDB, real RQ queues, real workers and a real process holding the
scheduler's lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta

import pytest
from rq import Queue, Worker

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.troubleshooters.jobs import diagnose_jobs
from tests.conftest import REDIS_URL, free_port
from tests.frappe_tables import FrappeTables
from tests.helpers import run_one

BOOM = "diag_jobs_mod.boom"


@pytest.fixture
def tables(site_sql):
	made = FrappeTables(site_sql).create(
		"tabScheduled Job Type", "tabScheduled Job Log", "tabActivity Log", "tabError Group"
	)
	site_sql(
		"INSERT INTO `tabSingles` VALUES ('System Settings', 'enable_scheduler', '1'), "
		"('System Settings', 'time_zone', 'UTC')"
	)
	yield site_sql
	made.drop()


@pytest.fixture
def job_module(tmp_path):
	"""An importable module whose job fails, for real workers."""
	folder = tmp_path / "jobmods"
	folder.mkdir()
	(folder / "diag_jobs_mod.py").write_text(
		"def boom(**kwargs):\n    return 1 / 0\n\ndef fine(**kwargs):\n    return 'ok'\n"
	)
	return folder


def now_utc_naive() -> datetime:
	return datetime.utcnow().replace(microsecond=0)


def add_job_type(sql, name, frequency, last_execution, method=None):
	sql(
		"INSERT INTO `tabScheduled Job Type` (name, creation, method, frequency, last_execution, stopped) "
		"VALUES (%s, %s, %s, %s, %s, 0)",
		(
			name,
			now_utc_naive() - timedelta(days=30),
			method or f"app.tasks.{name}",
			frequency,
			last_execution,
		),
	)


def enqueue(bench, redis_client, func: str, queue: str = "default", job_id: str | None = None):
	q = Queue(f"{bench.bench_id}:{queue}", connection=redis_client)
	kwargs = {"site": bench.site, "method": func, "job_name": func, "kwargs": {}}
	return q.enqueue_call(func=func, kwargs=kwargs, job_id=f"{bench.site}::{job_id or os.urandom(4).hex()}")


def run_worker(bench, folder, queue="default", burst=True, name=None):
	code = textwrap.dedent(
		f"""
		import sys
		sys.path.insert(0, {str(folder)!r})
		from redis import Redis
		from rq import Queue, Worker
		conn = Redis.from_url({REDIS_URL!r})
		Worker([Queue({f"{bench.bench_id}:{queue}"!r}, connection=conn)], connection=conn,
			name={name!r}).work(burst={burst})
		"""
	)
	proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
	if burst:
		proc.wait(60)
	return proc


def hold_scheduler_lock(bench):
	"""A real process holding config/scheduler_process the way Frappe's scheduler does (flock)."""
	(bench.root / "config").mkdir(exist_ok=True)
	lock = bench.root / "config" / "scheduler_process"
	code = (
		"import fcntl, sys, time\n"
		f"f = open({str(lock)!r}, 'a')\n"
		"fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
		"print('locked', flush=True)\n"
		"time.sleep(300)\n"
	)
	proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
	assert proc.stdout.readline().strip() == "locked"
	return proc


def test_disabled_scheduler_is_named_with_its_command(bench, tables):
	tables("UPDATE `tabSingles` SET value = '0' WHERE field = 'enable_scheduler'")
	result = run_one(bench.context(), "scheduler.alive")
	assert result.status is Status.WARNING
	assert result.summary == "The scheduler is disabled in System Settings: no scheduled job is enqueued."
	assert result.fixes[0].command == "bench --site test.local enable-scheduler"


def test_pause_scheduler_in_site_config(bench, tables):
	bench.conf["pause_scheduler"] = 1
	bench.write()
	result = run_one(bench.context(), "scheduler.alive")
	assert result.summary == "pause_scheduler is set in the site config: no scheduled job is enqueued."
	assert result.fixes[0].command == "bench --site test.local set-config pause_scheduler 0"


def test_stale_frequent_job_without_a_scheduler_process_is_critical_then_named_with_the_lock(bench, tables):
	(bench.root / "Procfile").write_text("web: bench serve --port 8000\nschedule: bench schedule\n")
	add_job_type(
		tables, "queue.flush", "All", now_utc_naive() - timedelta(hours=1), "frappe.email.queue.flush"
	)
	tables("INSERT INTO `tabActivity Log` VALUES ('a1', %s, %s)", (now_utc_naive(), now_utc_naive()))
	result = run_one(bench.context(), "scheduler.alive")
	assert result.status is Status.CRITICAL
	assert result.summary.startswith(
		"No scheduler process is running: frappe.email.queue.flush last ran 60 min ago"
	)
	assert result.fixes[0].command == "bench schedule"
	assert "'schedule' entry" in result.fixes[0].description
	assert result.findings[0].link == "/app/scheduled-job-log"
	holder = hold_scheduler_lock(bench)
	try:
		result = run_one(bench.context(), "scheduler.alive")
		assert result.status is Status.CRITICAL
		assert result.summary.startswith(
			f"pid {holder.pid} holds the scheduler lock, but frappe.email.queue.flush"
		)
	finally:
		holder.kill()
		holder.wait()


def test_recent_frequent_job_is_alive_and_dormant_sites_get_a_day(bench, tables):
	add_job_type(tables, "queue.flush", "All", now_utc_naive() - timedelta(minutes=5))
	tables("INSERT INTO `tabActivity Log` VALUES ('a1', %s, %s)", (now_utc_naive(), now_utc_naive()))
	result = run_one(bench.context(), "scheduler.alive")
	assert result.status is Status.OK
	assert result.summary == "The scheduler is alive: app.tasks.queue.flush ran 5 min ago."
	tables("UPDATE `tabScheduled Job Type` SET last_execution = %s", (now_utc_naive() - timedelta(hours=3),))
	tables("DELETE FROM `tabActivity Log`")
	result = run_one(bench.context(), "scheduler.alive")  # no Activity Log at all: dormant
	assert result.status is Status.WARNING
	assert result.summary == (
		"The site is dormant: no Activity Log entry ever (dormant_days = 4), so Frappe runs its scheduled jobs "
		"only once a day. No scheduler process holds config/scheduler_process either."
	)


def test_a_site_past_its_dormant_days_says_jobs_run_once_a_day(bench, tables, site_sql):
	add_job_type(tables, "queue.flush", "All", now_utc_naive() - timedelta(minutes=5))
	last = (now_utc_naive() - timedelta(days=3)).replace(microsecond=0)
	tables("INSERT INTO `tabActivity Log` VALUES ('a1', %s, %s)", (last, last))
	site_sql("INSERT INTO `tabSingles` VALUES ('System Settings', 'dormant_days', '2')")
	result = run_one(bench.context(), "scheduler.alive")
	assert result.status is Status.WARNING
	assert result.summary.startswith(
		f"The site is dormant: no Activity Log entry since {last:%Y-%m-%d %H:%M} (dormant_days = 2), so "
		"Frappe runs its scheduled jobs only once a day."
	)
	assert result.fixes[0].link == "/app/system-settings"


def test_failed_jobs_for_real_grouped_matched_and_located(bench, tables, redis_client, job_module):
	enqueue(bench, redis_client, BOOM, job_id="boom-1")
	enqueue(bench, redis_client, BOOM, job_id="boom-2")
	run_worker(bench, job_module)
	result = run_one(bench.context(), "jobs.failed_recent", failed_warning=1, failed_critical=50)
	assert result.status is Status.WARNING
	assert result.summary == "2 background job(s) and 0 scheduled job run(s) failed in the last 24 h."
	assert result.findings[0].message == "2 job(s) failed with ZeroDivisionError: division by zero"
	diagnosis = diagnose_jobs(bench.context(), since="1h", job=BOOM)
	steps = {s.check_id: s for s in diagnosis.steps}
	assert steps["jobs.locate"].status is Status.CRITICAL
	assert steps["jobs.locate"].summary.startswith(f"{BOOM} failed (ended ")
	assert steps["jobs.locate"].summary.endswith("ZeroDivisionError: division by zero.")
	failed = steps["jobs.failed"]
	assert failed.summary.startswith("2 failed job(s) of this site in 1 group(s)")
	assert "Traceback (most recent call last)" in failed.findings[0].evidence["newest_traceback"]
	assert diagnosis.likely_cause.check_id == "jobs.locate"


def test_a_queue_no_worker_listens_to_then_a_worker_drains_it(bench, tables, redis_client, job_module):
	enqueue(bench, redis_client, "diag_jobs_mod.fine", queue="long", job_id="fine-1")
	diagnosis = diagnose_jobs(bench.context(), job="diag_jobs_mod.fine")
	steps = {s.check_id: s for s in diagnosis.steps}
	assert steps["jobs.workers"].status is Status.CRITICAL
	assert steps["jobs.workers"].summary == "Jobs are waiting on long with no worker listening."
	assert steps["jobs.locate"].summary.startswith("diag_jobs_mod.fine is waiting on queue long")
	assert steps["jobs.waiting"].findings[0].evidence["long"]["method"] == "diag_jobs_mod.fine"
	assert diagnosis.likely_cause.check_id == "jobs.workers"
	run_worker(bench, job_module, queue="long")
	steps = {s.check_id: s for s in diagnose_jobs(bench.context(), job="diag_jobs_mod.fine").steps}
	assert steps["jobs.locate"].summary.startswith("diag_jobs_mod.fine finished successfully")
	assert steps["jobs.waiting"].summary == "No job is waiting."


def test_a_killed_worker_still_registered_is_stale(bench, tables, redis_client, job_module):
	name = f"{bench.bench_id}-w1"
	proc = run_worker(bench, job_module, burst=False, name=name)
	try:
		for _ in range(200):
			if any(w.name == name for w in Worker.all(connection=redis_client)):
				break
			time.sleep(0.05)
		else:
			pytest.fail("the worker did not register")
		steps = {s.check_id: s for s in diagnose_jobs(bench.context()).steps}
		assert steps["jobs.worker_health"].summary == "1 live worker(s); 0 stale, 0 stuck past their timeout."
	finally:
		proc.send_signal(signal.SIGKILL)
		proc.wait()
	step = {s.check_id: s for s in diagnose_jobs(bench.context()).steps}["jobs.worker_health"]
	assert step.status is Status.WARNING
	assert step.summary == "0 live worker(s); 1 stale, 0 stuck past their timeout."
	assert step.findings[0].evidence[name]["process_gone"] is True


def test_scheduled_types_overdue_failing_and_near_the_timeout(bench, tables):
	now = now_utc_naive()
	add_job_type(tables, "tasks.hourly", "Hourly", now - timedelta(hours=5))
	add_job_type(tables, "tasks.daily", "Daily", now - timedelta(minutes=1))
	traceback = (
		"Traceback (most recent call last):\n  File \"apps/app/tasks.py\", line 3, in daily\nKeyError: 'x'\n"
	)
	tables(
		"INSERT INTO `tabScheduled Job Log` VALUES ('l1', %s, %s, 'Failed', 'tasks.daily', %s), "
		"('l2', %s, %s, 'Complete', 'tasks.hourly', '')",
		(
			now - timedelta(minutes=30),
			now - timedelta(minutes=29),
			traceback,
			now - timedelta(hours=2),
			now - timedelta(hours=2) + timedelta(seconds=290),
		),
	)
	step = {s.check_id: s for s in diagnose_jobs(bench.context(), since="6h").steps}["jobs.scheduled_types"]
	assert step.status is Status.WARNING
	assert step.summary.startswith("2 scheduled job types; 1 overdue, 1 failed run(s), 1 near their timeout")
	overdue = next(f for f in step.findings if f.message == "Job types due but not run")
	assert list(overdue.evidence) == ["tasks.hourly"]
	failed = next(f for f in step.findings if "failed" in f.message)
	assert failed.message == "1 run(s) of tasks.daily failed: KeyError: 'x'"
	slow = next(f for f in step.findings if f.message.startswith("Runs close"))
	assert slow.evidence == {"tasks.hourly": {"max_runtime_s": 290, "queue": "default", "timeout_s": 300}}


def test_standalone_command_json_and_exit_code(bench, tables):
	tables("UPDATE `tabSingles` SET value = '0' WHERE field = 'enable_scheduler'")
	done = bench.cli(
		"jobs", "--bench", str(bench.root), "--site", bench.site, "--json", "--fail-on", "warning"
	)
	data = json.loads(done.stdout)
	assert data["kind"] == "Background Jobs"
	assert [r["check_id"] for r in data["results"][:2]] == ["redis.queue", "scheduler.alive"]
	assert data["likely_cause"] == "scheduler.alive"
	assert done.returncode == 1, done.stderr


def test_a_failed_job_links_to_the_error_group_its_traceback_is_stored_under(
	bench, tables, redis_client, job_module
):
	from rq.job import Job

	from frappe_diagnostics.knowledge.errorgroups import ErrorGroups

	job = enqueue(bench, redis_client, BOOM, job_id="grouped")
	run_worker(bench, job_module)
	traceback = Job.fetch(job.id, connection=redis_client).latest_result().exc_string
	# the key the Error Log grouping (site/errorlog.py) stores the group under, for this site's logs
	stored = ErrorGroups(sites=(bench.site,)).add(traceback, None, "Error Log").key
	tables(
		"INSERT INTO `tabError Group` (name, status, `count`, fingerprint) VALUES ('EG-0007', 'Open', 3, %s)",
		(stored,),
	)
	failed = {s.check_id: s for s in diagnose_jobs(bench.context(), since="1h").steps}["jobs.failed"]
	assert failed.findings[0].evidence["error_group"] == "EG-0007 (Open, 3 seen)"


def test_queue_redis_down_is_the_finding_with_its_fix_not_a_crashed_check(bench, tables):
	bench.common["redis_queue"] = f"redis://127.0.0.1:{free_port()}"
	bench.write()
	diagnosis = diagnose_jobs(bench.context())
	cause = diagnosis.likely_cause
	assert cause.check_id == "redis.queue"
	assert cause.summary.startswith("Redis queue is unreachable: connection refused")
	assert cause.fixes[0].description.startswith("Start the Redis queue server")
	crashed = [s.check_id for s in diagnosis.steps if s.summary.startswith("The check failed")]
	assert crashed == [], [s.summary for s in diagnosis.steps]
