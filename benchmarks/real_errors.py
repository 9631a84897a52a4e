"""Real errors raised inside a Frappe site, labelled by the code path that raised them.

    cd ~/frappe-bench/sites
    ../env/bin/python /path/to/frappe_diagnostics/benchmarks/real_errors.py --site site1.local \
        --per-label 30 --out /tmp/real-errors [--log-records 30000]

Each scenario calls real Frappe code (get_doc of a missing record, link and mandatory validation, a
duplicate insert, bad SQL, a lock wait timeout, a dropped database connection, a refused Redis, a
permission check as Guest, server scripts, errors raised while handling another) with varying DocTypes,
record names and values. Writes `labelled.json` ({label, source, text}: the traceback as Frappe's Error
Log stores it, and as `traceback.format_exc` gives it) for benchmarks/grouping.py, and with
--log-records a `logs/frappe.log` written by Frappe's own log format, for benchmarks/log_analysis.py.
Nothing is committed to the site's database: every scenario rolls back.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import string
import traceback
from pathlib import Path

import frappe
from frappe.utils.logger import SiteContextFilter

DOCTYPES = ["User", "ToDo", "Note", "Role", "Contact", "File", "Comment", "Report"]


def _word(rng) -> str:
	return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 10)))


def _name(rng) -> str:
	return rng.choice(
		[_word(rng), _word(rng).title() + " " + _word(rng).title(), f"REC-{rng.randint(1, 99999):05d}"]
	)


def not_found(rng):
	if rng.random() < 0.5:
		frappe.get_doc(rng.choice(DOCTYPES), _name(rng))
		return
	try:  # a cache miss being handled when the real error happens: the same error
		return {}[_word(rng)]
	except KeyError:
		frappe.get_doc(rng.choice(DOCTYPES), _name(rng))


def link_invalid(rng):
	frappe.get_doc(
		{"doctype": "ToDo", "description": "x", "allocated_to": f"{_word(rng)}@example.com"}
	).insert()


def mandatory(rng):
	doctype = rng.choice(["Note", "ToDo", "Blog Category", "Web Page", "Comment", "Event", "Translation"])
	frappe.get_doc({"doctype": doctype}).insert()


def name_required(rng):
	doctype = rng.choice(["Letter Head", "Print Heading", "Dashboard", "Module Def", "Currency", "Country"])
	frappe.get_doc({"doctype": doctype}).insert()


def duplicate(rng):
	name = rng.choice(["Administrator", "Guest", "System Manager"])
	doctype = "User" if name in ("Administrator", "Guest") else "Role"
	doc = frappe.get_doc(
		{"doctype": doctype, "name": name, "role_name": name, "email": f"{_word(rng)}@x.com"}
	)
	doc.db_insert()


def unknown_column(rng):
	column = f"{_word(rng)}_{rng.randint(1, 99)}"
	where = rng.choice(
		[f"select `{column}` from `tabUser`", f"select name from `tabToDo` where `{column}` = 1"]
	)
	frappe.db.sql(where)


def syntax(rng):
	frappe.db.sql(f"selec name from `tab{rng.choice(DOCTYPES)}`")


def lock_wait(rng):
	name = frappe.db.get_value("User", {}, "name")
	other = _connect()
	try:
		with other.cursor() as cur:
			cur.execute("begin")
			cur.execute("select name from `tabUser` where name = %s for update", (name,))
			frappe.db.sql("set session innodb_lock_wait_timeout = 1")
			frappe.db.sql("select name from `tabUser` where name = %s for update", (name,))
	finally:
		other.close()


def connection_dropped(rng):
	conn = _connect()
	with conn.cursor() as cur:
		cur.execute("select connection_id()")
		conn_id = cur.fetchone()[0]
	killer = _connect()
	with killer.cursor() as cur:
		cur.execute(f"kill {int(conn_id)}")
	killer.close()
	with conn.cursor() as cur:
		cur.execute("select 1" if rng.random() < 0.5 else "select sleep(0)")


def redis_refused(rng):
	from frappe.utils.redis_wrapper import RedisWrapper

	RedisWrapper.from_url(f"redis://127.0.0.1:{rng.choice([1, 2, 9, 17, 19])}").llen(_word(rng))


def guest_permission(rng):
	frappe.set_user("Guest")
	try:
		frappe.has_permission(rng.choice(DOCTYPES), "write", throw=True)
	finally:
		frappe.set_user("Administrator")


def qty_rule(rng):
	frappe.throw(f"Row #{rng.randint(1, 40)}: Qty must be greater than 0 for Item {_name(rng)}")


def rate_rule(rng):
	frappe.throw(f"Rate for {rng.choice(DOCTYPES)} {_name(rng)} cannot be negative", frappe.ValidationError)


def key_error(rng):
	return {}[_word(rng)]


def attribute_error(rng):
	return None.get(_word(rng))  # type: ignore[attr-defined]


def script_a(rng):
	from frappe.utils.safe_exec import safe_exec

	safe_exec(f"x = {_word(rng)}_undefined + 1", script_filename="Invoice Rules")


def script_b(rng):
	from frappe.utils.safe_exec import safe_exec

	safe_exec(f"frappe.throw('Stock {_word(rng)} is locked')", script_filename="Stock Guard")


def cause_key(rng):
	try:
		key_error(rng)
	except KeyError as e:
		raise frappe.ValidationError(f"Could not compute taxes for {_name(rng)}") from e


def cause_attribute(rng):
	try:
		attribute_error(rng)
	except AttributeError as e:
		raise frappe.ValidationError(f"Could not compute taxes for {_name(rng)}") from e


# label -> scenario; labels that are the same code path share a label
SCENARIOS = {
	"not_found": [not_found],
	"link_invalid": [link_invalid],
	"mandatory": [mandatory],
	"name_required": [name_required],
	"duplicate": [duplicate],
	"unknown_column": [unknown_column],
	"syntax": [syntax],
	"lock_wait": [lock_wait],
	"connection_dropped": [connection_dropped],
	"redis_refused": [redis_refused],
	"guest_permission": [guest_permission],
	"qty_rule": [qty_rule],
	"rate_rule": [rate_rule],
	"key_error": [key_error],
	"attribute_error": [attribute_error],
	"script_a": [script_a],
	"script_b": [script_b],
	"cause_key": [cause_key],
	"cause_attribute": [cause_attribute],
}


def _connect():
	import pymysql

	conf = frappe.conf
	return pymysql.connect(
		host=conf.db_host or "127.0.0.1",
		port=int(conf.db_port or 3306),
		user=conf.db_user or conf.db_name,
		password=conf.db_password,
		database=conf.db_name,
		read_timeout=5,
	)


def raise_one(label: str, rng) -> tuple[str, str]:
	"""(Error Log text, plain traceback) of one real occurrence of the label's error."""
	scenario = rng.choice(SCENARIOS[label])
	try:
		scenario(rng)
	except Exception:
		logged = frappe.get_traceback(with_context=True)
		plain = traceback.format_exc()
		frappe.db.rollback()
		frappe.clear_messages()
		return logged, plain
	raise RuntimeError(f"{label}: the scenario raised nothing")


