"""Every command the app suggests is safe to paste: `$(…)` and backticks planted in the data a command is
built from (a slow log, the logs, the bench path, the site's files, the configuration) never run.

Each suggested command is parsed (`shlex.split`, `bash -n`) and then executed by bash with harmless stubs
for every program it may name, `touch` excepted: an unquoted `$(touch …)` really creates its file."""

from __future__ import annotations

import os
import shlex
from datetime import datetime, timedelta, timezone

import pytest

from frappe_diagnostics.engine.registry import registry
from frappe_diagnostics.engine.runner import run_checks
from frappe_diagnostics.engine.settings import Settings
from frappe_diagnostics.engine.shell import bench as bench_command
from frappe_diagnostics.tests.shell_safety import Planted, commands_of
from frappe_diagnostics.troubleshooters import catalog
from frappe_diagnostics.troubleshooters.query import _explain_failed, _index_fix


@pytest.fixture
def planted(tmp_path):
	return Planted(tmp_path / "scratch")


def test_the_stubbed_shell_really_runs_an_unquoted_injection(planted):
	with pytest.raises(AssertionError, match="ran planted code"):
		planted.check([f"bench --site s explain {planted.text}"])


def test_slow_log_statement_in_the_explain_command(bench, tmp_path, planted):
	when = datetime.now(timezone.utc) - timedelta(minutes=5)
	statement = (
		f"select name from `tabSales Invoice` where customer = '{planted.text}' and "
		f'`title` = "`touch {planted.backtick.name}`" order by posting_date desc limit 1'
	)
	entry = (
		f"# Time: {when:%y%m%d %H:%M:%S}\n# User@Host: u[u] @ localhost []\n"
		"# Query_time: 3.0  Lock_time: 0.0  Rows_sent: 1  Rows_examined: 200000\n"
		f"SET timestamp={int(when.timestamp())};\n{statement};\n"
	)
	path = tmp_path / "slow.log"
	path.write_text(entry)
	ctx = bench.context()
	diagnosis = catalog.run(ctx, "slowlog", catalog.STANDALONE, path=str(path), since="24h")
	commands = commands_of(diagnosis.steps)
	assert any("diagnostics explain" in c for c in commands)
	planted.check(commands)
	planted.check([ctx.redactor().text(c) for c in commands])  # as every output prints them


def test_log_records_in_the_logs_troubleshooter(bench, planted):
	stamp = (datetime.now() - timedelta(minutes=3)).strftime("%Y-%m-%d %H:%M:%S,000")
	record = (
		f"{stamp} ERROR frappe New Exception collected in error log\nTraceback (most recent call last):\n"
		f'  File "apps/frappe/frappe/app.py", line 1, in {planted.text}\n    x()\n'
		f"pymysql.err.OperationalError: (1213, 'Deadlock found {planted.text}')\n"
	)
	(bench.root / "logs" / "frappe.log").write_text(record * 3)
	diagnosis = catalog.run(bench.context(), "logs", catalog.STANDALONE, since="24h")
	planted.check(commands_of(diagnosis.steps))


@pytest.fixture
def hostile_bench(bench, planted):
	"""The bench folder's own path holds the planted text; a site file belongs to another user; an app
	named in apps.txt is not linked into sites/assets; the configuration has a value of the wrong type."""
	moved = bench.root.parent / f"bench {planted.text}"
	bench.root.rename(moved)
	bench.root, bench.site_path = moved, moved / "sites" / bench.site
	bench.conf["db_port"] = "not a port"
	bench.write()
	os.chown(bench.site_path / "site_config.json", 65534, 65534)
	app = "shop"
	(moved / "apps" / app / app / "public").mkdir(parents=True)
	with (moved / "sites" / "apps.txt").open("a") as f:
		f.write(f"{app}\n")
	return bench


def test_doctor_fixes_on_a_bench_whose_path_holds_shell_code(hostile_bench, planted):
	ctx = hostile_bench.context()
	ids = ("configuration.site_config", "filesystem.permissions", "assets.built", "database.connectivity")
	checks = [registry.get(i) for i in ids]
	run = run_checks(ctx, checks, settings=Settings(check_budget_ms=5000))
	commands = commands_of(run.results)
	assert any(str(hostile_bench.root / "sites") in shlex.split(c) for c in commands)
	assert len({c.split()[0] for c in commands}) >= 2
	planted.check(commands)


def test_query_fixes_name_the_table_and_site_quoted(planted):
	commands = [
		_index_fix(f"tab{planted.text}", ["col`touch x`"], "because", planted.text).command,
		_explain_failed(Exception(1146, "Table 'x' doesn't exist"), 1.0, planted.text).fixes[0].command,
		bench_command(planted.text, "migrate"),
	]
	planted.check(commands)
