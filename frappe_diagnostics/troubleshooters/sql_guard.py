"""Accept exactly one read-only SELECT, or say why not; and read the accepted query's shape.

Pure parsing: nothing here touches a database.

The query that reaches MariaDB is rendered from the validated tree (`explainable_sql`), never the raw text, so
comments, lexer quirks and anything the parser dropped cannot smuggle in what the checks did not see.
"""

from __future__ import annotations

import re
from itertools import pairwise

import sqlglot
from sqlglot import exp
from sqlglot.dialects.mysql import MySQL
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from frappe_diagnostics.engine.credentials import CREDENTIAL_TABLES, SECRET_COLUMNS, credential_table
from frappe_diagnostics.troubleshooters.query_shape import QueryShape, is_derived  # noqa: F401 - re-exported

MAX_QUERY_CHARS = 100_000

# MySQL /*! ... */ and MariaDB /*M! ... */ comments are executed by the server but dropped by the parser
EXECUTABLE_COMMENT = re.compile(r"/\*M?!", re.IGNORECASE)

BLOCKED_FUNCTIONS = {
	"sleep": "waits on purpose",
	"benchmark": "burns CPU on purpose",
	"load_file": "reads files on the database server",
	"get_lock": "takes a named lock",
	"release_lock": "releases a named lock",
	"release_all_locks": "releases named locks",
	"is_free_lock": "inspects named locks",
	"is_used_lock": "inspects named locks",
	"master_pos_wait": "waits for replication",
	"source_pos_wait": "waits for replication",
	"master_gtid_wait": "waits for replication",
	"sys_exec": "runs shell commands (a UDF)",
	"sys_eval": "runs shell commands (a UDF)",
	"nextval": "advances a sequence",
	"setval": "changes a sequence",
	"lastval": "reads sequence state",
	"last_insert_id": "changes session state",
	"extractvalue": "can leak data through its error messages",
	"updatexml": "can leak data through its error messages",
	"name_const": "is only meant for stored routines",
}

# Built-in MariaDB functions, as the statement sent to the server names them. Anything else is a stored
# function or a UDF, which may write or wait, so it is refused.
MARIADB_FUNCTIONS = frozenset(
	"""
	abs acos adddate addtime add_months aes_decrypt aes_encrypt against any_value ascii asin atan atan2
	avg bin binary bit_and bit_count bit_length bit_or bit_xor case cast ceil ceiling char character_length
	char_length charset chr coalesce coercibility collation column_check column_create column_exists
	column_get column_json column_list compress concat concat_ws connection_id conv convert convert_tz cos
	cot count crc32 crc32c cume_dist curdate current_date current_role current_time current_timestamp
	current_user curtime database date datediff date_add date_format date_sub day dayname dayofmonth
	dayofweek dayofyear decode decode_oracle default degrees dense_rank des_decrypt des_encrypt elt encode
	exists exp export_set extract field find_in_set first_value floor format format_bytes format_pico_time
	found_rows from_base64 from_days from_unixtime get_format greatest group_concat hex hour if ifnull
	inet6_aton inet6_ntoa inet_aton inet_ntoa insert instr interval isnull is_ipv4 is_ipv4_compat
	is_ipv4_mapped is_ipv6 json_array json_arrayagg json_array_append json_array_insert
	json_array_intersect json_compact json_contains json_contains_path json_depth json_detailed
	json_equals json_exists json_extract json_insert json_keys json_key_value json_length json_loose
	json_merge json_merge_patch json_merge_preserve json_normalize json_object json_objectagg
	json_object_filter_keys json_object_to_array json_overlaps json_pretty json_query json_quote
	json_remove json_replace json_schema_valid json_search json_set json_table json_type json_unquote
	json_valid json_value lag last_day last_value lcase lead least left length lengthb like ln localtime
	localtimestamp locate log log10 log2 lower lpad ltrim makedate maketime make_set match max md5
	median microsecond mid min minute mod month monthname months_between natural_sort_key now nth_value
	ntile nullif nvl nvl2 oct octet_length old_password ord password percentile_cont percentile_disc
	percent_rank period_add period_diff pi position pow power quarter quote radians rand rank regexp
	regexp_instr regexp_replace regexp_substr release repeat replace reverse right rlike round row rownum
	row_count row_number rpad rtrim schema second sec_to_time session_user sformat sha sha1 sha2 sign sin
	soundex space sqrt std stddev stddev_pop stddev_samp strcmp str_to_date subdate substr substring
	substring_index subtime sum sysdate system_user sys_guid tan time timediff timestamp timestampadd
	timestampdiff time_format time_to_sec to_base64 to_char to_date to_days to_number to_seconds trim
	trim_oracle trunc truncate ucase uncompress uncompressed_length unhex unix_timestamp upper user
	utc_date utc_time utc_timestamp uuid uuid_short uuid_v4 uuid_v7 values var_pop var_samp variance
	version week weekday weekofyear weight_string year yearweek
	point st_astext st_asgeojson st_contains st_distance st_distance_sphere st_geomfromtext st_x st_y
	""".split()
)

