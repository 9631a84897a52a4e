"""Result model, registry and runner: budgets, errors, hooks."""

from __future__ import annotations

import threading

import pytest

from frappe_diagnostics.engine.context import SiteContext
from frappe_diagnostics.engine.registry import Registry, check
from frappe_diagnostics.engine.render import exit_code, render_text
from frappe_diagnostics.engine.result import (
	CheckResult,
	Finding,
	Fix,
	Metric,
	RunResult,
	Status,
	route,
	worst,
)
from frappe_diagnostics.engine.runner import run_checks
from frappe_diagnostics.engine.settings import Settings


def test_worst_ignores_skipped_and_ranks_error_below_critical():
	assert worst([]) is Status.OK
	assert worst(["skipped"]) is Status.SKIPPED
	assert worst(["ok", "skipped", "warning"]) is Status.WARNING
	assert worst(["warning", "error"]) is Status.ERROR
	assert worst(["error", "critical", "ok"]) is Status.CRITICAL


def test_status_parse_rejects_unknown_values_with_the_choices():
	with pytest.raises(ValueError, match="ok, warning, critical, error, skipped"):
		Status.parse("bad")


def test_check_result_round_trips_through_dict():
	result = CheckResult(
		"a.b",
		Status.WARNING,
		"Summary.",
		"Title",
		"a",
		metrics=[Metric("x", 1.5, "ms")],
		findings=[Finding("f", {"k": 1})],
		fixes=[Fix("do", "cmd")],
	)
	assert CheckResult.from_dict(result.to_dict()) == result


@pytest.mark.parametrize(
	"status,fail_on,code",
	[
		("ok", "critical", 0),
		("warning", "critical", 0),
		("critical", "critical", 2),
		("error", "critical", 2),
		("warning", "warning", 1),
		("critical", "warning", 2),
		("ok", "warning", 0),
		("critical", "never", 0),
		("skipped", "warning", 0),
	],
)
def test_exit_code_by_worst_status_and_fail_level(status, fail_on, code):
	assert exit_code(Status(status), fail_on) == code


RELEASE = threading.Event()  # a hanging check blocks until a test sets this: no sleeping, no timing


def make_registry():
	reg = Registry()

	@check("demo.ok", title="OK", tags=("demo",), thresholds={"limit": 5}, into=reg)
	def ok(probe):
		return probe.ok(f"limit {probe.threshold('limit')}")

	@check("demo.boom", title="Boom", tags=("demo", "bad"), into=reg)
	def boom(probe):
		raise RuntimeError("exploded")

	@check("demo.hang", title="Hang", tags=("bad",), into=reg)
	def hang(probe):
		RELEASE.wait(30)
		return probe.ok("released")

	return reg


def test_registry_rejects_bad_and_duplicate_ids():
	reg = make_registry()
	with pytest.raises(ValueError, match=r"area\.name"):
		check("NoDots", title="x", into=reg)(lambda p: None)
	with pytest.raises(ValueError, match="already registered"):
		check("demo.ok", title="x", into=reg)(lambda p: None)


def test_registry_selects_by_id_and_tag_and_names_unknown_ones():
	reg = make_registry()
	assert [c.id for c in reg.select(tags=["bad"])] == ["demo.boom", "demo.hang"]
	assert [c.id for c in reg.select(ids=["demo.ok"], tags=["bad"])] == ["demo.ok", "demo.boom", "demo.hang"]
	with pytest.raises(KeyError, match=r"No check with id 'nope\.x'"):
		reg.select(ids=["nope.x"])
	with pytest.raises(KeyError, match="known tags: bad, demo"):
		reg.select(tags=["nothing"])


def test_runner_turns_exceptions_and_hangs_into_errors_and_completes_in_budget():
	reg = make_registry()
	settings = Settings(check_budget_ms=200, thresholds={"demo.ok": {"limit": 9}})
	RELEASE.clear()
	try:
		run = run_checks(SiteContext("t"), reg.all(), settings=settings, reg=reg)
		hang_was_still_blocked = not RELEASE.is_set()
	finally:
		RELEASE.set()
	by_id = {r.check_id: r for r in run.results}
	assert hang_was_still_blocked  # the run returned without waiting for the hanging check
	assert by_id["demo.ok"].status is Status.OK and by_id["demo.ok"].summary == "limit 9"
	assert by_id["demo.boom"].status is Status.ERROR
	assert "RuntimeError: exploded" in by_id["demo.boom"].summary
	assert by_id["demo.hang"].status is Status.ERROR
	assert by_id["demo.hang"].summary == (
		"Did not finish within its budget of 200 ms and was cut off: what it waits on (a service, or this "
		"machine) was too slow to answer in time; it may be healthy but slow, or hung."
	)
	assert run.status is Status.ERROR


