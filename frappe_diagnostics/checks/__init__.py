"""The built-in checks: importing this package registers them (it is the app's diagnostics_checks hook)."""

from frappe_diagnostics.checks import (
	application,
	apps,
	assets,
	cache,
	configuration,
	database,
	email,
	files,
	filesystem,
	host,
	job_failures,
	jobs,
	realtime,
	scheduler,
	secrets,
	security,
	system,
	web,
)

# imported for their @check registrations
__all__ = [
	"application",
	"apps",
	"assets",
	"cache",
	"configuration",
	"database",
	"email",
	"files",
	"filesystem",
	"host",
	"job_failures",
	"jobs",
	"realtime",
	"scheduler",
	"secrets",
	"security",
	"system",
	"web",
]
