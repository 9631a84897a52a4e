"""security.weak_config_secrets: a configured secret that is short, common or equal to a user name is a
finding that names the key and the reason, never the value."""

from __future__ import annotations

import json

import pytest
from helpers import run_one

from frappe_diagnostics.engine.result import Status


@pytest.mark.parametrize(
	("key", "value", "reason"),
	[
		("db_password", "root", "is a common password"),
		("admin_password", "changeme", "is a common password"),
		("root_password", "Shop-Manager-01", "equals a user name"),
		("pin_secret", 4711, "is shorter than 8 characters"),
		("mail_password", "q7#Zk", "is shorter than 8 characters"),
	],
)
def test_a_weak_secret_is_named_with_its_reason_and_never_shown(bench, key, value, reason):
	bench.conf["root_login"] = "Shop-Manager-01"
	bench.conf[key] = value
	bench.write()
	result = run_one(bench.context(), "security.weak_config_secrets")
	assert result.status is Status.WARNING
	assert result.findings[0].evidence == {"weak": {key: reason}}
	assert str(value) not in json.dumps(result.to_dict())


def test_a_weak_password_inside_a_redis_url_is_found(bench):
	bench.common["redis_cache"] = bench.common["redis_cache"].replace("redis://", "redis://:secret@")
	bench.write()
	result = run_one(bench.context(), "security.weak_config_secrets")
	assert result.findings[0].evidence == {
		"weak": {"redis_cache (the password in its URL)": "is a common password"}
	}


def test_strong_generated_secrets_are_ok(bench):
	result = run_one(bench.context(), "security.weak_config_secrets")
	assert result.status is Status.OK
	assert result.metric("weak_secrets") == 0


def test_the_bench_owner_is_shown_even_when_a_password_is_the_same_word(bench):
	bench.conf["db_password"] = "root"  # the files belong to root here, like the bench's owner
	bench.write()
	checks = ("--check", "filesystem.permissions", "--check", "security.weak_config_secrets")
	done = bench.cli("check", "--site", bench.site, *checks, "--json")
	summaries = {r["check_id"]: r["summary"] for r in json.loads(done.stdout)["results"]}
	assert summaries["filesystem.permissions"] == "The site's files belong to the bench's owner (root)."
	assert summaries["security.weak_config_secrets"].endswith("db_password is a common password.")
