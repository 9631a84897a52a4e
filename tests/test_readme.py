"""The docs tell the truth about the commands: docs/reference.md holds the reference the code generates, and
every command line quoted in README.md and docs/ names commands, options and choices that exist.

The standalone lines resolve against `frappe-diagnostics` itself; the bench lines of troubleshooters
against the commands the catalog builds for bench (the bench group imports frappe: the bench suite's
frappe_diagnostics/tests/test_documented_commands.py resolves every bench line against it).
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from frappe_diagnostics.cli import doclines, main, reference, shared
from frappe_diagnostics.troubleshooters import catalog

ROOT = Path(__file__).resolve().parent.parent
FILES = doclines.doc_files(ROOT)
LINES = doclines.documented_lines(FILES, ROOT)
TEXT = "\n".join(path.read_text(encoding="utf-8") for path in FILES)


def catalog_bench_group() -> click.Group:
	"""`bench … diagnostics <troubleshooter>` as commands/troubleshoot.py declares them, without frappe."""
	commands = [
		shared.Command(
			e.command, params=[*shared.input_params(e, catalog.BENCH), *shared.output_params(True)]
		)
		for e in catalog.on(catalog.BENCH)
	]
	return shared.Group("diagnostics", commands=commands)


def test_the_reference_page_holds_the_generated_reference():
	page = reference.REFERENCE.read_text(encoding="utf-8")
	start, end = page.index(reference.START), page.index(reference.END) + len(reference.END)
	assert page[start:end] == reference.render(), (
		"docs/reference.md is stale: run `python -m frappe_diagnostics.cli.reference --write`"
	)


def test_the_docs_quote_commands_of_both_command_lines():
	programs = {line.program for line in LINES}
	assert programs == {doclines.STANDALONE, doclines.BENCH}
	assert len(LINES) > 100, len(LINES)  # README.md and the pages under docs/ were read


def test_every_documented_standalone_line_resolves_against_the_command():
	problems = [
		f"{line}\n    {problem}"
		for line in LINES
		if line.program == doclines.STANDALONE
		for problem in doclines.resolve(main, line.words)
	]
	assert problems == [], "\n".join(problems)


def test_every_documented_troubleshooter_bench_line_resolves_against_the_catalog_commands():
	group = catalog_bench_group()
	problems = [
		f"{line}\n    {problem}"
		for line in LINES
		if line.program == doclines.BENCH
		for problem in doclines.resolve(group, line.words)
		if not problem.startswith("diagnostics has no command")  # bench-only ones: the bench suite
	]
	assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
	("words", "problems"),
	[
		("logs --since 24h --until 2h --top all FILE…", []),
		("slowlog [FILES…] [--order-by total|count|max|p95] [--filter-db X]", []),
		("check --all-sites --json --fail-on warning", []),
		("restore [SET] --yes --no-files", []),
		("recover-doc DOCTYPE NAME", []),
		("doctor|check|checks --json", []),
		("chek --site S", ["main has no command 'chek'"]),
		("logs --sinse 24h", ["logs has no option --sinse"]),
		(
			"check --fail-on sometimes",
			["check --fail-on has no choice 'sometimes' (choices: warning, critical, never)"],
		),
		(
			"explain 'select 1' 'select 2'",
			["explain takes 1 argument(s), the line gives ['select 1', 'select 2']"],
		),
		("doctor --site", ["doctor --site needs a value"]),
		("doctor|chek", ["main has no command 'chek'"]),
	],
)
def test_the_resolver_refuses_exactly_what_does_not_exist(words, problems):
	line = next(iter(doclines._commands("x.md", 1, f"frappe-diagnostics {words}")))
	assert doclines.resolve(main, line.words) == problems


def test_every_standalone_command_and_option_is_documented():
	for name, command in main.commands.items():
		assert f"frappe-diagnostics {name}" in TEXT, name
		for param in command.params:
			for opt in getattr(param, "opts", []):
				if opt.startswith("--"):
					assert opt in TEXT, f"frappe-diagnostics {name} {opt} is not documented"


def test_every_relative_link_of_the_docs_leads_to_a_file():
	broken = []
	for path in FILES:
		for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text(encoding="utf-8")):
			if target.startswith(("http://", "https://", "#", "mailto:")):
				continue
			if not (path.parent / target.split("#")[0]).exists():
				broken.append(f"{path.relative_to(ROOT)}: {target}")
	assert broken == []


def test_the_readme_stays_short_and_its_screenshot_small():
	assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 200
	assert (ROOT / "docs" / "images" / "console.png").stat().st_size < 300_000
