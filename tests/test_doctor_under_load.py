"""The doctor's host checks on a busy machine: versions are read without starting processes inside a check's
budget, so a healthy host still exits 0 while every core is kept busy by processes this test starts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import psutil
import pytest

# The doctor's host run, as `frappe-diagnostics doctor` does it, in a fresh interpreter (imports included).
# The thresholds that measure the machine's own load are forced: the load is the test's.
HOST_RUN = """
import json
from frappe_diagnostics.engine.context import HostContext
from frappe_diagnostics.engine.registry import registry
from frappe_diagnostics.engine.render import exit_code
from frappe_diagnostics.engine.runner import run_checks

registry.load_hooks(["frappe_diagnostics.checks"])
host = HostContext()
host.settings.thresholds = {
	"system.cpu": {"cpu_warning_pct": 101, "cpu_critical_pct": 101, "load_warning_per_core": 1e9,
		"load_critical_per_core": 1e9},
	"system.memory": {"available_warning_pct": 0, "available_critical_pct": 0, "swap_warning_pct": 101},
	"filesystem.disk_space": {"free_warning_pct": 0, "free_critical_pct": 0, "free_critical_bytes": 0},
}
run = run_checks(host, registry.all(scope="host"))
print(json.dumps({"exit": exit_code(run.status), "results": {r.check_id: [r.status.value, r.summary] for r in run.results}}))
"""


@pytest.fixture
def busy_cores():
	"""Two busy processes per core, running (each has used CPU) before the test goes on."""
	spin = [sys.executable, "-c", "while True: pass"]
	procs = [subprocess.Popen(spin) for _ in range(2 * (os.cpu_count() or 1))]
	try:
		deadline = time.monotonic() + 30
		while time.monotonic() < deadline and not all(
			psutil.Process(p.pid).cpu_times().user > 0.05 for p in procs
		):
			time.sleep(0.05)
		yield procs
	finally:
		for proc in procs:
			proc.kill()
		for proc in procs:
			proc.wait()


@pytest.mark.slow
def test_a_healthy_host_exits_0_while_every_core_is_busy(busy_cores):
	for _ in range(3):
		done = subprocess.run([sys.executable, "-c", HOST_RUN], capture_output=True, text=True, timeout=120)
		assert done.returncode == 0, done.stderr
		data = json.loads(done.stdout)
		errors = {cid: summary for cid, (status, summary) in data["results"].items() if status == "error"}
		assert errors == {}
		assert data["results"]["host.redis"][0] == "ok"
		assert data["exit"] == 0


@pytest.fixture
def no_processes(monkeypatch):
	def no_spawn(*args, **kwargs):
		raise AssertionError(f"started a process: {args[0] if args else kwargs}")

	monkeypatch.setattr(subprocess, "run", no_spawn)
	monkeypatch.setattr(subprocess, "Popen", no_spawn)


@pytest.mark.skipif(not shutil.which("node"), reason="Node.js is not installed here")
def test_the_node_version_is_read_without_starting_node(no_processes):
	from frappe_diagnostics.checks.host import node_versions

	node, _ = node_versions()
	assert re.fullmatch(r"v\d+\.\d+\.\d+", node)


@pytest.mark.skipif(not shutil.which("yarn"), reason="yarn is not installed here")
def test_the_yarn_version_is_read_without_starting_yarn(no_processes):
	from frappe_diagnostics.checks.host import node_versions

	_, yarn = node_versions()
	assert re.fullmatch(r"\d+\.\d+\.\d+", yarn)


def test_redis_version_comes_from_info_over_the_socket(redis_client):
	from frappe_diagnostics.checks.host import redis_info_server

	info = redis_info_server("redis://127.0.0.1:6379", timeout_s=2.0)
	assert info["redis_version"] == redis_client.info("server")["redis_version"]
