"""TLS certificates on disk: expiry and the names they cover (read with `cryptography`). Framework-free."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


@dataclass
class CertInfo:
	path: str
	names: list[str]  # subjectAltName DNS names, else the subject's CN
	not_after: datetime
	issuer: str

	def days_left(self, now: datetime | None = None) -> float:
		now = now or datetime.now(timezone.utc)
		return (self.not_after - now).total_seconds() / 86400

	def covers(self, host: str) -> bool:
		return any(name_matches(name, host) for name in self.names)


def read_certificate(path: str | Path) -> CertInfo:
	"""The first certificate of a PEM file (a full chain starts with the leaf). OSError/ValueError if not."""
	from cryptography import x509
	from cryptography.x509.oid import ExtensionOID, NameOID

	data = Path(path).read_bytes()[:1_000_000]
	cert = x509.load_pem_x509_certificate(data)
	try:
		names = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
		dns = names.get_values_for_type(x509.DNSName)
	except x509.ExtensionNotFound:
		dns = []
	if not dns:
		dns = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
	not_after = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after.replace(
		tzinfo=timezone.utc
	)
	return CertInfo(str(path), [str(n) for n in dns], not_after, cert.issuer.rfc4514_string()[:200])


def name_matches(pattern: str, host: str) -> bool:
	"""RFC 6125 matching: exact (case-insensitive), or one leading `*.` label standing for one label."""
	pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
	if pattern == host:
		return True
	if pattern.startswith("*.") and "." in host:
		return host.split(".", 1)[1] == pattern[2:] and pattern.count(".") >= 2
	return False
