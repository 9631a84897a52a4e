"""The standalone `frappe-diagnostics` command: exit codes, JSON, hooks of other apps, secrets."""

from __future__ import annotations

import json

from conftest import free_port

CALM = {"database.connectivity": {"latency_warning_ms": 10_000, "latency_critical_ms": 20_000}}


def store_settings(site_sql, **fields):
	"""Diagnostics Settings as the site stores them (tabSingles), read by the standalone command."""
	for field, value in fields.items():
		site_sql(
			"INSERT INTO `tabSingles` (doctype, field, value) VALUES ('Diagnostics Settings', %s, %s)",
			(field, value),
		)


def test_check_prints_a_table_and_exits_zero_on_a_healthy_site(bench, site_sql):
	store_settings(site_sql, threshold_overrides=json.dumps(CALM))
	args = ("--check", "database.connectivity", "--check", "database.core_tables")
	done = bench.cli("check", "--bench", str(bench.root), "--site", bench.site, *args)
	assert done.returncode == 0, done.stdout + done.stderr
	lines = done.stdout.splitlines()
	assert any("database.connectivity" in line and "OK" in line for line in lines)
	assert lines[-1].startswith("OK: All 2 checks passed."), lines[-1]


def test_check_json_lists_every_site_check_once_and_its_worst_status(bench):
	from frappe_diagnostics.engine.registry import registry

	done = bench.cli("check", "--bench", str(bench.root), "--site", bench.site, "--json")
	data = json.loads(done.stdout)
	ids = [r["check_id"] for r in data["results"]]
	registry.load_hooks(["frappe_diagnostics.checks"])
	assert sorted(ids) == sorted(c.id for c in registry.all(scope="site"))
	assert data["context"] == {"kind": "standalone", "site": bench.site, "bench": str(bench.root.resolve())}
	by_id = {r["check_id"]: r for r in data["results"]}
	assert by_id["database.core_tables"]["status"] == "ok"  # the test site has every core table
	ranks = {"skipped": 0, "ok": 1, "warning": 2, "error": 3, "critical": 4}
	counted = [r["status"] for r in data["results"] if r["affects_status"]]
	assert data["status"] == max(counted, key=ranks.get)


def test_database_down_is_reported_clearly_with_exit_code_2(bench):
	bench.conf["db_port"] = free_port()
	bench.write()
	done = bench.cli("check", "--site", bench.site, "--json")
	assert done.returncode == 2
	data = json.loads(done.stdout)
	by_id = {r["check_id"]: r for r in data["results"]}
	assert by_id["database.connectivity"]["status"] == "critical"
	assert "connection refused" in by_id["database.connectivity"]["summary"]
	assert by_id["redis.cache"]["summary"].startswith("Redis cache answers")  # reachable: not the cause


def test_fail_on_warning_turns_a_warning_into_exit_1(bench):
	bench.common["redis_queue"] = bench.common["redis_cache"]
	bench.write()
	done = bench.cli("check", "--site", bench.site, "--check", "jobs.workers", "--fail-on", "warning")
	assert done.returncode == 1, done.stdout
	assert "WARNING" in done.stdout
	assert bench.cli("check", "--site", bench.site, "--check", "jobs.workers").returncode == 0


def test_bad_usage_gets_a_message_and_exit_64(bench, tmp_path):
	done = bench.cli("check", "--site", bench.site, "--check", "no.such_check")
	assert done.returncode == 64 and "No check with id 'no.such_check'" in done.stderr
	done = bench.cli("check", "--site", "nosite.local")
	assert done.returncode == 64 and "There is no site 'nosite.local'" in done.stderr
	done = bench.cli("check", "--bench", str(tmp_path))
	assert done.returncode == 64 and "is not a bench folder" in done.stderr
	assert "Traceback" not in done.stderr


def test_doctor_without_a_bench_checks_the_host(tmp_path, bench):
	import subprocess
	import sys

	done = subprocess.run(
		[sys.executable, "-m", "frappe_diagnostics.cli", "doctor", "--json"],
		capture_output=True,
		text=True,
		cwd=tmp_path,
	)
	data = json.loads(done.stdout)
	assert list(data) == ["host"]
	ids = {r["check_id"]: r for r in data["host"]["results"]}
	assert {
		"host.mariadb",
		"host.redis",
		"host.python",
		"host.node",
		"filesystem.disk_space",
		"system.memory",
	} <= set(ids)
	assert "MariaDB" in ids["host.mariadb"]["summary"]
	assert ids["host.redis"]["status"] == "ok"


def test_doctor_inside_a_bench_also_checks_the_site(bench):
	done = bench.cli("doctor", "--json")
	data = json.loads(done.stdout)
	assert set(data) == {"host", "doctor"}
	assert data["doctor"]["site"] == bench.site
	assert data["doctor"]["question"] == f"What's wrong with {bench.site}?"


OTHER_APP_CHECK = """
from frappe_diagnostics.engine.registry import check

@check("otherapp.greeting", title="Other app's check", tags=("otherapp",))
def greeting(probe):
	return probe.ok("hello from another app")
"""


