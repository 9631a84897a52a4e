"""Switching Frappe's own instruments on and off for one site: the request monitor (site_config `monitor`)
and the Recorder (its flags in the site's Redis cache). Log levels are applied per process by hooks.py."""

from __future__ import annotations

import frappe
from frappe.installer import update_site_config

from frappe_diagnostics.observe.debugsession import CONFIG_KEY, DebugSession

RECORDER_TTL_S = 300  # Frappe's own Recorder switches itself off after 5 minutes unless re-armed


def recorder_on() -> bool:
	from frappe.recorder import RECORDER_INTERCEPT_FLAG

	return bool(frappe.cache.get_value(RECORDER_INTERCEPT_FLAG, expires=True))  # never a stale local copy


def switch_on(session: DebugSession) -> None:
	if "monitor" in session.instruments:
		update_site_config("monitor", 1)
	if "recorder" in session.instruments:
		arm_recorder(session)
	update_site_config(CONFIG_KEY, session.to_conf())


def arm_recorder(session: DebugSession) -> None:
	"""Store the Recorder's configuration; intercept every request unless the session is for one user
	(then hooks.py starts the Recorder for that user's requests only)."""
	from frappe.recorder import RECORDER_INTERCEPT_FLAG, RecorderConfig

	sql = "sql" in session.instruments
	RecorderConfig(
		record_requests=1, record_jobs=0, record_sql=int(sql), capture_stack=0, explain=int(sql)
	).store()
	if not session.user:
		frappe.cache.set_value(RECORDER_INTERCEPT_FLAG, 1, expires_in_sec=RECORDER_TTL_S)


def switch_off(session: DebugSession) -> None:
	"""Put back what the session changed: the monitor's previous value, the Recorder, the marker."""
	if "monitor" in session.instruments:
		previous = session.previous_monitor
		update_site_config("monitor", "None" if previous is None else previous)
		if previous is None:
			frappe.local.conf.pop("monitor", None)  # update_site_config leaves the string "None" there
	if "recorder" in session.instruments and not session.recorder_was_on:
		from frappe.recorder import RECORDER_INTERCEPT_FLAG, RecorderConfig, post_process

		frappe.cache.delete_value(RECORDER_INTERCEPT_FLAG)
		frappe.enqueue(post_process)  # what Frappe's own stop does (it rolls back: never inline)
		RecorderConfig.delete()
	update_site_config(CONFIG_KEY, "None")
	frappe.local.conf.pop(CONFIG_KEY, None)
