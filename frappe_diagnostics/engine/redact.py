"""Secret redaction, applied at the one writer and in every API and CLI output.

Known secrets (values of the site config) are masked wherever they appear — unless the value is also an
ordinary word (a common password, an account name such as `root`): that value is masked only where it
stands as a secret (`key=value`, a URL's password, a value under a secret key), so "owner (root)" stays
readable, and security.weak_config_secrets reports it. Secret-shaped text is masked by pattern, and a
statement on a credential table (engine/credentials.py) is masked whole. Every pattern is linear.
"""

from __future__ import annotations

import re
from typing import Any

from frappe_diagnostics.engine.context import SECRET_KEY, URL_PASSWORD
from frappe_diagnostics.engine.credentials import CREDENTIAL_TABLES
from frappe_diagnostics.engine.secret_strength import is_ordinary_word

MASK = "********"
STATEMENT_MASK = f"{MASK} (a statement on a credential table, masked whole)"
_WORDS = r"[\w-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|encryption[_-]?key|private[_-]?key|pwd)[\w-]*|sid|otp"
# key=value / "key": "value" / `key`='value' pairs whose key names a secret; the value quoted (spaces
# allowed), a [list], or a bare word that ends at a space, a quote or `&` (trailing punctuation kept)
_PAIR = re.compile(
	rf"""(?P<key>(?<![\w-])[`"']?(?:{_WORDS})[`"']?\s*[:=]\s*)"""
	r"""(?:(?P<q>["'`])(?P<qval>(?:\\.|(?!(?P=q))[^\\\n])*)(?P=q)"""
	r"""|(?P<list>\[[^\]\n]*\])"""
	r"""|(?P<open>["'`])(?P<oval>[^\s"'`]+)"""  # a quote never closed (a cut sample): up to the next space
	r"""|(?P<val>[^\s"'`&<>\[{]+?)(?=[),.;}\]]*(?:[\s&"'`<>]|$)))""",
	re.IGNORECASE,
)
# secret-bearing URL query parameters: password-reset keys, session ids, signed links
_QUERY = re.compile(
	r"(?P<p>[?&](?:key|token|sid|signature|secret|password|pwd|api_key|otp|code)=)(?P<val>[^&\s\"'#<>]+)",
	re.I,
)
_AUTH_HEADER = re.compile(
	r"""(?P<p>\bAuthorization["']?\s*[:=]\s*["']?(?:(?:Bearer|token|Basic)\s+)?)(?P<val>[^\s"',;]+)""", re.I
)
_BEARER = re.compile(
	r"(?P<p>\b(?:Bearer|token|Basic)\s+)(?P<val>[A-Za-z0-9._~+/=-]+:[A-Za-z0-9._~+/=-]+|[A-Za-z0-9._~+/=:-]{8,})",
	re.IGNORECASE,
)
_CLI_PASSWORD = re.compile(
	r"(?P<p>\b(?:mysql|mariadb|mysqldump|mariadb-dump|mysqladmin|mariadb-admin)\b[^\n]*?\s-p)(?P<val>[^\s'\"]+)"
)
_HASH = re.compile(r"\$(?:pbkdf2(?:-sha\d+)?|argon2(?:id|i|d)?|2[aby]|[56]|scrypt)\$[^\s'\"`,;)]+")
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.S)
_CREDENTIAL_STATEMENT = re.compile(
	r"\b(?P<verb>select|insert|update|delete|replace)\b[^;\n]*?(?<!\w)(?:"
	+ "|".join(re.escape(name) for name in CREDENTIAL_TABLES)
	+ r")(?![\w])[^;\n]*",
	re.IGNORECASE,
)
_HARMLESS_VALUES = {"", "YES", "NO", "TRUE", "FALSE", "NONE", "NULL"}  # e.g. "using password: YES"
_STRICT_KEY = re.compile(r"pass|secret|token|pwd|credential|otp|pin(?:_|$)", re.IGNORECASE)


class Redactor:
	"""Masks known secret values (from the site config) and secret-shaped text."""

	def __init__(self, secrets=()):
		values = {str(s) for s in secrets if isinstance(s, str | int | float) and not isinstance(s, bool)}
		self.secrets = sorted(
			(s for s in values if len(s) >= 4 and not is_ordinary_word(s)), key=len, reverse=True
		)

	def text(self, value: str) -> str:
		if not value:
			return value
		for secret in self.secrets:
			if secret in value:
				value = value.replace(secret, MASK)
		value = _PEM.sub(MASK, value)
		value = _CREDENTIAL_STATEMENT.sub(lambda m: f"{m.group('verb')} {STATEMENT_MASK}", value)
		value = _HASH.sub(MASK, value)
		value = URL_PASSWORD.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{MASK}@", value)
		value = _QUERY.sub(lambda m: f"{m.group('p')}{MASK}", value)
		value = _AUTH_HEADER.sub(lambda m: f"{m.group('p')}{MASK}", value)
		value = _CLI_PASSWORD.sub(lambda m: f"{m.group('p')}{MASK}", value)
		value = _PAIR.sub(_mask_pair, value)
		return _BEARER.sub(lambda m: f"{m.group('p')}{MASK}", value)

	def data(self, value: Any, _key: str = "") -> Any:
		"""Redact a JSON-like structure; values under secret-named keys are masked whole (lists: each item)."""
		if isinstance(value, dict):
			return {k: self.data(v, str(k)) for k, v in value.items()}
		secret = bool(_key) and SECRET_KEY.search(_key) and not _harmless_key(_key)
		if isinstance(value, list | tuple):
			return [self.data(v, _key if secret else "") for v in value]
		if isinstance(value, str):
			return MASK if secret and value else self.text(value)
		if (
			secret
			and isinstance(value, int | float)
			and not isinstance(value, bool)
			and _STRICT_KEY.search(_key)
		):
			return MASK
		return value


def _mask_pair(match: re.Match) -> str:
	key = match.group("key")
	if match.group("list") is not None:
		return f"{key}{MASK}"
	if match.group("open"):
		return f"{key}{match.group('open')}{MASK}"
	if match.group("q"):
		quote = match.group("q")
		if match.group("qval").upper() in _HARMLESS_VALUES:
			return match.group(0)
		return f"{key}{quote}{MASK}{quote}"
	if match.group("val").rstrip(")\\").upper() in _HARMLESS_VALUES:  # "(using password: YES)\")" in JSON
		return match.group(0)
	return f"{key}{MASK}"


def _harmless_key(key: str) -> bool:
	# keys that merely mention a secret-ish word but hold none
	return key.lower() in {
		"keyspace",
		"keyspace_hits",
		"keyspace_misses",
		"check_id",
		"auth_type",
	} or key.endswith(("_count", "_ms", "_at"))
