"""docs/reference.md's generated part: the troubleshooters, the standalone command, the REST methods and
the Diagnostics Settings fields, read from the catalog, the click commands, the api/ modules and the
DocType, never written down twice.

    python -m frappe_diagnostics.cli.reference            # print it
    python -m frappe_diagnostics.cli.reference --write    # replace the block in docs/reference.md

docs/reference.md holds it between two markers; a test fails when the block and the code disagree.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import click

from frappe_diagnostics.engine.settings import DEFAULTS
from frappe_diagnostics.troubleshooters import catalog

START, END = "<!-- reference:start -->", "<!-- reference:end -->"
SURFACE_NAMES = {
	catalog.BENCH: "bench",
	catalog.STANDALONE: "standalone",
	catalog.REST: "REST",
	catalog.DESK: "desk",
}
PACKAGE = Path(__file__).resolve().parents[1]
REFERENCE = PACKAGE.parent / "docs" / "reference.md"
SETTINGS = PACKAGE / "frappe_diagnostics" / "doctype" / "diagnostics_settings" / "diagnostics_settings.json"


def usage(param: click.Parameter) -> str:
	"""A parameter as a usage line shows it: an argument as declared (`SQL`, `[SET]`), an option in
	brackets unless it is required (`[--since SINCE]`, `--user USER`)."""
	if isinstance(param, click.Argument):
		return param.human_readable_name
	name = max(param.opts, key=len)
	if not param.is_flag:
		metavar = param.metavar or (
			"|".join(param.type.choices) if isinstance(param.type, click.Choice) else param.name.upper()
		)
		name = f"{name} {metavar}"
	return name if param.required else f"[{name}]"


def _inputs(entry: catalog.Troubleshooter) -> list[str]:
	rows = []
	for spec in entry.inputs:
		where = ", ".join(SURFACE_NAMES[s] for s in sorted(spec.surfaces & entry.surfaces))
		flag = spec.name.upper() if spec.positional else spec.option
		rest = f"; REST `{spec.name}`" if catalog.REST in spec.surfaces & entry.surfaces else ""
		default = f" Default: `{spec.default}`." if spec.default not in (None, "") else ""
		required = " Required." if spec.required else ""
		rows.append(f"  - `{flag}` ({where}{rest}): {spec.help}{required}{default}")
	return rows


def troubleshooters() -> list[str]:
	lines = [
		"| troubleshooter | question | bench command | standalone | REST method (POST) | desk menu |",
		"|---|---|---|---|---|---|",
	]
	for entry in catalog.CATALOG.all():
		bench = f"`diagnostics {entry.command}`" if entry.on(catalog.BENCH) else "—"
		alone = f"`frappe-diagnostics {entry.command}`" if entry.on(catalog.STANDALONE) else "—"
		rest = f"`{entry.rest}`" if entry.on(catalog.REST) else "—"
		desk = entry.label if entry.on(catalog.DESK) else "—"
		lines.append(f"| {entry.name} | {entry.question} | {bench} | {alone} | {rest} | {desk} |")
	lines.append("")
	for entry in catalog.CATALOG.all():
		lines.append(f"- **{entry.command}** (stored as kind “{entry.kind}”)" + (":" if entry.inputs else ""))
		lines += _inputs(entry)
	return lines


def standalone() -> list[str]:
	from frappe_diagnostics.cli import main

	lines = []
	for name in sorted(main.commands):
		command = main.commands[name]
		options = " ".join(usage(p) for p in command.params if p.name != "help")
		lines.append(f"- `frappe-diagnostics {name} {options}`: {command.help}")
	return lines


def _whitelisted(tree: ast.Module):
	"""(function, frappe.whitelist call) for each whitelisted function of an api/ module."""
	for node in tree.body:
		if not isinstance(node, ast.FunctionDef):
			continue
		for decorator in node.decorator_list:
			call = decorator if isinstance(decorator, ast.Call) else None
			target = call.func if call else decorator
			if isinstance(target, ast.Attribute) and target.attr == "whitelist":
				yield node, call


def _keyword(call: ast.Call | None, name: str, default):
	for keyword in call.keywords if call else ():
		if keyword.arg == name:
			return ast.literal_eval(keyword.value)
	return default


def _arguments(fn: ast.FunctionDef) -> str:
	names = [a.arg for a in fn.args.args + fn.args.kwonlyargs if a.arg not in ("filters", "chart_name")]
	return ", ".join(f"`{n}`" for n in names) or "—"


def _who(fn: ast.FunctionDef) -> str:
	called = {n.func.id for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
	return "metrics reader, System Manager" if "require_metrics_reader" in called else "System Manager"


def rest_methods() -> list[str]:
	"""Every whitelisted method: the hand-written ones read from api/*.py (parsed, not imported: they
	import frappe), and one POST method per catalog entry on the REST surface."""
	rows = []
	for path in sorted((PACKAGE / "api").glob("*.py")):
		tree = ast.parse(path.read_text(encoding="utf-8"))
		for fn, call in _whitelisted(tree):
			methods = ", ".join(_keyword(call, "methods", ["GET", "POST"]))
			who = "anyone" if _keyword(call, "allow_guest", False) else _who(fn)
			doc = (ast.get_docstring(fn) or "—").split("\n\n")[0].replace("\n", " ").replace("|", "\\|")
			rows.append((f"frappe_diagnostics.api.{path.stem}.{fn.name}", methods, who, _arguments(fn), doc))
	for entry in catalog.on(catalog.REST):
		inputs = ", ".join(f"`{spec.name}`" for spec in entry.inputs_on(catalog.REST))
		doc = f"{entry.question} Stored as kind “{entry.kind}”."
		rows.append((entry.rest, "POST", "System Manager", inputs or "—", doc))
	lines = ["| method | HTTP | who | arguments | what |", "|---|---|---|---|---|"]
	lines += [f"| `{name}` | {how} | {who} | {args} | {doc} |" for name, how, who, args, doc in sorted(rows)]
	return lines


def settings_fields() -> list[str]:
	"""Diagnostics Settings, section by section, with each field's default from engine/settings.py."""
	doctype = json.loads(SETTINGS.read_text(encoding="utf-8"))
	lines = []
	for field in doctype["fields"]:
		kind = field.get("fieldtype")
		if kind == "Section Break":
			lines += [
				"",
				f"**{field.get('label')}**",
				"",
				"| field | type | default | what |",
				"|---|---|---|---|",
			]
		elif kind not in ("Column Break", "HTML"):
			default = DEFAULTS[field["fieldname"]].value if field["fieldname"] in DEFAULTS else None
			shown = "—" if default is None else f"`{str(default).replace(chr(10), ', ')}`"
			choices = field.get("options", "").replace("\n", " / ") if kind == "Select" else ""
			what = " ".join(
				part for part in (field.get("description", ""), choices and f"({choices})") if part
			)
			what = what.replace("|", "\\|").replace("\n", " ")
			lines.append(
				f"| {field.get('label')} (`{field['fieldname']}`) | {kind} | {shown} | {what or '—'} |"
			)
	return lines[1:]


def render() -> str:
	lines = [
		START,
		"<!-- generated by `python -m frappe_diagnostics.cli.reference --write`; edit the code, not this -->",
		"",
		"## Troubleshooters (troubleshooters/catalog.py)",
		"",
		*troubleshooters(),
		"",
		"## The standalone command",
		"",
		*standalone(),
		"",
		"Every troubleshooter command also takes `--json` and `--fail-on warning|critical|never`; the bench",
		"commands take `--no-store`, the standalone ones `--bench PATH`, `--site NAME` and `--budget-ms MS`.",
		"",
		"## REST methods (api/)",
		"",
		"Every method is `/api/method/<method>`.",
		"",
		*rest_methods(),
		"",
		"## Diagnostics Settings (`/app/diagnostics-settings`)",
		"",
		*settings_fields(),
		END,
	]
	return "\n".join(lines)


def replace_block(readme: str, block: str) -> str:
	head, _, rest = readme.partition(START)
	_, _, tail = rest.partition(END)
	return head + block + tail


def main(argv=None) -> int:
	argv = sys.argv[1:] if argv is None else argv
	block = render()
	if "--write" not in argv:
		print(block)
		return 0
	path = REFERENCE
	text = path.read_text(encoding="utf-8")
	if START not in text:
		print(f"{path} has no {START} … {END} block to replace.", file=sys.stderr)
		return 1
	path.write_text(replace_block(text, block), encoding="utf-8")
	return 0


if __name__ == "__main__":
	sys.exit(main())
