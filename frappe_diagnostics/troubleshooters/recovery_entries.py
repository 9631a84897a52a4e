"""The recovery troubleshooters' catalog entries (backups, verify-backup, data-loss, recover-doc), kept
beside the catalog so it stays short; catalog.py registers them like its own."""

from __future__ import annotations

from frappe_diagnostics.troubleshooters.declare import CLI_ONLY, Input, Troubleshooter, _

FROM_SET = Input(
	"from_set",
	_("The backup set: its timestamp (e.g. 20261130_113901) or one of its file names; default the newest."),
	flag="--from",
	desk={"label": _("Backup set (optional)")},
)
ROOT = (
	Input(
		"db_root_username",
		_("An account that may create databases (default: the bench's root_login)."),
		surfaces=CLI_ONLY,
	),
	Input(
		"db_root_password",
		_("Its password (better: DIAG_DB_ROOT_PASSWORD in the environment)."),
		surfaces=CLI_ONLY,
	),
	Input(
		"encryption_key",
		_("The backup_encryption_key that opens an encrypted set (default: the site's)."),
		surfaces=CLI_ONLY,
	),
)

ENTRIES = (
	Troubleshooter(
		"backups",
		_("Which backups does this site have, and would they open?"),
		"Backups",
		"frappe_diagnostics.recovery.listing:diagnose_backups",
		_("Backups"),
		inputs=(
			Input(
				"limit",
				_("How many of the newest sets to read to their end (integrity)."),
				type="int",
				default=10,
				bounds=(0, 1000),
			),
		),
		rest="frappe_diagnostics.api.recovery.backups",
	),
	Troubleshooter(
		"verify_backup",
		_("Would this backup restore? (it is restored into a scratch database, compared and dropped)"),
		"Backup Verification",
		"frappe_diagnostics.recovery.verify:diagnose_verification",
		_("Verify a backup"),
		inputs=(
			Input(
				"set",
				_(
					"The set: its timestamp (e.g. 20261130_113901) or one of its file names; default the newest."
				),
				positional=True,
			),
			*ROOT,
		),
		surfaces=CLI_ONLY,  # the desk and REST start it as a background job (api.recovery.verify_backup)
		command="verify-backup",
		verdict=True,
	),
	Troubleshooter(
		"data_loss",
		_("What was deleted or changed, and what has the site lost since its newest backup?"),
		"Data Loss",
		"frappe_diagnostics.recovery.dataloss:diagnose_data_loss",
		_("Data loss"),
		inputs=(
			Input(
				"since",
				_(
					"Start of the window: 30m, 24h, 7d, 2w, or a date/time (local time unless it has an offset)."
				),
				default="7d",
				desk={"fieldtype": "Select", "options": "24h\n7d\n30d"},
			),
			FROM_SET,
		),
		command="data-loss",
		rest="frappe_diagnostics.api.recovery.data_loss",
	),
	Troubleshooter(
		"recover_doc",
		_("What did this document look like in the backup, and can it be put back?"),
		"Data Loss",
		"frappe_diagnostics.recovery.recover_doc:diagnose_document",
		_("Recover a document"),
		inputs=(
			Input(
				"doctype",
				_("The DocType."),
				required=True,
				positional=True,
				desk={"fieldtype": "Link", "options": "DocType"},
				example="User",
			),
			Input(
				"name",
				_("The document's name."),
				required=True,
				positional=True,
				desk={"fieldtype": "Data"},
				example="Administrator",
			),
			FROM_SET,
		),
		command="recover-doc",
		rest="frappe_diagnostics.api.recovery.recover_doc",
	),
)
