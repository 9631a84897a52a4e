"""Frappe-level code: the only Python besides api/ and commands/ that imports frappe."""
