"""Where a Frappe site keeps secrets: the one list, with the reason, that the SQL gate refuses and the
redaction masks whole statements about. Framework-free; names as MariaDB spells them.

Found in Frappe v15 (`frappe/core`, `frappe/integrations`, `frappe/twofactor.py`): Password fields of every
DocType (API secrets, mail, LDAP, OAuth apps, backups) live encrypted in `__Auth`; the rest below are plain
columns or tables. Tables that only may hold a secret in free text among ordinary data (a reset link in
`tabEmail Queue`, encrypted OTP secrets in `tabDefaultValue`) stay explainable: Frappe's own queries use them.
"""

from __future__ import annotations

# table -> what it holds (read as "…, which holds <reason>")
CREDENTIAL_TABLES = {
	"__Auth": "user passwords (hashed) and every Password field, API secrets included (encrypted)",
	"tabSessions": "the session ids and session data of logged-in users",
	"tabOAuth Bearer Token": "OAuth access and refresh tokens",
	"tabOAuth Authorization Code": "OAuth authorization codes",
	"tabOAuth Client": "OAuth client secrets",
	"tabDocument Share Key": "keys that open shared documents without logging in",
	"tabWebhook Header": "webhook request headers, often Authorization tokens",
	"tabSMS Parameter": "SMS gateway parameters, often API keys or passwords",
}

# columns that hold a secret in an otherwise ordinary table (`tabUser`.reset_password_key), and the secret
# columns of the tables above, refused by name anywhere in a query
SECRET_COLUMNS = frozenset(
	{
		"reset_password_key",
		"api_secret",
		"new_password",
		"password",
		"client_secret",
		"access_token",
		"refresh_token",
		"authorization_code",
		"sessiondata",
		"sid",
	}
)

_BY_LOWER = {name.lower(): name for name in CREDENTIAL_TABLES}


def credential_table(name: str | None) -> str | None:
	"""The list's spelling of `name` when it is a credential table (any letter case), else None."""
	return _BY_LOWER.get(str(name or "").strip("`").lower())
