"""Every `bench --site S diagnostics …` line of README.md and docs/ resolves against the bench's own
command group (the standalone suite resolves the rest: tests/test_readme.py), and a mistyped command gets
the nearest names."""

from pathlib import Path

import frappe_diagnostics
from frappe_diagnostics.cli import doclines
from frappe_diagnostics.tests.utils import TestCase, bench_command

ROOT = Path(frappe_diagnostics.__file__).resolve().parent.parent


class TestDocumentedCommands(TestCase):
	def test_every_documented_bench_line_resolves_against_the_bench_commands(self):
		from frappe_diagnostics.commands import diagnostics

		lines = [
			line
			for line in doclines.documented_lines(doclines.doc_files(ROOT), ROOT)
			if line.program == doclines.BENCH
		]
		self.assertGreater(len(lines), 50)  # README.md and the pages under docs/ were read
		problems = [f"{line}\n    {p}" for line in lines for p in doclines.resolve(diagnostics, line.words)]
		self.assertEqual(problems, [], "\n".join(problems))

	def test_a_mistyped_command_is_answered_with_the_nearest_names(self):
		done = bench_command("diagnostics", "chekcs")
		self.assertEqual(done.returncode, 64, done.stderr)
		self.assertEqual(
			done.stderr.splitlines()[-1], "Error: No such command 'chekcs'. Did you mean 'checks'?"
		)
		done = bench_command("diagnostics", "recovery", "strat")
		self.assertEqual(done.returncode, 64, done.stderr)
		self.assertEqual(
			done.stderr.splitlines()[-1], "Error: No such command 'strat'. Did you mean 'start'?"
		)
