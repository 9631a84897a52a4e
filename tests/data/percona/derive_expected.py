"""Derive tests/data/percona/ from a percona-toolkit checkout: the sample slow logs (gzipped) and
expected.json, pt-query-digest's own results for each of them.

    python tests/data/percona/derive_expected.py PERCONA_TOOLKIT_CHECKOUT COMMIT

Needs perl (with DBI) to run that checkout's bin/pt-query-digest. Each log is digested with the tool's
defaults (`--output json --limit 100%`), and every default-options report the toolkit's own tests pin
(t/pt-query-digest/*.t: `main(@args, $sample.'slowNNN.txt')` compared with samples/*.txt) is checked
against that result: each query ID and count printed there must be the same, or the script stops.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PINNED = re.compile(r"main\(@args,\s*\$sample\.'([^']+)'\)\s*\},\s*\"t/pt-query-digest/samples/([^\"]+)\"")
REPORT_QUERY = re.compile(r"^# Query \d+: .* ID 0x([0-9A-F]+) at byte", re.M)
REPORT_COUNT = re.compile(r"^# Count +\d+ +(\d+)", re.M)


def digest(toolkit: Path, log: Path) -> dict:
	text = gzip.decompress(log.read_bytes()) if log.name.endswith(".gz") else log.read_bytes()
	tool = [str(toolkit / "bin/pt-query-digest"), "--no-version-check", "--output", "json", "--limit", "100%"]
	out = (
		subprocess.run(  # on stdin, as the toolkit's own test feeds its gzipped logs (zcat | pt-query-digest)
			["perl", *tool],
			input=text,
			capture_output=True,
			check=True,
		).stdout
	)
	out = out[out.find(b"{") :] if b"{" in out else b""  # after its "Reading from STDIN ..." line
	data = json.loads(out or b'{"global": {"query_count": 0}, "classes": []}')
	classes = {c["checksum"]: c["query_count"] for c in data.get("classes", [])}
	total = float(data["global"].get("metrics", {}).get("Query_time", {}).get("sum", 0) or 0)
	# events: the class members (the global query_count leaves out events without a Query_time)
	return {"events": sum(classes.values()), "query_time": round(total, 6), "classes": classes}


def pinned_reports(toolkit: Path) -> list[tuple[str, Path]]:
	tests = toolkit / "t/pt-query-digest"
	found = []
	for test in sorted(tests.glob("*.t")):
		for log, report in PINNED.findall(test.read_text()):
			if log.startswith("slow"):
				found.append((log, tests / "samples" / report))
	return found


def check_report(log: str, report: Path, expected: dict) -> int:
	text = report.read_text()
	ids, counts = REPORT_QUERY.findall(text), REPORT_COUNT.findall(text)
	for query_id, count in zip(ids, counts, strict=True):
		got = expected[log]["classes"].get(query_id)
		if got != int(count):
			sys.exit(f"{report.name}: {query_id} has {count} events there, {got} in the JSON output")
	return len(ids)


def main(toolkit: Path, commit: str) -> None:
	logs = toolkit / "t/lib/samples/slowlogs"
	target = HERE / "slowlogs"
	target.mkdir(exist_ok=True)
	expected = {}
	for log in sorted(p for p in logs.iterdir() if p.is_file()):
		name = log.name if log.name.endswith(".gz") else log.name + ".gz"
		data = log.read_bytes() if log.name.endswith(".gz") else gzip.compress(log.read_bytes(), 9, mtime=0)
		(target / name).write_bytes(data)
		expected[log.name] = {"file": name, **digest(toolkit, log)}
	checked = sum(check_report(log, report, expected) for log, report in pinned_reports(toolkit))
	meta = {"source": "https://github.com/percona/percona-toolkit", "commit": commit}
	meta["pinned_report_queries_checked"] = checked
	(HERE / "expected.json").write_text(
		json.dumps({"meta": meta, "files": expected}, indent=0, sort_keys=True) + "\n"
	)
	print(f"{len(expected)} logs, {sum(e['events'] for e in expected.values())} events; {checked} queries")


if __name__ == "__main__":
	main(Path(sys.argv[1]), sys.argv[2])
