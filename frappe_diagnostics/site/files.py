"""The files troubleshooter inside a booted site: the framework-free diagnosis, plus — when a user is
named — why that user may or may not open the file (Frappe's own File permission rules). The standalone
command answers with troubleshooters/files.py alone (the catalog's `site_answer`)."""

from __future__ import annotations

from frappe_diagnostics.engine.result import Finding, Fix, Status
from frappe_diagnostics.engine.steps import step
from frappe_diagnostics.troubleshooters import files


def diagnose_files(ctx, file: str | None = None, size: str | None = None, user: str | None = None):
	user = (user or "").strip() or None
	if user and not file:
		raise ValueError("Name the file (--file) whose access for that user you want explained.")
	extra = [access_step(file, user)] if user else []
	diagnosis = files.diagnose_files(ctx, file=file, size=size, extra_steps=extra)
	diagnosis.inputs["user"] = user
	return diagnosis


def access_step(file: str, user: str):
	import frappe
	from frappe.core.doctype.file.file import has_permission

	title = f"Can {user} open it?"
	if not frappe.db.exists("User", user):
		return step("files.access", title, Status.ERROR, f"There is no user {user!r}.")
	name = frappe.db.get_value("File", {"name": file}) or frappe.db.get_value("File", {"file_url": file})
	name = name or frappe.db.get_value("File", {"file_name": file.rsplit("/", 1)[-1]})
	if not name:
		return step("files.access", title, Status.CRITICAL, f"No File record for {file}: {user} gets 404.")
	doc = frappe.get_doc("File", name)
	allowed = bool(has_permission(doc, "read", user=user))
	evidence = {
		"file": doc.name,
		"is_private": doc.is_private,
		"owner": doc.owner,
		"attached_to": f"{doc.attached_to_doctype} {doc.attached_to_name}"
		if doc.attached_to_doctype
		else None,
	}
	if allowed:
		why = _why_allowed(doc, user)
		return step(
			"files.access",
			title,
			Status.OK,
			f"{user} may open {doc.file_url}: {why}.",
			[Finding(why, evidence)],
		)
	why = "it is private, and the user neither owns it nor may read the document it is attached to"
	if not doc.attached_to_doctype:
		why = "it is private, attached to nothing, and not the user's own file"
	fixes = []
	if doc.attached_to_doctype:
		fixes.append(
			Fix(
				"See why the user cannot read the document it is attached to.",
				command=_why_denied(user, doc.attached_to_doctype, doc.attached_to_name),
			)
		)
	return step(
		"files.access",
		title,
		Status.CRITICAL,
		f"{user} gets 403 for {doc.file_url}: {why}.",
		[Finding(why, evidence)],
		fixes,
	)


def _why_allowed(doc, user: str) -> str:
	if user == "Administrator":
		return "Administrator may open every file"
	if not doc.is_private:
		return "the file is public"
	if doc.owner == user:
		return "the user uploaded it"
	return f"the user may read {doc.attached_to_doctype} {doc.attached_to_name}, which it is attached to"


def _why_denied(user: str, doctype: str, name: str) -> str:
	import frappe

	from frappe_diagnostics.engine.shell import bench

	return bench(
		frappe.local.site, "diagnostics", "why-denied", "--user", user, "--doctype", doctype, "--name", name
	)
