"""SQL fingerprints and query IDs exactly as Percona's pt-query-digest computes them.

A port of `QueryRewriter::fingerprint` and `Transformers::make_checksum` (Percona Toolkit 3.x). Perl reads
the slow log as bytes, so \\b, \\s and lc() are ASCII-only here too (re.ASCII and an ASCII-only lower()).
"""

from __future__ import annotations

import hashlib
import re

_A = re.ASCII
_MYSQLDUMP = re.compile(r"\ASELECT /\*!40001 SQL_NO_CACHE \*/ \* FROM `", _A)
_TOOLKIT = re.compile(r"/\*\w+\.\w+:[0-9]/[0-9]\*/", _A)
_CALL = re.compile(r"\A\s*(call\s+\S+)\(", _A | re.I)
_INSERT_INTO = re.compile(r"(?:INSERT|REPLACE)(?: IGNORE)?\s+INTO", _A | re.I)
_VALUES_OPEN = re.compile(r"VALUES\s*\(", _A | re.I)
_ROW_BREAK = re.compile(r"\)\s*,\s*\(", _A)
_LINE_COMMENT_START = re.compile(r"--|#")
_LINE_COMMENT_BODY = re.compile(r"[^'\"\r\n]*")
_USE = re.compile(r"\Ause \S+(?=\n?\Z)", _A | re.I)

# Quoted strings, Percona Toolkit >= 3.4 (PT-1900): escaped quotes and backslashes first
_ESCAPED_SQ = re.compile(r"([^\\])(\\')", _A | re.S)
_ESCAPED_DQ = re.compile(r"([^\\])(\\\")", _A | re.S)
_BACKSLASHES = re.compile(r"\\\\", _A)
_DQ_STRING = re.compile(r"[^\\]\".*?[^\\]?\"", _A | re.S)
_SQ_STRING = re.compile(r"[^\\]'.*?[^\\]?'", _A | re.S)
# Quoted strings, Percona Toolkit <= 3.3
_LEGACY_ESCAPED = re.compile(r"\\[\"']", _A)
_LEGACY_DQ = re.compile(r'".*?"', _A | re.S)
_LEGACY_SQ = re.compile(r"'.*?'", _A | re.S)

_BOOLEAN = re.compile(r"\bfalse\b|\btrue\b", _A | re.I | re.S)
_NUMBER = re.compile(r"[0-9+-][0-9a-f.xb+-]*", _A)
_LEFTOVER = re.compile(r"[xb.+-]\?", _A)
_LEADING_SPACE = re.compile(r"\A\s+", _A)
_NULL = re.compile(r"\bnull\b", _A)
_IN_LIST = re.compile(r"\b(in|values?)(?:[\s,]*\([\s?,]*\))+", _A)
_UNION = re.compile(r"\b(select\s.*?)(?:(\sunion(?:\sall)?)\s\1)+", _A)
_LIMIT = re.compile(r"\blimit \?(?:, ?\?| offset \?)?", _A)
_ORDER_BY = re.compile(r"\bORDER BY ", _A | re.I)
_ASC = re.compile(r"(.+?)\s+ASC", _A | re.I)

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_LOWER = str.maketrans(_UPPER, _UPPER.lower())
_WHITESPACE = str.maketrans("\n\t\r\f", "    ")


def fingerprint(query: str, *, legacy_quotes: bool = False) -> str:
	"""The abstracted form of a statement: literals to ?, lists collapsed, lower-case, one space.

	legacy_quotes=True reproduces Percona Toolkit up to 3.3, which stripped quoted strings more naively.
	"""
	if _MYSQLDUMP.match(query):
		return "mysqldump"
	if _TOOLKIT.search(query):
		return "percona-toolkit"
	if query.startswith("administrator command: "):
		return query
	call = _CALL.match(query)
	if call:
		return _lower(call.group(1))
	if query[:6].upper() == "INSERT" or query[:7].upper() == "REPLACE":
		query = _first_row_only(query)

	if "/*" in query:
		query = _strip_block_comments(query)
	if "--" in query or "#" in query:
		query = _strip_line_comments(query)
	if query[:3].lower() == "use":
		use, found = _USE.subn("use ?", query, count=1)
		if found:
			return use
	query = _strip_quotes_legacy(query) if legacy_quotes else _strip_quotes(query)

	lowered = _lower(query)
	if "true" in lowered or "false" in lowered:
		query = _BOOLEAN.sub("?", query)
	query = _NUMBER.sub("?", query)
	if "?" in query:
		query = _LEFTOVER.sub("?", query)
	if query[:1].isspace():
		query = _LEADING_SPACE.sub("", query, count=1)
	if query.endswith("\n"):
		query = query[:-1]  # Perl's chomp
	query = _squeeze_spaces(query)
	query = _lower(query)
	if "null" in query:
		query = _NULL.sub("?", query)
	if "(" in query and ("in" in query or "value" in query):
		query = _IN_LIST.sub(r"\1(?+)", query)
	if "union" in query:
		query = _UNION.sub(r"\1 /*repeat\2*/", query)
	if "limit ?" in query:
		query = _LIMIT.sub("limit ?", query, count=1)
	return _drop_asc(query)


