"""Static validation: DocType, page, workspace, number-card and chart JSON; hooks.py; layering and security rules."""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "frappe_diagnostics"
MODULE = PACKAGE / "frappe_diagnostics"
MODULE_NAME = "Frappe Diagnostics"
FIELDTYPES = {
	"Data",
	"Select",
	"Link",
	"Dynamic Link",
	"Int",
	"Float",
	"Currency",
	"Check",
	"Small Text",
	"Text",
	"Long Text",
	"Code",
	"JSON",
	"HTML",
	"Datetime",
	"Date",
	"Time",
	"Table",
	"Table MultiSelect",
	"Section Break",
	"Column Break",
	"Tab Break",
	"Password",
	"Text Editor",
	"Markdown Editor",
	"Attach",
	"Button",
	"Duration",
	"Percent",
	"Rating",
	"Color",
	"Read Only",
	"Heading",
}
LAYOUT = {"Section Break", "Column Break", "Tab Break", "HTML", "Button", "Heading"}
CORE_DOCTYPES = {"User", "DocType", "Role", "Module Def", "Error Log", "File", "Page", "Report"}
ROLES = {"System Manager", "Administrator", "All"}


def scrub(name: str) -> str:
	return name.lower().replace(" ", "_").replace("-", "_")


def load(path: Path) -> dict:
	return json.loads(path.read_text(encoding="utf-8"))


def docs(kind: str) -> list[Path]:
	return sorted((MODULE / kind).glob("*/*.json"))


DOCTYPES = {load(p)["name"]: load(p) for p in docs("doctype")}


def test_there_is_something_to_validate():
	assert {"Diagnostic Run", "Diagnostic Result", "Diagnostics Settings"} <= set(DOCTYPES)
	assert docs("workspace") and docs("page") and docs("number_card")


@pytest.mark.parametrize("path", docs("doctype"), ids=lambda p: p.parent.name)
def test_doctype_json_is_consistent(path):
	doc = load(path)
	folder = path.parent
	assert doc["doctype"] == "DocType"
	assert scrub(doc["name"]) == folder.name == path.stem
	assert doc["module"] == MODULE_NAME
	names = [f["fieldname"] for f in doc["fields"]]
	assert len(names) == len(set(names)), "duplicate fieldnames"
	assert doc["field_order"] == names
	for f in doc["fields"]:
		assert f["fieldtype"] in FIELDTYPES, f
		assert f["fieldname"].isidentifier() and f["fieldname"] == f["fieldname"].lower(), f["fieldname"]
		assert "_seen" not in f["fieldname"], "Frappe's list queries silently drop fields named *_seen"
		if f["fieldtype"] not in LAYOUT:
			assert f.get("label"), f"{f['fieldname']} has no label"
		if f["fieldtype"] == "Select":
			assert f.get("options"), f"{f['fieldname']}: Select without options"
			if f.get("default"):
				assert f["default"] in f["options"].split("\n")
		if f["fieldtype"] == "Link":
			assert f["options"] in DOCTYPES or f["options"] in CORE_DOCTYPES, f
		if f["fieldtype"] == "Table":
			assert DOCTYPES[f["options"]].get("istable") == 1, f
	for perm in doc["permissions"]:
		assert perm["role"] in ROLES
	if not doc.get("istable"):
		assert doc["permissions"], "a DocType nobody may read"
		assert {p["role"] for p in doc["permissions"]} == {"System Manager"}
	controller = folder / f"{folder.name}.py"
	assert (folder / "__init__.py").exists() and controller.exists()
	classes = [n.name for n in ast.parse(controller.read_text()).body if isinstance(n, ast.ClassDef)]
	assert doc["name"].replace(" ", "") in classes
	assert (
		path.read_text(encoding="utf-8")
		== json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
	), "not in Frappe's export format (sorted keys, indent 1)"


def test_runs_and_results_are_read_only_for_users():
	for name in ("Diagnostic Run", "Diagnostic Result"):
		data_fields = [f for f in DOCTYPES[name]["fields"] if f["fieldtype"] not in LAYOUT]
		assert all(f.get("read_only") for f in data_fields), name
	perm = DOCTYPES["Diagnostic Run"]["permissions"][0]
	assert perm["read"] and not perm.get("write") and not perm.get("create")


