"""Every secret form found in raw samples (slow log, logs, Error Groups, fix commands) is masked, statements
on credential tables are masked whole, and a weak configured password does not blank out ordinary words."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from frappe_diagnostics.engine.redact import MASK, Redactor

# (text, the secret parts that must not survive, the exact redacted text)
FORMS = [
	(
		"INSERT INTO `__Auth` (`doctype`, `name`, `fieldname`, `password`, `encrypted`) VALUES ('User', "
		"'jane@example.com', 'password', '$pbkdf2-sha256$29000$N2YuBcAYw$k4xq0aQ2Z5Yr', 0)",
		["$pbkdf2-sha256$29000$N2YuBcAYw$k4xq0aQ2Z5Yr", "jane@example.com"],
		"INSERT ******** (a statement on a credential table, masked whole)",
	),
	(
		"select `sid`, `sessiondata` from `tabSessions` where sid = 'f4a1b2c3d4e5'; select 1",
		["f4a1b2c3d4e5"],
		"select ******** (a statement on a credential table, masked whole); select 1",
	),
	(
		"query: SELECT user FROM tabSessions WHERE sid = 'unquotedtable9'",
		["unquotedtable9"],
		"query: SELECT ******** (a statement on a credential table, masked whole)",
	),
	(
		"delete from __Auth where name='someone'",
		["someone"],
		"delete ******** (a statement on a credential table, masked whole)",
	),
	("select 1 from xtabSessions", [], "select 1 from xtabSessions"),
	(
		"hash $pbkdf2-sha256$29000$abcDEF12$zzYYxx99 in a message",
		["abcDEF12$zzYYxx99"],
		"hash ******** in a message",
	),
	(
		"UPDATE `tabUser` SET `password`='Plain Pw 1' WHERE name='x'",
		["Plain Pw 1"],
		"UPDATE `tabUser` SET `password`='********' WHERE name='x'",
	),
	('login failed: password="Plain Text Pw" user=jane', ["Plain Text Pw", "Text Pw"], None),
	("{'pwd': 'a b c d', 'usr': 'jane'}", ["a b c d"], "{'pwd': '********', 'usr': 'jane'}"),
	("Cookie: sid=0123abcdef; system_user=yes", ["0123abcdef"], "Cookie: sid=********; system_user=yes"),
	("passwd=semi;colon next=1", ["semi;colon", "colon"], "passwd=******** next=1"),
	("redis://u:pa/ss@h:6379/0", ["pa/ss"], "redis://u:********@h:6379/0"),
	("Authorization: token abc:def", ["abc:def", "def"], "Authorization: token ********"),
	("headers: {'Authorization': 'Bearer xyz'}", ["xyz"], "headers: {'Authorization': 'Bearer ********'}"),
	("mysql -uroot -pRootPw123 -e 'select 1'", ["RootPw123"], "mysql -uroot -p******** -e 'select 1'"),
	("private_key: abcdefSECRET", ["abcdefSECRET"], "private_key: ********"),
	(
		"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx\nqwerty\n-----END RSA PRIVATE KEY-----",
		["MIIEowIBAAKCAQEAx", "qwerty"],
		"********",
	),
	('{"pin_secret": 98765432, "x": 1}', ["98765432"], '{"pin_secret": ********, "x": 1}'),
	(
		'{"api_tokens": ["tok-aaa", "tok-bbb"], "n": 2}',
		["tok-aaa", "tok-bbb"],
		'{"api_tokens": ********, "n": 2}',
	),
	("using password: YES)", [], "using password: YES)"),
	("http://site:8000/app/user/jane@example.com", [], "http://site:8000/app/user/jane@example.com"),
]


@pytest.mark.parametrize(("text", "secrets", "expected"), FORMS, ids=[f[0][:40] for f in FORMS])
def test_each_secret_form_is_masked(text, secrets, expected):
	masked = Redactor().text(text)
	for secret in secrets:
		assert secret not in masked, masked
	if expected is not None:
		assert masked == expected


def test_data_masks_numbers_lists_and_short_values_under_secret_keys():
	config = {"pin_secret": 98765432, "api_tokens": ["a", "b"], "db_password": "ab", "db_port": 3306}
	assert Redactor().data(config) == {
		"pin_secret": MASK,
		"api_tokens": [MASK, MASK],
		"db_password": MASK,
		"db_port": 3306,
	}


def test_configured_numeric_and_list_secrets_are_masked_wherever_they_appear():
	from frappe_diagnostics.engine.context import collect_secrets

	conf = {"pin_secret": 98765432, "api_tokens": ["tok-7f3e2a91", "tok-8b4c0d12"]}
	r = Redactor(collect_secrets(conf))
	assert r.text("the pin 98765432 and tok-8b4c0d12 leaked") == f"the pin {MASK} and {MASK} leaked"


def test_a_weak_password_does_not_blank_out_the_ordinary_word():
	r = Redactor(["root"])  # db_password or root_password set to `root`
	assert r.text("The site's files belong to the bench's owner (root).") == (
		"The site's files belong to the bench's owner (root)."
	)
	assert r.text("mariadb://root:root@127.0.0.1/db") == f"mariadb://root:{MASK}@127.0.0.1/db"
	assert r.text("db_password=root") == f"db_password={MASK}"
	assert r.data({"db_password": "root", "owner": "root"}) == {"db_password": MASK, "owner": "root"}


def test_a_strong_password_is_masked_anywhere():
	r = Redactor(["xK9#mQ2!vL7p"])
	assert r.text("it said xK9#mQ2!vL7p in passing") == f"it said {MASK} in passing"


# --- planted in the places raw samples come from, through the standalone command's output --------------

SLOW = """# Time: {t:%y%m%d %H:%M:%S}
# User@Host: u[u] @ localhost []
# Query_time: 3.0  Lock_time: 0.0  Rows_sent: 1  Rows_examined: 200000
SET timestamp={ts};
{sql};
"""
SAMPLES = [
	"INSERT INTO `__Auth` (doctype, name, fieldname, password) VALUES ('User', 'u1', 'password', "
	"'$pbkdf2-sha256$29000$PLANTED1$hashhash')",
	"UPDATE `tabUser` SET `password`='Planted Pw Two' WHERE name='u2'",
	"SELECT * FROM `tabSessions` WHERE sid = 'plantedsid0003'",
]
PLANTED = ["PLANTED1", "Planted Pw Two", "plantedsid0003"]


def test_slow_log_samples_never_print_a_planted_secret(bench, tmp_path):
	now = datetime.now(timezone.utc)
	path = tmp_path / "slow.log"
	path.write_text(
		"".join(
			SLOW.format(
				t=now - timedelta(minutes=i + 1), ts=int((now - timedelta(minutes=i + 1)).timestamp()), sql=s
			)
			for i, s in enumerate(SAMPLES)
		)
	)
	for extra in (("--json",), ()):
		done = bench.cli(
			"slowlog",
			"--site",
			bench.site,
			"--path",
			str(path),
			"--since",
			"24h",
			"--fail-on",
			"never",
			*extra,
		)
		assert done.returncode == 0, done.stderr
		for secret in PLANTED:
			assert secret not in done.stdout + done.stderr
	data = json.loads(bench.cli("slowlog", "--site", bench.site, "--path", str(path), "--json").stdout)
	assert [r["check_id"] for r in data["results"]] == ["slowlog.read", "slowlog.groups"]


LEAKY_FORMS = """
import json
from frappe_diagnostics.engine.registry import check
from frappe_diagnostics.engine.result import Finding, Fix

FORMS = json.loads({forms!r})

@check("leakyforms.all", title="Every form", tags=("leakyforms",))
def every_form(probe):
	return probe.ok(
		" | ".join(FORMS),
		findings=[Finding(text, {{"sample": text, "raw": {{"text": text}}}}) for text in FORMS],
		fixes=[Fix("Run it", command=text) for text in FORMS],
	)
"""


def test_no_output_prints_a_planted_form(bench):
	texts = [text for text, secrets, _ in FORMS if secrets]
	source = LEAKY_FORMS.format(forms=json.dumps(texts))
	bench.add_app("leakyforms", 'diagnostics_checks = ["leakyforms.diagnostics"]\n', {"diagnostics": source})
	for extra in (("--json",), ()):
		done = bench.cli("check", "--site", bench.site, "--tag", "leakyforms", *extra)
		output = done.stdout + done.stderr
		assert "leakyforms.all" in output
		for _, secrets, _ in FORMS:
			for secret in secrets:
				assert secret not in output, f"{secret} leaked ({extra})"
