app_name = "frappe_diagnostics"
app_title = "Frappe Diagnostics"
app_publisher = "frappe_diagnostics contributors"
app_description = (
	"Health checks, troubleshooters, error knowledge base, log analysis and recovery for Frappe sites"
)
app_email = "dev@frappe-diagnostics.invalid"
app_license = "mit"

# Checks: every app may list modules whose @check functions register themselves.
diagnostics_checks = ["frappe_diagnostics.checks"]

# the tile renderer and its styles, shared by the Diagnostics Console page and the Diagnostic Run form;
# the access dialogs (public/js/access_console.js) are loaded by the console page when it needs them
app_include_js = ["/assets/frappe_diagnostics/js/diagnostics.js"]
app_include_css = ["/assets/frappe_diagnostics/css/diagnostics.css"]

# a running debug session's log levels (and per-user Recorder) in every process of the site
before_request = ["frappe_diagnostics.site.debug.hooks.apply"]
before_job = ["frappe_diagnostics.site.debug.hooks.apply"]

# bearer-token scrapes of the metrics and readiness endpoints (site/scrape_auth.py)
auth_hooks = ["frappe_diagnostics.site.scrape_auth.authenticate"]

after_install = [
	"frappe_diagnostics.site.install.after_install",
	"frappe_diagnostics.site.workspace_cards.sync_check_cards",
]
after_migrate = [
	"frappe_diagnostics.site.install.after_migrate",
	"frappe_diagnostics.site.workspace_cards.sync_check_cards",
]

scheduler_events = {
	"cron": {
		# one job a minute: a health run when this site's own minute of the interval is due
		# (fleet/stagger.py), and lapsed debug sessions ended
		"* * * * *": ["frappe_diagnostics.site.tasks.every_minute"],
		"*/5 * * * *": [
			"frappe_diagnostics.site.tasks.group_new_error_logs",
		],
	},
	# the backup verification drill (decides by Diagnostics Settings' drill frequency; long queue)
	"daily_long": ["frappe_diagnostics.site.recovery.drill.scheduled_drill"],
}

# Log Settings clears a group's Error Log list with the Error Logs (Frappe keeps those 14 days by default),
# and old Diagnostic Runs: their row's days are Diagnostics Settings' retention_days (site/retention.py)
default_log_clearing_doctypes = {"Error Group Log": 14, "Diagnostic Run": 30}
doc_events = {"Log Settings": {"on_update": "frappe_diagnostics.site.retention.on_log_settings_update"}}
