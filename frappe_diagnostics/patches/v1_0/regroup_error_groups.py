"""Re-key Error Groups to the grouping by failing code path, merging the groups it joins.

Groups used to key on the message too, so one code path could have several groups (one per DocType,
site or OS reason). Each group is fingerprinted again from its sample; groups that now share a key are
merged into the oldest (counts, trend, first and last seen, message variants; Open if any was open).
The Error Logs grouped before are then linked to their groups by a background job.
"""

import frappe

from frappe_diagnostics.site.errorgroups import merge_into, rekey


def execute():
	if frappe.db.table_exists("Error Group") and regroup():
		frappe.enqueue(
			"frappe_diagnostics.site.errorlog.link_grouped_error_logs",
			queue="long",
			timeout=3600,
			job_id="frappe_diagnostics:link_grouped_error_logs",
			deduplicate=True,
			enqueue_after_commit=True,
		)


def regroup() -> int:
	"""Re-key every group, merge the groups that now share a key; returns how many groups remain."""
	survivors = {}
	for row in frappe.get_all("Error Group", fields=["*"], order_by="creation asc, name asc"):
		doc = frappe.get_doc({"doctype": "Error Group", **row})
		key = rekey(doc)
		if key in survivors:
			merge_into(survivors[key], doc)
			frappe.delete_doc("Error Group", doc.name, ignore_permissions=True, force=True)
		else:
			survivors[key] = doc
	for doc in survivors.values():
		doc.flags.ignore_permissions = True
		doc.save()
	return len(survivors)
