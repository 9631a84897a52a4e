"""Error messages with their variable parts replaced by "?": names, ids, numbers, emails, quoted values.

Two messages that differ only in the document, user, amount or date they mention normalise alike; a
MariaDB error code at the head of a message ("(1213, 'Deadlock found…')") is kept, as it names the error.
Site names ("erp.example.com: Scheduler is inactive") are masked by `mask_sites`.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_MESSAGE = 2000  # characters of a message looked at
_A = re.ASCII

_DB_TUPLE = re.compile(r"\((\d{3,5}),\s*(['\"])(.*)\2\)\Z", re.S)
_HTML_VALUE = re.compile(r"<(b|strong|i|em|code|a|span)\b[^<>]{0,300}>[^<>]{0,300}</\1>", re.I)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,300}>")
# a quote after a letter is an apostrophe (don't), not the start of a quoted value
_QUOTED = re.compile(
	r"(?<![A-Za-z])'[^'\n]{0,500}'(?![A-Za-z])|\"[^\"\n]{0,500}\"|`[^`\n]{0,200}`|\u201c[^\u201d\n]{0,500}\u201d"
)
_URL = re.compile(r"\b(?:https?|ftp|redis|mysql|mariadb|smtp|imap)s?://\S{1,500}", re.I)
_EMAIL = re.compile(r"[\w.+-]{1,100}@[\w-]{1,100}(?:\.[\w-]{1,100})+")
_PATH = re.compile(r"(?<![\w.])(?:/[\w.@+-]{1,200}){2,}/?")
# any token holding a digit: numbers, amounts, dates, times, hashes, UUIDs, ids like SINV-2024-00012, IPs;
# starting only where a token starts keeps it linear
_WITH_DIGIT = re.compile(r"(?<![\w.,:/#+-])[\w.,:/#+-]*?\d[\w.,:/#+-]*", _A)
_SPACES = re.compile(r"\s+")
# a host name, as Frappe's workers and scheduler name the site they work for ("erp.example.com: ...",
# "... for Site site1.local"): dotted labels ending in a top-level domain, so module paths are not taken
_HOST = re.compile(
	r"(?<![\w.@/-])(?:[A-Za-z0-9][A-Za-z0-9-]{0,62}\.){1,8}"
	r"(?:[A-Za-z]{2}|com|net|org|io|local|localhost|test|internal|lan|app|dev|cloud|site|online|info|biz)"
	r"(?![\w@/-]|\.\w)(?::(?=\s|\Z))?",
	re.I,
)
_REPEATS = re.compile(r"\?(?:[\s,;]*\?)+")


def normalize_message(message: str) -> str:
	"""The message's template: variable parts to "?", whitespace collapsed, at most MAX_MESSAGE long."""
	message = message[:MAX_MESSAGE].strip()
	db = _DB_TUPLE.match(message)
	if db:
		return f"({db.group(1)}, {_normalize(db.group(3))})"
	return _normalize(message)


def mask_sites(message: str, sites: tuple[str, ...] = ()) -> str:
	"""The message with host names and the given site names (with a colon after them) replaced by "?"."""
	if sites:
		message = _sites_pattern(tuple(sorted(set(sites)))).sub("?", message)
	return _HOST.sub("?", message) if "." in message else message


@lru_cache(maxsize=64)
def _sites_pattern(sites: tuple[str, ...]) -> re.Pattern:
	names = "|".join(re.escape(s[:200]) for s in sorted(sites, key=len, reverse=True) if s)
	return re.compile(rf"(?<![\w.-])(?:{names})(?![\w-]|\.\w)(?::(?=\s|\Z))?" if names else r"(?!x)x")


def db_error_code(message: str) -> int | None:
	"""The MariaDB/MySQL error code of a driver error message like "(1213, 'Deadlock found…')"."""
	db = _DB_TUPLE.match(message[:MAX_MESSAGE].strip())
	return int(db.group(1)) if db else None


def _normalize(text: str) -> str:
	if "<" in text:
		text = _HTML_VALUE.sub("?", text)
		text = _HTML_TAG.sub(" ", text)
	text = _QUOTED.sub("?", text)
	if "://" in text:
		text = _URL.sub("?", text)
	if "@" in text:
		text = _EMAIL.sub("?", text)
	if "/" in text:
		text = _PATH.sub("?", text)
	text = _WITH_DIGIT.sub("?", text)
	text = _SPACES.sub(" ", text).strip()
	return _REPEATS.sub("?", text)
