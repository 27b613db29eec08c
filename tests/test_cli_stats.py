"""`vitd-kg stats` and the CLI's error contract."""

from __future__ import annotations

import json
import subprocess
import sys

from vitd_kg.cli import main
from data_folders import copy_data


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vitd_kg", *args], capture_output=True, text=True)


def test_stats_counts_claims_and_studies(capsys):
    assert main(["stats", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    counts = {row["curie"]: row["count"] for row in payload["classes"]}
    assert counts["vitd:Claim"] == 30
    assert counts["vitd:Study"] == 5
    assert counts["vitd:Publication"] == 3
    assert payload["triples"] > 1000


def test_every_command_has_help():
    from vitd_kg.cli import CommandFolder

    for name in CommandFolder().list_commands(None):
        result = run(name, "--help")
        assert result.returncode == 0, result.stderr
        assert "Usage:" in result.stdout


def test_stats_on_a_copy_of_the_data_sees_a_removed_claim(tmp_path, capsys):
    data = copy_data(tmp_path)
    (data / "conclusion.ttl").unlink()
    assert main(["stats", "--data", str(data), "--format", "json"]) == 0
    counts = {r["curie"]: r["count"] for r in json.loads(capsys.readouterr().out)["classes"]}
    assert counts["vitd:Claim"] == 25


def test_syntax_error_names_file_line_and_column(tmp_path):
    data = copy_data(tmp_path)
    broken = data / "introduction.ttl"
    broken.write_text(broken.read_text(encoding="utf-8").replace("vitd:modality vitd:Asserted ;", "vitd:modality vitd:Asserted ", 1), encoding="utf-8")
    result = run("stats", "--data", str(data))
    assert result.returncode == 2
    assert "introduction.ttl:" in result.stderr
    assert "Traceback" not in result.stderr
    assert "how to fix" in result.stderr


def test_missing_data_folder_is_a_usage_error(tmp_path):
    result = run("stats", "--data", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "nope" in result.stderr


def test_unknown_command_exits_2():
    assert run("no-such-command").returncode == 2
