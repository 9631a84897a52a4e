"""Files: files.consistency (sampled) and `diagnostics files` (the full scan, limits, a named file), on a
real bench folder with planted orphans, missing files, privacy mismatches and unreadable files."""

from __future__ import annotations

import json
import os

import pytest

from frappe_diagnostics.checks.files_scan import scan
from frappe_diagnostics.engine.result import Status
from frappe_diagnostics.troubleshooters.files import diagnose_files, parse_size
from tests.frappe_tables import FrappeTables
from tests.helpers import run_one


@pytest.fixture
def files(bench, site_sql):
	made = FrappeTables(site_sql).create("tabFile")

	def add(name, url, private=0, content=b"x", on_disk=True):
		site_sql(
			"INSERT INTO `tabFile` (name, creation, file_name, file_url, is_private, file_size) "
			"VALUES (%s, NOW(), %s, %s, %s, %s)",
			(name, url.rsplit("/", 1)[-1], url, private, len(content)),
		)
		if on_disk:
			folder = "private/files" if url.startswith("/private/") else "public/files"
			(bench.site_path / folder / url.rsplit("/", 1)[-1]).write_bytes(content)

	yield add
	made.drop()


def plant(bench, relative: str, content: bytes = b"orphan") -> None:
	path = bench.site_path / relative
	path.parent.mkdir(parents=True, exist_ok=True)
	path.write_bytes(content)


def test_full_scan_finds_each_planted_problem(bench, files):
	files("f1", "/files/ok.png")
	files("f2", "/private/files/secret.pdf", private=1)
	files("f3", "/files/gone.png", on_disk=False)
	files("f4", "/files/should-be-private.pdf", private=1)
	files("f5", "https://cdn.example.com/remote.png", on_disk=False)
	plant(bench, "public/files/orphan.bin", b"0123456789")
	plant(bench, "private/files/sub/orphan2.bin", b"01234")
	os.chown(bench.site_path, 65534, 65534)  # the bench's user is now nobody: root's 0600 file is unreadable
	locked = bench.site_path / "private" / "files" / "secret.pdf"
	os.chmod(locked, 0o600)
	result = scan(bench.context())
	assert (result.records, result.external, result.files_on_disk) == (5, 1, 5)
	assert (result.missing, result.orphans, result.orphan_bytes) == (1, 2, 15)
	assert result.samples["missing"] == [{"file": "f3", "path": "public/files/gone.png"}]
	assert [o["path"] for o in result.samples["orphans"]] == [
		"private/files/sub/orphan2.bin",
		"public/files/orphan.bin",
	]
	assert result.wrong_privacy == 1 and result.samples["wrong_privacy"][0]["file"] == "f4"
	assert "private/files/secret.pdf" in result.samples["unreadable"]
	assert result.per_folder["private/files/sub"] == {"files": 1, "bytes": 5}


def test_full_scan_takes_hostile_names_and_keeps_bounded_sorted_samples(bench, files):
	files("u1", "/files/Größe 报告 😀 'q' #1.pdf")
	files("u2", "/private/files/ca\u0301fe d.txt", private=1)  # a decomposed é
	files("u3", "/private/files/a b/c d.txt", private=1, on_disk=False)
	plant(bench, "private/files/a b/c d.txt")
	for n in (5, 3, 4, 1, 2):  # five records whose privacy disagrees with their URL
		files(f"w{n}", f"/files/w{n}.png", private=1)
	files("d1", "/files/twice.png", on_disk=False)
	files("d2", "/files/twice.png", on_disk=False)  # two records, one missing file: two 404s
	plant(bench, "public/files/Müller.bin")
	folder = bytes(bench.site_path / "public" / "files")
	os.close(os.open(folder + b"/M\xfcller-latin1.bin", os.O_CREAT | os.O_WRONLY))  # not UTF-8
	result = scan(bench.context(), samples=2)
	assert (result.records, result.files_on_disk, result.missing, result.orphans) == (10, 10, 2, 2)
	assert result.wrong_privacy == 5
	assert [s["file"] for s in result.samples["wrong_privacy"]] == ["w1", "w2"]
	assert sorted(s["file"] for s in result.samples["missing"]) == ["d1", "d2"]
	assert [o["path"] for o in result.samples["orphans"]] == [
		"public/files/Müller.bin",
		"public/files/M\\xfcller-latin1.bin",
	]
	assert result.per_folder["private/files/a b"] == {"files": 1, "bytes": 6}
	json.dumps(diagnose_files(bench.context()).to_dict(), ensure_ascii=False).encode()  # printable, storable


