"""The web side of a bench: the processes it should run vs what runs, the site answering over HTTP, and the
TLS certificates its nginx config names. All work from a bench folder with the site down."""

from __future__ import annotations

import http.client
import socket
import time
from urllib.parse import urlparse

from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix, Metric, Status
from frappe_diagnostics.engine.shell import command

NEEDED = {
	"web": Status.CRITICAL,
	"schedule": Status.CRITICAL,
	"worker": Status.CRITICAL,
	"socketio": Status.WARNING,
}


def process_report(ctx) -> dict:
	"""Expected programs (Procfile or supervisor.conf) against running processes, per role."""
	from frappe_diagnostics.knowledge.benchconfig import expected_programs
	from frappe_diagnostics.knowledge.processes import bench_processes, supervisor_status

	source, programs = expected_programs(ctx.bench_path)
	running = bench_processes(ctx.bench_path)
	report = {"source": source, "programs": programs, "running": running, "supervisor": [], "why": ""}
	if source == "supervisor":
		states, report["why"] = supervisor_status(ctx.bench_path)
		names = {p.name for p in programs}
		report["supervisor"] = [s for s in states if _program_of(s.name) in names]
	return report


def _program_of(process: str) -> str:
	"""`group:prog-name-0` -> `prog-name-0` or, for numprocs processes, `prog-name`."""
	name = process.split(":")[-1]
	stem, _, number = name.rpartition("-")
	return stem if number.isdigit() else name


def missing_roles(report: dict, queues: list[str]) -> dict[str, str]:
	"""Role -> what is missing, for the roles the bench's config expects."""
	expected = {p.role for p in report["programs"]}
	running = report["running"]
	missing = {}
	for role in NEEDED:
		if role in expected and not any(r.role == role for r in running):
			missing[role] = f"no {role} process is running"
	if "worker" in expected:
		served = {q for r in running if r.role == "worker" for q in r.queues}
		unserved = [q for q in queues if q not in served]
		if unserved and "worker" not in missing:
			missing["worker"] = f"no worker listens on {', '.join(unserved)}"
	return missing


@check("web.processes", title="Bench processes", tags=("web", "processes"))
def processes(probe):
	ctx = probe.site
	if ctx.bench_path is None:
		return probe.skipped("No bench folder: there is no Procfile or supervisor config to compare with.")
	report = process_report(ctx)
	running = report["running"]
	metrics = [
		Metric(f"{role}.running", sum(r.role == role for r in running), "processes") for role in NEEDED
	]
	evidence = {"running": [r.to_dict() for r in running][:30]}
	if report["source"] == "none":
		return probe.result(
			Status.WARNING,
			"The bench has neither a Procfile nor config/supervisor.conf: nothing says what should run.",
			metrics,
			[Finding("Running processes of this bench", evidence)],
			[
				Fix(
					"Production: write the supervisor config.",
					command=command("bench", "setup", "supervisor"),
				)
			],
		)
	missing = missing_roles(report, ctx.queue_types())
	bad_states = [s.to_dict() for s in report["supervisor"] if s.state != "RUNNING"]
	findings = [
		Finding(f"{role}: {what}", {"expected_from": report["source"]}) for role, what in missing.items()
	]
	if bad_states:
		findings.append(Finding("supervisor programs not RUNNING", {"programs": bad_states}))
	findings.append(Finding("Running processes of this bench", evidence))
	if report["supervisor"]:
		findings.append(
			Finding("supervisor status", {"programs": [s.to_dict() for s in report["supervisor"]]})
		)
	statuses = [NEEDED[role] for role in missing] + ([Status.CRITICAL] if bad_states else [])
	status = max(statuses, key=lambda s: s.rank) if statuses else Status.OK
	if status is Status.OK:
		summary = f"Every process the {report['source']} names is running ({len(running)} processes)."
		return probe.ok(summary, metrics=metrics, findings=findings)
	what = "; ".join(missing.values()) or f"{len(bad_states)} supervisor program(s) not running"
	return probe.result(status, f"Not running: {what}.", metrics, findings, _start_fixes(report, missing))


