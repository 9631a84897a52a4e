"""What redis-py costs the host.redis check against the hand-written RESP client it replaced.

    python benchmarks/redis_client.py                        # redis://127.0.0.1:6379, 200 rounds
    python benchmarks/redis_client.py --url redis://:pw@host:6379 -n 500

Each round is what the check does: connect, AUTH when the URL has a password, INFO server, close.
The import of redis-py is timed apart, in fresh interpreters (the check module imports it at load time,
outside every check's budget). The rule: redis-py stays unless a round costs more than 20 ms over RESP.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from urllib.parse import unquote, urlsplit

LIMIT_MS = 20


def resp_info_server(url: str, timeout_s: float) -> dict[str, str]:
	"""The hand-written client the check used before (plain socket, redis:// only), kept as the baseline."""
	parts = urlsplit(url)
	sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=timeout_s)
	buffer = b""

	def send(*words: str) -> None:
		encoded = [w.encode() for w in words]
		sock.sendall(b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in encoded))

	def reply() -> str:
		nonlocal buffer
		while b"\r\n" not in buffer:
			buffer += sock.recv(65536)
		line, _, buffer = buffer.partition(b"\r\n")
		if line[:1] == b"-":
			raise ConnectionError(line[1:].decode())
		if line[:1] != b"$":
			return line[1:].decode()
		size = int(line[1:])
		while len(buffer) < size + 2:
			buffer += sock.recv(65536)
		data, buffer = buffer[:size], buffer[size + 2 :]
		return data.decode()

	with sock:
		if parts.password is not None:
			send("AUTH", *([unquote(parts.username)] if parts.username else []), unquote(parts.password))
			reply()
		send("INFO", "server")
		text = reply()
	return dict(line.split(":", 1) for line in text.splitlines() if ":" in line and not line.startswith("#"))


def redis_py_info_server(url: str, timeout_s: float) -> dict:
	from frappe_diagnostics.checks.host import redis_info_server

	return redis_info_server(url, timeout_s)


def rounds(fn, url: str, n: int) -> list[float]:
	fn(url, 1.0)  # warm: imports, first connection
	times = []
	for _ in range(n):
		started = time.perf_counter()
		info = fn(url, 1.0)
		times.append((time.perf_counter() - started) * 1000)
		assert info.get("redis_version"), info
	return times


def import_ms(n: int) -> list[float]:
	code = "import time; t = time.perf_counter(); import redis; print((time.perf_counter() - t) * 1000)"
	return [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(n)]


def summary(values: list[float]) -> dict:
	ordered = sorted(values)
	return {
		"median_ms": round(statistics.median(ordered), 3),
		"p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 3),
	}


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--url", default="redis://127.0.0.1:6379")
	parser.add_argument("-n", type=int, default=200)
	args = parser.parse_args()
	resp = summary(rounds(resp_info_server, args.url, args.n))
	client = summary(rounds(redis_py_info_server, args.url, args.n))
	cold = summary(import_ms(10))
	extra = round(client["median_ms"] - resp["median_ms"], 3)
	result = {
		"rounds": args.n,
		"resp": resp,
		"redis_py": client,
		"redis_py_import_cold": cold,
		"extra_per_round_ms": extra,
		"verdict": "redis-py" if extra <= LIMIT_MS else f"RESP: redis-py costs {extra} ms > {LIMIT_MS} ms",
	}
	print(json.dumps(result, indent=1))


if __name__ == "__main__":
	main()
