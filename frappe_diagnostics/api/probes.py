"""Probes for load balancers and orchestrators: liveness (anyone, rate-limited, says only "ok") and
readiness (metrics readers; anyone as well when Diagnostics Settings allow it, then without details)."""

import frappe
from frappe import _

from frappe_diagnostics.site.probes import liveness, readiness, readiness_is_public
from frappe_diagnostics.site.scrape_auth import may_read_metrics


@frappe.whitelist(allow_guest=True, methods=["GET", "HEAD"])
def live():
	"""200 "ok" when this web process serves and reaches its database; 503 when the database is gone."""
	return liveness()


@frappe.whitelist(allow_guest=True, methods=["GET", "HEAD"])
def ready():
	"""200 or 503 from the latest stored results of the readiness checks; failing ids for metrics readers."""
	detail = may_read_metrics()
	if not detail and not readiness_is_public():
		raise frappe.AuthenticationError(_("Send the metrics bearer token or the API key of a metrics user."))
	return readiness(detail)
