"""What every `bench --site S diagnostics …` command shares: a connected site for the command's length."""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def connected_site(context):
	"""frappe.init + connect for the command's site, destroyed afterwards whatever happens; yields the name."""
	import frappe
	from frappe.commands import get_site

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		yield site
	finally:
		frappe.destroy()


def redactor():
	from frappe_diagnostics.site.store import site_redactor

	return site_redactor()