def _start_fixes(report: dict, missing: dict) -> list[Fix]:
	if report["source"] == "supervisor":
		names = [p.address for p in report["programs"] if p.role in missing] or ["all"]
		return [
			Fix(
				"Start the missing programs through supervisor.",
				command=command("sudo", "supervisorctl", "start", *names),
			)
		]
	names = [p.name for p in report["programs"] if p.role in missing]
	return [
		Fix(
			f"Start the Procfile's {', '.join(names) or 'processes'} (`bench start` runs the whole Procfile).",
			command=command("bench", "start"),
		)
	]


# --- HTTP ---------------------------------------------------------------------------------------------


def site_hosts(ctx) -> list[str]:
	"""The names the site answers to: its folder name, `host_name`'s host and `domains`."""
	hosts = [ctx.name]
	host_name = urlparse(str(ctx.conf.get("host_name") or "")).hostname
	if host_name:
		hosts.append(host_name)
	for domain in ctx.conf.get("domains") or []:
		name = domain.get("domain") if isinstance(domain, dict) else domain
		if name:
			hosts.append(str(name))
	return list(dict.fromkeys(hosts))


def http_get(host: str, port: int, header_host: str, path: str, timeout_s: float, tls: bool = False) -> dict:
	"""One GET with a Host header: status and time, or the reason it failed (refused, timeout, TLS, DNS)."""
	started = time.perf_counter()
	cls = http.client.HTTPSConnection if tls else http.client.HTTPConnection
	kwargs = {"timeout": timeout_s}
	if tls:
		import ssl

		kwargs["context"] = ssl.create_default_context()
	conn = cls(host, port, **kwargs)
	try:
		conn.request("GET", path, headers={"Host": header_host, "User-Agent": "frappe-diagnostics"})
		response = conn.getresponse()
		response.read(65536)
		return {"status": response.status, "ms": round((time.perf_counter() - started) * 1000, 1)}
	except TimeoutError:
		return {"error": f"no answer within {timeout_s:g} s"}
	except ConnectionRefusedError:
		return {"error": "connection refused"}
	except socket.gaierror as e:
		return {"error": f"host name not found ({e.strerror})"}
	except OSError as e:
		kind = "TLS failed: " if "SSL" in type(e).__name__ else ""
		return {"error": f"{kind}{type(e).__name__}: {e}"}
	finally:
		conn.close()


def port_open(port: int, timeout_s: float, host: str = "127.0.0.1") -> bool:
	try:
		with socket.create_connection((host, port), timeout=timeout_s):
			return True
	except OSError:
		return False


@check(
	"web.http",
	title="Site over HTTP",
	tags=("web",),
	thresholds={"slow_warning_ms": 2000, "timeout_s": 5},
)
def web_http(probe):
	ctx = probe.site
	port = int(ctx.conf.get("webserver_port") or 8000)
	timeout = min(float(probe.threshold("timeout_s")), probe.remaining_s())
	direct = http_get("127.0.0.1", port, ctx.name, "/api/method/ping", timeout)
	metrics = [
		Metric("direct_status", direct.get("status"), ""),
		Metric("direct_time", direct.get("ms"), "ms"),
	]
	findings = [Finding(f"Web port {port}: " + _said(direct), direct)]
	socketio = int(ctx.conf.get("socketio_port") or 9000)
	socket_ok = port_open(socketio, min(1.0, timeout))
	findings.append(Finding(f"socket.io port {socketio}: {'open' if socket_ok else 'closed'}", {}))
	if direct.get("status") != 200:
		fix = Fix(
			"Start the web process (see web.processes).",
			command=command("bench", "serve", "--port", str(port)),
		)
		summary = f"{ctx.name} does not answer on the web port {port}: {_said(direct)}."
		return probe.result(Status.CRITICAL, summary, metrics, findings, [fix])
	status = probe.graded(
		direct["ms"], probe.threshold("slow_warning_ms"), 10 * probe.threshold("slow_warning_ms")
	)
	if not socket_ok:
		status = max(status, Status.WARNING, key=lambda s: s.rank)
	summary = f"{ctx.name} answers /api/method/ping on port {port} in {direct['ms']:.0f} ms" + (
		"; socket.io is not reachable (no realtime updates in the desk)." if not socket_ok else "."
	)
	return probe.result(status, summary, metrics, findings)


