"""Scratch sites whose databases hold stored diagnostics (runs, results, error groups), Frappe-shaped, on the
real MariaDB: for the metrics, probes-from-stored-state and all-sites tests, and their benchmarks."""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from conftest import Bench, drop_site_db, make_site_db

__all__ = ["add_site", "create_site_db", "drop_site_db", "store_run"]

STORED_TABLES = [
	"""CREATE TABLE `tabDiagnostic Run` (name varchar(140) PRIMARY KEY, creation datetime(6), kind varchar(140),
		status varchar(140), `trigger` varchar(140), partial int default 0, started datetime(6),
		finished datetime(6), duration_ms decimal(21,9), KEY creation (creation),
		KEY kind_creation (kind, creation), KEY kind_trigger_creation (kind, `trigger`, creation)) ENGINE=InnoDB""",
	"""CREATE TABLE `tabDiagnostic Result` (name varchar(140) PRIMARY KEY, parent varchar(140),
		parenttype varchar(140), check_id varchar(140), status varchar(140), duration_ms decimal(21,9),
		KEY parent (parent)) ENGINE=InnoDB""",
	"""CREATE TABLE `tabError Group` (name varchar(140) PRIMARY KEY, status varchar(140),
		first_occurrence datetime(6)) ENGINE=InnoDB""",
]


def create_site_db(root, prefix: str = "_diagobs") -> dict:
	"""A Frappe-shaped site database (conftest's core tables) with the stored-diagnostics tables, in UTC."""
	db = make_site_db(root, prefix, STORED_TABLES)
	with root.cursor() as cur:
		cur.execute(f"USE `{db['name']}`")
		cur.execute("INSERT INTO `tabSingles` VALUES ('System Settings', 'time_zone', 'UTC')")
	return db


def store_run(
	root,
	db: dict,
	status: str,
	results: dict[str, str],
	finished: datetime,
	kind: str = "Health Check",
	trigger: str = "Scheduler",
	partial: int = 0,
	duration_ms: float = 80.0,
) -> str:
	"""A stored run with one result per check id (status labels as stored: OK, Warning, Critical …)."""
	name = f"DR-{secrets.token_hex(5)}"
	with root.cursor() as cur:
		cur.execute(f"USE `{db['name']}`")
		cur.execute(
			"INSERT INTO `tabDiagnostic Run` VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
			(name, finished, kind, status, trigger, partial, finished, finished, duration_ms),
		)
		for i, (check_id, check_status) in enumerate(results.items()):
			cur.execute(
				"INSERT INTO `tabDiagnostic Result` VALUES (%s, %s, 'Diagnostic Run', %s, %s, %s)",
				(f"{name}-{i}", name, check_id, check_status, 5.0 + i),
			)
	return name


def add_site(bench: Bench, site: str, db: dict) -> None:
	"""Another site folder in the same bench, on its own database."""
	path = bench.root / "sites" / site
	for folder in ("private/files", "public/files"):
		(path / folder).mkdir(parents=True, exist_ok=True)
	conf = {**bench.conf, "db_name": db["name"], "db_password": db["password"]}
	(path / "site_config.json").write_text(json.dumps(conf, indent=1))
