"""What a newcomer meets first on the command line: help that shows what may be left out, NO_COLOR,
"did you mean", the standalone wording of its own messages, and scripts/run.sh telling what to run next."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from frappe_diagnostics.cli import main, reference

ROOT = Path(__file__).resolve().parent.parent
ANSI = "\x1b["


@pytest.mark.parametrize(
	("command", "usage"),
	[
		("logs", "Usage: main logs [OPTIONS] [FILES…]"),
		("slowlog", "Usage: main slowlog [OPTIONS] [FILES…]"),
		("verify-backup", "Usage: main verify-backup [OPTIONS] [SET]"),
		("restore", "Usage: main restore [OPTIONS] [SET]"),
		("explain", "Usage: main explain [OPTIONS] SQL"),
		("recover-doc", "Usage: main recover-doc [OPTIONS] DOCTYPE NAME"),
	],
)
def test_help_brackets_the_arguments_that_may_be_left_out(command, usage):
	done = CliRunner().invoke(main, [command, "--help"])
	assert done.exit_code == 0, done.output
	assert done.output.splitlines()[0] == usage


def test_the_reference_shows_each_argument_as_usage_does():
	lines = {line.split()[2]: line for line in reference.standalone()}
	assert " [--budget-ms MS] [SET] [--yes] " in lines["restore"]
	assert " [--budget-ms MS] [SET] [--db-root-username " in lines["verify-backup"]
	assert " [--budget-ms MS] SQL [--json] " in lines["explain"]
	assert " [--budget-ms MS] DOCTYPE NAME [--from FROM_SET] " in lines["recover-doc"]
	assert not [line for line in lines.values() if "[[" in line]


@pytest.mark.parametrize(
	("typed", "message"),
	[
		("chek", "Error: No such command 'chek'. Did you mean 'check' or 'checks'?"),
		("metric", "Error: No such command 'metric'. Did you mean 'metrics'?"),
		(
			"verify-backups",
			"Error: No such command 'verify-backups'. Did you mean 'verify-backup' or 'backups'?",
		),
		("zzz", "Error: No such command 'zzz'."),
	],
)
def test_a_mistyped_command_is_answered_with_the_nearest_names(typed, message):
	done = subprocess.run(
		[sys.executable, "-m", "frappe_diagnostics.cli", typed], capture_output=True, text=True, timeout=60
	)
	assert done.returncode == 64
	assert done.stderr.splitlines()[-1] == message


def test_an_unknown_check_points_at_the_standalone_listing(bench):
	done = bench.cli("check", "--site", bench.site, "--check", "nope")
	assert done.returncode == 64
	assert done.stderr.splitlines()[-1] == (
		"Error: No check with id 'nope'; list them with `frappe-diagnostics checks`"
	)


def _on_a_terminal(bench, env: dict) -> str:
	"""Run a check with stdout and stderr on a pseudo-terminal, as an operator sees it; all it printed."""
	leader, follower = pty.openpty()
	cmd = [sys.executable, "-m", "frappe_diagnostics.cli", "check", "--site", bench.site]
	process = subprocess.Popen(
		[*cmd, "--check", "database.core_tables"],
		stdout=follower,
		stderr=follower,
		cwd=bench.root,
		env={k: v for k, v in {**os.environ, **env}.items() if v is not None},
	)
	os.close(follower)
	chunks = []
	while True:
		try:
			chunk = os.read(leader, 4096)
		except OSError:  # the terminal is closed once the process has gone
			break
		if not chunk:
			break
		chunks.append(chunk)
	process.wait(timeout=60)
	os.close(leader)
	assert process.returncode == 0, b"".join(chunks)
	return b"".join(chunks).decode()


def test_a_terminal_gets_colour_unless_no_color_is_set(bench):
	assert ANSI in _on_a_terminal(bench, {"NO_COLOR": None})
	assert ANSI in _on_a_terminal(bench, {"NO_COLOR": ""})  # set but empty: no-color.org says colour
	plain = _on_a_terminal(bench, {"NO_COLOR": "1"})
	assert ANSI not in plain
	assert "database.core_tables" in plain


def test_output_that_is_not_a_terminal_has_no_colour(bench):
	done = bench.cli("check", "--site", bench.site, "--check", "database.core_tables", env={"NO_COLOR": ""})
	assert done.returncode == 0, done.stderr
	assert "database.core_tables" in done.stdout
	assert ANSI not in done.stdout + done.stderr


@pytest.mark.slow
def test_run_sh_shows_its_progress_and_the_exact_command_to_run_next(tmp_path):
	done = subprocess.run(
		["bash", str(ROOT / "scripts" / "run.sh"), "--fail-on", "never"],
		capture_output=True,
		text=True,
		timeout=600,
		cwd=tmp_path,  # no bench here: the doctor checks the host
	)
	assert done.returncode == 0, done.stderr
	progress = [line for line in done.stderr.splitlines() if line.startswith("[setup] ")]
	assert [line.split(" ", 2)[1] for line in progress] == ["1/4", "2/4", "3/4", "4/4", "ready:"]
	program = ROOT / ".venv" / "bin" / "frappe-diagnostics"
	assert done.stderr.splitlines()[-1] == f"next: {program} --help"
	assert os.access(program, os.X_OK)
	assert "Host (install readiness)" in done.stdout
