"""Frappe tables the operations troubleshooters read, created in the test site's database as Frappe v15
defines them (the columns they use), and dropped again after each test."""

from __future__ import annotations

import contextlib

TABLES = {
	"tabScheduled Job Type": """(name varchar(140) PRIMARY KEY, creation datetime(6), modified datetime(6),
		method varchar(140), frequency varchar(140), cron_format varchar(140), last_execution datetime(6),
		stopped int default 0, create_log int default 0)""",
	"tabScheduled Job Log": """(name varchar(140) PRIMARY KEY, creation datetime(6), modified datetime(6),
		status varchar(140), scheduled_job_type varchar(140), details longtext)""",
	"tabActivity Log": """(name varchar(140) PRIMARY KEY, creation datetime(6), modified datetime(6))""",
	"tabError Group": """(name varchar(140) PRIMARY KEY, status varchar(20), `count` int, fingerprint varchar(140))""",
	"tabEmail Queue": """(name varchar(140) PRIMARY KEY, creation datetime(6), modified datetime(6),
		status varchar(140), error longtext, sender varchar(140))""",
	"tabEmail Account": """(name varchar(140) PRIMARY KEY, email_id varchar(140), enable_outgoing int default 0,
		default_outgoing int default 0, enable_incoming int default 0, smtp_server varchar(140),
		smtp_port varchar(140), use_tls int default 0, use_ssl int default 0)""",
	"tabFile": """(name varchar(140) PRIMARY KEY, creation datetime(6), owner varchar(140), file_name varchar(140), file_url longtext,
		is_private int default 0, is_folder int default 0, file_size bigint default 0,
		attached_to_doctype varchar(140), attached_to_name varchar(140), KEY file_url (file_url(100)))""",
	"tabRole": """(name varchar(140) PRIMARY KEY, two_factor_auth int default 0)""",
	"tabHas Role": """(name varchar(140) PRIMARY KEY, parent varchar(140), parenttype varchar(140),
		role varchar(140))""",
}


class FrappeTables:
	"""Create some of TABLES in the test site's database; `drop()` removes them (and leaves others)."""

	def __init__(self, site_sql):
		self.sql = site_sql
		self.made: list[str] = []

	def create(self, *names: str) -> FrappeTables:
		for name in names:
			self.sql(f"DROP TABLE IF EXISTS `{name}`")
			self.sql(f"CREATE TABLE `{name}` {TABLES[name]} ENGINE=InnoDB")
			self.made.append(name)
		return self

	def drop(self) -> None:
		for name in self.made:
			with contextlib.suppress(Exception):
				self.sql(f"DROP TABLE IF EXISTS `{name}`")
		self.made.clear()
