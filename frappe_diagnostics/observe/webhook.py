"""Outgoing alert webhooks: a JSON body in one of three shapes (plain JSON, Slack, Microsoft Teams) POSTed
with a short timeout. The URL is a secret (Slack and Teams put the credential in it): never logged."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from frappe_diagnostics.observe.alerting import RESOLVED, Decision

TIMEOUT_S = 5.0
COLOUR = {"ok": "2EB886", "warning": "F2C744", "critical": "D72B3F", "error": "8E44AD"}


def payload(fmt: str, site: str, title: str, lines: list[str], decisions: list[Decision], link: str) -> dict:
	"""The body for `fmt`: Slack's `text` (mrkdwn), a Teams MessageCard, or our own JSON."""
	if fmt == "Slack":
		bullets = "\n".join(f"• {line}" for line in lines)
		return {"text": f"*{title}*\n{bullets}\n<{link}|Open the run>"}
	if fmt == "Teams":
		worst = next((d.status for d in decisions if d.event != RESOLVED), "ok")
		return {
			"@type": "MessageCard",
			"@context": "https://schema.org/extensions",
			"summary": title,
			"themeColor": COLOUR.get(worst, COLOUR["warning"]),
			"title": title,
			"text": "<br>".join(lines),
			"potentialAction": [
				{"@type": "OpenUri", "name": "Open the run", "targets": [{"os": "default", "uri": link}]}
			],
		}
	return {
		"site": site,
		"title": title,
		"link": link,
		"alerts": [
			{
				"subject": d.subject,
				"event": d.event,
				"status": d.status,
				"previous": d.previous,
				"held_runs": d.held,
			}
			for d in decisions
		],
	}


def post(url: str, body: dict, timeout_s: float = TIMEOUT_S) -> str:
	"""POST the body; what happened, in words that name no part of the URL."""
	if not url.lower().startswith(("https://", "http://")):
		return "failed: not an http(s) URL"
	data = json.dumps(body).encode()
	request = urllib.request.Request(
		url, data=data, headers={"Content-Type": "application/json"}, method="POST"
	)
	try:
		with urllib.request.urlopen(request, timeout=timeout_s) as response:
			return f"HTTP {response.status}"
	except urllib.error.HTTPError as e:
		return f"failed: HTTP {e.code}"
	except (urllib.error.URLError, OSError, ValueError) as e:
		reason = getattr(e, "reason", e)
		return f"failed: {type(reason).__name__}"
