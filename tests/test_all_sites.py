"""Every site of a bench: `check|doctor --all-sites` on a scratch bench of real site databases."""

from __future__ import annotations

import json

import pytest
from conftest import Bench
from stored_sites import add_site, create_site_db, drop_site_db

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.fleet.allsites import BENCH_LEVEL, check_all_sites


@pytest.fixture
def three_sites(tmp_path, root_db):
	dbs = [create_site_db(root_db) for _ in range(2)]
	bench = Bench(tmp_path / "frappe-bench", dbs[0], site="a.local")
	add_site(bench, "b.local", dbs[1])
	add_site(bench, "c.local", {"name": dbs[1]["name"], "password": "not-the-password"})
	yield bench
	for db in dbs:
		drop_site_db(root_db, db)


def test_every_site_in_one_table_bench_services_once_and_the_worst_exit_code(three_sites):
	done = three_sites.cli("check", "--all-sites", "--bench", str(three_sites.root))
	assert done.returncode == 2, done.stdout + done.stderr
	lines = done.stdout.splitlines()
	assert lines[0].startswith(f"Bench {three_sites.root.resolve()}: 3 site(s) in ")
	rows = {line.split()[0]: line for line in lines[3:-2]}
	assert set(rows) == {"bench", "a.local", "b.local", "c.local"}
	assert "CRITICAL" in rows["c.local"] and "database.connectivity critical" in rows["c.local"]
	assert lines[-1] == "Worst: CRITICAL"
	assert "not-the-password" not in done.stdout


def test_json_has_one_object_per_site_and_the_shared_checks_once(three_sites):
	done = three_sites.cli("check", "--all-sites", "--bench", str(three_sites.root), "--json")
	data = json.loads(done.stdout)
	assert [s["site"] for s in data["sites"]] == ["a.local", "b.local", "c.local"]
	assert list(data["services"]) == ["bench"]
	assert {r["check_id"] for r in data["services"]["bench"]["results"]} == set(BENCH_LEVEL)
	for site in data["sites"]:
		ids = {r["check_id"] for r in site["run"]["results"]}
		assert not ids & set(BENCH_LEVEL) and "database.connectivity" in ids
		assert site["services"] == "bench"
	by_site = {s["site"]: s for s in data["sites"]}
	assert by_site["c.local"]["status"] == "critical"
	assert data["status"] == "critical"


def test_doctor_for_every_site_checks_the_host_once(three_sites):
	done = three_sites.cli("doctor", "--all-sites", "--bench", str(three_sites.root), "--json")
	data = json.loads(done.stdout)
	assert {r["check_id"] for r in data["host"]["results"]} >= {"host.mariadb", "host.redis"}
	by_site = {s["site"]: s for s in data["sites"]}
	assert by_site["c.local"]["doctor"]["likely_cause"] == "database.connectivity"
	assert by_site["a.local"]["doctor"]["question"] == "What's wrong with a.local?"


def test_all_sites_refuses_a_site_or_a_selection(three_sites):
	for extra in (["--site", "a.local"], ["--check", "system.cpu"]):
		done = three_sites.cli("check", "--all-sites", "--bench", str(three_sites.root), *extra)
		assert done.returncode == 64
		assert "--all-sites checks every site" in done.stderr


def test_sites_not_started_within_the_total_budget_are_skipped(three_sites):
	result = check_all_sites(three_sites.root, budget_s=1e-9, parallel=1)
	assert [(s.site, s.status) for s in result.sites] == [
		(n, Status.SKIPPED) for n in ("a.local", "b.local", "c.local")
	]
	assert {r.status for r in result.services["bench"].results} == {Status.SKIPPED}