def test_sampled_check_and_troubleshooter_agree_and_offer_the_quarantine(bench, files):
	files("f1", "/files/ok.png")
	files("f3", "/files/gone.png", on_disk=False)
	plant(bench, "public/files/orphan.bin")
	result = run_one(bench.context(), "files.consistency", budget_ms=5000)
	assert result.status is Status.CRITICAL  # 1 of 2 sampled records missing: over 10 %
	assert result.summary == (
		"Sampled 2 File record(s) and 2 file(s): 1 missing on disk, 1 without a record, 0 with the wrong privacy."
	)
	step = {s.check_id: s for s in diagnose_files(bench.context()).steps}["files.scan"]
	assert step.status is Status.WARNING
	assert step.summary.startswith("2 File record(s), 2 file(s) (0.0 MB) on disk: 1 missing, 1 orphaned,")
	quarantine = next(f for f in step.fixes if f.action)
	assert quarantine.action == "quarantine_orphans?limit=1"
	assert quarantine.command == "bench --site test.local diagnostics maintain 'quarantine_orphans?limit=1'"


def test_limits_frappe_nginx_and_file_types(bench, files, site_sql):
	site_sql(
		"INSERT INTO `tabSingles` VALUES ('System Settings', 'max_file_size', '5'), "
		"('System Settings', 'allowed_file_extensions', 'pdf\npng')"
	)
	diagnosis = diagnose_files(bench.context(), size="30MB")
	limits = {s.check_id: s for s in diagnosis.steps}["files.limits"]
	assert limits.status is Status.CRITICAL
	assert limits.summary == "An upload of 30.0 MB is refused by Frappe's max_file_size (System Settings)."
	(bench.root / "config").mkdir()
	(bench.root / "config" / "nginx.conf").write_text(
		"server {\n listen 80;\n server_name test.local;\n client_max_body_size 1m;\n}\n"
	)
	limits = {s.check_id: s for s in diagnose_files(bench.context(), size="2m").steps}["files.limits"]
	assert limits.findings[0].message.startswith("nginx refuses uploads Frappe would accept")
	assert limits.summary == "An upload of 2.0 MB is refused by nginx (HTTP 413)."
	limits = {s.check_id: s for s in diagnose_files(bench.context(), file="tool.exe").steps}["files.limits"]
	assert limits.status is Status.CRITICAL
	assert limits.summary == "Files of type .exe are not allowed (System Settings → Allowed File Extensions)."


def test_a_named_file_404_and_private(bench, files):
	files("f2", "/private/files/secret.pdf", private=1)
	files("f3", "/files/gone.png", on_disk=False)
	steps = {s.check_id: s for s in diagnose_files(bench.context(), file="/files/nothing.png").steps}
	assert (
		steps["files.lookup"].summary
		== "No File record points at /files/nothing.png: Frappe answers 404 for it."
	)
	steps = {s.check_id: s for s in diagnose_files(bench.context(), file="gone.png").steps}
	assert steps["files.lookup"].summary == (
		"1 of 1 record(s) point at a file missing on disk: 404 (/files/gone.png)."
	)
	steps = {s.check_id: s for s in diagnose_files(bench.context(), file="/private/files/secret.pdf").steps}
	assert steps["files.lookup"].status is Status.OK
	assert (
		"/private/files/secret.pdf is private: only Administrator, its owner" in steps["files.lookup"].summary
	)


@pytest.mark.parametrize(
	("text", "size"),
	[("30MB", 30 * 1024**2), ("512k", 512 * 1024), ("1.5G", int(1.5 * 1024**3)), ("100", 100)],
)
def test_parse_size(text, size):
	assert parse_size(text) == size


def test_parse_size_refuses_nonsense():
	with pytest.raises(ValueError, match="size must look like 30MB"):
		parse_size("lots")


def test_standalone_files_command_refuses_user_and_answers(bench, files):
	done = bench.cli("files", "--bench", str(bench.root), "--site", bench.site, "--user", "x")
	assert done.returncode == 64
	done = bench.cli("files", "--bench", str(bench.root), "--site", bench.site, "--json", "--size", "1MB")
	assert json.loads(done.stdout)["kind"] == "Files", done.stderr


def test_the_writability_probe_file_is_not_an_orphan(bench, files):
	files("f1", "/files/ok.png")
	plant(bench, "private/files/.diagnostics-k3j2h1x0")  # what filesystem.writable leaves if cut off
	result = run_one(bench.context(), "files.consistency", budget_ms=5000)
	assert result.status is Status.OK, result.findings
	assert result.summary == (
		"Sampled 1 File record(s) and 1 file(s): 0 missing on disk, 0 without a record, 0 with the wrong privacy."
	)
	step = {s.check_id: s for s in diagnose_files(bench.context()).steps}["files.scan"]
	assert " 0 orphaned," in step.summary


def test_files_owned_by_another_os_user_lead_the_files_troubleshooter(bench, files):
	files("f1", "/files/ok.png")
	os.chown(bench.site_path / "private" / "files", 65534, 65534)  # nobody, as after a `sudo` mishap
	diagnosis = diagnose_files(bench.context())
	cause = diagnosis.likely_cause
	assert cause.check_id == "filesystem.permissions"
	assert cause.summary.endswith(f"sites/{bench.site}/private/files.")
	assert cause.fixes[0].command.startswith("sudo chown -R root:root ")
