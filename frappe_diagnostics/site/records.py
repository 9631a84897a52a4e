"""What the writers of the app's records share: JSON fields in and out, and who triggered a record."""

from __future__ import annotations

import json

TRIGGERS = ("Desk", "API", "CLI", "Scheduler")
REQUEST_TRIGGERS = ("Desk", "API")  # what a caller over HTTP may claim; anything else is "API"


def trigger(value: str | None, allowed: tuple[str, ...] = TRIGGERS) -> str:
	"""A Trigger field's value: `value` when it is one of `allowed`, else "API"."""
	return value if value in allowed else "API"


def dump(value, pretty: bool = False) -> str:
	"""A JSON field's text: sorted and indented for records people read (audit), compact otherwise."""
	if pretty:
		return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False, indent=1)
	return json.dumps(value, default=str, ensure_ascii=False)


def load(text, default=None):
	"""A JSON field's value, or `default` when it is empty or not JSON."""
	if not text:
		return default
	try:
		return json.loads(text)
	except ValueError:
		return default
