"""The guide's recovery procedures as step lists: each step either runs for real (an automatic step) or is
a manual step with the exact commands, which the operator marks done with a note. Framework-free data:
the Frappe layer stores a run of a procedure and executes its automatic steps."""

from __future__ import annotations

from dataclasses import dataclass

from frappe_diagnostics.engine.registry import Named
from frappe_diagnostics.engine.shell import command

AUTO, MANUAL, CLI = "Automatic", "Manual", "Command line"  # CLI: runs only from the command line


@dataclass(frozen=True)
class StepSpec:
	id: str
	title: str
	kind: str
	commands: tuple[str, ...] = ()  # templates: {site}, {set}, {bench}


@dataclass(frozen=True)
class Procedure:
	name: str
	title: str
	steps: tuple[StepSpec, ...]


VERIFY = StepSpec("verify", "Verify the backup to restore (scratch restore)", AUTO)
SAFETY = StepSpec("safety_backup", "Safety backup of the live database", AUTO)
RESTORE = StepSpec(
	"restore",
	"Restore the verified set (atomic swap; the old data is kept)",
	CLI,
	("bench --site {site} diagnostics restore {set}",),
)
VALIDATE = StepSpec("validate", "Post-recovery validation", AUTO)


class Procedures(Named[Procedure]):
	what = "procedure"

	def unknown(self, name: str) -> Exception:
		return ValueError(f"No procedure {name!r}; choose one of: {', '.join(self)}.")


PROCEDURES = Procedures(
	lambda p: p.name,
	items=(
		Procedure(
			"database-corruption",
			"Database corruption",
			(
				StepSpec("assess", "Assess the damage: CHECK TABLE … QUICK and the server's error log", AUTO),
				VERIFY,
				SAFETY,
				RESTORE,
				VALIDATE,
			),
		),
		Procedure(
			"server-failure",
			"Server failure / move to a new server",
			(
				StepSpec(
					"provision",
					"Set up the new server (bench, apps at the same versions)",
					MANUAL,
					(
						"sudo apt-get install -y mariadb-server redis-server git python3-dev python3-venv nodejs",
						"pip install frappe-bench && bench init --frappe-branch version-15 frappe-bench",
						"cd frappe-bench && bench get-app <each app, same branch as before>",
						"bench new-site {site} --db-root-username <root> --install-app <apps>",
					),
				),
				StepSpec(
					"copy_backup",
					"Copy the backup set (and site_config.json keys) to the new server",
					MANUAL,
					(
						"rsync -av <old-server>:<bench>/sites/{site}/private/backups/{set}-* {bench}/sites/{site}/private/backups/",
						"copy encryption_key and backup_encryption_key from the old site_config.json into the new one",
					),
				),
				VERIFY,
				RESTORE,
				StepSpec(
					"dns",
					"Point DNS at the new server",
					MANUAL,
					("update the A/AAAA records of {site} to the new server's address; lower the TTL first",),
				),
				StepSpec(
					"load_balancer",
					"Move the load balancer / proxy to the new server",
					MANUAL,
					(
						"bench setup nginx && sudo service nginx reload",
						"remove the old server from the load balancer pool",
					),
				),
				StepSpec(
					"tls",
					"TLS certificate on the new server",
					MANUAL,
					("sudo bench setup lets-encrypt {site}",),
				),
				VALIDATE,
			),
		),
		Procedure(
			"data-loss",
			"Data loss",
			(
				StepSpec("assess_loss", "What was deleted or changed, and which tables lost rows", AUTO),
				VERIFY,
				StepSpec(
					"recover_documents",
					"Put back single documents (dry run, confirm, audited)",
					MANUAL,
					(
						"bench --site {site} diagnostics recover-doc <DocType> <name>",
						"bench --site {site} diagnostics fix 'restore_document?doctype=<DocType>&name=<name>&set={set}' --apply",
					),
				),
				StepSpec(
					"full_restore",
					"Only if too much is gone: a full restore",
					MANUAL,
					("bench --site {site} diagnostics restore {set}",),
				),
				VALIDATE,
			),
		),
	),
)


def commands_for(
	spec: StepSpec, site: str, set_stamp: str | None, bench_path: str = "~/frappe-bench"
) -> list[str]:
	"""The step's commands with this site's values (quoted where they are single words)."""
	values = {"site": command(site), "set": command(set_stamp) if set_stamp else "<set>", "bench": bench_path}
	return [template.format(**values) for template in spec.commands]


def get(name: str) -> Procedure:
	return PROCEDURES.get(name)
