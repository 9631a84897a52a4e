"""Generate realistic logs for the knowledge benchmarks: a MariaDB slow log and a bench's logs/ folder.

    python benchmarks/gen_logs.py                        # 100 MB of each into benchmarks/out/ (git-ignored)
    python benchmarks/gen_logs.py --out /tmp/logs --slow-mb 20 --bench-mb 20 --seed 7

Deterministic for a seed. The slow log looks like MariaDB 10.6+ with log_slow_verbosity=query_plan.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import time
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
DOCTYPES = [
	"Sales Invoice", "Sales Order", "Purchase Invoice", "GL Entry", "Stock Ledger Entry", "Item", "Customer",
	"Supplier", "Payment Entry", "Journal Entry", "Delivery Note", "Bin", "Item Price", "Address", "Contact",
	"Employee", "Salary Slip", "Attendance", "Communication", "Version", "Error Log", "ToDo", "File", "User",
	"Has Role", "DocField", "Custom Field", "Property Setter", "Email Queue", "Scheduled Job Log", "Comment",
	"Serial No", "Batch", "Warehouse", "Account", "Cost Center", "Project", "Task", "Timesheet", "Lead",
]  # fmt: skip
FIELDS = ["name", "owner", "creation", "modified", "modified_by", "docstatus", "idx", "status", "company",
	"posting_date", "customer", "item_code", "warehouse", "qty", "amount", "grand_total", "parent"]  # fmt: skip
NAMES = ["O\\'Brien Ltd", "Café Zürich", "Müller GmbH", "टाटा", "ACME", 'Acme \\"Best\\" Co', "Smith & Sons"]


def _value(rng: random.Random) -> str:
	kind = rng.random()
	if kind < 0.35:
		return f"'{rng.choice(['SINV', 'SO', 'ACC-PAY', 'CUST', 'ITEM'])}-{rng.randint(2020, 2025)}-{rng.randint(1, 99999):05d}'"
	if kind < 0.55:
		return str(rng.randint(0, 100000))
	if kind < 0.7:
		return f"'{rng.choice(NAMES)}'"
	if kind < 0.85:
		return f"'2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}'"
	return f"{rng.random() * 1000:.2f}"


def _shape(doctype: str, variant: int) -> tuple[str, str, str]:
	"""Columns and two filter fields, fixed per doctype and variant, as an app's code would have them."""
	rng = random.Random(f"{doctype}/{variant}")
	cols = ", ".join(f"`{c}`" for c in rng.sample(FIELDS, rng.randint(1, 6)))
	return cols, rng.choice(FIELDS), rng.choice(FIELDS)