@pytest.mark.parametrize("path", docs("page"), ids=lambda p: p.parent.name)
def test_page_json_and_script(path):
	page = load(path)
	assert page["doctype"] == "Page" and page["module"] == MODULE_NAME
	assert page["name"] == page["page_name"] and scrub(page["name"]) == path.parent.name == path.stem
	workspaces = {scrub(load(p)["name"]) for p in docs("workspace")}
	assert scrub(page["name"]) not in workspaces, "a workspace with the same route would hide this page"
	# every desk user may open the page, so a user without System Manager reads its refusal instead of a
	# 403 with a traceback; the page's script then calls nothing, and every method checks the role itself
	assert [r["role"] for r in page["roles"]] == ["System Manager", "All"]
	assert 'frappe.user.has_role("System Manager")' in (path.parent / f"{path.stem}.js").read_text()
	script = (path.parent / f"{path.stem}.js").read_text()
	assert f'frappe.pages["{page["name"]}"].on_page_load' in script


def whitelisted_functions() -> dict[str, ast.FunctionDef]:
	found = {}
	for path in (PACKAGE / "api").glob("*.py"):
		module = (
			"frappe_diagnostics.api." + path.stem if path.stem != "__init__" else "frappe_diagnostics.api"
		)
		for node in ast.parse(path.read_text()).body:
			if isinstance(node, ast.FunctionDef) and any(
				"whitelist" in ast.unparse(d) for d in node.decorator_list
			):
				found[f"{module}.{node.name}"] = node
	return found


def test_number_cards_call_whitelisted_methods():
	methods = whitelisted_functions()
	for path in docs("number_card"):
		card = load(path)
		assert card["doctype"] == "Number Card" and card["module"] == MODULE_NAME
		assert scrub(card["name"]) == path.parent.name
		assert card["type"] == "Custom" and card["method"] in methods, card["method"]
		args = [a.arg for a in methods[card["method"]].args.args]
		assert args == ["filters"], "number cards pass `filters`"


def test_dashboard_charts_point_at_our_doctypes():
	for path in docs("dashboard_chart"):
		chart = load(path)
		if chart["chart_type"] == "Custom":
			sources = {load(p)["name"] for p in docs("dashboard_chart_source")}
			assert chart["source"] in sources
			continue
		assert chart["document_type"] in DOCTYPES or chart["document_type"] in CORE_DOCTYPES
		if chart["document_type"] in DOCTYPES and chart["chart_type"] == "Group By":
			fields = {f["fieldname"] for f in DOCTYPES[chart["document_type"]]["fields"]}
			assert chart["group_by_based_on"] in fields


@pytest.mark.parametrize("path", docs("workspace"), ids=lambda p: p.parent.name)
def test_workspace_blocks_refer_to_existing_things(path):
	ws = load(path)
	assert ws["doctype"] == "Workspace" and ws["module"] == MODULE_NAME and ws["public"] == 1
	blocks = json.loads(ws["content"])
	# Frappe matches a content block to its child row by label
	cards = {c["label"] for c in ws["number_cards"]}
	shortcuts = {s["label"]: s for s in ws["shortcuts"]}
	charts = {c["label"] for c in ws["charts"]}
	card_names = {load(p)["name"] for p in docs("number_card")}
	chart_names = {load(p)["name"] for p in docs("dashboard_chart")}
	pages = {load(p)["name"] for p in docs("page")}
	assert {c["number_card_name"] for c in ws["number_cards"]} <= card_names
	assert {c["chart_name"] for c in ws["charts"]} <= chart_names
	ids = [b["id"] for b in blocks]
	assert len(ids) == len(set(ids))
	for block in blocks:
		data = block["data"]
		if block["type"] == "number_card":
			assert data["number_card_name"] in cards
		elif block["type"] == "shortcut":
			assert data["shortcut_name"] in shortcuts
		elif block["type"] == "chart":
			assert data["chart_name"] in charts
	for s in shortcuts.values():
		assert s["link_to"] in (pages if s["type"] == "Page" else DOCTYPES), s
	for link in ws["links"]:
		if link["type"] == "Link":
			assert link["link_to"] in (pages if link["link_type"] == "Page" else DOCTYPES)


