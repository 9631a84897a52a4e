"""Secret redaction, applied at the one writer and in every API and CLI output."""

from __future__ import annotations

import re
from typing import Any

from frappe_diagnostics.engine.context import SECRET_KEY, URL_PASSWORD

MASK = "********"
# key=value / "key": "value" pairs whose key names a secret
_PAIR = re.compile(
	r"""(?P<key>["']?[\w-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|encryption[_-]?key|pwd)[\w-]*["']?\s*[:=]\s*)"""
	r"""(?P<q>["']?)(?P<val>[^"'\s,;&})]+)(?P=q)""",
	re.IGNORECASE,
)
# secret-bearing URL query parameters: password-reset keys, session ids, signed links
_QUERY = re.compile(
	r"(?P<p>[?&](?:key|token|sid|signature|secret|password|pwd|api_key|otp|code)=)(?P<val>[^&\s\"'#<>]+)",
	re.I,
)
_BEARER = re.compile(r"(?P<p>\b(?:Bearer|token|Basic)\s+)(?P<val>[A-Za-z0-9._~+/=:-]{8,})", re.IGNORECASE)


class Redactor:
	"""Masks known secret values (from the site config) and secret-shaped text."""

	def __init__(self, secrets=()):
		self.secrets = sorted(
			{s for s in secrets if isinstance(s, str) and len(s) >= 4}, key=len, reverse=True
		)

	def text(self, value: str) -> str:
		if not value:
			return value
		for secret in self.secrets:
			if secret in value:
				value = value.replace(secret, MASK)
		value = URL_PASSWORD.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{MASK}@", value)
		value = _QUERY.sub(lambda m: f"{m.group('p')}{MASK}", value)
		value = _PAIR.sub(_mask_pair, value)
		return _BEARER.sub(lambda m: f"{m.group('p')}{MASK}", value)

	def data(self, value: Any, _key: str = "") -> Any:
		"""Redact a JSON-like structure; values under secret-named keys are masked whole."""
		if isinstance(value, dict):
			return {k: self.data(v, str(k)) for k, v in value.items()}
		if isinstance(value, list | tuple):
			return [self.data(v) for v in value]
		if isinstance(value, str):
			if _key and SECRET_KEY.search(_key) and not _harmless_key(_key) and value:
				return MASK
			return self.text(value)
		return value


def _mask_pair(match: re.Match) -> str:
	if match.group("val").upper() in (
		"YES",
		"NO",
		"TRUE",
		"FALSE",
		"NONE",
		"NULL",
	):  # e.g. "using password: YES"
		return match.group(0)
	return f"{match.group('key')}{match.group('q')}{MASK}{match.group('q')}"


def _harmless_key(key: str) -> bool:
	# keys that merely mention a secret-ish word but hold none
	return key.lower() in {
		"keyspace",
		"keyspace_hits",
		"keyspace_misses",
		"check_id",
		"auth_type",
	} or key.endswith(("_count", "_ms", "_at"))
