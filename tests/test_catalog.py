"""The troubleshooter catalog: declared once, every entry reachable on each surface it names."""

from __future__ import annotations

import json

import click
import pytest

from frappe_diagnostics.cli import main
from frappe_diagnostics.troubleshooters import catalog
from frappe_diagnostics.troubleshooters.catalog import BadInput, Input, Troubleshooter

ENTRIES = list(catalog.CATALOG.all())


def test_every_entry_is_complete_and_its_answer_exists():
	for entry in ENTRIES:
		assert entry.surfaces and entry.surfaces <= catalog.SURFACES, entry.name
		assert entry.needs in catalog.NEEDS, entry.name
		assert entry.answer.count(":") == 1, entry.answer
		if entry.on(catalog.STANDALONE):  # Frappe-level answers are imported in the bench suite
			assert callable(entry.function()), entry.answer
		for spec in entry.inputs:
			assert spec.type in catalog.TYPES, (entry.name, spec.name)
			assert spec.help.endswith((".", ")")), (entry.name, spec.name)
			if spec.required:
				assert spec.example, f"{entry.name}.{spec.name}: a required input needs an example"
		assert set(entry.warnings) <= {i.name for i in entry.inputs}, entry.name


def test_commands_and_rest_methods_are_unique():
	commands = [e.command for e in ENTRIES]
	rests = [e.rest for e in ENTRIES if e.on(catalog.REST)]
	assert len(commands) == len(set(commands)) and len(rests) == len(set(rests))
	for rest in rests:
		assert rest.startswith("frappe_diagnostics.api."), rest


@pytest.mark.parametrize("entry", catalog.on(catalog.STANDALONE), ids=lambda e: e.name)
def test_every_standalone_entry_is_a_command_with_its_declared_options(entry):
	command = main.commands[entry.command]
	declared = {p.name for p in command.params}
	assert {i.name for i in entry.inputs_on(catalog.STANDALONE)} <= declared
	flags = {o for p in command.params if isinstance(p, click.Option) for o in p.opts}
	for spec in entry.inputs_on(catalog.STANDALONE):
		assert spec.positional or spec.option in flags


@pytest.mark.parametrize("entry", catalog.on(catalog.STANDALONE), ids=lambda e: e.name)
def test_every_standalone_entry_answers_on_a_real_site(bench, entry):
	done = bench.cli(
		entry.command,
		"--bench",
		str(bench.root),
		"--site",
		bench.site,
		"--json",
		*entry.example_args(catalog.STANDALONE),
	)
	assert "Traceback" not in done.stderr, done.stderr
	data = json.loads(done.stdout)
	answer = data["doctor"] if entry.command == "doctor" else data
	assert answer["kind"] == entry.kind
	assert answer["question"]


def test_entries_that_need_a_booted_site_are_not_offered_standalone():
	for name in ("why_no_login", "why_denied"):
		assert not catalog.CATALOG[name].on(catalog.STANDALONE)
		assert catalog.CATALOG[name].command not in main.commands


@pytest.mark.parametrize(
	("spec", "raw", "message"),
	[
		(
			Input("hours", "Hours.", type="float", bounds=(0.01, 10)),
			"abc",
			"hours (--hours) must be a number",
		),
		(Input("hours", "Hours.", type="float", bounds=(0.01, 10)), "nan", "must be a finite number"),
		(Input("hours", "Hours.", type="float", bounds=(0.01, 10)), "11", "must be between 0.01 and 10"),
		(Input("n", "N.", type="int"), "1.5", "n (--n) must be a number"),
		(Input("user", "User.", required=True), "  ", "user (--user) is required"),
		(
			Input("p", "P.", type="choice", choices=("read", "write")),
			"read|write",
			"must be one of read, write",
		),
	],
)
def test_inputs_refuse_bad_values_with_a_message_naming_them(spec, raw, message):
	with pytest.raises(BadInput, match=message.replace("(", r"\(").replace(")", r"\)").replace("|", r"\|")):
		spec.parse(raw)


def test_inputs_parse_defaults_and_types():
	assert Input("hours", "H.", type="float", default=24.0).parse(None) == 24.0
	assert Input("hours", "H.", type="float").parse("1.5") == 1.5
	assert Input("n", "N.", type="int").parse(" 7 ") == 7


def test_run_refuses_unknown_inputs_and_inputs_of_another_surface(bench):
	ctx = bench.context()
	with pytest.raises(BadInput, match="slowlog takes no path here"):
		catalog.run(ctx, "slowlog", catalog.REST, path="/etc/passwd")
	with pytest.raises(BadInput, match="No troubleshooter 'nope'"):
		catalog.run(ctx, "nope", catalog.STANDALONE)
	with pytest.raises(BadInput, match="why-no-login is not available here"):
		catalog.run(ctx, "why_no_login", catalog.STANDALONE, user="x")


def test_a_registered_entry_reaches_the_catalog_run_path(bench, tmp_path, monkeypatch):
	module = tmp_path / "diag_extra_troubleshooter.py"
	module.write_text(
		"from frappe_diagnostics.engine.diagnosis import Diagnosis\n"
		"def answer(ctx, depth):\n"
		"    return Diagnosis('Database', f'How deep is {ctx.name}? {depth}')\n"
	)
	monkeypatch.syspath_prepend(str(tmp_path))
	entry = Troubleshooter(
		"extra",
		"How deep?",
		"Database",
		"diag_extra_troubleshooter:answer",
		"Extra",
		inputs=(Input("depth", "How deep.", type="int", default=3),),
	)
	catalog.register(entry)
	try:
		diagnosis = catalog.run(bench.context(), "extra", catalog.STANDALONE, depth="5")
	finally:
		catalog.CATALOG.unregister("extra")
	assert diagnosis.question == f"How deep is {bench.site}? 5"


def test_an_entry_whose_runs_could_not_be_stored_is_refused():
	entry = Troubleshooter("odd", "Odd?", "Greeting", "x:y", "Odd")
	with pytest.raises(ValueError) as refused:
		catalog.register(entry)
	assert str(refused.value).startswith(
		"Troubleshooter 'odd': its runs are stored with kind 'Greeting', which a Diagnostic Run cannot have; "
		"use one of: Health Check, Triage, Startup,"
	)
	assert "odd" not in catalog.CATALOG


def test_a_taken_name_is_refused_and_the_same_entry_again_is_not():
	web = catalog.get("web")
	assert catalog.register(web) is web
	with pytest.raises(ValueError, match=r"^Troubleshooter id 'web' is already registered by "):
		catalog.register(Troubleshooter("web", "Mine?", "Web", "mine:answer", "Mine"))
	assert catalog.get("web") is web
