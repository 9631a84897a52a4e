"""docs/prometheus/: the scrape configuration and alert rules operators copy are what promtool accepts, the
rules fire on the series they are about (promtool's own rule tests), every metric they use is one the app
exposes, and the app's real exposition passes `promtool check metrics`."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import redis
from conftest import REDIS_URL, Bench
from stored_sites import create_site_db, drop_site_db, store_run

DOCS = Path(__file__).resolve().parent.parent / "docs" / "prometheus"
PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(
	PROMTOOL is None, reason="promtool missing: bash scripts/setup.sh installs it"
)


def promtool(*args: str, cwd: Path = DOCS, stdin: str | None = None) -> subprocess.CompletedProcess:
	return subprocess.run([PROMTOOL, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def exposition(root_db, tmp_path_factory) -> str:
	"""`frappe-diagnostics metrics` of a scratch bench whose site stored a warning run a minute ago."""
	db = create_site_db(root_db)
	bench = Bench(tmp_path_factory.mktemp("prom") / "frappe-bench", db)
	try:
		finished = (datetime.now(timezone.utc) - timedelta(seconds=60)).replace(tzinfo=None)
		store_run(root_db, db, "Warning", {"database.connectivity": "OK", "redis.queue": "Warning"}, finished)
		done = bench.cli("metrics", "--bench", str(bench.root))
		assert done.returncode == 0, done.stderr
		return done.stdout
	finally:
		drop_site_db(root_db, db)
		client = redis.Redis.from_url(REDIS_URL)
		keys = list(client.scan_iter(f"*{bench.bench_id}*", count=1000))
		if keys:
			client.delete(*keys)


def test_promtool_accepts_the_alert_rules():
	done = promtool("check", "rules", "rules.yml")
	assert done.returncode == 0, done.stdout + done.stderr
	assert "SUCCESS: 7 rules found" in done.stdout


def test_the_alert_rules_fire_on_their_series_and_not_on_others():
	done = promtool("test", "rules", "rules.test.yml")
	assert done.returncode == 0, done.stdout + done.stderr
	assert "SUCCESS" in done.stdout


def test_promtool_accepts_the_scrape_configuration(tmp_path):
	"""As copied to /etc/prometheus, with the token files it names in place."""
	config = (DOCS / "prometheus.yml").read_text(encoding="utf-8")
	for token in set(re.findall(r"credentials_file: (\S+)", config)):
		local = tmp_path / Path(token).name
		local.write_text("not-a-real-token\n")
		config = config.replace(token, str(local))
	(tmp_path / "prometheus.yml").write_text(config)
	shutil.copy(DOCS / "rules.yml", tmp_path / "rules.yml")
	done = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
	assert done.returncode == 0, done.stdout + done.stderr
	assert "SUCCESS: 1 rule files found" in done.stdout


def test_the_apps_real_exposition_passes_promtool_check_metrics(exposition):
	assert "frappe_diagnostics_run_status" in exposition
	done = promtool("check", "metrics", stdin=exposition)
	assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_every_metric_the_rules_use_is_one_the_app_declares(exposition):
	"""Declared: exposed in the scrape above, or built by observe/exposition.py for what that scrape did not
	have (a stored verification, a backup file, a collector that failed)."""
	from frappe_diagnostics.observe import exposition as module

	used = set(re.findall(r"frappe_diagnostics_\w+", (DOCS / "rules.yml").read_text(encoding="utf-8")))
	exposed = set(re.findall(r"^# TYPE (frappe_diagnostics_\w+) ", exposition, re.M))
	built = re.findall(r'_gauge\(\s*"(\w+)"', Path(module.__file__).read_text(encoding="utf-8"))
	assert {"frappe_diagnostics_run_status", "frappe_diagnostics_workers_alive"} <= exposed
	assert used - exposed - {module.PREFIX + name for name in built} == set()
