"""Is a configured secret weak? Shared by the redaction (an ordinary word is not blanked out everywhere) and
the security.weak_config_secrets check (a weak secret is a finding). Never returns or prints the value."""

from __future__ import annotations

from functools import lru_cache

MIN_LENGTH = 8

# The most used passwords of public breach lists, and the words a Frappe bench is set up with by habit.
COMMON_PASSWORDS = frozenset(
	"""
	123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123 football
	monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321 superman
	1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster
	soccer harley batman andrew tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel
	starwars 112233 george computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777
	pass maggie 159753 aaaaaa ginger princess joshua cheese amanda summer love ashley nicole chelsea biteme
	matthew access yankees 987654321 dallas austin thunder taylor matrix passw0rd p@ssw0rd password1
	password123 qwerty123 welcome welcome1 changeme secret default guest test test123 admin admin123 root
	root123 toor administrator frappe frappe123 erpnext erpnext123 benchadmin bench mysql mariadb redis
	""".split()
)


@lru_cache(maxsize=1)
def host_user_names() -> frozenset[str]:
	"""The account names of this host (public words: a file owner, a process user)."""
	try:
		import pwd

		return frozenset(entry.pw_name.lower() for entry in pwd.getpwall())
	except (ImportError, OSError):
		return frozenset()


def is_ordinary_word(value: str) -> bool:
	"""A value that is also a public word (a common password, an account name): it may appear in output
	for its own sake, so it is masked only where it stands as a secret."""
	text = str(value).strip().lower()
	return text in COMMON_PASSWORDS or text in host_user_names()


def weakness(value, user_names=()) -> str | None:
	"""Why `value` is a weak secret (common, a user name, short), or None. Says nothing of the value itself."""
	text = str(value)
	lowered = text.strip().lower()
	if lowered in COMMON_PASSWORDS:
		return "is a common password"
	names = {str(n).strip().lower() for n in user_names if n} | host_user_names()
	if lowered in names:
		return "equals a user name"
	if len(text) < MIN_LENGTH:
		return f"is shorter than {MIN_LENGTH} characters"
	return None
