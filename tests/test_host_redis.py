"""host.redis on redis-py: every URL form Frappe accepts, with an ACL user made for the test on the real Redis."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import pytest
import redis
from conftest import REDIS_URL
from helpers import run_one

from frappe_diagnostics.checks.host import redis_client
from frappe_diagnostics.engine.context import HostContext
from frappe_diagnostics.engine.result import Status


def test_a_rediss_url_gives_a_tls_client_with_its_acl_user_database_and_port():
	client = redis_client("rediss://diag%40ops:s3cr%2Fet@cache.example.com:6380/2", 1.5)
	pool = client.connection_pool
	kwargs = pool.connection_kwargs
	assert pool.connection_class is redis.connection.SSLConnection
	assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("cache.example.com", 6380, 2)
	assert (kwargs["username"], kwargs["password"]) == ("diag@ops", "s3cr/et")
	assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (1.5, 1.5)


def test_a_unix_socket_url_gives_a_unix_client():
	pool = redis_client("unix:///run/redis/redis.sock?db=3", 1.0).connection_pool
	assert pool.connection_class is redis.connection.UnixDomainSocketConnection
	assert (pool.connection_kwargs["path"], pool.connection_kwargs["db"]) == ("/run/redis/redis.sock", 3)


@pytest.fixture
def acl_user():
	"""A user that may run INFO and nothing else, with a unique name; deleted afterwards."""
	admin = redis.Redis.from_url(REDIS_URL)
	name, password = f"diag_test_{secrets.token_hex(6)}", secrets.token_urlsafe(16)
	admin.execute_command("ACL", "SETUSER", name, "on", f">{password}", "-@all", "+info")
	try:
		yield name, password
	finally:
		admin.execute_command("ACL", "DELUSER", name)
		admin.close()


def host_with(url: str) -> HostContext:
	return HostContext(env={"DIAG_REDIS_URL": url})


def test_an_acl_user_is_logged_in_and_a_wrong_password_is_critical(acl_user, monkeypatch):
	monkeypatch.setattr("frappe_diagnostics.checks.host.SLOW_S", 60.0)  # no "slowly" on a busy machine
	name, password = acl_user
	server = urlsplit(REDIS_URL)
	address = f"{server.hostname}:{server.port or 6379}"
	version = redis.Redis.from_url(REDIS_URL).info("server")["redis_version"]
	good = run_one(host_with(f"redis://{name}:{password}@{address}"), "host.redis")
	assert (good.status, good.summary) == (Status.OK, f"Redis {version} answers.")
	bad = run_one(host_with(f"redis://{name}:wrong-{password}@{address}"), "host.redis")
	assert bad.status is Status.CRITICAL
	assert bad.summary.endswith("AuthenticationError (invalid username-password pair or user is disabled.).")
