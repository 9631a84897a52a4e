"""The SQL gate answers long input in linear time: a node-count cap with a clear message, no re-rendering of
subtrees, and exactly one validation per explain request."""

from __future__ import annotations

import pytest
from helpers import finishes

from frappe_diagnostics.troubleshooters import catalog, sql_guard
from frappe_diagnostics.troubleshooters.sql_guard import (
	QueryRejected,
	QueryShape,
	explainable_sql,
	validate_select,
)

MAX_NODES = 20_000  # sql_guard.MAX_NODES, spelled out so the message is checked word for word


def or_chain(chars: int, term: str = "a=1") -> str:
	head = "SELECT * FROM `tabUser` WHERE "
	count = (chars - len(head)) // (len(term) + 4)
	return head + " OR ".join([term] * count)


def test_a_100_kb_or_chain_is_refused_at_the_cap_with_a_clear_message():
	sql = or_chain(99_000)
	assert len(sql) > 98_000
	outcome, value = finishes(validate_select, sql)
	assert outcome == "raised" and isinstance(value, QueryRejected), value
	assert str(value) == (
		f"The query is too large to analyse: more than {MAX_NODES:,} parts (words, values and operators). "
		"Explain a shorter query, for example without its long IN (...) list or OR/AND chain."
	)


def test_an_and_chain_just_under_the_cap_is_accepted_and_rendered_once():
	sql = or_chain(MAX_NODES, term="a=1").replace(" OR ", " AND ")
	outcome, tree = finishes(validate_select, sql)
	assert outcome == "returned", tree
	assert explainable_sql(tree).count(" AND ") == sql.count(" AND ")


@pytest.mark.parametrize(
	("tail", "message"),
	[
		("sleep(1) = 0", "SLEEP() waits on purpose, so the analyser refuses it: remove it."),
		(
			"my_udf(a) = 1",
			"MY_UDF() is not a built-in MariaDB function (stored functions and UDFs may write); "
			"only built-in functions are allowed.",
		),
	],
)
def test_a_function_deep_in_a_long_chain_is_still_judged(tail, message):
	sql = or_chain(12_000).replace("WHERE ", f"WHERE {tail} OR ", 1)
	outcome, value = finishes(validate_select, sql)
	assert outcome == "raised" and str(value) == message


def test_shape_of_a_long_chain_ranks_columns_without_walking_up_each_time():
	sql = or_chain(12_000).replace("WHERE ", "WHERE lower(b) = 'x' OR ", 1)
	outcome, shape = finishes(lambda: QueryShape(validate_select(sql)))
	assert outcome == "returned", shape
	assert shape.columns_for("tabUser") == [("a", "WHERE"), ("b", "WHERE (inside a function)")]


def test_explain_validates_the_query_once_per_request(bench, monkeypatch):
	parses = []
	original = sql_guard._parse_one
	monkeypatch.setattr(sql_guard, "_parse_one", lambda *a: parses.append(1) or original(*a))
	ctx = bench.context()
	diagnosis = catalog.run(ctx, "explain", catalog.STANDALONE, sql="SELECT name FROM `tabUser`")
	assert diagnosis.steps[0].check_id == "query.validate"
	assert len(parses) == 1


def test_a_refused_query_is_refused_by_the_one_validation(bench, monkeypatch):
	parses = []
	original = sql_guard._parse_one
	monkeypatch.setattr(sql_guard, "_parse_one", lambda *a: parses.append(1) or original(*a))
	ctx = bench.context()
	with pytest.raises(QueryRejected):
		catalog.run(ctx, "explain", catalog.STANDALONE, sql="SELECT sleep(1)")
	assert len(parses) == 1


def test_the_cap_in_the_test_is_the_gates():
	assert sql_guard.MAX_NODES == MAX_NODES
