"""The README tells the truth about the commands: its reference block is the one the catalog generates."""

from __future__ import annotations

from pathlib import Path

from frappe_diagnostics.cli import reference

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_readme_holds_the_generated_command_reference():
	start, end = README.index(reference.START), README.index(reference.END) + len(reference.END)
	assert README[start:end] == reference.render(), (
		"README's command reference is stale: run `python -m frappe_diagnostics.cli.reference --write`"
	)


def test_every_option_of_every_standalone_command_is_in_the_readme():
	from frappe_diagnostics.cli import main

	for name, command in main.commands.items():
		assert f"frappe-diagnostics {name}" in README, name
		for param in command.params:
			for opt in getattr(param, "opts", []):
				if opt.startswith("--"):
					assert opt in README, f"frappe-diagnostics {name} {opt} is not documented"
