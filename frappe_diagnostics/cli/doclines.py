"""The command lines quoted in README.md and docs/, resolved against the real click commands.

A documented line is every `frappe-diagnostics …` (also `.venv/bin/…`, `env/bin/…`) and every
`bench --site S diagnostics …` in a code block or an inline code span. Its words are read as an operator
would type them, with the docs' shorthand: `[…]` what may be left out, `a|b` alternatives, `…` more of the
same, UPPER-case words and `<…>` placeholders, `# …` a comment. Framework-free: the bench suite resolves
the bench lines against `bench`'s own command group, the standalone suite what it can build without Frappe.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import click

STANDALONE = "frappe-diagnostics"
BENCH = "bench"
_START = re.compile(
	r"(?:^|(?<=[\s`(]))(?:\S*/)?frappe-diagnostics(?=\s|$)|\bbench\s+--site\s+\S+\s+diagnostics\b"
)
_FENCE = re.compile(r"^\s*```")
_SPAN = re.compile(r"`([^`\n]+)`")
_SHELL = {"bash", "sh", "shell", "console"}
_SKIP = {"|", "/"}
_MORE = {"…", "..."}


@dataclass(frozen=True)
class Line:
	path: str
	number: int
	text: str  # from the program's name on
	program: str  # STANDALONE or BENCH
	words: tuple[str, ...]  # after the program (bench: after `diagnostics`)

	def __str__(self) -> str:
		return f"{self.path}:{self.number}: {self.text}"


def documented_lines(files: list[Path], root: Path) -> list[Line]:
	"""Every documented command line of `files`, with its file and line number."""
	return [line for path in files for line in _lines_of(path, root)]


def _lines_of(path: Path, root: Path):
	"""Shell blocks (```bash, ```sh, ```console) line by line, `\\` continued; in other blocks (output) the
	lines that start with `$ `; outside blocks, inline code spans."""
	name = str(path.relative_to(root))
	fence, joined, first = None, "", 0
	for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
		opening = _FENCE.match(raw)
		if opening:
			fence = None if fence is not None else raw.strip().strip("`").strip().lower()
			continue
		if fence is None:
			for span in _SPAN.findall(raw):
				yield from _commands(name, number, span)
			continue
		line = raw.strip()
		if fence not in _SHELL:
			if line.startswith("$ "):
				yield from _commands(name, number, line[2:])
			continue
		joined, first = (joined + " " + line.rstrip("\\"), first or number)
		if line.endswith("\\"):
			continue
		yield from _commands(name, first, joined.strip())
		joined, first = "", 0


def _commands(path: str, number: int, text: str):
	if not _START.search(text):
		return
	try:
		words = shlex.split(text, comments=True)
	except ValueError as e:
		yield Line(path, number, text, STANDALONE, ("<unreadable: " + str(e) + ">",))
		return
	for at, word in enumerate(words):
		if word == STANDALONE or word.endswith("/" + STANDALONE):
			yield Line(path, number, shlex.join(words[at:]), STANDALONE, tuple(words[at + 1 :]))
			return
		if words[at : at + 2] == [BENCH, "--site"] and words[at + 3 : at + 4] == ["diagnostics"]:
			yield Line(path, number, shlex.join(words[at:]), BENCH, tuple(words[at + 4 :]))
			return


def _bare(word: str) -> str:
	return word.strip("[]")


def _placeholder(word: str) -> bool:
	return word.startswith("<") or (word.upper() == word and any(c.isalpha() for c in word))


def resolve(group: click.Group, words: tuple[str, ...] | list[str]) -> list[str]:
	"""What is wrong with `words` as a command line of `group`: [] when every command, option and choice
	value exists there."""
	words = [w for w in words if _bare(w) and _bare(w) not in _SKIP]
	command: click.Command = group
	at = 0
	while isinstance(command, click.Group):
		while at < len(words) and words[at].startswith("-"):
			problem = _option_problem(command, _bare(words[at]))
			if problem:
				return [problem]
			at += 1
		if at == len(words):
			return []
		name = _bare(words[at])
		if name.startswith("<") or name in _MORE:
			return []  # `diagnostics <name>`, `frappe-diagnostics …`: any of them
		if "|" in name:
			return [p for alt in name.split("|") for p in resolve(command, [alt, *words[at + 1 :]])]
		found = command.commands.get(name)
		if found is None:
			return [f"{command.name} has no command {name!r}"]
		command, at = found, at + 1
	return _params_problems(command, [_bare(w) for w in words[at:]])


def _options(command: click.Command) -> dict[str, click.Option]:
	found = {o: p for p in command.params if isinstance(p, click.Option) for o in p.opts + p.secondary_opts}
	found.update(dict.fromkeys(("-h", "--help"), click.Option(["--help"], is_flag=True)))
	return found


def _option_problem(command: click.Command, word: str) -> str | None:
	for name in word.partition("=")[0].split("|"):
		if name not in _options(command):
			return f"{command.name} has no option {name}"
	return None


def _params_problems(command: click.Command, words: list[str]) -> list[str]:
	options, problems, positional = _options(command), [], []
	at = 0
	while at < len(words):
		word = words[at]
		if word.startswith("-") and len(word) > 1 and not word[1:2].isdigit():
			name, equals, value = word.partition("=")
			problem = _option_problem(command, name)
			if problem:
				problems.append(problem)
			else:
				option = options[name.split("|")[0]]
				if not option.is_flag and not option.count and not equals:
					if at + 1 == len(words):
						problems.append(f"{command.name} {name} needs a value")
					else:
						at, value = at + 1, words[at + 1]
				problems += _choice_problems(command, name, option, value)
		elif word not in _MORE:
			positional.append(word)
		at += 1
	arguments = [p for p in command.params if isinstance(p, click.Argument)]
	room = float("inf") if any(a.nargs == -1 for a in arguments) else sum(a.nargs for a in arguments)
	if len(positional) > room:
		problems.append(f"{command.name} takes {room:g} argument(s), the line gives {positional}")
	for argument, word in zip(arguments, positional, strict=False):
		problems += _choice_problems(command, argument.human_readable_name, argument, word)
	return problems


def _choice_problems(command, name, option, value) -> list[str]:
	if not isinstance(option.type, click.Choice) or not value:
		return []
	return [
		f"{command.name} {name} has no choice {v!r} (choices: {', '.join(option.type.choices)})"
		for v in value.split("|")
		if not _placeholder(v) and v not in option.type.choices
	]


def doc_files(root: Path) -> list[Path]:
	"""README.md and every page under docs/ (the integrator's docs/_incoming/ drafts excepted)."""
	pages = sorted(p for p in (root / "docs").rglob("*.md") if "_incoming" not in p.parts)
	return [root / "README.md", *pages]