def test_runner_skips_disabled_checks_and_bounds_the_whole_run():
	reg = make_registry()
	settings = Settings(check_budget_ms=5000, run_budget_s=1, parallel=1, disabled=frozenset({"demo.boom"}))
	RELEASE.clear()
	try:
		run = run_checks(
			SiteContext("t"),
			[reg.get("demo.hang"), reg.get("demo.boom"), reg.get("demo.ok")],
			settings=settings,
			reg=reg,
		)
	finally:
		RELEASE.set()
	statuses = [(r.check_id, r.status) for r in run.results]
	assert statuses == [
		("demo.hang", Status.ERROR),
		("demo.boom", Status.SKIPPED),
		("demo.ok", Status.SKIPPED),
	]
	assert run.results[0].summary == (
		"Did not finish within its budget of 1000 ms and was cut off: what it waits on (a service, or this "
		"machine) was too slow to answer in time; it may be healthy but slow, or hung."
	)
	assert "Disabled" in run.results[1].summary
	assert "run's budget" in run.results[2].summary


def test_runner_runs_checks_in_parallel_and_reports_progress():
	"""Four checks meet at a barrier: they can only all pass if they run at the same time."""
	reg = Registry()
	seen = []
	barrier = threading.Barrier(4, timeout=20)
	for i in range(4):
		check(f"par.c{i}", title=f"c{i}", into=reg)(lambda probe: (barrier.wait(), probe.ok("met"))[1])
	run = run_checks(
		SiteContext("t"),
		reg.all(),
		settings=Settings(parallel=4, check_budget_ms=30_000),
		reg=reg,
		on_progress=lambda d, t, r: seen.append((d, t)),
	)
	assert [r.status for r in run.results] == [Status.OK] * 4
	assert sorted(seen) == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_hook_load_errors_become_error_results():
	reg = make_registry()
	reg.load_hooks(["no_such_module_for_diagnostics"])
	run = run_checks(SiteContext("t"), [reg.get("demo.ok")], reg=reg)
	assert run.results[-1].check_id == "hooks.no_such_module_for_diagnostics"
	assert run.results[-1].status is Status.ERROR
	assert "ModuleNotFoundError" in run.results[-1].summary


def test_a_check_returning_the_wrong_type_is_an_error():
	reg = Registry()
	check("bad.type", title="t", into=reg)(lambda probe: {"status": "ok"})
	result = run_checks(SiteContext("t"), reg.all(), reg=reg).results[0]
	assert result.status is Status.ERROR and "expected CheckResult" in result.summary


def test_redactor_masks_secret_shapes_but_keeps_harmless_words():
	from frappe_diagnostics.engine.redact import Redactor

	r = Redactor(["s3cr3t-value"])
	assert (
		r.text("Access denied for user 'u'@'h' (using password: YES)")
		== "Access denied for user 'u'@'h' (using password: YES)"
	)
	assert r.text("db_password=hunter22 other=1") == "db_password=******** other=1"
	assert r.text('{"api_secret": "abc123"}') == '{"api_secret": "********"}'
	assert r.text("redis://:pw123456@host:6379/0") == "redis://:********@host:6379/0"
	assert r.text("Authorization: token abcdef123456:ffeeddccbbaa") == "Authorization: token ********"
	assert r.text("the s3cr3t-value leaked") == "the ******** leaked"
	link = "http://site:8000/update-password?key=3c3d07ff1eb975b1bfad90e3&next=/app"
	assert r.text(link) == "http://site:8000/update-password?key=********&next=/app"
	assert r.text("GET /api/method/x?sid=abcdef123&cmd=y") == "GET /api/method/x?sid=********&cmd=y"
	assert r.data({"db_password": "x", "keyspace_hits": "12", "nested": {"token": "t"}}) == {
		"db_password": "********",
		"keyspace_hits": "12",
		"nested": {"token": "********"},
	}


def test_route_quotes_each_part_and_the_filters():
	assert route("user", "jane@example.com") == "/app/user/jane%40example.com"
	assert route("permission-manager", "Sales Invoice") == "/app/permission-manager/Sales%20Invoice"
	assert route("rq-job", status="failed", queue=None) == "/app/rq-job?status=failed"
	assert route("x", "a/b?c") == "/app/x/a%2Fb%3Fc"


def test_headline_metrics_are_the_marked_ones_else_the_first_three():
	marked = CheckResult("a", Status.OK, "s", metrics=[Metric("x", 1), Metric("y", 2, headline=True)])
	assert [m.name for m in marked.headline_metrics] == ["y"]
	plain = CheckResult("b", Status.OK, "s", metrics=[Metric(str(i), i) for i in range(5)])
	assert [m.name for m in plain.headline_metrics] == ["0", "1", "2"]
	assert CheckResult.from_dict(marked.to_dict()) == marked  # stored and read back with its marks


def test_the_terminal_shows_where_a_fix_is_done_on_the_desk():
	fix = Fix("Read the failed jobs.", link=route("rq-job", status="failed"))
	run = RunResult([CheckResult("jobs.queues", Status.WARNING, "Backlog.", fixes=[fix])], 0.0, 0.1)
	assert "→ Read the failed jobs. [/app/rq-job?status=failed]" in render_text(run)