TOO_DEEP = "The query nests expressions too deeply to analyse; simplify it (fewer nested calls or brackets)."
MAX_NODES = 20_000  # tokens before parsing, nodes after: bounds the gate's work (linear in this)
TOO_LARGE = (
	f"The query is too large to analyse: more than {MAX_NODES:,} parts (words, values and operators). "
	"Explain a shorter query, for example without its long IN (...) list or OR/AND chain."
)
_RENDERED = "frappe_diagnostics.explainable_sql"
ALLOWED_FIRST_WORDS = {TokenType.SELECT, TokenType.WITH, TokenType.L_PAREN}
PROTECTED_SCHEMAS = {"mysql", "performance_schema", "sys"}

STATEMENT_NODES = """DML DDL Command Set Use Transaction Commit Rollback Kill LoadData Describe Show Pragma
	Analyze Drop Alter TruncateTable Grant Revoke Cache Uncache Refresh Declare Execute Copy Merge
	UserDefinedFunction StoredProcedure"""
_STATEMENT_NODES = tuple(filter(None, (getattr(exp, name, None) for name in STATEMENT_NODES.split())))


class QueryRejected(ValueError):
	"""The query is not a single read-only SELECT; the message says what to change."""


class ExplainDialect(MySQL):
	"""sqlglot's MySQL dialect, rendering the few constructs MariaDB spells differently."""

	class Generator(MySQL.Generator):
		RESERVED_KEYWORDS = MySQL.Generator.RESERVED_KEYWORDS - {"dual"}
		TRANSFORMS = {  # noqa: RUF012 - extends sqlglot's own class attribute
			**MySQL.Generator.TRANSFORMS,
			exp.RegexpLike: lambda self, e: self.binary(e, "REGEXP"),
		}

		def sql(self, expression, key=None, comment=True) -> str:
			# each node is rendered once per statement: note the name each function call is sent under
			text = super().sql(expression, key, comment)
			if key is None and isinstance(expression, exp.Func):
				match = _CALL.match(text, 0, 300)  # a name is at most 64 characters; never scan further
				if match:
					self.__dict__.setdefault("calls", set()).add((match.group(1) or match.group(2)).lower())
			return text


def validate_select(sql: str) -> exp.Expression:
	"""The parsed query when `sql` is one read-only SELECT (UNION, CTE and subqueries allowed).

	Linear in the length of the query: every node is checked once, the tree is rendered once, and input
	past MAX_NODES tokens or nodes is refused before the parser or the renderer sees it.
	"""
	text = _check_text(sql)
	try:
		tokens = _tokens(text)
		_check_first_word(tokens)
		if len(tokens) > MAX_NODES:
			raise QueryRejected(TOO_LARGE)
		tree = _parse_one(text, tokens)
		_check_root(tree)
		for count, node in enumerate(tree.walk(), start=1):
			if count > MAX_NODES:
				raise QueryRejected(TOO_LARGE)
			_check_node(node)
		explainable_sql(tree)
	except RecursionError:
		raise QueryRejected(TOO_DEEP) from None
	return tree


