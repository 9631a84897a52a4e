"""A bench as a new user meets it on a shared or broken server: the database down or refusing the login,
paths that do not exist, bad options. Each answer says what is wrong and what to do; unknown never reads
as OK; every suggested command is pasteable as printed."""

from __future__ import annotations

import json
import os
import secrets
import shlex
import subprocess
import sys

import pytest
from conftest import free_port

from frappe_diagnostics.engine.redact import Redactor


@pytest.fixture
def db_down(bench):
	bench.conf["db_port"] = free_port()
	bench.write()
	return bench


@pytest.fixture
def login_refused(bench):
	bench.conf["db_password"] = "not-the-password-18"
	bench.write()
	return bench


@pytest.mark.parametrize("broken", ["db_down", "login_refused"])
def test_slowlog_of_the_server_says_the_database_is_unreachable(broken, request):
	bench = request.getfixturevalue(broken)
	done = bench.cli("slowlog", "--site", bench.site, "--json")
	assert "Traceback" not in done.stderr, done.stderr
	data = json.loads(done.stdout)
	step = data["results"][0]
	assert (step["check_id"], step["status"]) == ("slowlog.database", "error")
	assert step["summary"].startswith("The database server cannot be asked where its slow log is (")
	assert "name the log's FILES or --path" in step["summary"]
	assert done.returncode == 2


def test_security_with_the_database_down_is_not_all_passed(db_down):
	done = db_down.cli("security", "--site", db_down.site)
	assert "checks passed" not in done.stdout, done.stdout
	assert "database" in done.stdout.lower() and done.returncode == 2


def test_recover_doc_with_the_database_down_does_not_say_deleted_ok(db_down):
	done = db_down.cli("recover-doc", "ToDo", "T-1", "--site", db_down.site, "--json")
	deleted = next(s for s in json.loads(done.stdout)["results"] if s["check_id"] == "document.deleted")
	assert deleted["status"] == "error"
	assert deleted["summary"].startswith("Cannot tell whether Frappe kept a Deleted Document")


def test_data_loss_with_the_database_down_uses_no_guessed_time_zone(db_down):
	done = db_down.cli("data-loss", "--site", db_down.site, "--since", "2026-01-01T00:00+00:00", "--json")
	question = json.loads(done.stdout)["question"]
	assert "since 2026-01-01 00:00 UTC" in question and "site time" not in question, question


def test_metrics_to_a_missing_folder_is_bad_usage(bench):
	done = bench.cli("metrics", "--textfile", "/nonexistent/dir/x.prom")
	assert (done.returncode, "Traceback" in done.stderr) == (64, False), done.stderr
	assert "/nonexistent/dir does not exist" in done.stderr


def test_until_names_itself_when_it_is_wrong(bench, tmp_path):
	log = tmp_path / "x.log"
	log.write_text("")
	done = bench.cli("logs", str(log), "--until", "tomorrow")
	assert (
		done.returncode == 64
		and "--until takes" in done.stderr
		and "--since" not in done.stderr.split(":")[1]
	)


def test_doctor_with_a_site_outside_a_bench_is_bad_usage(bench, tmp_path):
	inside = bench.cli("doctor", "--site", "../etc")
	assert inside.returncode == 64, inside.stdout  # not the name of a folder under sites/
	away = outside_a_bench(tmp_path, "doctor", "--site", "../etc")
	assert away.returncode == 64, away.stdout + away.stderr
	assert "--site ../etc names a site of a bench, and there is no bench here" in away.stderr


def test_a_missing_file_is_bad_usage_for_logs_as_for_slowlog(bench, tmp_path):
	for command in ("logs", "slowlog"):
		done = bench.cli(command, str(tmp_path / "missing.log"))
		assert done.returncode == 64 and "missing.log does not exist" in done.stderr, (command, done.stderr)


def test_redaction_keeps_a_mariadb_message_whole():
	message = """(1045, "Access denied for user '_1bb7c2d1'@'localhost' (using password: YES)")"""
	for text in (message, json.dumps({"error": message}), repr(message), f"{message}: check db_password"):
		assert Redactor().text(text) == text
	assert "s3cr" not in Redactor().text(json.dumps({"e": "password: s3cr\\et)"}))


def test_explain_outside_a_bench_suggests_no_bench_site_command(site_db, tmp_path):
	env = {"DIAG_DB_NAME": site_db["name"], "DIAG_DB_USER": site_db["name"]}
	env["DIAG_DB_PASSWORD"] = site_db["password"]
	done = outside_a_bench(tmp_path, "explain", "SELECT name FROM `tabNo Such Doctype`", "--json", env=env)
	step = next(s for s in json.loads(done.stdout)["results"] if s["check_id"] == "query.explain")
	assert step["summary"] == "Table `tabNo Such Doctype` does not exist in this site's database."
	assert [f.get("command") for f in step["fixes"]] == [None]  # was `bench --site host migrate`


def outside_a_bench(folder, *args, env=None):
	return subprocess.run(
		[sys.executable, "-m", "frappe_diagnostics.cli", *args],
		capture_output=True,
		text=True,
		cwd=folder,
		env={**os.environ, **(env or {})},
		timeout=120,
	)


def test_the_fix_for_missing_folders_names_them(bench):
	import shutil

	from tests.helpers import run_one

	files = bench.site_path / "private" / "files"
	shutil.rmtree(files)
	result = run_one(bench.context(), "filesystem.writable")
	user = shlex.split(result.fixes[0].command)[-2].split(":")[0]
	assert result.fixes[0].command == (
		f"mkdir -p {shlex.quote(str(files))} && sudo chown -R {user}:{user} {shlex.quote(str(files))}"
	)


def test_a_recovery_test_site_sees_only_its_own_scratch_databases(tmp_path, root_db):
	from frappe_diagnostics.recovery import scratch
	from tests.recovery_site import made

	elsewhere = (
		f"elsewhere-{secrets.token_hex(4)}.local"  # its own name: other runs on this server drop theirs
	)
	another_run = scratch.new_name(scratch.HOLDING, elsewhere)  # what a restore elsewhere leaves a while
	with root_db.cursor() as cur:
		cur.execute(f"CREATE DATABASE {scratch.quote(another_run)}")
	try:
		for site in made(tmp_path):
			assert site.diag_databases() == []
	finally:
		with root_db.cursor() as cur:
			cur.execute(f"DROP DATABASE IF EXISTS {scratch.quote(another_run)}")
