"""The error knowledge base: valid data, safe patterns, and the right solution first for real errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frappe_diagnostics.engine.result import Fix
from frappe_diagnostics.knowledge.solutions import (
	DATA,
	WINDOW,
	InvalidSolution,
	bounded,
	compile_pattern,
	load_solutions,
	match,
	parse_solution,
)

FIXTURES = Path(__file__).parent / "data" / "knowledge"
SOLUTIONS = load_solutions()
BY_ID = {s.id: s for s in SOLUTIONS}
REQUIRED = [
	"frappe-permission-error",
	"mariadb-connection-refused",
	"mariadb-incorrect-datetime-value",
	"frappe-session-expired",
	"frappe-file-size-exceeded",
	"frappe-validation-error",
	"frappe-mandatory-error",
	"frappe-link-validation-error",
	"mariadb-lock-wait-timeout",
	"mariadb-deadlock",
	"mariadb-too-many-connections",
	"mariadb-server-gone-away",
	"mariadb-lost-connection",
	"mariadb-duplicate-entry",
	"mariadb-row-size-too-large",
	"mariadb-unknown-column",
	"mariadb-table-doesnt-exist",
	"mariadb-data-too-long",
	"redis-connection-error",
	"redis-timeout-error",
	"rq-job-timeout",
	"frappe-csrf-token-error",
	"frappe-timestamp-mismatch",
	"python-module-not-found-after-update",
	"disk-full",
	"worker-killed-out-of-memory",
	"smtp-authentication-failed",
	"imap-receive-failed",
	"frappe-does-not-exist",
	"frappe-duplicate-entry",
	"frappe-character-length-exceeded",
	"frappe-invalid-email",
	"frappe-rate-limit-exceeded",
	"frappe-too-many-requests",
	"server-script-name-error",
	"mariadb-statement-timeout",
	"hook-attributeerror-nonetype",
	"pdf-wkhtmltopdf-failed",
	"python-no-module-frappe",
	"assets-404-after-update",
	"encryption-key-invalid",
	"scheduler-inactive",
	"migrate-patch-failed",
	"socketio-failure",
]


def test_the_bundled_file_is_a_valid_knowledge_base_of_at_least_48_entries():
	raw = json.loads(DATA.read_text(encoding="utf-8"))
	assert len(raw) == len(SOLUTIONS) >= 48
	assert set(REQUIRED) <= set(BY_ID)
	for entry in raw:
		assert set(entry) == {
			"id",
			"title",
			"patterns",
			"description",
			"causes",
			"resolution",
			"prevention",
			"links",
		}
	for solution in SOLUTIONS:
		assert solution.title and solution.description and solution.causes and solution.resolution, (
			solution.id
		)
		assert all(link.startswith("https://") for link in solution.links), solution.id
		assert all(not cmd or "\n" not in cmd for cmd in (s.command for s in solution.resolution)), (
			solution.id
		)
	assert sum(1 for s in SOLUTIONS if any(step.command for step in s.resolution)) >= 40


def test_match_bounds_its_input():
	text = (
		"Traceback (most recent call last):\n"
		+ "x" * 5_000_000
		+ "\nKeyError: 'a'\n(1213, 'Deadlock found when trying to get lock; try restarting transaction')"
	)
	assert len(bounded(text)) == 2 * WINDOW + 1  # the 5 MB middle is never scanned
	assert bounded(text).endswith("try restarting transaction')")
	assert match(text)[0].solution_id == "mariadb-deadlock"


@pytest.mark.parametrize("pattern", ["(a+)+b", r"(\w*)*x", "(x|y+)*", "(?:ab+){2,}", "a" * 300])
def test_dangerous_or_huge_patterns_are_refused(pattern):
	with pytest.raises(InvalidSolution):
		compile_pattern(pattern)


def test_invalid_entries_are_refused_with_a_reason():
	good = json.loads(DATA.read_text(encoding="utf-8"))[0]
	with pytest.raises(InvalidSolution, match="slug"):
		parse_solution({**good, "id": "Not A Slug"})
	with pytest.raises(InvalidSolution, match="missing causes"):
		parse_solution({**good, "causes": []})
	with pytest.raises(InvalidSolution, match="4-digit"):
		parse_solution({**good, "patterns": {"mariadb_errors": ["1213"]}})
	with pytest.raises(InvalidSolution, match="does not compile"):
		parse_solution({**good, "patterns": {"messages": ["(unclosed"]}})
	with pytest.raises(InvalidSolution, match="at least one"):
		parse_solution({**good, "patterns": {"exceptions": []}})


def test_a_custom_file_is_loaded_and_duplicates_refused(tmp_path):
	entry = json.loads(DATA.read_text(encoding="utf-8"))[0]
	path = tmp_path / "mine.json"
	path.write_text(json.dumps([entry]))
	(custom,) = load_solutions(path)
	assert custom.to_dict() == {
		**entry,
		"resolution": [{"text": s["text"], "command": s.get("command")} for s in entry["resolution"]],
	}
	path.write_text(json.dumps([entry, entry]))
	with pytest.raises(InvalidSolution, match="duplicate id"):
		load_solutions(path)


def test_resolution_steps_become_engine_fixes():
	fixes = BY_ID["mariadb-deadlock"].fixes()
	assert all(isinstance(f, Fix) for f in fixes) and any("INNODB STATUS" in (f.command or "") for f in fixes)


# real error texts and the solution that must come first for each
EXAMPLES = [(e["text"], e["expected"]) for e in json.loads((FIXTURES / "solution_examples.json").read_text())]


@pytest.mark.parametrize("text,expected", EXAMPLES, ids=[e[1] + f"-{n}" for n, e in enumerate(EXAMPLES)])
def test_the_right_solution_comes_first(text, expected):
	found = match(text)
	assert found and found[0].solution_id == expected, found
	assert found[0].reason and found[0].score > 0


def test_reasons_say_why_it_matched():
	(first, *_) = match(
		"pymysql.err.OperationalError: (1213, 'Deadlock found when trying to get lock; try restarting transaction')"
	)
	assert first.reason == "MariaDB error 1213; message matches /Deadlock found when trying to get lock/"
	chained = match(
		"Traceback (most recent call last):\nKeyError: 'x'\n\n"
		"During handling of the above exception, another exception occurred:\n\n"
		"Traceback (most recent call last):\nfrappe.exceptions.ValidationError: bad"
	)
	assert (
		chained[0].solution_id == "frappe-validation-error"
		and chained[0].reason == "exception type frappe.exceptions.ValidationError"
	)
	assert match("") == [] and match("all good here") == []


def test_a_given_list_of_solutions_is_used_and_limit_applies():
	only = [BY_ID["disk-full"], BY_ID["mariadb-deadlock"]]
	assert [m.solution_id for m in match("OSError: [Errno 28] No space left on device", only)] == [
		"disk-full"
	]
	assert (
		len(
			match(
				"OSError: [Errno 28] No space left on device (1213, 'Deadlock found when trying to get lock')",
				only,
				limit=1,
			)
		)
		== 1
	)
