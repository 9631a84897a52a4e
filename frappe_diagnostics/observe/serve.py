"""Serving a collector for Prometheus (HTTP, optionally behind a bearer token) or writing it for
node_exporter's textfile collector (written to a temporary file, then renamed: never half a file)."""

from __future__ import annotations

import hmac
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app, write_to_textfile


def registry_of(collector) -> CollectorRegistry:
	registry = CollectorRegistry(auto_describe=False)
	registry.register(collector)
	return registry


def write_textfile(collector, path: str) -> None:
	write_to_textfile(path, registry_of(collector))


def guarded(app, token: str | None):
	"""The WSGI app, answering 401 unless the request carries `Authorization: Bearer <token>`."""
	if not token:
		return app
	expected = f"Bearer {token}".encode()

	def check(environ, start_response):
		given = environ.get("HTTP_AUTHORIZATION", "").encode()
		if not hmac.compare_digest(given, expected):
			start_response(
				"401 Unauthorized", [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")]
			)
			return [b"401 Unauthorized\n"]
		return app(environ, start_response)

	return check


class _Server(ThreadingMixIn, WSGIServer):
	daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
	def log_message(self, format, *args):  # one line per scrape would fill the terminal
		pass


def make_metrics_server(collector, port: int, addr: str = "127.0.0.1", token: str | None = None):
	"""An HTTP server answering every path with the collector's exposition; call serve_forever()."""
	app = guarded(make_wsgi_app(registry_of(collector)), token)
	return make_server(addr, port, app, server_class=_Server, handler_class=_QuietHandler)
