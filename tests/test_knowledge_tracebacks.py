"""Traceback fingerprints: the same bug groups together, different bugs stay apart (pairwise P/R >= 0.99)."""

from __future__ import annotations

import itertools
import random
import string
from collections import Counter

import pytest

from frappe_diagnostics.knowledge.messages import normalize_message
from frappe_diagnostics.knowledge.tracebacks import fingerprint_error, parse_traceback

# -- a generator of labelled tracebacks -------------------------------------------------------------------
ROOTS = ["/home/frappe/frappe-bench", "/opt/benches/prod", "/srv/erp/bench-15"]
PYTHONS = ["3.10", "3.11", "3.12"]
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
DB_FRAMES = [("frappe/frappe/database/database.py", "sql")]
PYMYSQL = [
	("pymysql/cursors.py", "execute"),
	("pymysql/connections.py", "_read_query_result"),
	("pymysql/err.py", "raise_mysql_exception"),
]
REDIS = [("redis/client.py", "execute_command"), ("redis/connection.py", "connect")]

MESSAGES = {
	"qty": "Row #{num}: Qty must be greater than 0 for Item {name}",
	"link": "Could not find Row #{num}: Customer: {quoted}",
	"modified": "Error: Document has been modified after you have opened it ({date}, {date}). "
	"Please refresh to get the latest document.",
	"perm": "User {email} does not have doctype access via role permission for document {name}",
	"notfound": "Sales Invoice {id} not found",
	"alloc": "Total allocated amount {num} cannot be greater than outstanding amount {num} for {id}",
	"redis": "Error {num} connecting to 127.0.0.1:{num}. Connection refused.",
	"rq": "Task exceeded maximum timeout value ({num} seconds)",
	"file": "File {path} is larger than the allowed {num} MB (checksum {hash})",
	"key": "{quoted}",
	"none": "'NoneType' object has no attribute {quoted}",
	"name": "name {quoted} is not defined",
	"lock": "(1205, 'Lock wait timeout exceeded; try restarting transaction')",
	"deadlock": "(1213, 'Deadlock found when trying to get lock; try restarting transaction')",
	"dup": "(1062, \"Duplicate entry '{id}' for key 'PRIMARY'\")",
	"column": "(1054, \"Unknown column '{field}' in 'field list'\")",
	"gone": "(2006, 'MySQL server has gone away')",
	"lost": "(2013, 'Lost connection to MySQL server during query')",
	"webhook": "Webhook {uuid} to https://hooks.example.com/{id} failed on {date} after {num} retries",
}

