"""How Frappe records a site's apps, read from a bench folder without importing or running anything.

- the installed apps: the `installed_apps` global default (a JSON list in `tabDefaultValue`), as
  `frappe.get_installed_apps()` reads it; `tabInstalled Application` only holds versions, and only after
  the first migrate;
- the version Frappe records at migrate (`get_installed_apps_info`): `<branch>_version` from the app's
  hooks.py plus " (<7-character commit>)" when the app is on a branch that hooks.py names (a develop
  checkout), else its `__version__`;
- the patches an app declares, exactly as Frappe reads patches.txt.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import json
import re
from pathlib import Path

VERSION = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.M)
INSTALLED_APPS_SQL = (
	"SELECT defvalue FROM `tabDefaultValue` WHERE parent = '__global' AND defkey = 'installed_apps' "
	"ORDER BY creation DESC LIMIT 1"
)


def parse_installed_apps(value) -> list[str] | None:
	"""The JSON list Frappe stores; None when it is missing or not a list of names."""
	try:
		apps = json.loads(value) if isinstance(value, str) else None
	except ValueError:
		return None
	if not isinstance(apps, list) or not all(isinstance(a, str) for a in apps):
		return None
	return apps


def _find_spec(app: str):
	try:
		return importlib.util.find_spec(app)
	except (ImportError, ValueError):
		return None


def app_dir(bench: Path | None, app: str) -> Path | None:
	"""The app's repository folder (apps/<app>), or the folder above its package when installed elsewhere."""
	if bench and (bench / "apps" / app / app / "__init__.py").is_file():
		return bench / "apps" / app
	spec = _find_spec(app)
	if spec and spec.origin:
		return Path(spec.origin).parent.parent
	return None


def app_file(bench: Path | None, app: str, name: str) -> Path | None:
	folder = app_dir(bench, app)
	path = folder / app / name if folder else None
	return path if path and path.is_file() else None


def code_version(bench: Path | None, app: str) -> str | None:
	"""The app's __version__ from its source, without importing it."""
	init = app_file(bench, app, "__init__.py")
	try:
		match = VERSION.search(init.read_text(encoding="utf-8")) if init else None
	except (OSError, UnicodeDecodeError):
		return None
	return match.group(1) if match else None


def git_head(repo: Path) -> tuple[str | None, str | None]:
	"""(branch, commit) of a checkout from .git files, or (None, None) when it is not one."""
	git = repo / ".git"
	if git.is_file():  # a worktree: "gitdir: <path>"
		text = git.read_text(encoding="utf-8", errors="replace").strip()
		git = (repo / text.partition("gitdir:")[2].strip()).resolve()
	try:
		head = (git / "HEAD").read_text(encoding="utf-8").strip()
	except OSError:
		return None, None
	if not head.startswith("ref:"):
		return "HEAD", head[:40]  # detached
	ref = head[4:].strip()
	branch = ref.removeprefix("refs/heads/")
	return branch, _resolve_ref(git, ref)


def _resolve_ref(git: Path, ref: str) -> str | None:
	common = git
	if (git / "commondir").is_file():
		common = (git / (git / "commondir").read_text(encoding="utf-8").strip()).resolve()
	for root in (git, common):
		try:
			return (root / ref).read_text(encoding="utf-8").strip()
		except OSError:
			pass
	try:
		for line in (common / "packed-refs").read_text(encoding="utf-8").splitlines():
			sha, _, name = line.partition(" ")
			if name.strip() == ref:
				return sha
	except OSError:
		pass
	return None


def hook_value(hooks: Path | None, name: str):
	"""A literal assigned in hooks.py (e.g. `develop_version`), read statically; None when absent."""
	try:
		tree = ast.parse(hooks.read_text(encoding="utf-8")) if hooks else None
	except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
		return None
	for node in tree.body if tree else ():
		if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
			try:
				return ast.literal_eval(node.value)
			except ValueError:
				return None
	return None


def expected_version(bench: Path | None, app: str) -> tuple[str | None, str | None]:
	"""What Frappe would record for the app if the site were migrated now: (version, full commit), the
	commit only when the recorded form is `<branch>_version (<commit>)`."""
	folder = app_dir(bench, app)
	branch, commit = git_head(folder) if folder else (None, None)
	if branch and branch != "master" and commit:
		branch_version = hook_value(app_file(bench, app, "hooks.py"), f"{branch}_version")
		if isinstance(branch_version, str):
			return branch_version, commit
	return code_version(bench, app), None


RECORDED = re.compile(r"^(?P<version>.+?)\s*\((?P<commit>[0-9a-f]{4,40})\)\s*$")


def versions_match(recorded: str | None, expected: tuple[str | None, str | None]) -> bool | None:
	"""Whether a recorded version is what migrate would record now; None when either is unknown.

	Frappe abbreviates the commit as git does (7 characters or more), so any prefix of the commit matches.
	"""
	version, commit = expected
	if not recorded or not version or recorded == "UNVERSIONED":
		return None
	if commit is None:
		return recorded.strip() == version.strip()
	found = RECORDED.match(recorded.strip())
	if not found:
		return False
	return found.group("version") == version.strip() and commit.startswith(found.group("commit"))


def describe_expected(expected: tuple[str | None, str | None]) -> str | None:
	version, commit = expected
	return f"{version} ({commit[:7]})" if version and commit else version


def declared_patches(patches_file: Path) -> list[str]:
	"""The patches an app declares, exactly as Frappe reads and logs them."""
	parser = configparser.ConfigParser(allow_no_value=True, delimiters="\n")
	parser.optionxform = str
	try:
		parser.read(patches_file, encoding="utf-8")
	except configparser.MissingSectionHeaderError:
		lines = patches_file.read_text(encoding="utf-8").splitlines()
		return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
	return [p for section in parser.sections() for p in parser[section]]


def apps_txt(bench: Path | None) -> list[str] | None:
	path = bench / "sites" / "apps.txt" if bench else None
	if not path or not path.is_file():
		return None
	return path.read_text(encoding="utf-8", errors="replace").split()
