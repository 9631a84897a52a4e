"""Alert decisions (hysteresis, repeat, recovery) and the staggering of scheduled runs: pure functions."""

from __future__ import annotations

from collections import Counter

import pytest

from frappe_diagnostics.fleet.stagger import is_due, latest_slot, offset_s
from frappe_diagnostics.observe.alerting import Decision, LastAlert, decide, decide_all, headline, histories

HOUR = 3600


@pytest.mark.parametrize(
	("history", "last", "expected"),
	[
		(["warning"], None, None),  # held once: not yet
		(["warning", "warning"], None, ("Firing", "warning", "ok")),
		(["warning", "ok"], None, None),  # not held
		(["ok", "warning", "ok", "warning"], None, None),  # flapping
		(["critical", "critical"], LastAlert("Firing", "warning", 60), ("Firing", "critical", "warning")),
		(["warning", "warning"], LastAlert("Firing", "warning", 60), None),  # already announced
		(["warning", "warning"], LastAlert("Repeat", "warning", 2 * HOUR), ("Repeat", "warning", "warning")),
		(["ok", "ok"], LastAlert("Firing", "critical", 60), ("Resolved", "ok", "critical")),
		(["ok", "ok"], LastAlert("Resolved", "ok", 60), None),  # recovery announced once
		(["ok", "ok"], None, None),  # never bad
		(["error", "error"], LastAlert("Resolved", "ok", 10), ("Firing", "error", "ok")),
	],
)
def test_decide(history, last, expected):
	found = decide("redis.queue", history, last, need=2, repeat_s=HOUR)
	assert found == (Decision("redis.queue", *expected, 2) if expected else None)


def test_three_runs_needed_means_three():
	assert decide("site", ["critical", "critical"], None, need=3, repeat_s=HOUR) is None
	assert decide("site", ["critical"] * 3, None, need=3, repeat_s=HOUR).event == "Firing"


def test_histories_leave_out_skipped_and_keep_per_check_optional():
	runs = [
		{"status": "warning", "results": {"system.cpu": "warning", "jobs.queues": "skipped"}},
		{"status": "skipped", "results": {"system.cpu": "warning", "jobs.queues": "ok"}},
	]
	assert histories(runs, per_check=True) == {
		"site": ["warning"],
		"system.cpu": ["warning", "warning"],
		"jobs.queues": ["ok"],
	}
	assert histories(runs, per_check=False) == {"site": ["warning"]}


def test_site_first_and_only_changes_in_the_headline():
	found = decide_all(
		{"system.cpu": ["warning"] * 2, "site": ["warning"] * 2, "redis.cache": ["ok"] * 2},
		{"redis.cache": LastAlert("Firing", "critical", 5)},
		need=2,
		repeat_s=HOUR,
	)
	assert [d.subject for d in found] == ["site", "redis.cache", "system.cpu"]
	assert headline("s1", found) == (
		"[s1] site WARNING (was OK); system.cpu WARNING (was OK); redis.cache recovered (CRITICAL → OK)"
	)


def test_each_site_has_one_fixed_minute_and_fifty_hourly_sites_spread_out():
	sites = [f"site{i:02d}.example.com" for i in range(50)]
	minutes = Counter(offset_s(s, 60) // 60 for s in sites)
	assert max(minutes.values()) <= 4  # no minute of the hour takes more than 4 of the 50 sites
	assert len(minutes) >= 30
	assert offset_s("a.example.com", 60) == offset_s("a.example.com", 60)


def test_due_once_per_interval_at_the_sites_minute():
	site, interval = "a.example.com", 60
	start = 1_800_000_000 - (1_800_000_000 % HOUR)  # the top of an hour
	slot = start + offset_s(site, interval)
	assert latest_slot(site, interval, slot + 30) == slot
	assert is_due(site, interval, None, slot - 1)  # the first run happens right away
	assert not is_due(site, interval, slot + 5, slot + 60)  # ran at its slot: not again this hour
	assert is_due(site, interval, slot - 60, slot + 60)  # last ran before the slot
	assert not is_due(site, interval, slot - 60, slot - 1)  # the slot has not come yet
	assert is_due(site, interval, slot + 5, slot + HOUR)  # the next hour's slot