# label: (exception type, message, own application frames, extra frames, root cause or None)
SI = ("erpnext/erpnext/accounts/doctype/sales_invoice/sales_invoice.py", "validate")
SI_SUBMIT = ("erpnext/erpnext/accounts/doctype/sales_invoice/sales_invoice.py", "on_submit")
PE = ("erpnext/erpnext/accounts/doctype/payment_entry/payment_entry.py", "validate_allocated_amount")
SLE = ("erpnext/erpnext/stock/stock_ledger.py", "make_sl_entries")
GLE = ("erpnext/erpnext/accounts/general_ledger.py", "make_gl_entries")
DOC = ("frappe/frappe/model/document.py", "_validate_links")
SAVE = ("frappe/frappe/model/document.py", "save")
HOOK = ("myapp/myapp/overrides/invoice.py", "on_submit")
EMAIL = ("frappe/frappe/email/queue.py", "flush")
CACHE = ("frappe/frappe/utils/redis_wrapper.py", "get_value")
WEBHOOK = ("frappe/frappe/integrations/doctype/webhook/webhook.py", "enqueue_webhook")
DB = "pymysql.err.OperationalError"
LABELS = {
	"qty-si": ("frappe.exceptions.ValidationError", "qty", [SAVE, SI], [], None),
	"qty-se": (
		"frappe.exceptions.ValidationError",
		"qty",
		[SAVE, ("erpnext/erpnext/stock/doctype/stock_entry/stock_entry.py", "validate")],
		[],
		None,
	),
	"alloc-pe": ("frappe.exceptions.ValidationError", "alloc", [SAVE, PE], [], None),
	"link-si": ("frappe.exceptions.LinkValidationError", "link", [SAVE, DOC], [], None),
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
	"redis-cache": ("redis.exceptions.ConnectionError", "redis", [CACHE], REDIS, None),
	"redis-queue": (
		"redis.exceptions.ConnectionError",
		"redis",
		[("frappe/frappe/utils/background_jobs.py", "enqueue")],
		REDIS,
		None,
	),
	"rq-gle": ("rq.timeouts.JobTimeoutException", "rq", [GLE], [], None),
	"rq-email": ("rq.timeouts.JobTimeoutException", "rq", [EMAIL], [], None),
	"file": (
		"frappe.exceptions.ValidationError",
		"file",
		[("frappe/frappe/core/doctype/file/file.py", "check_max_file_size")],
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
		[("frappe/frappe/utils/safe_exec.py", "safe_exec"), ("<serverscript>", "<module>")],
		[],
		None,
	),
	"webhook": ("frappe.exceptions.ValidationError", "webhook", [WEBHOOK], [], None),
	# one stack, four database errors: each its own group
	"db-lock-sle": (DB, "lock", [SLE, DB_FRAMES[0]], PYMYSQL, None),
	"db-deadlock-sle": (DB, "deadlock", [SLE, DB_FRAMES[0]], PYMYSQL, None),
	"db-gone-sle": (DB, "gone", [SLE, DB_FRAMES[0]], PYMYSQL, None),
	"db-lost-sle": (DB, "lost", [SLE, DB_FRAMES[0]], PYMYSQL, None),
	"db-lock-gle": (DB, "lock", [GLE, DB_FRAMES[0]], PYMYSQL, None),
	"dup-insert": (
		"pymysql.err.IntegrityError",
		"dup",
		[SAVE, ("frappe/frappe/model/document.py", "db_insert"), DB_FRAMES[0]],
		PYMYSQL,
		None,
	),
	"column-report": (
		DB,
		"column",
		[("frappe/frappe/desk/query_report.py", "run"), DB_FRAMES[0]],
		PYMYSQL,
		None,
	),
	# chained: outermost type plus the root cause's type
	"chain-deadlock": (
		"frappe.exceptions.QueryDeadlockError",
		"deadlock",
		[SLE, DB_FRAMES[0]],
		[],
		(DB, "deadlock", PYMYSQL),
	),
	"chain-timeout": (
		"frappe.exceptions.QueryTimeoutError",
		"lock",
		[SLE, DB_FRAMES[0]],
		[],
		(DB, "lock", PYMYSQL),
	),
	"chain-deadlock-gle": (
		"frappe.exceptions.QueryDeadlockError",
		"deadlock",
		[GLE, DB_FRAMES[0]],
		[],
		(DB, "deadlock", PYMYSQL),
	),
	"chain-val-key": ("frappe.exceptions.ValidationError", "qty", [SAVE, SI], [], ("KeyError", "key", [])),
	"chain-val-none": (
		"frappe.exceptions.ValidationError",
		"qty",
		[SAVE, SI],
		[],
		("AttributeError", "none", []),
	),
}


def _param(kind: str, rng: random.Random) -> str:
	word = lambda: "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))  # noqa: E731
	if kind == "num":
		return rng.choice(
			[
				str(rng.randint(1, 99999)),
				f"{rng.random() * 9999:.2f}",
				f"{rng.randint(1, 99)},{rng.randint(100, 999)}.00",
			]
		)
	if kind == "id":
		series = rng.choice(["SINV", "ACC-PAY", "HR-EMP", "MAT-STE"])
		return f"{series}-{rng.randint(2019, 2025)}-{rng.randint(1, 99999):05d}"
	if kind == "email":
		return f"{word()}.{word()}@{word()}.{rng.choice(['com', 'in', 'co.uk'])}"
	if kind == "quoted":
		return rng.choice(["'{}'", '"{}"']).format(
			rng.choice([word(), f"{word()} {word()}", f"{word()}_{rng.randint(1, 9)}"])
		)
	if kind == "name":
		return rng.choice(["<strong>{}</strong>", "<b>{}</b>"]).format(f"{word().title()} {word().title()}")
	if kind == "hash":
		return "".join(rng.choice("0123456789abcdef") for _ in range(32))
	if kind == "date":
		return rng.choice(
			[
				"2024-{:02d}-{:02d} {:02d}:{:02d}:{:02d}.{:06d}",
				"{:02d}-{:02d}-2024 {:02d}:{:02d}:{:02d}.{:06d}",
			]
		).format(
			rng.randint(1, 12),
			rng.randint(1, 28),
			rng.randint(0, 23),
			rng.randint(0, 59),
			rng.randint(0, 59),
			rng.randint(0, 999999),
		)
	if kind == "uuid":
		return "-".join("".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12))
	if kind == "path":
		return (
			f"/home/frappe/frappe-bench/sites/{word()}.local/private/files/{word()}-{rng.randint(1, 999)}.pdf"
		)
	return rng.choice(["posting_date", "customer", "custom_gstin", "grand_total"])  # field


