"""Labelled Frappe-style error records for measuring grouping: (label, text) pairs, one label per cause.

    python benchmarks/gen_errors.py --per-label 20 > labelled.json

A label is one failing code path with one exception type (and one error code for database errors), as an
operator would group them. Within a label the records vary the way real logs do: bench folders, Python
versions (carets), line numbers, dispatch frames (request or job), messages naming other DocTypes,
records and users, database errors with other OS reasons, an unrelated exception the error was raised
while handling, and site names prefixed to worker and scheduler messages. Across labels they differ only
in what separates two causes: the frames, the exception type, the error code, the explicit cause, or
the message of a bare (traceback-less) record. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import json
import random
import string

ROOTS = ["/home/frappe/frappe-bench", "/opt/benches/prod", "/srv/erp/bench-15"]
PYTHONS = ["3.10", "3.11", "3.12"]
SITES = ["erp.example.com", "site1.local", "shop.example.co.uk", "acme.erpnext.in", "hr.example.org"]
DOCTYPES = ["Sales Invoice", "Item", "Customer", "Purchase Order", "Stock Entry", "Employee", "User", "ToDo"]
REQUEST = [
	("frappe/frappe/app.py", "application"),
	("frappe/frappe/api/__init__.py", "handle"),
	("frappe/frappe/api/v1.py", "handle_rpc_call"),
	("frappe/frappe/handler.py", "execute_cmd"),
	("frappe/frappe/__init__.py", "call"),
]
JOB = [("frappe/frappe/utils/background_jobs.py", "execute_job")]
THIRD_PARTY_TOP = {
	"request": [("werkzeug/serving.py", "run_wsgi"), ("gunicorn/workers/sync.py", "handle_request")],
	"job": [("rq/worker.py", "perform_job"), ("rq/job.py", "_execute")],
}
SQL = ("frappe/frappe/database/database.py", "sql")
PYMYSQL = [
	("pymysql/cursors.py", "execute"),
	("pymysql/connections.py", "_read_query_result"),
	("pymysql/err.py", "raise_mysql_exception"),
]
REDIS = [("redis/client.py", "execute_command"), ("redis/connection.py", "connect")]
GONE_REASONS = ["", " (BrokenPipeError(32, 'Broken pipe'))", " (ConnectionResetError(104, 'Connection reset by peer'))"]  # fmt: skip
LOST_REASONS = [" ([Errno 104] Connection reset by peer)", " (timed out)", ""]

# message kind -> templates; a record picks one (the variants an operator sees within one group)
MESSAGES = {
	"qty": ["Row #{num}: Qty must be greater than 0 for Item {record}"],
	"link": ["Could not find {doctype}: {record}", "Could not find Row #{num}: {doctype}: {record}"],
	"modified": [
		"Error: Document has been modified after you have opened it ({date}, {date}). Please refresh to get the latest document."
	],
	"perm": ["User {email} does not have doctype access via role permission for document {doctype}"],
	"notfound": ["{doctype} {record} not found"],
	"alloc": ["Total allocated amount {num} cannot be greater than outstanding amount {num} for {id}"],
	"redis": ["Error {num} connecting to 127.0.0.1:{num}. Connection refused."],
	"rq": ["Task exceeded maximum timeout value ({num} seconds)"],
	"file": ["File {path} is larger than the allowed {num} MB (checksum {hash})"],
	"key": ["{quoted}"],
	"none": ["'NoneType' object has no attribute {quoted}"],
	"name": ["name {quoted} is not defined"],
	"lock": ["(1205, 'Lock wait timeout exceeded; try restarting transaction')"],
	"deadlock": ["(1213, 'Deadlock found when trying to get lock; try restarting transaction')"],
	"dup": [
		"(1062, \"Duplicate entry '{id}' for key 'PRIMARY'\")",
		"(1062, \"Duplicate entry '{record}' for key 'name'\")",
	],
	"column": [
		"(1054, \"Unknown column '{field}' in 'field list'\")",
		"(1054, \"Unknown column '{field}' in 'where clause'\")",
	],
	"gone": [f'(2006, "MySQL server has gone away{r}")' for r in GONE_REASONS],
	"lost": [f"(2013, 'Lost connection to MySQL server during query{r}')" for r in LOST_REASONS],
	"webhook": ["Webhook {uuid} to https://hooks.example.com/{id} failed on {date} after {num} retries"],
	"mandatory": ["[{doctype}, {record}]: {field}, {field}"],
}

SI = ("erpnext/erpnext/accounts/doctype/sales_invoice/sales_invoice.py", "validate")
SI_SUBMIT = ("erpnext/erpnext/accounts/doctype/sales_invoice/sales_invoice.py", "on_submit")
PE = ("erpnext/erpnext/accounts/doctype/payment_entry/payment_entry.py", "validate_allocated_amount")
SLE = ("erpnext/erpnext/stock/stock_ledger.py", "make_sl_entries")
GLE = ("erpnext/erpnext/accounts/general_ledger.py", "make_gl_entries")
SAVE = ("frappe/frappe/model/document.py", "save")
HOOK = ("myapp/myapp/overrides/invoice.py", "on_submit")
THROW = [("frappe/frappe/__init__.py", "throw"), ("frappe/frappe/__init__.py", "msgprint")]
VE = "frappe.exceptions.ValidationError"
DB = "pymysql.err.OperationalError"
# label: (exception type, message kind, own application frames, third-party frames below them, cause)
# cause: (exception type, message kind, frames) it is raised *from* ("direct cause"), or "any" of several
LABELS = {
	"qty-si": (VE, "qty", [SAVE, SI, *THROW], [], None),
	"qty-se": (
		VE,
		"qty",
		[SAVE, ("erpnext/erpnext/stock/doctype/stock_entry/stock_entry.py", "validate"), *THROW],
		[],
		None,
	),
	"alloc-pe": (VE, "alloc", [SAVE, PE, *THROW], [], None),
	"link": (
		"frappe.exceptions.LinkValidationError",
		"link",
		[SAVE, ("frappe/frappe/model/document.py", "_validate_links")],
		[],
		None,
	),
	"mandatory": (
		"frappe.exceptions.MandatoryError",
		"mandatory",
		[SAVE, ("frappe/frappe/model/document.py", "_validate_mandatory")],
		[],
		None,
	),
	"modified": (
		"frappe.exceptions.TimestampMismatchError",
		"modified",
		[SAVE, ("frappe/frappe/model/document.py", "check_if_latest")],
		[],
		None,
	),
	"perm-get": ("frappe.exceptions.PermissionError", "perm", [("frappe/frappe/client.py", "get")], [], None),
	"perm-save": (
		"frappe.exceptions.PermissionError",
		"perm",
		[SAVE, ("frappe/frappe/model/document.py", "check_permission")],
		[],
		None,
	),
	"notfound": (
		"frappe.exceptions.DoesNotExistError",
		"notfound",
		[("frappe/frappe/model/document.py", "load_from_db")],
		[],
		None,
	),
	"redis-cache": (
		"redis.exceptions.ConnectionError",
		"redis",
		[("frappe/frappe/utils/redis_wrapper.py", "get_value")],
		REDIS,
		None,
	),
	"redis-queue": (
		"redis.exceptions.ConnectionError",
		"redis",
		[("frappe/frappe/utils/background_jobs.py", "enqueue")],
		REDIS,
		None,
	),
	"rq-gle": ("rq.timeouts.JobTimeoutException", "rq", [GLE], [], None),
	"rq-email": (
		"rq.timeouts.JobTimeoutException",
		"rq",
		[("frappe/frappe/email/queue.py", "flush")],
		[],
		None,
	),
	"file": (
		VE,
		"file",
		[("frappe/frappe/core/doctype/file/file.py", "check_max_file_size"), *THROW],
		[],
		None,
	),
	"key-jinja": ("KeyError", "key", [("frappe/frappe/utils/jinja.py", "render_template")], [], None),
	"key-hook": ("KeyError", "key", [HOOK], [], None),
	"none-hook": ("AttributeError", "none", [HOOK], [], None),
	"none-si": ("AttributeError", "none", [SAVE, SI_SUBMIT], [], None),
	"script": (
		"NameError",
		"name",
		[("frappe/frappe/utils/safe_exec.py", "safe_exec"), ("<serverscript>: invoice_rules", "<module>")],
		[],
		None,
	),
	"webhook": (
		VE,
		"webhook",
		[("frappe/frappe/integrations/doctype/webhook/webhook.py", "enqueue_webhook"), *THROW],
		[],
		None,
	),
	# one stack, four database errors: each its own group, whatever OS reason the driver adds
	"db-lock-sle": (DB, "lock", [SLE, SQL], PYMYSQL, None),
	"db-deadlock-sle": (DB, "deadlock", [SLE, SQL], PYMYSQL, None),
	"db-gone-sle": (DB, "gone", [SLE, SQL], PYMYSQL, None),
	"db-lost-sle": (DB, "lost", [SLE, SQL], PYMYSQL, None),
	"db-lock-gle": (DB, "lock", [GLE, SQL], PYMYSQL, None),
	"dup-insert": (
		"pymysql.err.IntegrityError",
		"dup",
		[SAVE, ("frappe/frappe/model/document.py", "db_insert"), SQL],
		PYMYSQL,
		None,
	),
	"column-report": (DB, "column", [("frappe/frappe/desk/query_report.py", "run"), SQL], PYMYSQL, None),
	# raised from a database error, as frappe.database does: the outer type says it all
	"chain-deadlock": (
		"frappe.exceptions.QueryDeadlockError",
		"deadlock",
		[SLE, SQL],
		[],
		(DB, "deadlock", PYMYSQL),
	),
	"chain-timeout": ("frappe.exceptions.QueryTimeoutError", "lock", [SLE, SQL], [], (DB, "lock", PYMYSQL)),
	"chain-deadlock-gle": (
		"frappe.exceptions.QueryDeadlockError",
		"deadlock",
		[GLE, SQL],
		[],
		(DB, "deadlock", PYMYSQL),
	),
	# one raise statement wrapping whatever went wrong below it: one group (Error Log shows no chain)
	"wrapped": (VE, "qty", [SAVE, ("erpnext/erpnext/controllers/taxes.py", "calculate"), *THROW], [], "any"),
	# raised from a different function: another group
	"wrapped-other": (
		VE,
		"qty",
		[SAVE, ("erpnext/erpnext/controllers/taxes.py", "round_totals"), *THROW],
		[],
		"any",
	),
}
WRAPPED_CAUSES = [("KeyError", "key", []), ("AttributeError", "none", [])]
# errors raised while handling an unrelated one: the context varies, the error is the same
UNRELATED = [
	("KeyError", "key", [("frappe/frappe/utils/redis_wrapper.py", "hget")], []),
	(
		"frappe.exceptions.DoesNotExistError",
		"notfound",
		[("frappe/frappe/model/document.py", "load_from_db")],
		[],
	),
	(
		"redis.exceptions.ConnectionError",
		"redis",
		[("frappe/frappe/utils/redis_wrapper.py", "get_value")],
		REDIS,
	),
]
# records without a traceback: worker, scheduler and gunicorn lines; the site name varies within a label
BARE = {
	"sched-inactive": [
		"{site} Scheduler is inactive. Cannot enqueue job.",
		"{site}: Scheduler is inactive. Cannot enqueue job.",
	],
	"maintenance": ["{site}: Maintenance mode is ON"],
	"paused": ["{site}: frappe.conf.pause_scheduler is SET"],
	"enqueue-failed": ["Exception in Enqueue Events for Site {site}"],
	"email-failed": ["Failed to send email to {email} for {id}"],
	"bare-gone": [
		f'pymysql.err.OperationalError: (2006, "MySQL server has gone away{r}")' for r in GONE_REASONS
	],
	"bare-refused": [
		f"pymysql.err.OperationalError: (2003, \"Can't connect to MySQL server on '{{host}}' ([Errno {n}] {r})\")"
		for n, r in ((111, "Connection refused"), (113, "No route to host"))
	],
	"worker-timeout": ["WORKER TIMEOUT (pid:{num})"],
}


def _word(rng: random.Random) -> str:
	return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))


def _param(kind: str, rng: random.Random) -> str:
	if kind == "num":
		return rng.choice([str(rng.randint(1, 99999)), f"{rng.random() * 9999:.2f}", f"{rng.randint(1, 99)},{rng.randint(100, 999)}.00"])  # fmt: skip
	if kind == "id":
		return f"{rng.choice(['SINV', 'ACC-PAY', 'HR-EMP', 'MAT-STE'])}-{rng.randint(2019, 2025)}-{rng.randint(1, 99999):05d}"  # fmt: skip
	if kind == "record":  # record names as Frappe bolds them, or not: ids, titles, plain words
		name = rng.choice([_param("id", rng), _word(rng).title() + " " + _word(rng).title(), _word(rng), _word(rng).upper()])  # fmt: skip
		return rng.choice(["{}", "<strong>{}</strong>", "'{}'"]).format(name)
	if kind == "doctype":
		return rng.choice(DOCTYPES)
	if kind == "email":
		return f"{_word(rng)}.{_word(rng)}@{_word(rng)}.{rng.choice(['com', 'in', 'co.uk'])}"
	if kind == "quoted":
		return rng.choice(["'{}'", '"{}"']).format(
			rng.choice([_word(rng), f"{_word(rng)}_{rng.randint(1, 9)}"])
		)
	if kind == "hash":
		return "".join(rng.choice("0123456789abcdef") for _ in range(32))
	if kind == "date":
		return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999999):06d}"  # fmt: skip
	if kind == "uuid":
		return "-".join("".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12))
	if kind == "path":
		return f"/home/frappe/frappe-bench/sites/{_word(rng)}.local/private/files/{_word(rng)}-{rng.randint(1, 999)}.pdf"  # fmt: skip
	if kind == "site":
		return rng.choice(SITES)
	if kind == "host":
		return rng.choice(["db1", "10.0.0.12", "mariadb.internal"])
	return rng.choice(["posting_date", "customer", "custom_gstin", "grand_total"])  # field


def fill(template: str, rng: random.Random) -> str:
	out, rest = [], template
	while "{" in rest:
		head, _, tail = rest.partition("{")
		kind, _, rest = tail.partition("}")
		out += [head, _param(kind, rng)]
	return "".join([*out, rest])


def _frames(own, extra, rng: random.Random, root: str, python: str) -> list[str]:
	entry = rng.choice(["request", "job"])
	top = [p for p in THIRD_PARTY_TOP[entry] if rng.random() < 0.7]
	frames = [(f"{root}/env/lib/python{python}/site-packages/{p}", f) for p, f in top]
	frames += [(f"{root}/apps/{p}", f) for p, f in (REQUEST if entry == "request" else JOB)]
	frames += [(p if p.startswith("<") else f"{root}/apps/{p}", f) for p, f in own]
	if rng.random() < 0.3:
		frames.insert(len(frames) - 1, (f"/usr/lib/python{python}/contextlib.py", "__exit__"))
	frames += [(f"{root}/env/lib/python{python}/site-packages/{p}", f) for p, f in extra]
	lines = []
	for path, function in frames:
		lines.append(f'  File "{path}", line {rng.randint(1, 3000)}, in {function}')
		if rng.random() < 0.8:
			code = rng.choice(["return fn(*args, **kwargs)", "self.validate()", "raise exc", "doc.save()"])
			lines.append(f"    {code}")
			if python != "3.10" and rng.random() < 0.5:
				lines.append("    " + " " * rng.randint(0, 6) + "^" * rng.randint(4, 30))
	return lines


def _exception(exc, kind, own, extra, rng, root, python) -> list[str]:
	message = fill(rng.choice(MESSAGES[kind]), rng)
	return [
		"Traceback (most recent call last):",
		*_frames(own, extra, rng, root, python),
		f"{exc}: {message}",
	]


def make_traceback(label: str, rng: random.Random) -> str:
	exc, kind, own, extra, cause = LABELS[label]
	root, python = rng.choice(ROOTS), rng.choice(PYTHONS)
	parts = []
	if rng.random() < 0.5:
		site = rng.choice(SITES)
		parts.append(
			f"Site: {site}\nForm Dict: {{'cmd': 'run_doc_method', 'docname': '{_param('id', rng)}'}}"
		)
	if cause:
		cause = rng.choice(WRAPPED_CAUSES) if cause == "any" else cause
		parts += [*_exception(*cause[:2], own, cause[2], rng, root, python), ""]
		parts += ["The above exception was the direct cause of the following exception:", ""]
	elif rng.random() < 0.3:  # raised while handling an unrelated error
		other, other_kind, other_own, other_extra = rng.choice(UNRELATED)
		parts += [*_exception(other, other_kind, other_own, other_extra, rng, root, python), ""]
		parts += ["During handling of the above exception, another exception occurred:", ""]
	parts += _exception(exc, kind, own, extra, rng, root, python)
	return "\n".join(parts)


def make_bare(label: str, rng: random.Random) -> str:
	text = fill(rng.choice(BARE[label]), rng)
	if rng.random() < 0.5:  # frappe's logger adds the site and form below the message
		site = next((s for s in SITES if s in text), rng.choice(SITES))
		text += f"\nSite: {site}\nForm Dict: {{}}"
	return text


def labelled(per_label: int = 14, seed: int = 7) -> list[tuple[str, str]]:
	"""(label, record text) for every label, `per_label` times each."""
	rng = random.Random(seed)
	data = [(label, make_traceback(label, rng)) for label in LABELS for _ in range(per_label)]
	return data + [(label, make_bare(label, rng)) for label in BARE for _ in range(per_label)]


if __name__ == "__main__":
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--per-label", type=int, default=14)
	parser.add_argument("--seed", type=int, default=7)
	args = parser.parse_args()
	print(json.dumps([{"label": a, "text": b} for a, b in labelled(args.per_label, args.seed)], indent=1))