def _query(rng: random.Random) -> str:
	dt = DOCTYPES[min(int(rng.paretovariate(1.2)) - 1, len(DOCTYPES) - 1)]
	cols, f1, f2 = _shape(dt, rng.randrange(2))
	v = lambda: _value(rng)  # noqa: E731
	shape = rng.randrange(12)
	if shape == 0:
		return f"select {cols} from `tab{dt}` where `{f1}` = {v()} and `docstatus` < 2 order by `modified` desc limit {rng.choice([20, 100, 500])} offset {rng.randint(0, 50) * 20}"
	if shape == 1:
		items = ", ".join(v() for _ in range(rng.randint(1, 40)))
		return f"select `name`, `{f1}` from `tab{dt}` where `{f2}` in ({items})"
	if shape == 2:
		return f"update `tab{dt}` set `{f1}` = {v()}, `modified` = '2024-05-01 10:{rng.randint(10, 59)}:00.{rng.randint(0, 999999):06d}' where `name` = {v()}"
	if shape == 3:
		rows = ",".join(f"({v()}, {v()}, {v()})" for _ in range(rng.randint(1, 8)))
		return f"insert into `tab{dt}` (`name`, `{f1}`, `{f2}`) values {rows}"
	if shape == 4:
		return f"select\n\t\t\t`tab{dt}`.`{f1}`, sum(`tab{dt}`.`{f2}`) as total\n\t\tfrom `tab{dt}`\n\t\twhere `tab{dt}`.`company` = {v()}\n\t\t\tand `tab{dt}`.`posting_date` between {v()} and {v()}\n\t\tgroup by `tab{dt}`.`{f1}`\n\t\torder by total ASC"
	if shape == 5:
		return f"SELECT `value` FROM `tabSingles` WHERE `doctype` = {v()} AND `field` = '{f1}'"
	if shape == 6:
		return f"delete from `tab{dt}` where `{f1}` < {v()} /* cleanup */"
	if shape == 7:
		return f"select count(*) from `tab{dt}` where `{f1}` is null or `{f2}` = true limit {rng.randint(1, 9)}, {rng.randint(10, 99)}"
	if shape == 8:
		return f"select `name` from `tab{dt}` where `{f1}` like '%{rng.randint(1, 999)}%' union select `name` from `tab{dt}` where `{f2}` = {v()}"
	if shape == 9:
		return f"SELECT * FROM `tab{dt}` WHERE `parent` = {v()} AND `parenttype` = '{dt}' ORDER BY `idx` ASC, `{f1}` ASC"
	if shape == 10:
		return f"select `tab{dt}`.`name` from `tab{dt}` left join `tabHas Role` on `tabHas Role`.`parent` = `tab{dt}`.`owner` where `tabHas Role`.`role` in ('System Manager', 'Accounts User') and `tab{dt}`.`{f1}` >= {v()} -- report\n"
	return f"SELECT /*!40001 SQL_NO_CACHE */ `{f1}` FROM `tab{dt}` WHERE `{f2}` = {v()} FOR UPDATE"


def write_slow_log(path: Path, target_bytes: int, seed: int = 1) -> int:
	"""Write about target_bytes of slow log; returns the number of entries."""
	rng = random.Random(seed)
	ts = 1714550400  # 2024-05-01 08:00:00 UTC
	entries, size = 0, 0
	with open(path, "wb") as out:
		header = (
			"/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-0+deb12u1-log (Debian 12). started with:\n"
			"Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock\nTime\t\t    Id Command\tArgument\n"
		)
		size += out.write(header.encode())
		last_time = None
		while size < target_bytes:
			ts += rng.choice((0, 0, 1, 1, 2, 5))
			lines = []
			if ts != last_time:
				t = time.gmtime(ts)
				lines.append(
					f"# Time: {t.tm_year % 100:02d}{t.tm_mon:02d}{t.tm_mday:02d} {t.tm_hour:2d}:{t.tm_min:02d}:{t.tm_sec:02d}"
				)
				last_time = ts
			db = rng.choice(["_1bb7c2d1a9e3f4", "_5fe2a7d0b1c2d3", "_0a1b2c3d4e5f60"])
			qt = min(rng.lognormvariate(0.0, 1.2), 900.0)
			lines.append(f"# User@Host: {db}[{db}] @ localhost [127.0.0.1]")
			lines.append(f"# Thread_id: {rng.randint(10, 99999)}  Schema: {db}  QC_hit: No")
			lines.append(
				f"# Query_time: {qt:.6f}  Lock_time: {rng.random() / 1000:.6f}  Rows_sent: {rng.randint(0, 500)}  Rows_examined: {rng.randint(0, 2_000_000)}"
			)
			lines.append(f"# Rows_affected: {rng.randint(0, 5)}  Bytes_sent: {rng.randint(50, 90000)}")
			if rng.random() < 0.3:  # log_slow_verbosity=query_plan on some servers only
				lines.append(
					f"# Full_scan: {rng.choice(['Yes', 'No'])}  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No"
				)
				lines.append("# Filesort: No  Filesort_on_disk: No  Merge_passes: 0  Priority_queue: No")
			if rng.random() < 0.05:
				lines.append(f"use {db};")
			lines.append(f"SET timestamp={ts};")
			if rng.random() < 0.01:
				lines.append("# administrator command: Quit;")
			else:
				lines.append(_query(rng) + ";")
			size += out.write(("\n".join(lines) + "\n").encode("utf-8"))
			entries += 1
	return entries