def _message(key: str, rng: random.Random) -> str:
	template = MESSAGES[key]
	out, rest = [], template
	while "{" in rest:
		head, _, tail = rest.partition("{")
		kind, _, rest = tail.partition("}")
		out += [head, _param(kind, rng)]
	return "".join([*out, rest])


def _frames(own, extra, rng: random.Random, root: str, python: str) -> list[str]:
	entry = rng.choice(["request", "job"])
	frames = [
		(f"{root}/env/lib/python{python}/site-packages/{p}", f)
		for p, f in THIRD_PARTY_TOP[entry]
		if rng.random() < 0.7
	]
	frames += [(f"{root}/apps/{p}", f) for p, f in (REQUEST if entry == "request" else JOB)]
	frames += [(p if p.startswith("<") else f"{root}/apps/{p}", f) for p, f in own]
	if rng.random() < 0.3:
		frames.insert(len(frames) - 1, (f"/usr/lib/python{python}/contextlib.py", "__exit__"))
	frames += [(f"{root}/env/lib/python{python}/site-packages/{p}", f) for p, f in extra]
	lines = []
	for path, function in frames:
		lines.append(f'  File "{path}", line {rng.randint(1, 3000)}, in {function}')
		if rng.random() < 0.8:
			lines.append(
				f"    {rng.choice(['return fn(*args, **kwargs)', 'self.validate()', 'raise exc', 'doc.save()'])}"
			)
			if python != "3.10" and rng.random() < 0.5:
				lines.append("    " + " " * rng.randint(0, 6) + "^" * rng.randint(4, 30))
	return lines


def make_traceback(label: str, rng: random.Random) -> str:
	exc, message, own, extra, cause = LABELS[label]
	root, python = rng.choice(ROOTS), rng.choice(PYTHONS)
	parts = []
	if rng.random() < 0.5:
		form = {"cmd": "run_doc_method", "docname": _param("id", rng)}
		parts.append(f"Site: {rng.choice(['a', 'b'])}.local\nForm Dict: {form}")
	if cause:
		cause_exc, cause_message, cause_extra = cause
		parts += ["Traceback (most recent call last):", *_frames(own, cause_extra, rng, root, python)]
		parts += [f"{cause_exc}: {_message(cause_message, rng)}", ""]
		parts += [
			rng.choice(
				[
					"During handling of the above exception, another exception occurred:",
					"The above exception was the direct cause of the following exception:",
				]
			),
			"",
		]
	parts += ["Traceback (most recent call last):", *_frames(own, extra, rng, root, python)]
	parts.append(f"{exc}: {_message(message, rng)}")
	return "\n".join(parts)


def labelled(per_label: int = 14, seed: int = 7) -> list[tuple[str, str]]:
	rng = random.Random(seed)
	return [(label, make_traceback(label, rng)) for label in LABELS for _ in range(per_label)]


# -- tests ------------------------------------------------------------------------------------------------
def test_pairwise_precision_and_recall_on_labelled_tracebacks():
	data = labelled()
	keys = [(label, fingerprint_error(text).key) for label, text in data]
	tp = fp = fn = 0
	for (label_a, key_a), (label_b, key_b) in itertools.combinations(keys, 2):
		same_label, same_key = label_a == label_b, key_a == key_b
		tp += same_label and same_key
		fp += same_key and not same_label
		fn += same_label and not same_key
	precision, recall = tp / (tp + fp), tp / (tp + fn)
	assert precision >= 0.99, f"precision {precision:.4f}"
	assert recall >= 0.99, f"recall {recall:.4f}: {_split_labels(keys)}"
	assert len({k for _, k in keys}) == len(LABELS)


def _split_labels(keys):
	return {label: n for label, n in Counter(label for label, _ in set(keys)).items() if n > 1}


def test_fingerprint_fields_of_a_chained_database_error():
	rng = random.Random(1)
	found = fingerprint_error(make_traceback("chain-deadlock", rng))
	assert found.exception_type == "frappe.exceptions.QueryDeadlockError"
	assert found.root_cause == "pymysql.err.OperationalError" and found.db_error_code == 1213
	assert (
		found.normalized_message
		== "(1213, Deadlock found when trying to get lock; try restarting transaction)"
	)
	assert found.frames == ("erpnext.stock.stock_ledger:make_sl_entries", "frappe.database.database:sql")


