"""The built-in checks: importing this package registers them (it is the app's diagnostics_checks hook)."""

from frappe_diagnostics.checks import (
	application,
	cache,
	configuration,
	database,
	filesystem,
	host,
	jobs,
	startup,
	system,
)