def query_id(fingerprint: str, *, full: bool = False) -> str:
	"""pt-query-digest's Query ID: "0x" and the upper-case MD5 of the fingerprint's bytes.

	By default its last 16 hex digits (pt-query-digest <= 3.0.10 and 3.5.1-3.5.3); full=True gives the
	32 digits that 3.0.11-3.5.0 and 3.5.4+ print.
	"""
	digest = hashlib.md5(fingerprint.encode("utf-8", "surrogateescape"), usedforsecurity=False).hexdigest()
	return "0x" + (digest if full else digest[-16:]).upper()


def _strip_quotes(query: str) -> str:
	if "\\" in query:
		query = _ESCAPED_SQ.sub(r"\1", query)
		query = _ESCAPED_DQ.sub(r"\1", query)
		query = _BACKSLASHES.sub("", query)
		query = query.replace("\\'", "").replace('\\"', "")
	if '"' in query:
		query = _replace_strings(query, '"', _DQ_STRING)
	if "'" in query:
		query = _replace_strings(query, "'", _SQ_STRING)
	return query


def _first_row_only(query: str) -> str:
	# m/\A((?:INSERT|REPLACE)(?: IGNORE)?\s+INTO.+?VALUES\s*\(.*?\))\s*,\s*\(/is, in linear time:
	# only the first VALUES( can succeed, since a later one could only find a row break the first saw
	into = _INSERT_INTO.match(query)
	values = into and _VALUES_OPEN.search(query, into.end() + 1)
	row_break = values and _ROW_BREAK.search(query, values.end())
	return query[: row_break.start() + 1] if row_break else query


def _strip_block_comments(query: str) -> str:
	# s#/\*[^!].*?\*/##sg without its quadratic cost when a comment is never closed
	parts, done, pos = [], 0, 0
	while True:
		start = query.find("/*", pos)
		if start == -1 or start + 2 >= len(query):
			break
		if query[start + 2] == "!":
			pos = start + 1
			continue
		end = query.find("*/", start + 3)
		if end == -1:
			break
		parts.append(query[done:start])
		done = pos = end + 2
	if not parts:
		return query
	parts.append(query[done:])
	return "".join(parts)


def _strip_line_comments(query: str) -> str:
	# s/(?:--|#)[^'"\r\n]*(?=[\r\n]|\Z)//g; a start that fails skips to the quote that stopped it
	parts, done, pos = [], 0, 0
	while True:
		start = _LINE_COMMENT_START.search(query, pos)
		if not start:
			break
		end = _LINE_COMMENT_BODY.match(query, start.end()).end()
		if end < len(query) and query[end] not in "\r\n":
			pos = end  # stopped by a quote: every start before it fails the same way
			continue
		parts.append(query[done : start.start()])
		done = pos = end
		if end == len(query):
			break
	if not parts:
		return query
	parts.append(query[done:])
	return "".join(parts)


def _replace_strings(query: str, quote: str, pattern: re.Pattern) -> str:
	# pattern.sub(r"\1?", query), but only tried where a quote is: the same matches, several times faster
	parts, done = [], 0
	at = query.find(quote, 1)
	while at != -1:
		found = pattern.match(query, at - 1)
		if found:
			parts.append(query[done:at])
			parts.append("?")
			done = found.end()
			at = query.find(quote, done + 1)
		else:
			at = query.find(quote, at + 1)
	if not parts:
		return query
	parts.append(query[done:])
	return "".join(parts)


def _strip_quotes_legacy(query: str) -> str:
	if "\\" in query:
		query = _LEGACY_ESCAPED.sub("", query)
	if '"' in query:
		query = _LEGACY_DQ.sub("?", query)
	if "'" in query:
		query = _LEGACY_SQ.sub("?", query)
	return query


def _squeeze_spaces(query: str) -> str:
	# Perl's tr[ \n\t\r\f][ ]s: every run of these characters becomes one space
	if "\n" in query or "\t" in query or "\r" in query or "\f" in query:
		query = query.translate(_WHITESPACE)
	while "  " in query:
		query = query.replace("  ", " ")
	return query


def _lower(text: str) -> str:
	return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def _drop_asc(query: str) -> str:
	# Perl: 1 while s/\G(.+?)\s+ASC/$1/gi after ORDER BY: one pass of anchored, back-to-back matches
	anchor = _ORDER_BY.search(query) if "order by " in query else None
	if not anchor or "asc" not in query[anchor.end() :]:
		return query
	pos, parts = anchor.end(), [query[: anchor.end()]]
	while True:
		found = _ASC.match(query, pos)
		if not found:
			break
		parts.append(found.group(1))
		pos = found.end()
	if len(parts) == 1:
		return query
	parts.append(query[pos:])
	return "".join(parts)
