"""Starting, ending and expiring a site's debug session; each start is a Diagnostic Fix Log (reverted at
the end), each end a Debug Session report stored as a run."""

from __future__ import annotations

import time

import frappe
from frappe import _

from frappe_diagnostics.engine.settings import DEFAULTS
from frappe_diagnostics.observe.debugsession import DebugSession, validate
from frappe_diagnostics.site.debug import instruments
from frappe_diagnostics.site.fixes import audit

ACTION = "debug_session"
DEVELOPER_MODE = _(
	"developer_mode stays off: on a production site it lets System Managers change DocTypes and write them "
	"into the apps' folders, shows tracebacks to every user and changes caching; this session does not need it."
)


def site_config() -> dict:
	"""This site's own site_config.json (the session and the monitor switch live there, not in common)."""
	return frappe.get_file_json(frappe.get_site_path("site_config.json"))


def current() -> DebugSession | None:
	return DebugSession.from_conf(site_config())


def start(
	minutes: float,
	monitor: bool = False,
	recorder: bool = False,
	sql: bool = False,
	log_level: str | None = None,
	loggers: tuple[str, ...] = (),
	user: str | None = None,
	trigger: str = "CLI",
) -> DebugSession:
	"""Turn the chosen instruments on for `minutes`. ValueError for bad input or a session already on."""
	running = current()
	if running is not None:
		raise ValueError(f"A debug session ({running.log}) is already on; end it first with `debug stop`.")
	chosen = [n for n, on in (("monitor", monitor), ("recorder", recorder or sql), ("sql", sql)) if on]
	level = log_level.upper() if log_level else None
	names = list(loggers or (["frappe"] if level else []))
	chosen += ["logging"] if level else []
	longest = DEFAULTS["debug_max_minutes"].clamp(
		frappe.db.get_single_value("Diagnostics Settings", "debug_max_minutes")
	)
	validate(minutes, longest, chosen, level, names)
	if user and not frappe.db.exists("User", user):
		raise ValueError(f"There is no user {user!r} on this site.")
	now = time.time()
	session = DebugSession(
		log="",
		started=now,
		expires=now + minutes * 60,
		instruments=chosen,
		log_level=level,
		loggers=names,
		user=user or None,
		previous_monitor=site_config().get("monitor"),
		recorder_was_on="recorder" in chosen and instruments.recorder_on(),
	)
	session.log = _record_start(session, trigger).name
	instruments.switch_on(session)
	return session


def _record_start(session: DebugSession, trigger: str):
	plan = {
		"name": ACTION,
		"target_doctype": "Diagnostics Settings",
		"target_name": f"{frappe.local.site}: site_config.json",
		"description": f"Debug session for {session.describe()}, {round((session.expires - session.started) / 60)} min. "
		+ DEVELOPER_MODE,
		"params": {"minutes": round((session.expires - session.started) / 60, 1), "user": session.user},
		"before": {"monitor": session.previous_monitor, "recorder": session.recorder_was_on},
		"after": {
			"instruments": session.instruments,
			"log_level": session.log_level,
			"loggers": session.loggers,
		},
	}
	return audit.record(plan, "Applied", trigger)


def stop(trigger: str = "CLI", reason: str = "stopped") -> tuple | None:
	"""End the session: instruments off, the Fix Log reverted, the report stored; returns (session, report,
	Diagnostic Run), or None when no session is on."""
	from frappe_diagnostics.site.debug.report import build_report
	from frappe_diagnostics.site.store import save_diagnosis

	session = current()
	if session is None:
		return None
	ended = min(time.time(), session.expires) if reason == "expired" else time.time()
	instruments.switch_off(session)
	if session.log and frappe.db.exists("Diagnostic Fix Log", session.log):
		audit.mark_reverted(frappe.get_doc("Diagnostic Fix Log", session.log))
	report = build_report(session, ended, reason)
	doc = save_diagnosis(report, trigger)
	frappe.db.commit()
	return session, report, doc


def tick() -> str:
	"""Every minute (scheduler) and after every health run: end a lapsed session, keep a live one's
	Recorder armed (Frappe's switches itself off after 5 minutes)."""
	session = current()
	if session is None:
		return "none"
	if not session.active():
		stop(trigger="Scheduler", reason="expired")
		return "expired"
	if "recorder" in session.instruments:
		instruments.arm_recorder(session)
	return "active"