BENCH = "/home/frappe/frappe-bench"
ERRORS = [  # (exception, message template, app frames), messages with {n}, {id}, {email}, {name}
	("frappe.exceptions.ValidationError", "Row #{n}: Qty must be greater than 0 for Item {id}", "erpnext.stock.doctype.stock_entry.stock_entry:validate"),
	("frappe.exceptions.LinkValidationError", "Could not find Customer: {id}", "frappe.model.document:_validate_links"),
	("frappe.exceptions.MandatoryError", "[Sales Invoice, {id}]: customer, due_date", "frappe.model.document:_validate_mandatory"),
	("frappe.exceptions.PermissionError", "User <strong>{email}</strong> does not have doctype access via role permission for document <strong>Sales Invoice</strong>", "frappe.client:get"),
	("frappe.exceptions.TimestampMismatchError", "Error: Document has been modified after you have opened it ({date}, {date}). Please refresh to get the latest document.", "frappe.model.document:check_if_latest"),
	("pymysql.err.OperationalError", "(1205, 'Lock wait timeout exceeded; try restarting transaction')", "erpnext.stock.stock_ledger:make_sl_entries"),
	("frappe.exceptions.QueryDeadlockError", "(1213, 'Deadlock found when trying to get lock; try restarting transaction')", "erpnext.stock.stock_ledger:make_sl_entries"),
	("pymysql.err.IntegrityError", "(1062, \"Duplicate entry '{id}' for key 'PRIMARY'\")", "frappe.model.document:db_insert"),
	("redis.exceptions.ConnectionError", "Error 111 connecting to 127.0.0.1:{n}. Connection refused.", "frappe.utils.redis_wrapper:get_value"),
	("rq.timeouts.JobTimeoutException", "Task exceeded maximum timeout value ({n} seconds)", "erpnext.accounts.doctype.gl_entry.gl_entry:rename_temporarily_named_docs"),
	("smtplib.SMTPAuthenticationError", "(535, b'5.7.8 Username and Password not accepted. {id}')", "frappe.email.smtp:session"),
	("KeyError", "'{name}'", "frappe.utils.jinja:render_template"),
	("AttributeError", "'NoneType' object has no attribute 'get'", "myapp.hooks_handlers:on_submit"),
]  # fmt: skip


def _param(kind: str, rng: random.Random) -> str:
	if kind == "n":
		return str(rng.randint(1, 9999))
	if kind == "id":
		return f"{rng.choice(['SINV', 'SO', 'CUST', 'ITEM'])}-{rng.randint(2020, 2025)}-{rng.randint(1, 99999):05d}"
	if kind == "email":
		return f"user{rng.randint(1, 999)}@example{rng.randint(1, 9)}.com"
	if kind == "date":
		return f"2024-05-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999999):06d}"
	return rng.choice(["posting_date", "customer", "grand_total", "items"])


REQUEST_STACK = [  # how Frappe v15 reaches app code from a request and from a background job
	("frappe/frappe/app.py", "application", "response = frappe.api.handle(request)"),
	("frappe/frappe/api/__init__.py", "handle", "data = endpoint(**arguments)"),
	("frappe/frappe/api/v1.py", "handle_rpc_call", "return frappe.handler.handle()"),
	("frappe/frappe/handler.py", "handle", "data = execute_cmd(cmd)"),
	("frappe/frappe/handler.py", "execute_cmd", "return frappe.call(method, **frappe.form_dict)"),
	("frappe/frappe/__init__.py", "call", "return fn(*args, **newargs)"),
	("frappe/frappe/utils/typing_validations.py", "wrapper", "return func(*args, **kwargs)"),
	("frappe/frappe/desk/form/save.py", "savedocs", "doc.submit()"),
]
JOB_STACK = [
	("frappe/frappe/utils/background_jobs.py", "execute_job", "retval = method(**kwargs)"),
]
DOC_STACK = [
	("frappe/frappe/model/document.py", "submit", "return self._submit()"),
	("frappe/frappe/model/document.py", "_submit", "return self.save()"),
	("frappe/frappe/model/document.py", "save", "return self._save(*args, **kwargs)"),
	("frappe/frappe/model/document.py", "_save", "self.run_before_save_methods()"),
	("frappe/frappe/model/document.py", "run_method", "out = Document.hook(fn)(self, *args, **kwargs)"),
]
THROW_STACK = [
	("frappe/frappe/__init__.py", "throw", "msgprint("),
	("frappe/frappe/__init__.py", "msgprint", "_raise_exception()"),
	("frappe/frappe/__init__.py", "_raise_exception", "raise exc"),
]