def resolve(dotted: str) -> bool:
	"""True if a dotted path names a module of the package or a function defined in one."""
	parts = dotted.split(".")
	if parts[0] != "frappe_diagnostics":
		return False
	base = PACKAGE.parent.joinpath(*parts)
	if base.with_suffix(".py").exists() or (base / "__init__.py").exists():
		return True
	module = PACKAGE.parent.joinpath(*parts[:-1])
	file = module.with_suffix(".py") if module.with_suffix(".py").exists() else module / "__init__.py"
	if not file.exists():
		return False
	return any(
		isinstance(n, ast.FunctionDef) and n.name == parts[-1] for n in ast.parse(file.read_text()).body
	)


def hooks() -> dict:
	tree = ast.parse((PACKAGE / "hooks.py").read_text())
	return {
		t.id: ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
	}


def test_hooks_name_the_app_and_every_path_resolves():
	h = hooks()
	assert h["app_name"] == "frappe_diagnostics"
	paths = [*h["after_install"], *h["after_migrate"], *h["diagnostics_checks"]]
	for section in h["scheduler_events"].values():
		for value in section.values() if isinstance(section, dict) else [section]:
			paths += value
	for dotted in paths:
		assert resolve(dotted), f"hooks.py names {dotted}, which does not exist"
	assert (PACKAGE / "modules.txt").read_text().strip() == MODULE_NAME
	assert (PACKAGE / "patches.txt").exists()


GATES = ("require_manager()", 'frappe.only_for("System Manager")', "require_metrics_reader()")
# the probes are the only methods open to Guest: liveness says "ok" and nothing else; readiness gives
# details only to metrics readers and answers anyone else only when Diagnostics Settings allow it
GUEST_METHODS = {
	"frappe_diagnostics.api.probes.live": "return liveness()",
	"frappe_diagnostics.api.probes.ready": "detail = may_read_metrics()",
}


def test_every_whitelisted_method_checks_the_role_first_and_state_changes_are_post_only():
	methods = whitelisted_functions()
	assert methods
	assert set(GUEST_METHODS) <= set(methods)
	for name, node in methods.items():
		body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
		first = ast.unparse(body[0])
		decorator = next(ast.unparse(d) for d in node.decorator_list if "whitelist" in ast.unparse(d))
		if name in GUEST_METHODS:
			assert first == GUEST_METHODS[name], f"{name} starts with {first}"
			assert "allow_guest=True" in decorator and "POST" not in decorator, name
			continue
		assert first in GATES, f"{name} starts with {first}"
		assert "allow_guest" not in decorator, name
		assert "methods=" in decorator, f"{name} must say which HTTP methods it accepts"
		if node.name in ("run",):
			assert "methods=['POST']" in decorator or 'methods=["POST"]' in decorator, name


FRAPPE_LEVEL = ("site", "api", "commands", "patches", "frappe_diagnostics", "tests")  # may import frappe
FRAMEWORK_FREE = sorted(
	p
	for p in PACKAGE.rglob("*.py")
	if p.relative_to(PACKAGE).parts[0] not in FRAPPE_LEVEL and p.name != "hooks.py"
)


def imported_modules(path: Path) -> list[str]:
	"""Every module a file imports, at module level or inside functions."""
	names = []
	for node in ast.walk(ast.parse(path.read_text())):
		if isinstance(node, ast.Import):
			names += [a.name for a in node.names]
		elif isinstance(node, ast.ImportFrom) and node.level == 0:
			names.append(node.module or "")
	return names


def test_the_framework_free_layers_are_the_ones_the_design_names():
	top = {p.relative_to(PACKAGE).parts[0] for p in FRAMEWORK_FREE}
	assert {"engine", "checks", "knowledge", "troubleshooters", "cli"} <= top


