"""Catalog entries of the operations troubleshooters: background jobs, web and processes, email, security
and files. Declared like every other entry (troubleshooters/catalog.py adds them to the one CATALOG)."""

from __future__ import annotations

from frappe_diagnostics.troubleshooters.declare import IN_SITE, SINCE, Input, Troubleshooter, _

ENTRIES = (
	Troubleshooter(
		"jobs",
		_("Why didn't my background job or scheduled job run?"),
		"Background Jobs",
		"frappe_diagnostics.troubleshooters.jobs:diagnose_jobs",
		_("Background jobs and scheduler"),
		inputs=(
			SINCE,
			Input(
				"job",
				_("A job's method (e.g. frappe.email.queue.flush) or job id: where it is now."),
				desk={"label": _("Job method or id (optional)")},
			),
		),
	),
	Troubleshooter(
		"web",
		_("Is the site reachable, and are all its processes up?"),
		"Web",
		"frappe_diagnostics.troubleshooters.web:diagnose_web",
		_("Web and processes"),
	),
	Troubleshooter(
		"email",
		_("Why isn't email going out or coming in?"),
		"Email",
		"frappe_diagnostics.site.email:diagnose_email",
		_("Email"),
		inputs=(
			Input(
				"timeout",
				_("Seconds to wait for each mail server."),
				type="float",
				default=5.0,
				bounds=(0.5, 30),
			),
		),
		surfaces=IN_SITE,
	),
	Troubleshooter(
		"security",
		_("How exposed is this site? A scored security audit."),
		"Security",
		"frappe_diagnostics.troubleshooters.security:diagnose_security",
		_("Security audit"),
	),
	Troubleshooter(
		"files",
		_("Why won't this file upload or open?"),
		"Files",
		"frappe_diagnostics.troubleshooters.files:diagnose_files",
		_("Files and uploads"),
		inputs=(
			Input(
				"file",
				_("A file's name or URL (/files/… or /private/files/…): who points at it, why 404 or 403."),
			),
			Input("size", _("The size of an upload that failed, e.g. 30MB: which limit refuses it.")),
			Input(
				"user",
				_("Explain whether this user may open the file (needs --file)."),
				surfaces=IN_SITE,
				desk={"fieldtype": "Link", "options": "User"},
			),
		),
		site_answer="frappe_diagnostics.site.files:diagnose_files",  # adds the user's 403 explained
	),
)