def _traceback(rng: random.Random, job: bool = False, short: bool = False) -> str:
	"""A traceback as one deployment logs it: a frame's line number and carets are the same every time."""
	exc, template, where = rng.choice(ERRORS)
	message = re.sub(r"\{(\w+)\}", lambda m: _param(m.group(1), rng), template)
	module, function = where.split(":")
	app = module.split(".")[0]
	own = [(f"{app}/{module.replace('.', '/')}.py", function, "self.validate_items()")]
	frames = (JOB_STACK if job else REQUEST_STACK) + ([] if short else DOC_STACK) + own
	if exc.startswith("frappe.exceptions."):
		frames += THROW_STACK
	out = ["Traceback (most recent call last):"]
	for path, func, code in frames:
		line = zlib.crc32(f"{path}:{func}".encode())
		out.append(f'  File "{BENCH}/apps/{path}", line {10 + line % 1990}, in {func}')
		out.append(f"    {code}")
		if line % 2:
			out.append("    " + " " * (line % 9) + "^" * (5 + line % 36))
	out.append(f"{exc}: {message}")
	return "\n".join(out)


def _stamp(ts: float, gunicorn: bool = False) -> str:
	t = time.gmtime(ts)
	if gunicorn:
		return time.strftime("[%Y-%m-%d %H:%M:%S +0000]", t)
	return time.strftime("%Y-%m-%d %H:%M:%S", t) + f",{int(ts * 1000) % 1000:03d}"


def _frappe_log(rng: random.Random, ts: float, errors: float = 0.5, short: bool = False) -> str:
	if rng.random() < errors:
		return f"{_stamp(ts)} ERROR frappe New Exception collected in error log\nSite: site{rng.randint(1, 3)}.local\nForm Dict: {{'cmd': 'run_doc_method', 'docname': '{_param('id', rng)}'}}\n{_traceback(rng, short=short)}\n"
	return f"{_stamp(ts)} {rng.choice(['INFO', 'WARNING', 'DEBUG'])} frappe Request {rng.randint(1, 10**9):x} took {rng.randint(1, 9000)} ms\n"


def _web_error(rng: random.Random, ts: float) -> str:
	if rng.random() < 0.3:
		return f"{_stamp(ts, True)} [{rng.randint(100, 9999)}] [ERROR] Error handling request /api/method/{rng.choice(['run_doc_method', 'frappe.client.save'])}\n{_traceback(rng)}\n"
	return f"{_stamp(ts, True)} [{rng.randint(100, 9999)}] [INFO] Booting worker with pid: {rng.randint(100, 99999)}\n"


def _worker_error(rng: random.Random, ts: float, errors: float = 0.4, short: bool = False) -> str:
	if rng.random() < errors:
		return f"{_stamp(ts)} [Job {rng.randint(1, 10**12):x}]: exception raised while executing (frappe.utils.background_jobs.execute_job)\n{_traceback(rng, job=True, short=short)}\n"
	return f"{_stamp(ts)} default: Job OK ({rng.randint(1, 10**12):x})\n"


def _scheduler(rng: random.Random, ts: float) -> str:
	job = rng.choice(
		[
			"frappe.email.queue.flush",
			"erpnext.stock.reorder_item.reorder_item",
			"frappe.deferred_insert.save_to_db",
		]
	)
	return f"{_stamp(ts)} INFO scheduler Enqueued {job} for site{rng.randint(1, 3)}.local\n"


