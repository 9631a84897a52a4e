"""Which bench role a command line plays: the Procfile's own forms and the ones people type, with the
site named before the subcommand (`bench --site S serve` is a web server, not an unknown process)."""

from __future__ import annotations

import pytest

from frappe_diagnostics.knowledge.benchconfig import classify

ENV = "/home/frappe/frappe-bench/env/bin/python -m frappe.utils.bench_helper frappe"


@pytest.mark.parametrize(
	("command", "role", "queues"),
	[
		("bench serve --port 8000", "web", ()),
		("bench --site site1.local serve --port 8000", "web", ()),
		(f"{ENV} --site site1.local serve --port 8000", "web", ()),
		(f"{ENV} serve --port 8000 --noreload", "web", ()),
		("bench --site site1.local --verbose serve", "web", ()),
		("/env/bin/gunicorn -b 127.0.0.1:8000 frappe.app:application", "web", ()),
		("bench worker --queue short,default", "worker", ("short", "default")),
		(f"{ENV} worker --queue long", "worker", ("long",)),
		(f"{ENV} --site site1.local worker --queue long", "worker", ("long",)),
		("bench --site site1.local schedule", "schedule", ()),
		("bench schedule", "schedule", ()),
		("bench --site all watch", "watch", ()),
		("bench --site site1.local migrate", "other", ()),
		("bench --site serve migrate", "other", ()),  # a site named serve: the subcommand is migrate
		("vim serve.txt", "other", ()),
	],
)
def test_the_role_of_a_command_line(command, role, queues):
	assert classify(command) == (role, queues)
