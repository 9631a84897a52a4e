"""`bench --site S diagnostics <troubleshooter>`: one command per catalog entry on the bench surface."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from frappe.commands import pass_context

from frappe_diagnostics.cli import shared
from frappe_diagnostics.commands.support import fallback_step, in_site_or_standalone, redactor
from frappe_diagnostics.engine.context import hook_entries_for_bench
from frappe_diagnostics.engine.registry import TROUBLESHOOTER_HOOK
from frappe_diagnostics.engine.render import exit_code
from frappe_diagnostics.engine.shell import bench
from frappe_diagnostics.troubleshooters import catalog
from frappe_diagnostics.troubleshooters.catalog import BENCH, STANDALONE, BadInput


def troubleshooter_command(entry: catalog.Troubleshooter) -> click.Command:
	def callback(context, as_json, fail_on, no_store, **raw):
		shared.announce(entry, raw)

		def in_site(site):
			import frappe

			from frappe_diagnostics.site.service import troubleshoot

			try:
				diagnosis, doc = troubleshoot(entry.name, BENCH, trigger="CLI", store=not no_store, **raw)
			except (BadInput, ValueError) as e:
				raise shared.UsageFailure(str(e)) from None
			frappe.db.commit()
			shared.print_diagnosis(diagnosis, redactor(), as_json, stored=doc.name if doc else None)
			return diagnosis.status

		def standalone(ctx, reason):
			if not entry.on(STANDALONE):
				raise shared.UsageFailure(
					f"{entry.command} needs the site to boot, and it cannot ({reason}). Find out why with: "
					+ bench(ctx.name, "diagnostics", "doctor")
				)
			try:
				diagnosis = catalog.run(ctx, entry.name, STANDALONE, **_standalone_inputs(entry, raw))
			except (BadInput, ValueError) as e:
				raise shared.UsageFailure(str(e)) from None
			diagnosis.steps.append(fallback_step(reason))
			diagnosis.data["fallback"] = reason
			shared.print_diagnosis(diagnosis, ctx.redactor(), as_json)
			return diagnosis.status

		sys.exit(exit_code(in_site_or_standalone(context, in_site, standalone), fail_on))

	params = [*shared.input_params(entry, BENCH), *shared.output_params(store=True)]
	help_text = entry.question + ("" if entry.on(catalog.STANDALONE) else " (needs the site to boot)")
	return shared.Command(entry.command, params=params, callback=pass_context(callback), help=help_text)


def troubleshooter_commands() -> list[click.Command]:
	"""One command per bench entry, with those the bench's apps add (`diagnostics_troubleshooters` hook)."""
	from frappe.utils import get_bench_path

	catalog.load_hooks(hook_entries_for_bench(Path(get_bench_path()), TROUBLESHOOTER_HOOK))
	return [troubleshooter_command(entry) for entry in catalog.on(BENCH)]


def _standalone_inputs(entry: catalog.Troubleshooter, raw: dict) -> dict:
	"""The inputs given on the bench that the standalone answer also takes."""
	offered = {i.name for i in entry.inputs_on(STANDALONE)}
	return {name: value for name, value in raw.items() if name in offered}
