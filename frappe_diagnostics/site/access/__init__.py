"""Access troubleshooters: "why can't this user log in?", "why can't this user do X with this document?",
and the fixes an operator may apply on purpose (dry run, confirmation, audit, revert).

Unlike engine/ and checks/, this layer is Frappe-level: it reads Frappe's own permission and login state.
"""
