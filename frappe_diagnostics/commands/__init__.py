"""`bench --site S diagnostics …`: exit codes 0 below --fail-on, 1 warning, 2 critical or error, 64 bad usage.

The troubleshooter commands are generated from the catalog (troubleshooters/catalog.py); `run`, `checks`,
`errors` and `fix` are the bench-only commands around them.
"""

from __future__ import annotations

import click

from frappe_diagnostics.cli.shared import Group
from frappe_diagnostics.commands.debug import debug
from frappe_diagnostics.commands.errors import errors
from frappe_diagnostics.commands.fixes import fix
from frappe_diagnostics.commands.health import list_checks, run
from frappe_diagnostics.commands.maintain import maintain
from frappe_diagnostics.commands.recovery import COMMANDS as RECOVERY
from frappe_diagnostics.commands.troubleshoot import troubleshooter_commands


@click.group("diagnostics", cls=Group)
def diagnostics():
	"""Health checks, troubleshooters and fixes of frappe_diagnostics."""


for _command in (run, list_checks, errors, fix, maintain, debug, *RECOVERY, *troubleshooter_commands()):
	diagnostics.add_command(_command)

commands = [diagnostics]
