"""Recently failed background jobs of this site: RQ's failed registries (newest first, bounded) and the
Scheduled Job Log, grouped by exception. Works from a bench folder with the site down."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta, timezone

from frappe_diagnostics.checks.application import site_now
from frappe_diagnostics.engine.probe import missing_table
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status, route
from frappe_diagnostics.engine.shell import bench

MAX_JOBS = 500  # newest failed jobs read per queue


def _kwargs(job) -> dict:
	"""A job's keyword arguments; {} when they cannot be unpickled here (e.g. standalone, without Frappe)."""
	try:
		kwargs = job.kwargs
	except Exception:
		return {}
	return kwargs if isinstance(kwargs, dict) else {}


def job_method(job) -> str:
	"""The method a Frappe job runs: the scheduled job type's method for scheduler jobs."""
	kwargs = _kwargs(job)
	if not kwargs:
		return _func_name(job)
	inner = kwargs.get("kwargs") or {}
	if isinstance(inner, dict) and inner.get("job_type"):
		return str(inner["job_type"])
	method = kwargs.get("job_name") or kwargs.get("method") or _func_name(job)
	return str(method if isinstance(method, str) else getattr(method, "__name__", method))


def _func_name(job) -> str:
	try:
		return job.func_name or ""
	except Exception:
		return "(unreadable job data)"


def job_site(job) -> str | None:
	"""The site a Frappe job belongs to: its kwargs, else the `site::` prefix of its id."""
	site = _kwargs(job).get("site")
	if site:
		return site
	prefix, sep, _ = (job.id or "").partition("::")
	return prefix if sep else None


def job_traceback(job) -> str:
	"""A failed job's traceback: its latest result (rq >= 1.12), else the job's own exc_info."""
	try:
		result = job.latest_result()
		if result is not None and result.exc_string:
			return result.exc_string
	except Exception:
		pass
	try:
		with warnings.catch_warnings():
			warnings.simplefilter("ignore", DeprecationWarning)
			return job.exc_info or ""
	except Exception:
		return ""


def utc(value: datetime | None) -> datetime | None:
	if value is None:
		return None
	return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def exception_line(text: str | None) -> str:
	"""The last non-empty line of a traceback: `ValueError: bad thing`."""
	lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
	return lines[-1][:300] if lines else "(no traceback)"


def failed_jobs(probe, since: datetime, site: str | None = None) -> list[dict]:
	"""Failed RQ jobs of this bench's queues (of `site` when given) that ended after `since` (UTC)."""
	from rq import Queue
	from rq.job import Job
	from rq.registry import FailedJobRegistry

	conn = probe.redis("queue")
	out = []
	for qtype in probe.site.queue_types():
		registry = FailedJobRegistry(queue=Queue(f"{probe.site.bench_id()}:{qtype}", connection=conn))
		ids = [
			i.decode() if isinstance(i, bytes) else i for i in conn.zrevrange(registry.key, 0, MAX_JOBS - 1)
		]
		for job in Job.fetch_many(ids, connection=conn):
			if job is None or (site and job_site(job) != site):
				continue
			ended = utc(job.ended_at)
			if ended is not None and ended < since:
				continue
			out.append(
				{
					"id": job.id,
					"queue": qtype,
					"method": job_method(job),
					"ended_at": ended.isoformat(timespec="seconds") if ended else None,
					"exc_info": job_traceback(job),
				}
			)
	return out


def scheduled_failures(probe, since_local: datetime) -> list[dict]:
	"""Failed Scheduled Job Log rows since a site-local time, newest first (bounded)."""
	return probe.sql(
		"SELECT name, scheduled_job_type, creation, details FROM `tabScheduled Job Log` "
		"WHERE status = 'Failed' AND creation >= %s ORDER BY creation DESC LIMIT 200",
		(since_local,),
	)


def group_by_exception(rows: list[dict], text_key: str, method_key: str) -> dict[str, dict]:
	groups: dict[str, dict] = {}
	for row in rows:
		key = exception_line(row.get(text_key))
		group = groups.setdefault(key, {"count": 0, "methods": [], "newest": row.get(text_key) or ""})
		group["count"] += 1
		if row.get(method_key) not in group["methods"] and len(group["methods"]) < 5:
			group["methods"].append(row.get(method_key))
	return dict(sorted(groups.items(), key=lambda kv: -kv[1]["count"]))


@check(
	"jobs.failed_recent",
	title="Recently failed jobs",
	tags=("jobs",),
	thresholds={"window_hours": 24, "failed_warning": 1, "failed_critical": 50},
)
def failed_recent(probe):
	hours = float(probe.threshold("window_hours"))
	since = datetime.now(timezone.utc) - timedelta(hours=hours)
	jobs = failed_jobs(probe, since, site=probe.site.name)
	try:
		logs = scheduled_failures(probe, site_now(probe) - timedelta(hours=hours))
	except Exception as e:
		if not missing_table(e):
			raise
		logs = []
	total = len(jobs) + len(logs)
	metrics = [
		Metric("failed_jobs", len(jobs), "jobs"),
		Metric("failed_scheduled_runs", len(logs), "runs"),
	]
	summary = (
		f"{len(jobs)} background job(s) and {len(logs)} scheduled job run(s) failed in the last {hours:g} h."
	)
	status = probe.graded(total, probe.threshold("failed_warning"), probe.threshold("failed_critical"))
	if status is Status.OK:
		return probe.ok(summary, metrics=metrics)
	findings = []
	for text, group in list(group_by_exception(jobs, "exc_info", "method").items())[:5]:
		findings.append(
			Finding(
				f"{group['count']} job(s) failed with {text}",
				{"methods": group["methods"]},
				route("rq-job", status="failed"),
			)
		)
	for text, group in list(group_by_exception(logs, "details", "scheduled_job_type").items())[:5]:
		findings.append(
			Finding(
				f"{group['count']} scheduled run(s) failed with {text}",
				{"job_types": group["methods"]},
				route("scheduled-job-log", status="Failed"),
			)
		)
	fixes = [
		Fix(
			"Read the newest traceback of each group and its matching solution.",
			command=bench(probe.site.name, "diagnostics", "jobs"),
		)
	]
	return probe.result(status, summary, metrics, findings, fixes)