def test_third_party_stdlib_and_dispatch_frames_stay_out_of_the_key():
	rng = random.Random(2)
	frames = fingerprint_error(make_traceback("db-lock-sle", rng)).frames
	assert frames == ("erpnext.stock.stock_ledger:make_sl_entries", "frappe.database.database:sql")
	script = fingerprint_error(make_traceback("script", rng))
	assert script.frames == ("frappe.utils.safe_exec:safe_exec", "<serverscript>:<module>")


def test_only_third_party_frames_are_kept_when_there_is_nothing_else():
	text = (
		"Traceback (most recent call last):\n"
		'  File "/usr/local/lib/python3.11/site-packages/gunicorn/arbiter.py", line 589, in spawn_worker\n'
		"    worker.init_process()\n"
		'  File "/usr/lib/python3.11/socket.py", line 12, in create_connection\n'
		"ConnectionRefusedError: [Errno 111] Connection refused"
	)
	found = fingerprint_error(text)
	assert found.frames == ("gunicorn.arbiter:spawn_worker", "socket:create_connection")
	assert found.normalized_message == "[Errno ?] Connection refused"


def test_parse_traceback_reads_every_exception_of_a_chain():
	text = make_traceback("chain-val-key", random.Random(3))
	blocks = parse_traceback(text)
	assert [b.exception_type for b in blocks] == ["KeyError", "frappe.exceptions.ValidationError"]
	assert blocks[-1].message.startswith("Row #")
	assert parse_traceback("just a message") == []


def test_bare_messages_without_a_traceback_are_fingerprinted_too():
	a = fingerprint_error(
		"pymysql.err.OperationalError: (2003, \"Can't connect to MySQL server on 'db1' ([Errno 111])\")"
	)
	b = fingerprint_error(
		"pymysql.err.OperationalError: (2003, \"Can't connect to MySQL server on 'db2' ([Errno 113])\")"
	)
	assert a.key == b.key and a.db_error_code == 2003 and a.frames == ()
	c = fingerprint_error("Failed to send email to anna@example.com for SINV-2024-00012")
	d = fingerprint_error("Failed to send email to bob@example.org for SINV-2023-00999")
	assert (
		c.key == d.key
		and c.exception_type == ""
		and c.normalized_message == "Failed to send email to ? for ?"
	)


@pytest.mark.parametrize(
	"message,expected",
	[
		(
			"Row #3: Qty must be greater than 0 for Item <strong>ITEM-0001</strong>",
			"Row ? Qty must be greater than ? for Item ?",
		),
		("(1062, \"Duplicate entry 'SINV-0001' for key 'PRIMARY'\")", "(1062, Duplicate entry ? for key ?)"),
		("You don't have access to 'Sales Invoice'", "You don't have access to ?"),
		(
			"Job 4f6d2c1e-8b9a-4c3d-9e2f-1a2b3c4d5e6f failed at https://x.example.com/a?b=1",
			"Job ? failed at ?",
		),
		("Items: 1, 2, 3 and 4", "Items: ? and ?"),
	],
)
def test_normalize_message(message, expected):
	assert normalize_message(message) == expected


def test_huge_tracebacks_are_bounded():
	frame = '  File "/b/apps/frappe/frappe/x.py", line 1, in f\n    f()\n'
	text = (
		"Traceback (most recent call last):\n"
		+ frame * 100_000
		+ "RecursionError: maximum recursion depth exceeded"
	)
	found = fingerprint_error(text)
	assert found.exception_type == "RecursionError" and len(found.frames) <= 10


FRAPPE_WITH_VARIABLES = """Traceback with variables (most recent call last):
  File "apps/frappe/frappe/core/doctype/user/user.py", line {a}, in send_password_notification
    self.send_welcome_mail_to_user()
      self = <User: {user}>
      new_password = ********
  File "apps/frappe/frappe/email/doctype/email_account/email_account.py", line {b}, in find_outgoing
    frappe.throw(_("Please setup default Email Account"))
      raise_exception_if_missing = True
      link = 'http://site/update-password?key={key}'
frappe.exceptions.OutgoingEmailError: Please setup default Email Account from Settings > Email Account
"""


def test_frappe_error_log_format_with_variables_keeps_frames_and_groups_together():
	first = fingerprint_error(FRAPPE_WITH_VARIABLES.format(a=356, b=40, user="a@x.com", key="abc123"))
	second = fingerprint_error(FRAPPE_WITH_VARIABLES.format(a=360, b=41, user="b@y.org", key="zzz999"))
	assert first.exception_type == "frappe.exceptions.OutgoingEmailError"
	assert first.frames == (
		"frappe.core.doctype.user.user:send_password_notification",
		"frappe.email.doctype.email_account.email_account:find_outgoing",
	)
	assert first.key == second.key