def explainable_sql(tree: exp.Expression) -> str:
	"""The statement MariaDB will see: rendered from the validated tree, without comments.

	Rendered once per tree; every function call in the rendered text must be a built-in one.
	"""
	cached = tree.meta.get(_RENDERED)
	if cached is not None:
		return cached
	generator = ExplainDialect().generator(comments=False)
	try:
		text = generator.generate(tree)
	except RecursionError:
		raise QueryRejected(TOO_DEEP) from None
	for name in sorted(generator.__dict__.get("calls", ())):
		_check_called_name(name)
	tree.meta[_RENDERED] = text
	return text


def _check_text(sql) -> str:
	if not isinstance(sql, str) or not sql.strip():
		raise QueryRejected("The query is empty: paste one SELECT statement to explain.")
	if len(sql) > MAX_QUERY_CHARS:
		raise QueryRejected(
			f"The query is {len(sql):,} characters long; the analyser takes at most {MAX_QUERY_CHARS:,}. "
			"Explain a shorter query (for example without its long IN (...) list)."
		)
	if "\x00" in sql:
		raise QueryRejected("The query contains a NUL character; remove it and try again.")
	if EXECUTABLE_COMMENT.search(sql):
		raise QueryRejected(
			"The query contains an executable comment (/*! ... */ or /*M! ... */), which MariaDB runs as "
			"code. Remove it; inside a string literal, write the text another way (CONCAT('/*', '!'))."
		)
	return sql


def _tokens(text: str) -> list:
	try:
		return [t for t in sqlglot.tokenize(text, read="mysql") if t.token_type is not TokenType.SEMICOLON]
	except TokenError as e:
		raise QueryRejected(
			f"The query could not be read: {_first_line(e)}. Check for an unclosed quote or comment."
		) from None


def _check_first_word(tokens: list) -> None:
	if not tokens:
		raise QueryRejected("The query has no statement, only comments: paste one SELECT statement.")
	first = tokens[0]
	if first.token_type not in ALLOWED_FIRST_WORDS:
		raise QueryRejected(
			f"Only a SELECT can be explained, and this statement starts with {first.text.upper()}. "
			"Paste the SELECT you want to analyse (without EXPLAIN, SHOW or any statement that changes data)."
		)


def _parse_one(text: str, tokens: list) -> exp.Expression:
	try:
		statements = sqlglot.parse(text, read="mysql")
	except ParseError as e:
		raise QueryRejected(_parse_failure(tokens, e)) from None
	real = [s for s in statements if s is not None and not isinstance(s, exp.Semicolon)]
	if len(real) != 1:
		raise QueryRejected(
			f"The text holds {len(real)} statements; the analyser explains exactly one. "
			"Remove everything after the first statement's ';'."
		)
	return real[0]


def _parse_failure(tokens: list, error: ParseError) -> str:
	# name what the parser tripped on when it is a construct we refuse anyway
	words = [t.text.upper() for t in tokens]
	pairs = set(pairwise(words))
	if {("INTO", "OUTFILE"), ("INTO", "DUMPFILE")} & pairs:
		return "SELECT ... INTO OUTFILE/DUMPFILE writes a file on the server; remove the INTO clause."
	if any(w == "INTO" and nxt.startswith("@") for w, nxt in pairs):
		return "SELECT ... INTO @variable assigns session variables; remove the INTO clause."
	if "PROCEDURE" in words:
		return "SELECT ... PROCEDURE ANALYSE runs a procedure over the result; remove the PROCEDURE clause."
	if ("VALUE", "FOR") in pairs and {"NEXT", "PREVIOUS"} & set(words):
		return "NEXT/PREVIOUS VALUE FOR uses a sequence, which changes or reveals its state; remove it."
	if any(
		t.token_type is TokenType.MOD and n.start == t.end + 1 and n.text[:1] in ("s", "(")
		for t, n in pairwise(tokens)
	):
		return "The query still has %s placeholders: substitute the real values, then explain it."
	return f"The query could not be parsed: {_describe_parse_error(error)}. Check the SQL (MariaDB syntax)."


def _describe_parse_error(error: ParseError) -> str:
	details = (error.errors or [{}])[0]
	description = details.get("description") or _first_line(error)
	if details.get("line"):
		near = (details.get("highlight") or "").strip()
		near = f" near '{near[:40]}'" if near else ""
		return f"{description} at line {details['line']}, column {details.get('col')}{near}"
	return description


