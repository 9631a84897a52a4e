"""--site is the name of a folder under sites/ and nothing else: a path is bad usage (exit 64), on every
standalone command, and nothing outside sites/ is read."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
	"site", ["..", "/etc", "../..", "test.local/../..", "./test.local", "sites/../x", ""]
)
@pytest.mark.parametrize("command", ["check", "doctor", "logs", "database"])
def test_a_site_that_is_a_path_is_bad_usage(bench, command, site):
	done = bench.cli(command, "--site", site)
	assert done.returncode == 64, done.stdout + done.stderr
	assert f"--site takes the name of a folder under {bench.root}/sites (sites: {bench.site})." in done.stderr
	assert "Traceback" not in done.stderr