def log_handler(path: Path) -> logging.Logger:
	logger = logging.getLogger("real_errors")
	logger.setLevel(logging.INFO)
	handler = logging.FileHandler(path)
	handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s frappe %(message)s"))
	handler.addFilter(SiteContextFilter())
	logger.addHandler(handler)
	logger.propagate = False
	return logger


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--site", required=True)
	parser.add_argument("--per-label", type=int, default=30)
	parser.add_argument("--log-records", type=int, default=0, help="also write this many records to logs/")
	parser.add_argument("--out", type=Path, required=True)
	parser.add_argument("--seed", type=int, default=11)
	parser.add_argument(
		"--fixture", type=Path, help="also write 2 records per label and source, paths neutral"
	)
	args = parser.parse_args()
	rng = random.Random(args.seed)
	args.out.mkdir(parents=True, exist_ok=True)
	frappe.init(site=args.site)
	frappe.connect()
	try:
		rows = []
		for label in SCENARIOS:
			for _ in range(args.per_label):
				logged, plain = raise_one(label, rng)
				rows += [
					{"label": label, "source": "error_log", "text": logged},
					{"label": label, "source": "traceback", "text": plain},
				]
		(args.out / "labelled.json").write_text(json.dumps(rows, indent=1))
		print(f"{len(rows)} labelled records -> {args.out / 'labelled.json'}")
		if args.fixture:
			write_fixture(args.fixture, rows)
		if args.log_records:
			write_log(args.out / "logs", args.log_records, rng)
	finally:
		frappe.destroy()
	return 0


def write_fixture(path: Path, rows: list[dict]) -> None:
	"""Two records per label and source, with this machine's paths replaced by a standard bench's."""
	import sys

	bench = str(Path(frappe.utils.get_bench_path()).resolve())
	python = str(Path(sys.base_prefix) / "lib")
	kept, seen = [], {}
	for row in rows:
		seen[row["label"], row["source"]] = n = seen.get((row["label"], row["source"]), 0) + 1
		if n <= 2:
			text = row["text"].replace(
				__file__, "/home/frappe/frappe-bench/apps/scenarios/scenarios/real_errors.py"
			)
			text = text.replace(bench, "/home/frappe/frappe-bench").replace(python, "/usr/lib")
			kept.append({**row, "text": text})
	path.write_text(json.dumps(kept, indent=1) + "\n")
	print(f"{len(kept)} records -> {path}")


def write_log(folder: Path, records: int, rng) -> None:
	"""A frappe.log of real records: about 4 errors (with their tracebacks) to 1 info line."""
	folder.mkdir(parents=True, exist_ok=True)
	logger = log_handler(folder / "frappe.log")
	labels = [label for label in SCENARIOS if label != "lock_wait"]  # a second each: too slow for bulk
	for n in range(records):
		if rng.random() < 0.8:
			frappe.local.form_dict = frappe._dict(cmd="run_doc_method", docname=_name(rng))
			try:
				rng.choice(SCENARIOS[rng.choice(labels)])(rng)
			except Exception:
				logger.error("New Exception collected in error log", exc_info=True)
				frappe.db.rollback()
				frappe.clear_messages()
		else:
			logger.info(f"Request {rng.getrandbits(32):x} took {rng.randint(1, 900)} ms")
		if n % 5000 == 0:
			print(f"{n} records", flush=True)
	print(f"{records} records -> {folder / 'frappe.log'}")


if __name__ == "__main__":
	raise SystemExit(main())
