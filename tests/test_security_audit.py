"""Security audit: security.baseline and `diagnostics security` on a real bench folder, each finding built
for real (a weak Administrator hash, config flags, a world-readable site_config.json, a database dump under
public/files, API keys on a System Manager) and never printing a password."""

from __future__ import annotations

import json
import os

import pytest
from passlib.context import CryptContext

from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.troubleshooters.security import diagnose_security
from tests.frappe_tables import FrappeTables
from tests.helpers import run_one

HASHER = CryptContext(schemes=["pbkdf2_sha256", "argon2"])


@pytest.fixture
def site(bench, site_sql):
	made = FrappeTables(site_sql).create("tabRole", "tabHas Role")
	site_sql("ALTER TABLE `tabUser` ADD COLUMN api_key varchar(140)")
	os.chmod(bench.site_path / "site_config.json", 0o600)
	bench.conf["rate_limit"] = {"limit": 300, "window": 3600}
	bench.write()
	os.chmod(bench.site_path / "site_config.json", 0o600)

	def admin_password(password: str):
		site_sql("DELETE FROM `__Auth` WHERE name = 'Administrator'")
		site_sql(
			"INSERT INTO `__Auth` VALUES ('User', 'Administrator', 'password', %s, 0)",
			(HASHER.hash(password),),
		)

	admin_password("a-Long-and-unique-passphrase-4711")
	yield admin_password
	site_sql("DELETE FROM `__Auth`")
	site_sql("DELETE FROM `tabUser`")
	site_sql("ALTER TABLE `tabUser` DROP COLUMN api_key")
	made.drop()


def steps_of(bench) -> dict:
	return {s.check_id: s for s in diagnose_security(bench.context()).steps}


def test_a_clean_site_scores_100(bench, site):
	result = run_one(bench.context(), "security.baseline", budget_ms=8000)
	assert result.status is Status.OK
	assert result.summary == "Security score 100/100: 0 critical, 0 warning finding(s)."


def test_weak_administrator_password_is_found_by_its_hash_and_never_printed(bench, site):
	site("Admin@123")
	steps = steps_of(bench)
	assert steps["security.admin_password"].status is Status.CRITICAL
	done = bench.cli("security", "--bench", str(bench.root), "--site", bench.site, "--json")
	assert done.returncode == 2
	assert "Admin@123" not in done.stdout + done.stderr
	assert json.loads(done.stdout)["likely_cause"] == "security.admin_password"
	site("Another-l0ng-passphrase!")
	assert "security.admin_password" not in steps_of(bench)


def test_config_flags_on_a_production_bench(bench, site):
	(bench.root / "config").mkdir()
	(bench.root / "config" / "supervisor.conf").write_text("[program:x-frappe-web]\ncommand=gunicorn\n")
	bench.conf.update(developer_mode=1, ignore_csrf=1, allow_cors="*")
	bench.write()
	steps = steps_of(bench)
	assert steps["security.developer_mode"].status is Status.CRITICAL
	assert steps["security.developer_mode"].summary.endswith("on a production bench.")
	assert steps["security.ignore_csrf"].status is Status.CRITICAL
	assert (
		steps["security.allow_cors"]
		.fixes[0]
		.command.startswith("bench --site test.local set-config allow_cors")
	)
	assert steps["security.plain_http"].summary.startswith("test.local is served over plain HTTP")
	assert steps["security.score"].summary.startswith("Security score 15/100: 4 finding(s)")


def test_files_and_permissions(bench, site):
	os.chmod(bench.site_path / "site_config.json", 0o644)
	(bench.site_path / "public" / "files" / "site1-database.sql.gz").write_bytes(b"\x1f\x8b")
	steps = steps_of(bench)
	assert steps["security.config_permissions"].summary.startswith(
		"site_config.json is readable by every OS user (mode 644)"
	)
	assert steps["security.public_files"].findings[0].evidence == {"files": ["/files/site1-database.sql.gz"]}


def test_users_settings_two_factor_and_api_keys(bench, site, site_sql):
	site_sql(
		"INSERT INTO `tabUser` (name, enabled, api_key) VALUES ('ops@example.com', 1, 'k1'), ('x@example.com', 1, NULL)"
	)
	site_sql(
		"INSERT INTO `tabHas Role` VALUES ('r1', 'ops@example.com', 'User', 'System Manager'), "
		"('r2', 'x@example.com', 'User', 'System Manager')"
	)
	site_sql("INSERT INTO `tabRole` VALUES ('System Manager', 0)")
	site_sql(
		"INSERT INTO `tabSingles` VALUES ('System Settings', 'enable_password_policy', '0'), "
		"('System Settings', 'session_expiry', '2000:00'), ('System Settings', 'allow_consecutive_login_attempts', '0')"
	)
	steps = steps_of(bench)
	assert steps["security.api_keys"].findings[0].evidence == {"users": ["ops@example.com"]}
	assert steps["security.two_factor"].summary == (
		"2 System Manager(s) log in without a second factor: two-factor authentication is off."
	)
	assert steps["security.password_policy"].status is Status.WARNING
	assert (
		steps["security.session_expiry"].summary == "Sessions last 2000:00 hours (83 days) without activity."
	)
	assert "security.login_attempts" in steps
	site_sql("INSERT INTO `tabSingles` VALUES ('System Settings', 'enable_two_factor_auth', '1')")
	site_sql("UPDATE `tabRole` SET two_factor_auth = 1")
	assert "security.two_factor" not in steps_of(bench)
