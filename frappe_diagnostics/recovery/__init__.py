"""Recovery: backup inventory and verification, guarded restore, document recovery and recovery runs.

Framework-free like engine/ and checks/: it speaks to a site through a site context and to the database
server through a root account of its own, so it works the same inside Frappe and when the site cannot boot.
"""
