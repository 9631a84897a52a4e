"""Forget a site's cached documents after its database changed underneath: Frappe's Redis cache keys all
start with `<db_name>|`; only those are deleted (other sites on the same Redis keep theirs)."""

from __future__ import annotations


def clear_site_cache(ctx) -> int:
	"""Delete the site's cache keys; returns how many. Raises when Redis cannot be reached."""
	client = ctx.redis_client("cache", timeout_s=5.0)
	pattern = f"{ctx.conf['db_name']}|*"
	deleted, batch = 0, []
	for key in client.scan_iter(match=pattern, count=1000):
		batch.append(key)
		if len(batch) >= 500:
			deleted += client.delete(*batch)
			batch = []
	if batch:
		deleted += client.delete(*batch)
	return deleted
