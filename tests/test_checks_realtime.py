"""web.realtime: an Engine.IO handshake against whatever listens on the bench's socketio_port."""

from __future__ import annotations

import socket
import threading

import pytest
from conftest import free_port
from helpers import run_one

from frappe_diagnostics.engine.result import Status

# what Frappe's socket.io server (socket.io 4, Engine.IO v4) answers to a polling handshake
EIO_OPEN = (
	'0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,'
	'"pingTimeout":20000,"maxPayload":1000000}'
)


class OneAnswerServer:
	"""Answers every connection with one fixed HTTP response, and records what it was asked."""

	def __init__(self, status: str, body: str):
		self.response = (
			f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=UTF-8\r\n"
			f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
		).encode()
		self.requests: list[bytes] = []
		self.sock = socket.socket()
		self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		self.sock.bind(("127.0.0.1", 0))
		self.sock.listen(4)
		self.sock.settimeout(0.2)
		self.port = self.sock.getsockname()[1]
		self._stop = False
		self.thread = threading.Thread(target=self._serve, daemon=True)
		self.thread.start()

	def _serve(self):
		while not self._stop:
			try:
				conn, _ = self.sock.accept()
			except OSError:
				continue
			with conn:
				self.requests.append(conn.recv(4096))
				conn.sendall(self.response)

	def close(self):
		self._stop = True
		self.thread.join(2)
		self.sock.close()


@pytest.fixture
def answering():
	servers = []

	def start(status, body):
		servers.append(OneAnswerServer(status, body))
		return servers[-1]

	yield start
	for server in servers:
		server.close()


def test_a_socketio_handshake_is_ok_with_its_latency(bench, answering):
	server = answering("200 OK", EIO_OPEN)
	bench.common["socketio_port"] = server.port
	bench.write()
	result = run_one(bench.context(), "web.realtime")
	assert result.status is Status.OK, result.summary
	assert result.summary.startswith(
		f"The realtime server (socket.io) answers on 127.0.0.1:{server.port} in "
	)
	assert [m.name for m in result.metrics if m.headline] == ["handshake"]
	assert server.requests[0].startswith(b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n")


def test_nothing_listening_is_a_warning_that_says_what_stops_working(bench):
	port = free_port()
	bench.common["socketio_port"] = port
	bench.write()
	result = run_one(bench.context(), "web.realtime")
	assert result.status is Status.WARNING
	assert result.summary == (
		f"The realtime server (socket.io) does not answer on 127.0.0.1:{port}: connection refused. Live "
		"progress, notifications and list refreshes do not reach browsers."
	)
	assert result.fixes[0].command == "sudo supervisorctl start all"


def test_another_program_on_the_port_is_named_as_such(bench, answering):
	server = answering("404 Not Found", "Cannot GET /socket.io/")
	bench.common["socketio_port"] = server.port
	bench.write()
	result = run_one(bench.context(), "web.realtime")
	assert result.status is Status.WARNING
	assert result.summary == (
		f"Something answers on 127.0.0.1:{server.port}, but not socket.io (HTTP/1.1 404 Not Found): "
		"is another program on the socketio_port?"
	)


def test_a_silent_port_times_out_within_the_check_budget(bench, silent_server):
	bench.common["socketio_port"] = silent_server.port
	bench.write()
	result = run_one(bench.context(), "web.realtime", budget_ms=3000)  # the check waits at most 2 s
	assert result.status is Status.WARNING
	assert f"does not answer on 127.0.0.1:{silent_server.port}: timed out." in result.summary