def _first_line(error: Exception) -> str:
	return (str(error).splitlines() or [type(error).__name__])[0]


def _check_root(tree: exp.Expression) -> None:
	inner = tree
	while isinstance(inner, exp.Subquery):
		inner = inner.this
	if not isinstance(inner, (exp.Select, exp.SetOperation)):
		raise QueryRejected(
			f"Only a SELECT can be explained; this is a {inner.key.upper()} statement. "
			"Paste the SELECT you want to analyse."
		)


def _check_node(node: exp.Expression) -> None:
	if isinstance(node, _STATEMENT_NODES) and not isinstance(node, (exp.Select, exp.SetOperation)):
		raise QueryRejected(
			f"The query contains a {node.key.upper()} statement; only a read-only SELECT can be explained."
		)
	if isinstance(node, exp.Into):
		raise QueryRejected("SELECT ... INTO writes variables, tables or files; remove the INTO clause.")
	if isinstance(node, exp.Lock):
		raise QueryRejected(
			"The query takes row locks (FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE, NOWAIT, SKIP LOCKED); "
			"remove the locking clause to explain it."
		)
	if isinstance(node, exp.PropertyEQ):
		raise QueryRejected("The query assigns a user variable (@x := ...); remove the assignment.")
	if isinstance(node, exp.Placeholder):
		raise QueryRejected(
			"The query still has ? placeholders: substitute the real values, then explain it."
		)
	if isinstance(node, exp.Table):
		_check_table(node)
	if isinstance(node, exp.Identifier):
		_check_identifier(node)
	if isinstance(node, exp.Func):
		_check_function(node)


def _check_table(table: exp.Table) -> None:
	if (table.db or "").lower() in PROTECTED_SCHEMAS:
		raise QueryRejected(
			f"The query reads {table.db}.{table.name}, which holds server accounts or passwords; "
			"the analyser refuses it."
		)
	listed = credential_table(table.name)
	if listed:
		raise QueryRejected(
			f"The query reads `{listed}`, which holds {CREDENTIAL_TABLES[listed]}; the analyser refuses it, "
			"because even a plan can reveal what such a table holds."
		)


def _check_identifier(identifier: exp.Identifier) -> None:
	name = str(identifier.this or "").lower()
	if name in SECRET_COLUMNS:
		raise QueryRejected(
			f"The query uses the column `{name}`, which holds secrets (passwords, keys or tokens); "
			"the analyser refuses it, because even a plan can reveal what it holds."
		)


def _check_function(func: exp.Func) -> None:
	"""What the node itself says (no rendering here: the name it is sent under is judged in explainable_sql)."""
	if isinstance(func.parent, exp.Dot) and func.parent.expression is func:
		raise QueryRejected(
			f"{func.parent.sql(dialect=ExplainDialect)} calls a stored function, which may change data; "
			"only built-in functions are allowed."
		)
	for name in _function_names(func):
		_check_blocked(name)
	if isinstance(func, exp.Anonymous):
		_check_called_name(str(func.name).lower())


def _check_blocked(name: str) -> None:
	if name in BLOCKED_FUNCTIONS:
		raise QueryRejected(
			f"{name.upper()}() {BLOCKED_FUNCTIONS[name]}, so the analyser refuses it: remove it."
		)


def _check_called_name(name: str) -> None:
	_check_blocked(name)
	if name not in MARIADB_FUNCTIONS:
		raise QueryRejected(
			f"{name.upper()}() is not a built-in MariaDB function (stored functions and UDFs may write); "
			"only built-in functions are allowed."
		)


def _function_names(func: exp.Func) -> set[str]:
	if isinstance(func, exp.Anonymous):
		return {str(func.name).lower()}
	return {type(func).__name__.lower(), *(n.lower() for n in func.sql_names())}


# a call as MariaDB reads the start of a rendered function node: `name(` or `` `name`( ``
_CALL = re.compile(r"\s*(?:`([^`]+)`|([A-Za-z_][A-Za-z0-9_$]*))\s*\(")