def test_another_app_adds_a_check_through_its_hooks(bench):
	bench.add_app(
		"otherapp",
		'app_name = "otherapp"\ndiagnostics_checks = ["otherapp.diagnostics"]\n',
		{"diagnostics": OTHER_APP_CHECK},
	)
	done = bench.cli("check", "--site", bench.site, "--tag", "otherapp", "--json")
	data = json.loads(done.stdout)
	assert [(r["check_id"], r["summary"]) for r in data["results"]] == [
		("otherapp.greeting", "hello from another app")
	]


OTHER_APP_TROUBLESHOOTERS = """
from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.steps import OK, step
from frappe_diagnostics.troubleshooters import catalog
from frappe_diagnostics.troubleshooters.declare import IN_SITE, SURFACES, Input, Troubleshooter


def greet(ctx, name="world"):
	return Diagnosis("Web", f"Hello {name}?", [step("greet.hello", "Hello", OK, f"hello {name} on {ctx.name}")])


catalog.register(
	Troubleshooter(
		"greet",
		"Does the other app answer?",
		"Web",
		"otherapp.troubleshooters:greet",
		"Greet",
		inputs=(Input("name", "Whom to greet."),),
		surfaces=SURFACES,
	)
)
catalog.register(
	Troubleshooter("greet_in_site", "Only in a booted site?", "Web", "otherapp.troubleshooters:greet",
		"Greet in site", surfaces=IN_SITE, command="greet-in-site")
)
"""


def test_another_app_adds_a_troubleshooter_through_its_hooks(bench):
	bench.add_app(
		"otherapp",
		'app_name = "otherapp"\ndiagnostics_troubleshooters = ["otherapp.troubleshooters"]\n',
		{"troubleshooters": OTHER_APP_TROUBLESHOOTERS},
	)
	listed = bench.cli("--help").stdout
	assert "greet " in listed.replace("\n", " ")
	assert "greet-in-site" not in listed  # declared for the booted site's surfaces only
	done = bench.cli("greet", "--site", bench.site, "--name", "operator", "--json")
	data = json.loads(done.stdout)
	assert (data["question"], data["results"][0]["summary"]) == (
		"Hello operator?",
		f"hello operator on {bench.site}",
	)
	assert done.returncode == 0


def test_a_second_app_cannot_take_a_troubleshooters_name(bench):
	source = (
		"from frappe_diagnostics.troubleshooters import catalog\n"
		"from frappe_diagnostics.troubleshooters.declare import Troubleshooter\n"
		"catalog.register(Troubleshooter('web', 'Mine?', 'Web', 'takeover.t:answer', 'Web'))\n"
	)
	bench.add_app("takeover", 'diagnostics_troubleshooters = ["takeover.t"]\n', {"t": source})
	done = bench.cli("web", "--help")
	assert done.stderr.strip() == (
		"The diagnostics_troubleshooters hook entry 'takeover.t' could not be imported: ValueError: "
		"Troubleshooter id 'web' is already registered by frappe_diagnostics.troubleshooters.web:diagnose_web; "
		"choose another id"
	)
	assert "Is the site reachable" in done.stdout


def test_a_broken_hook_is_reported_not_fatal(bench):
	bench.add_app("brokenapp", 'diagnostics_checks = ["brokenapp.missing_module"]\n', {})
	done = bench.cli("check", "--site", bench.site, "--check", "system.memory", "--json")
	data = json.loads(done.stdout)
	ids = [r["check_id"] for r in data["results"]]
	assert ids == ["system.memory", "hooks.brokenapp_missing_module"]
	assert data["results"][1]["status"] == "error"


LEAKY_CHECK = """
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding

@check("leaky.secrets", title="Leaks", tags=("leaky",))
def leaky(probe):
	conf = probe.site.conf
	return probe.ok(
		"db pw " + conf["db_password"] + " key " + conf["encryption_key"],
		findings=[Finding("url " + conf["redis_cache"], {"password": "hunter2-plain", "dsn": "mysql://u:" + conf["db_password"] + "@h/d"})],
	)

@check("leaky.raises", title="Raises", tags=("leaky",))
def raises(probe):
	raise RuntimeError("could not use api_secret " + probe.site.conf["api_secret"])
"""


def test_no_output_contains_a_planted_secret(bench):
	secrets = {
		"db_password": "Pl4nted-DB-pw-123",
		"encryption_key": "Pl4ntedEncKey==abcdef",
		"api_secret": "Pl4nted-api-secret",
	}
	bench.conf.update(secrets)
	bench.common["redis_cache"] = bench.common["redis_cache"].replace("redis://", "redis://:Pl4ntedRedisPw@")
	bench.write()
	bench.add_app("leakyapp", 'diagnostics_checks = ["leakyapp.diagnostics"]\n', {"diagnostics": LEAKY_CHECK})
	for args in (
		("check", "--site", bench.site, "--tag", "leaky", "--json"),
		("check", "--site", bench.site, "--tag", "leaky"),
		("check", "--site", bench.site, "--json"),
		("doctor",),
	):
		done = bench.cli(*args)
		output = done.stdout + done.stderr
		for value in [*secrets.values(), "Pl4ntedRedisPw", "hunter2-plain"]:
			assert value not in output, f"{value} leaked by {args}"
	done = bench.cli("check", "--site", bench.site, "--tag", "leaky", "--json")
	assert "********" in done.stdout
