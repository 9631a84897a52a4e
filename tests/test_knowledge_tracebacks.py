"""Traceback fingerprints: one group per failing code path, different causes apart (pairwise P/R >= 0.99)."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

from frappe_diagnostics.knowledge.messages import mask_sites, normalize_message
from frappe_diagnostics.knowledge.tracebacks import fingerprint_error, parse_traceback

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from gen_errors import labelled, make_traceback
from grouping import pairwise

REAL = Path(__file__).parent / "data" / "knowledge" / "real_errors.json"


def _split_and_merged(data, keys):
	by_label, by_key = {}, {}
	for (label, _), key in zip(data, keys, strict=True):
		by_label.setdefault(label, set()).add(key)
		by_key.setdefault(key, set()).add(label)
	return {k: len(v) for k, v in by_label.items() if len(v) > 1}, [v for v in by_key.values() if len(v) > 1]


def test_pairwise_precision_and_recall_on_labelled_records_with_every_variant():
	data = labelled(per_label=14)
	keys = [fingerprint_error(text).key for _, text in data]
	precision, recall = pairwise([label for label, _ in data], keys)
	split, merged = _split_and_merged(data, keys)
	assert (precision, recall) == (1.0, 1.0), f"split {split}, merged {merged}"


def test_real_frappe_tracebacks_group_by_the_code_path_that_raised_them():
	# raised for real in a Frappe v15 site by benchmarks/real_errors.py: as the Error Log stores them
	# (with variables, no chain) and as traceback.format_exc gives them; neither shaped for this test
	rows = json.loads(REAL.read_text())
	data = [(row["label"], row["text"]) for row in rows]
	keys = [fingerprint_error(text).key for _, text in data]
	split, merged = _split_and_merged(data, keys)
	assert (split, merged) == ({}, [])
	assert len(set(keys)) == len({label for label, _ in data}) == 19


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
	assert script.frames == ("frappe.utils.safe_exec:safe_exec", "<serverscript>: invoice_rules:<module>")


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


def test_parse_traceback_reads_every_exception_of_a_chain_and_how_they_link():
	text = "\n".join(
		[
			tb(("apps/erpnext/erpnext/controllers/taxes.py", "calculate"), "KeyError: 'rate'"),
			"",
			"The above exception was the direct cause of the following exception:",
			"",
			tb(
				("apps/erpnext/erpnext/controllers/taxes.py", "calculate"),
				"frappe.exceptions.ValidationError: Row #3: x",
			),
		]
	)
	blocks = parse_traceback(text)
	assert [(b.exception_type, b.link) for b in blocks] == [
		("KeyError", None),
		("frappe.exceptions.ValidationError", "cause"),
	]
	assert blocks[-1].message == "Row #3: x"
	assert parse_traceback("just a message") == []


def tb(frame: tuple[str, str], exception: str, line: int = 10, site: str = "") -> str:
	"""A plain traceback through a request, into `frame`, raising `exception`."""
	head = f"Site: {site}\nForm Dict: {{}}\n" if site else ""
	return (
		f"{head}Traceback (most recent call last):\n"
		f'  File "/home/frappe/frappe-bench/apps/frappe/frappe/app.py", line 114, in application\n'
		"    response = frappe.api.handle(request)\n"
		f'  File "/home/frappe/frappe-bench/apps/{frame[0]}", line {line}, in {frame[1]}\n'
		"    do_it()\n"
		f"{exception}"
	)


SLE = ("erpnext/erpnext/stock/stock_ledger.py", "make_sl_entries")
GONE = "pymysql.err.OperationalError: (2006, {})"


@pytest.mark.parametrize(
	"variant_a,variant_b",
	[
		# the same database error code, with different OS reasons from the driver
		(GONE.format("\"MySQL server has gone away (BrokenPipeError(32, 'Broken pipe'))\""),
		 GONE.format("\"MySQL server has gone away (ConnectionResetError(104, 'Connection reset by peer'))\"")),
		# the same failing frame and type; the message names another DocType or record
		("frappe.exceptions.DoesNotExistError: Item bolt not found",
		 "frappe.exceptions.DoesNotExistError: Sales Invoice ACME Corp not found"),
		("KeyError: 'customer'", "builtins.KeyError: 'items'"),
	],
)  # fmt: skip
def test_message_variants_of_one_code_path_are_one_group(variant_a, variant_b):
	a, b = fingerprint_error(tb(SLE, variant_a, 10)), fingerprint_error(tb(SLE, variant_b, 99))
	assert a.key == b.key and a.message != b.message


def test_an_unrelated_exception_being_handled_does_not_change_the_group():
	error = tb(SLE, "frappe.exceptions.ValidationError: Stock is frozen")
	unrelated = tb(("frappe/frappe/utils/redis_wrapper.py", "hget"), "KeyError: 'bin'")
	handling = (
		f"{unrelated}\n\nDuring handling of the above exception, another exception occurred:\n\n{error}"
	)
	assert fingerprint_error(handling).key == fingerprint_error(error).key
	assert fingerprint_error(handling).root_cause is None


def test_a_database_error_raised_from_the_driver_keeps_the_drivers_code():
	driver = tb(SLE, "pymysql.err.OperationalError: (1213, 'Deadlock found when trying to get lock')")
	wrapped = tb(SLE, "frappe.exceptions.QueryDeadlockError: deadlock")
	text = f"{driver}\n\nThe above exception was the direct cause of the following exception:\n\n{wrapped}"
	found = fingerprint_error(text)
	assert (found.db_error_code, found.root_cause) == (1213, "pymysql.err.OperationalError")
	other_code = text.replace("1213, 'Deadlock found when trying to get lock'", "1205, 'Lock wait timeout'")
	assert fingerprint_error(other_code).key != found.key


@pytest.mark.parametrize(
	"a,b",
	[
		(
			"erp.example.com Scheduler is inactive. Cannot enqueue job.",
			"site1.local: Scheduler is inactive. Cannot enqueue job.",
		),
		(
			"Exception in Enqueue Events for Site erp.example.com",
			"Exception in Enqueue Events for Site hr.example.org",
		),
		(
			"Failed for test_site\nSite: test_site\nForm Dict: {}",
			"Failed for prod_site\nSite: prod_site\nForm Dict: {}",
		),
	],
)
def test_site_names_in_bare_messages_are_masked(a, b):
	assert fingerprint_error(a).key == fingerprint_error(b).key
	assert "?" in fingerprint_error(a).normalized_message


@pytest.mark.parametrize(
	"a,b",
	[
		# one stack, two database errors
		(tb(SLE, "pymysql.err.OperationalError: (1205, 'Lock wait timeout exceeded')"),
		 tb(SLE, "pymysql.err.OperationalError: (1213, 'Deadlock found when trying to get lock')")),
		# one message, two failing frames
		(tb(SLE, "frappe.exceptions.ValidationError: Qty must be positive"),
		 tb(("erpnext/erpnext/accounts/general_ledger.py", "make_gl_entries"), "frappe.exceptions.ValidationError: Qty must be positive")),
		# one frame, two exception types
		(tb(SLE, "KeyError: 'qty'"), tb(SLE, "AttributeError: 'NoneType' object has no attribute 'qty'")),
		# bare messages of two templates with the same site prefix
		("erp.example.com: Maintenance mode is ON", "erp.example.com: frappe.conf.pause_scheduler is SET"),
	],
)  # fmt: skip
def test_different_causes_stay_apart(a, b):
	assert fingerprint_error(a).key != fingerprint_error(b).key


def test_a_doctype_controller_between_caller_and_failing_frame_stays_out_of_the_key():
	frames = [
		("myapp/myapp/api.py", "get_rate"),
		("frappe/frappe/model/document.py", "get_doc"),
		("frappe/frappe/core/doctype/file/file.py", "__init__"),  # only for File
		("frappe/frappe/model/document.py", "load_from_db"),
	]
	lines = [f'  File "apps/{path}", line 1, in {function}' for path, function in frames]
	exception = "frappe.exceptions.DoesNotExistError: File x not found"
	with_controller = "\n".join(["Traceback (most recent call last):", *lines, exception])
	without = "\n".join(["Traceback (most recent call last):", *lines[:2], lines[3], exception])
	assert fingerprint_error(with_controller).key == fingerprint_error(without).key
	assert fingerprint_error(with_controller).frames[0] == "myapp.api:get_rate"


def test_the_frame_cache_gives_what_a_fresh_parse_gives():
	first = tb(SLE, "frappe.exceptions.ValidationError: Qty must be positive")
	second = tb(SLE, "KeyError: 'qty'")  # the same frame lines, another exception below them
	assert fingerprint_error(first).exception_type == "frappe.exceptions.ValidationError"
	again = fingerprint_error(second)
	assert (again.exception_type, again.message) == ("KeyError", "'qty'")
	assert again.frames == fingerprint_error(first).frames


def test_mask_sites_leaves_module_paths_and_file_names_alone():
	assert (
		mask_sites("frappe.email.queue.flush failed for site1.local")
		== "frappe.email.queue.flush failed for ?"
	)
	assert mask_sites("site_config.json is invalid") == "site_config.json is invalid"
	assert mask_sites("erp is down", ("erp",)) == "? is down"
	assert mask_sites("erpnext is down", ("erp",)) == "erpnext is down"


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
