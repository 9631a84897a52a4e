"""Index Error Log on (creation, name): the grouping job walks it in that order after its watermark.

Frappe creates `tabError Log` with an index on `modified` only, so every grouping pass (and its pending
count) read the whole table; with the index a pass reads only the Error Logs after the watermark. Added
the way Frappe adds indexes (`frappe.db.add_index`, skipped when it exists). On MyISAM, Error Log's engine,
adding an index rebuilds the table once: seconds per million rows, during which new Error Logs wait.
"""

import frappe

INDEX = "creation_name"


def execute():
	frappe.db.add_index("Error Log", ["creation", "name"], index_name=INDEX)
