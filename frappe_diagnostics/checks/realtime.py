"""Realtime: the socket.io server (Frappe's `node apps/frappe/socketio.js`) answers an Engine.IO handshake.

Without it the desk still works, but nothing live reaches the browser: progress bars, list refreshes,
notifications, chat, "document changed" messages. Reads `socketio_port` (default 9000) or
`socketio_uds` from the bench's config, so it runs the same with or without a booted site.
"""

from __future__ import annotations

import socket
import time

from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status

HANDSHAKE = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
DEFAULT_PORT = 9000


def _target(conf: dict) -> tuple[str, str | tuple[str, int]]:
	"""(what to call it, address): the Unix socket when one is configured, else 127.0.0.1:port."""
	if conf.get("socketio_uds"):
		return str(conf["socketio_uds"]), str(conf["socketio_uds"])
	port = int(conf.get("socketio_port") or DEFAULT_PORT)
	return f"127.0.0.1:{port}", ("127.0.0.1", port)


def handshake(address, timeout_s: float) -> str:
	"""The first bytes of the answer to an Engine.IO v4 polling handshake."""
	family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
	with socket.socket(family, socket.SOCK_STREAM) as sock:
		sock.settimeout(timeout_s)
		sock.connect(address)
		host = "localhost" if isinstance(address, str) else f"{address[0]}:{address[1]}"
		sock.sendall(HANDSHAKE.format(host=host).encode())
		answer = b""
		while len(answer) < 4096:
			chunk = sock.recv(4096)
			if not chunk:
				break
			answer += chunk
			if b'"sid"' in answer:
				break
	return answer.decode("latin-1")


def _fixes() -> list[Fix]:
	return [
		Fix(
			"Start the realtime server: `bench start` runs it in development (Procfile: socketio); in "
			"production it is supervisor's <bench>-node-socketio program.",
			command="sudo supervisorctl start all",
		)
	]


@check("web.realtime", title="Realtime (socket.io)", tags=("web", "realtime"))
def realtime(probe):
	where, address = _target(probe.site.conf)
	started = time.monotonic()
	try:
		answer = handshake(address, max(0.2, min(2.0, probe.remaining_s())))
	except OSError as e:
		reason = "connection refused" if isinstance(e, ConnectionRefusedError) else str(e) or type(e).__name__
		return probe.result(
			Status.WARNING,
			f"The realtime server (socket.io) does not answer on {where}: {reason}. Live progress, "
			"notifications and list refreshes do not reach browsers.",
			findings=[Finding("socket.io is not answering", {"address": where, "error": reason})],
			fixes=_fixes(),
		)
	latency = round((time.monotonic() - started) * 1000, 1)
	status_line = answer.split("\r\n", 1)[0]
	if " 200 " not in f"{status_line} " or '"sid"' not in answer:
		return probe.result(
			Status.WARNING,
			f"Something answers on {where}, but not socket.io ({status_line or 'no HTTP answer'}): "
			"is another program on the socketio_port?",
			findings=[Finding("Not a socket.io handshake", {"address": where, "answer": status_line})],
			fixes=_fixes(),
		)
	return probe.ok(
		f"The realtime server (socket.io) answers on {where} in {latency:g} ms.",
		metrics=[Metric("handshake", latency, "ms", headline=True)],
	)