def _monitor(rng: random.Random, ts: float) -> str:
	stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts)) + f".{rng.randint(0, 999999):06d}+00:00"
	base = {
		"site": f"site{rng.randint(1, 3)}.local",
		"timestamp": stamp,
		"uuid": f"{rng.getrandbits(64):016x}",
	}
	if rng.random() < 0.7:
		path = rng.choice(
			[
				"/api/method/frappe.desk.reportview.get",
				"/api/method/ping",
				f"/api/resource/Item/ITEM-{rng.randint(1, 9999)}",
				"/app/sales-invoice",
				"/assets/frappe/dist/js/desk.bundle.js",
			]
		)
		request = {
			"ip": "10.0.0.1",
			"method": "GET",
			"path": path,
			"response_length": rng.randint(10, 90000),
			"status_code": rng.choice([200] * 30 + [404, 500]),
		}
		entry = {
			"duration": int(rng.lognormvariate(10, 1.2)),
			"request": request,
			"transaction_type": "request",
			**base,
		}
	else:
		job = {
			"method": rng.choice(["frappe.email.queue.flush", "erpnext.stock.reorder_item.reorder_item"]),
			"scheduled": True,
			"wait": int(rng.lognormvariate(12, 1.5)),
		}
		entry = {"duration": int(rng.lognormvariate(12, 1.5)), "job": job, "transaction_type": "job", **base}
	return json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n"


def write_bench_logs(folder: Path, target_bytes: int, seed: int = 1) -> list[Path]:
	"""A logs/ folder of about target_bytes: live files plus rotated .1 and .2.gz siblings."""
	rng = random.Random(seed)
	folder.mkdir(parents=True, exist_ok=True)
	shares = {"frappe.log": (0.3, _frappe_log), "web.error.log": (0.2, _web_error), "worker.error.log": (0.15, _worker_error),
		"scheduler.log": (0.1, _scheduler), "monitor.json.log": (0.25, _monitor)}  # fmt: skip
	written = []
	for name, (share, make) in shares.items():
		parts = [(f"{name}.2.gz", 0.2), (f"{name}.1", 0.3), (name, 0.5)]  # oldest first
		ts = 1714550400.0
		for filename, part in parts:
			path = folder / filename
			opener = gzip.open if filename.endswith(".gz") else open
			budget, size = int(target_bytes * share * part), 0
			with opener(path, "wb") as out:
				while size < budget:
					ts += rng.random() * 0.5
					size += out.write(make(rng, ts).encode("utf-8"))
			written.append(path)
	return written


def write_error_dense_logs(folder: Path, target_bytes: int, seed: int = 1) -> list[Path]:
	"""A logs/ folder where most records are errors with tracebacks (about 78 %, ~700 bytes a record)."""
	rng = random.Random(seed)
	folder.mkdir(parents=True, exist_ok=True)
	written = []
	dense = {"errors": 0.78, "short": True}
	for name, make in (("frappe.log", _frappe_log), ("worker.error.log", _worker_error)):
		path, ts, size = folder / name, 1714550400.0, 0
		with open(path, "wb") as out:
			while size < target_bytes // 2:
				ts += rng.random()
				size += out.write(make(rng, ts, **dense).encode("utf-8"))
		written.append(path)
	return written


if __name__ == "__main__":
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--out", type=Path, default=OUT)
	parser.add_argument("--slow-mb", type=float, default=100)
	parser.add_argument("--bench-mb", type=float, default=100)
	parser.add_argument("--seed", type=int, default=1)
	args = parser.parse_args()
	args.out.mkdir(parents=True, exist_ok=True)
	started = time.perf_counter()
	n = write_slow_log(args.out / "mariadb-slow.log", int(args.slow_mb * 1e6), args.seed)
	print(f"slow log: {n:,} entries -> {args.out / 'mariadb-slow.log'}")
	files = write_bench_logs(args.out / "logs", int(args.bench_mb * 1e6), args.seed)
	print(f"bench logs: {len(files)} files -> {args.out / 'logs'} ({time.perf_counter() - started:.1f} s)")
