"""before_request / before_job: what a running debug session asks of this process. Log levels are
per-process state in Frappe, so every worker applies (and later restores) them itself; a session for one
user starts the Recorder for that user's requests only. Costs a dictionary lookup when no session is on."""

from __future__ import annotations

import logging

import frappe

from frappe_diagnostics.observe.debugsession import CONFIG_KEY, DebugSession

_applied: dict[str, int] = {}  # logger name -> the level it had before this process changed it


def apply() -> None:
	raw = frappe.conf.get(CONFIG_KEY)
	if not raw and not _applied:
		return
	session = DebugSession.from_conf(frappe.conf) if raw else None
	mine = (
		session is not None and session.active() and (not session.user or session.user == frappe.session.user)
	)
	if mine and session.log_level:
		_set_levels(session)
	elif _applied:
		_restore()
	if mine and "recorder" in session.instruments and session.user:
		_record_this_request()


def _set_levels(session: DebugSession) -> None:
	level = getattr(logging, session.log_level)
	for name in session.loggers:
		logger = frappe.logger(name)  # Frappe's logger for this site, created with its handlers if new
		_applied.setdefault(logger.name, logger.level)
		logger.setLevel(level)


def _restore() -> None:
	for name, level in _applied.items():
		logging.getLogger(name).setLevel(level)
	_applied.clear()


def _record_this_request() -> None:
	from frappe.recorder import Recorder

	if not hasattr(frappe.local, "_recorder"):
		recorder = Recorder()
		if recorder._recording:
			frappe.local._recorder = recorder