def _said(answer: dict) -> str:
	if "status" in answer:
		return f"HTTP {answer['status']} in {answer['ms']:.0f} ms"
	return answer["error"]


# --- TLS ----------------------------------------------------------------------------------------------


def certificate_files(ctx) -> list[tuple[str, str]]:
	"""(host, certificate path) for the site: the nginx server blocks naming it, and the site config."""
	from frappe_diagnostics.knowledge.benchconfig import nginx

	hosts = site_hosts(ctx)
	found = []
	config = nginx(ctx.bench_path) if ctx.bench_path else None
	for server in config.servers if config else []:
		for host in hosts:
			if host in server.server_names and server.ssl_certificate:
				found.append((host, server.ssl_certificate))
	if ctx.conf.get("ssl_certificate"):
		found.append((hosts[-1], str(ctx.conf["ssl_certificate"])))
	for domain in ctx.conf.get("domains") or []:
		if isinstance(domain, dict) and domain.get("ssl_certificate"):
			found.append((domain.get("domain") or ctx.name, str(domain["ssl_certificate"])))
	return list(dict.fromkeys(found))


@check(
	"web.tls_expiry",
	title="TLS certificates",
	tags=("web", "security"),
	thresholds={"days_warning": 14, "days_critical": 3},
)
def tls_expiry(probe):
	from frappe_diagnostics.knowledge.certs import read_certificate

	files = certificate_files(probe.site)
	if not files:
		return probe.skipped(
			"No TLS certificate is configured for this site (no nginx ssl_certificate, no ssl_certificate in its config)."
		)
	statuses, findings, soonest = [], [], None
	for host, path in files:
		try:
			cert = read_certificate(path)
		except (OSError, ValueError) as e:
			statuses.append(Status.CRITICAL)
			findings.append(Finding(f"{host}: cannot read {path}", {"error": f"{type(e).__name__}: {e}"}))
			continue
		days = cert.days_left()
		soonest = days if soonest is None else min(soonest, days)
		status = probe.graded(
			days, probe.threshold("days_warning"), probe.threshold("days_critical"), higher_is_worse=False
		)
		message = f"{host}: {path} expires {cert.not_after:%Y-%m-%d} ({days:.0f} days)"
		if days < 0:
			message = f"{host}: {path} EXPIRED {cert.not_after:%Y-%m-%d} ({-days:.0f} days ago)"
		if not cert.covers(host):
			status = Status.CRITICAL
			message += f"; it does not cover {host} (covers {', '.join(cert.names[:5])})"
		statuses.append(status)
		findings.append(Finding(message, {"names": cert.names[:20], "issuer": cert.issuer}))
	worst = max(statuses, key=lambda s: s.rank)
	metrics = [Metric("days_to_expiry", round(soonest, 1) if soonest is not None else None, "days")]
	fixes = []
	if worst is not Status.OK:
		fixes.append(
			Fix(
				"Renew the certificate (Let's Encrypt: renew, then reload nginx).",
				command=command("sudo", "bench", "renew-lets-encrypt"),
			)
		)
	summary = (
		findings[0].message
		if len(findings) == 1
		else f"{len(findings)} certificates; the first: {findings[0].message}"
	)
	return probe.result(worst, summary + ".", metrics, findings, fixes)
