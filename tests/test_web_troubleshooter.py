"""Web and processes: web.processes, web.http, web.tls_expiry and `diagnostics web`, against real
processes, a real supervisord, real HTTP servers and certificates made with `cryptography`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.troubleshooters.web import diagnose_web
from tests.helpers import run_one
from tests.ops_services import Http, Supervisor, bench_process, make_certificate, stop

PROCFILE = (
	"web: bench serve --port 8000\nsocketio: node apps/frappe/socketio.js\nwatch: bench watch\n"
	"schedule: bench schedule\nworker: bench worker 1>> logs/worker.log 2>> logs/worker.error.log\n"
)
SUPERVISOR = """
[program:tb-frappe-web]
command={python} -c "import time; time.sleep(600)" frappe serve --port 8000
directory={sites}
[program:tb-frappe-schedule]
command={python} -c "import time; time.sleep(600)" frappe schedule
directory={sites}
[program:tb-frappe-short-worker]
command={python} -c "import time; time.sleep(600)" frappe worker --queue short,default,long
directory={sites}
numprocs=2
process_name=%(program_name)s-%(process_num)d
[group:tb-workers]
programs=tb-frappe-schedule,tb-frappe-short-worker
"""


@pytest.fixture
def http():
	servers = []

	def start(status=200):
		servers.append(Http(status))
		return servers[-1]

	yield start
	for server in servers:
		server.close()


@pytest.fixture
def procs():
	started = []
	yield started
	stop(*started)


def test_every_procfile_process_running_then_the_scheduler_stopped_then_a_queue_unserved(bench, procs):
	(bench.root / "Procfile").write_text(PROCFILE)
	sites = bench.root / "sites"
	procs += [
		bench_process(sites, "frappe", "serve", "--port", "8000"),
		bench_process(sites, "socketio.js"),
		bench_process(sites, "frappe", "worker", "--queue", "short,default,long"),
	]
	scheduler = bench_process(sites, "frappe", "schedule")
	procs.append(scheduler)
	result = run_one(bench.context(), "web.processes")
	assert result.status is Status.OK, result
	assert result.summary == "Every process the Procfile names is running (4 processes)."
	stop(scheduler)
	result = run_one(bench.context(), "web.processes")
	assert result.status is Status.CRITICAL
	assert result.summary == "Not running: no schedule process is running."
	assert result.fixes[0].command == "bench start"
	stop(procs[2])
	procs.append(bench_process(sites, "frappe", "worker", "--queue", "short"))
	procs.append(bench_process(sites, "frappe", "schedule"))
	result = run_one(bench.context(), "web.processes")
	assert result.summary == "Not running: no worker listens on default, long."


def test_supervisor_programs_stopped_for_real_are_named_with_their_supervisor_address(bench, monkeypatch):
	monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
	(bench.root / "config").mkdir(exist_ok=True)
	conf = SUPERVISOR.format(python=sys.executable, sites=bench.root / "sites")
	(bench.root / "config" / "supervisor.conf").write_text(conf)
	supervisor = Supervisor(bench.root)
	try:
		supervisor.wait_running(4)
		result = run_one(bench.context(), "web.processes", budget_ms=8000)
		assert result.status is Status.OK, result
		assert result.summary == "Every process the supervisor names is running (4 processes)."
		done = supervisor_ctl(supervisor, "stop", "tb-workers:tb-frappe-schedule")
		assert "stopped" in done, done
		result = run_one(bench.context(), "web.processes", budget_ms=8000)
		assert result.status is Status.CRITICAL
		assert result.summary == "Not running: no schedule process is running."
		stopped = next(f for f in result.findings if f.message == "supervisor programs not RUNNING")
		assert stopped.evidence["programs"][0]["name"] == "tb-workers:tb-frappe-schedule"
		assert stopped.evidence["programs"][0]["state"] == "STOPPED"
		assert result.fixes[0].command == "sudo supervisorctl start tb-workers:tb-frappe-schedule"
	finally:
		supervisor.close()


def supervisor_ctl(supervisor, *args) -> str:
	import subprocess

	done = subprocess.run([supervisor.ctl, *args], cwd=supervisor.root, capture_output=True, text=True)
	return done.stdout + done.stderr


def test_http_answers_fails_and_hangs(bench, http, silent_server):
	server = http(200)
	bench.common["webserver_port"] = server.port
	bench.write()
	result = run_one(bench.context(), "web.http")
	assert result.summary.startswith(f"test.local answers /api/method/ping on port {server.port} in ")
	assert server.hosts == ["test.local"]
	server.status = 502
	result = run_one(bench.context(), "web.http")
	assert result.status is Status.CRITICAL
	assert result.summary.startswith(f"test.local does not answer on the web port {server.port}: HTTP 502 in")
	bench.common["webserver_port"] = silent_server.port
	bench.write()
	result = run_one(bench.context(), "web.http", budget_ms=3000, timeout_s=0.5)
	assert (
		result.summary
		== f"test.local does not answer on the web port {silent_server.port}: no answer within 0.5 s."
	)
	server.close()
	bench.common["webserver_port"] = server.port
	bench.write()
	result = run_one(bench.context(), "web.http")
	assert result.summary == f"test.local does not answer on the web port {server.port}: connection refused."


def nginx_conf(bench, server_name: str, port: int, cert: Path | None = None) -> None:
	(bench.root / "config").mkdir(exist_ok=True)
	tls = f"ssl_certificate {cert};\n\t\tssl_certificate_key {cert.with_suffix('.key')};" if cert else ""
	(bench.root / "config" / "nginx.conf").write_text(
		"upstream tb-frappe { server 127.0.0.1:8000 fail_timeout=0; }\n"
		f"server {{\n\tlisten {port};\n\tserver_name\n\t\t{server_name}\n\t\t;\n\t{tls}\n"
		"\tlocation / { proxy_pass http://tb-frappe; }\n\tclient_max_body_size 50m;\n}\n"
	)


@pytest.mark.parametrize(
	("hosts", "days", "status", "summary_start"),
	[
		(["test.local"], 90, Status.OK, "test.local: {path} expires "),
		(["test.local"], 7, Status.WARNING, "test.local: {path} expires "),
		(["test.local"], -3, Status.CRITICAL, "test.local: {path} EXPIRED "),
		(["other.example.com"], 90, Status.CRITICAL, "test.local: {path} expires "),
	],
	ids=["valid", "expiring", "expired", "wrong-host"],
)
def test_certificates_named_by_nginx(bench, tmp_path, hosts, days, status, summary_start):
	cert = make_certificate(tmp_path, "site", hosts, days)
	nginx_conf(bench, "test.local", 443, cert)
	result = run_one(bench.context(), "web.tls_expiry")
	assert result.status is status
	assert result.summary.startswith(summary_start.format(path=cert))
	if hosts != ["test.local"]:
		assert result.summary.endswith("; it does not cover test.local (covers other.example.com).")


def test_nginx_step_routes_the_site_or_not_and_host_name_consistency(bench, http):
	server = http(200)
	nginx_conf(bench, "other.example.com", server.port)
	steps = {s.check_id: s for s in diagnose_web(bench.context()).steps}
	assert steps["web.nginx"].status is Status.CRITICAL
	assert steps["web.nginx"].summary.startswith("config/nginx.conf names no server for test.local")
	nginx_conf(bench, "test.local", server.port)
	bench.conf["host_name"] = "http://erp.example.com"
	bench.write()
	steps = {s.check_id: s for s in diagnose_web(bench.context()).steps}
	assert steps["web.nginx"].summary == "nginx names test.local and answers HTTP 200."
	assert server.hosts[-1] == "erp.example.com"
	assert steps["web.host_name"].status is Status.WARNING
	assert steps["web.host_name"].summary == (
		"host_name http://erp.example.com: erp.example.com is neither the site's name nor one of its domains."
	)


def test_standalone_web_command(bench, http):
	server = http(200)
	bench.common["webserver_port"] = server.port
	bench.write()
	done = bench.cli("web", "--bench", str(bench.root), "--site", bench.site, "--json")
	data = json.loads(done.stdout)
	assert data["kind"] == "Web"
	assert [r["check_id"] for r in data["results"]] == [
		"web.processes",
		"web.http",
		"web.nginx",
		"web.host_name",
		"web.tls_expiry",
	]


def test_the_process_running_the_check_counts_itself(bench):
	"""Run now on the desk runs web.processes inside the web server: it must count itself as the web."""
	import subprocess
	import sys

	code = (
		"import sys, json; from frappe_diagnostics.knowledge.processes import bench_processes; "
		"print(json.dumps([p.role for p in bench_processes(sys.argv[1])]))"
	)
	done = subprocess.run(
		[sys.executable, "-c", code, str(bench.root), "frappe", "serve", "--port", "8000"],
		cwd=bench.root,
		capture_output=True,
		text=True,
		timeout=60,
	)
	assert done.returncode == 0, done.stderr
	assert "web" in json.loads(done.stdout)
