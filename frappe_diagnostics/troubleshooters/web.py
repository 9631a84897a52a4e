"""Web troubleshooter: "is the site reachable, and are all its processes up?"

Processes (Procfile or supervisor vs what runs) → the site on its web port → the nginx config (present,
names the site, `nginx -t`) and the site through it on its own host name → `host_name` consistent with the
domain → TLS certificates. Works from a bench folder with the site down.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from urllib.parse import urlparse

from frappe_diagnostics.checks.web import http_get, site_hosts
from frappe_diagnostics.engine.diagnosis import Diagnosis
from frappe_diagnostics.engine.registry import Registry, check
from frappe_diagnostics.engine.result import Finding, Fix, Status
from frappe_diagnostics.engine.runner import run_selected
from frappe_diagnostics.engine.shell import bench, command


def nginx_step(probe):
	from frappe_diagnostics.knowledge.benchconfig import nginx

	ctx = probe.site
	config = nginx(ctx.bench_path) if ctx.bench_path else None
	if config is None:
		return probe.skipped(
			"No config/nginx.conf in the bench: the site is served by the web process alone (development).",
			fixes=[
				Fix(
					"Production: generate it and link it into nginx.",
					command=command("bench", "setup", "nginx"),
				)
			],
		)
	hosts = site_hosts(ctx)
	blocks = [s for s in config.servers if set(hosts) & set(s.server_names)]
	catch_all = [s for s in config.servers if any("$" in n or n == "_" for n in s.server_names)]
	findings = [Finding("Server blocks", {"names": [s.server_names for s in config.servers][:20]})]
	test = _nginx_test()
	if test is not None:
		findings.append(Finding("nginx -t", test))
	if not blocks and not catch_all:
		summary = f"config/nginx.conf names no server for {', '.join(hosts)}: nginx will not route it to this bench."
		fix = Fix(
			"Regenerate the nginx config after adding the site or domain.",
			command=command("bench", "setup", "nginx"),
		)
		return probe.result(Status.CRITICAL, summary, findings=findings, fixes=[fix])
	if test is not None and test["exit"] != 0:
		summary = f"nginx -t fails: {test['output'].splitlines()[-1] if test['output'] else 'exit ' + str(test['exit'])}"
		return probe.result(
			Status.CRITICAL,
			summary,
			findings=findings,
			fixes=[Fix("Fix the line nginx -t names, then reload nginx.")],
		)
	answer = _through_nginx(blocks or catch_all, hosts[-1], probe.remaining_s())
	findings.append(Finding(f"{hosts[-1]} through nginx", answer))
	if answer.get("status") is None or answer["status"] >= 500:
		summary = f"nginx names the site, but {hosts[-1]} through it: {answer.get('error') or 'HTTP ' + str(answer['status'])}."
		return probe.result(
			Status.CRITICAL,
			summary,
			findings=findings,
			fixes=[Fix("Start or reload nginx.", command=command("sudo", "systemctl", "reload", "nginx"))],
		)
	return probe.ok(
		f"nginx names {', '.join(blocks[0].server_names if blocks else ['the site'])} and answers HTTP {answer['status']}.",
		findings=findings,
	)


def _nginx_test() -> dict | None:
	binary = shutil.which("nginx")
	if not binary:
		return None
	try:
		done = subprocess.run([binary, "-t"], capture_output=True, text=True, timeout=5)
	except (OSError, subprocess.TimeoutExpired) as e:
		return {"exit": -1, "output": str(e)}
	return {"exit": done.returncode, "output": (done.stderr + done.stdout).strip()[-1000:]}


def _through_nginx(blocks, host: str, timeout: float) -> dict:
	server = blocks[0]
	tls = server.ssl
	port = 443 if tls else 80
	for listen in server.listens:
		first = listen.split()[0].rsplit(":", 1)[-1]
		if first.isdigit():
			port = int(first)
			break
	return http_get("127.0.0.1", port, host, "/api/method/ping", min(5.0, timeout), tls=False) | {
		"port": port
	}


def host_name_step(probe):
	ctx = probe.site
	value = str(ctx.conf.get("host_name") or "")
	if not value:
		return probe.ok(f"host_name is not set: links in emails use the request's host ({ctx.name}).")
	parsed = urlparse(value if "://" in value else f"http://{value}")
	domains = [d.get("domain") if isinstance(d, dict) else d for d in ctx.conf.get("domains") or []]
	problems = []
	if "://" not in value:
		problems.append("it has no scheme (http:// or https://)")
	if parsed.hostname not in (ctx.name, *domains):
		problems.append(f"{parsed.hostname} is neither the site's name nor one of its domains")
	if parsed.scheme == "http" and _has_tls(ctx):
		problems.append("it says http:// while the site has a TLS certificate")
	if not problems:
		return probe.ok(f"host_name {value} matches the site.")
	fix = Fix(
		"Set host_name to the URL users open.",
		command=bench(ctx.name, "set-config", "host_name", f"https://{parsed.hostname or ctx.name}"),
	)
	return probe.result(
		Status.WARNING,
		f"host_name {value}: {'; '.join(problems)}.",
		findings=[Finding("host_name", {"value": value, "site": ctx.name})],
		fixes=[fix],
	)


def _has_tls(ctx) -> bool:
	from frappe_diagnostics.checks.web import certificate_files

	return bool(certificate_files(ctx))


def diagnose_web(ctx) -> Diagnosis:
	started = time.time()
	settings = ctx.troubleshooter_settings(min_check_ms=8000, run_s=60)
	local = Registry()
	check("web.nginx", title="nginx", tags=("web",), budget_ms=12000, into=local)(nginx_step)
	check("web.host_name", title="host_name", tags=("web",), into=local)(host_name_step)
	first = run_selected(ctx, ("web.processes", "web.http"), settings=settings).results
	ours = run_selected(ctx, reg=local, settings=settings).results
	tls = run_selected(ctx, ["web.tls_expiry"], settings=settings).results
	steps = [*first, *ours, *tls]
	return Diagnosis(
		"Web",
		f"Is {ctx.name} reachable, and are all its processes up?",
		steps,
		{},
		started,
		time.time(),
		ctx.name,
		cause_from=Status.WARNING,
	)