@pytest.mark.parametrize("path", FRAMEWORK_FREE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_outside_site_api_and_commands_imports_frappe(path):
	frappe = [n for n in imported_modules(path) if n == "frappe" or n.startswith("frappe.")]
	assert not frappe, f"{path.relative_to(PACKAGE)} imports {frappe}: move it under site/"
	upward = [
		n
		for n in imported_modules(path)
		if n.startswith(("frappe_diagnostics.site", "frappe_diagnostics.api", "frappe_diagnostics.commands"))
	]
	assert not upward, f"{path.relative_to(PACKAGE)} imports the Frappe layer: {upward}"


# The layers, lowest first: a folder imports only from its own folder and from lower tiers (at module
# level or inside functions). Tiers from `site` up are Frappe-level; the top tier is what Frappe loads.
LAYERS = (
	("engine",),
	("knowledge", "observe"),
	("recovery",),
	("checks",),
	("troubleshooters",),
	("fleet",),
	("cli",),
	("site",),
	("api", "commands"),
	("frappe_diagnostics", "patches", "hooks", "__init__"),
	("tests",),  # with every test_*.py (the doctype folders' too)
)
TIER = {folder: i for i, tier in enumerate(LAYERS) for folder in tier}


def layer_of(parts: tuple[str, ...]) -> str:
	return parts[0].removesuffix(".py")


def test_every_folder_of_the_package_has_a_layer():
	folders = {layer_of(p.relative_to(PACKAGE).parts) for p in PACKAGE.rglob("*.py")}
	assert folders - set(TIER) == set()


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layer_order(path):
	own = "tests" if path.name.startswith("test_") else layer_of(path.relative_to(PACKAGE).parts)
	upward = []
	for name in imported_modules(path):
		parts = name.split(".")
		if parts[0] != "frappe_diagnostics" or len(parts) < 2 or parts[1] == own:
			continue
		if TIER[parts[1]] >= TIER[own]:
			upward.append(name)
	tiers = " < ".join("/".join(tier) for tier in LAYERS)
	assert not upward, f"{path.relative_to(PACKAGE)} ({own}) imports {upward}; the layer order is {tiers}"


def test_the_layer_rule_catches_an_upward_import(tmp_path):
	bad = tmp_path / "bad.py"
	bad.write_text("def f():\n\tfrom frappe_diagnostics.troubleshooters.catalog import CATALOG\n")
	assert imported_modules(bad) == ["frappe_diagnostics.troubleshooters.catalog"]
	assert TIER["troubleshooters"] > TIER["checks"]


def test_every_desk_script_parses():
	import shutil
	import subprocess

	node = shutil.which("node")
	assert node, "node is needed to check the desk scripts (scripts/setup.sh installs it)"
	scripts = sorted(PACKAGE.rglob("*.js"))
	assert scripts
	for script in scripts:
		done = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
		assert done.returncode == 0, f"{script.name}: {done.stderr}"


def test_whitelisted_methods_take_no_required_arguments():
	"""Frappe checks arguments before the body runs: a required one would answer Guest with 500, not 403."""
	for name, node in whitelisted_functions().items():
		required = len(node.args.args) - len(node.args.defaults)
		assert required == 0, (
			f"{name} has required arguments; default them and validate after require_manager()"
		)


def test_bench_tests_take_their_base_class_from_the_v15_v16_shim():
	for path in sorted(PACKAGE.rglob("test_*.py")):
		text = path.read_text()
		assert "FrappeTestCase" not in text and "IntegrationTestCase" not in text, (
			f"{path.relative_to(PACKAGE)}: use `from frappe_diagnostics.tests.utils import TestCase` "
			"(Frappe v15's FrappeTestCase or v16's IntegrationTestCase, whichever exists)"
		)


def declared_dependencies() -> set[str]:
	"""The distribution names in pyproject.toml's [project] dependencies, normalised."""
	tomllib = pytest.importorskip("tomllib")  # Python 3.11+
	project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["project"]
	return {normalised(re.split(r"[<>=~!;\[ ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def normalised(name: str) -> str:
	return re.sub(r"[-_.]+", "-", name).lower()


def third_party_imports() -> dict[str, set[str]]:
	"""Distribution -> the package's files that import it, for every import outside the stdlib and frappe."""
	from importlib.metadata import packages_distributions

	owners = packages_distributions()
	found: dict[str, set[str]] = {}
	for path in PACKAGE.rglob("*.py"):
		if path.name.startswith("test_") or path.relative_to(PACKAGE).parts[0] == "tests":
			continue  # the bench suite's own tools run inside Frappe's environment
		for name in imported_modules(path):
			top = name.split(".")[0]
			if not top or top in sys.stdlib_module_names or top in ("frappe", "frappe_diagnostics"):
				continue
			for dist in owners.get(top, [f"<not installed: {top}>"]):
				found.setdefault(normalised(dist), set()).add(str(path.relative_to(PACKAGE)))
	return found


def test_pyproject_declares_every_third_party_import_and_nothing_else():
	imports, declared = third_party_imports(), declared_dependencies()
	missing = {dist: sorted(files) for dist, files in imports.items() if dist not in declared}
	assert missing == {}, "add these to [project] dependencies in pyproject.toml"
	assert declared - set(imports) == set(), "declared but never imported: remove them"
