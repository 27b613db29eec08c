"""Issue 14, cases 7 and 8: ordinary errors are the user's to fix (exit 2), not bugs (exit 3).

Each names the path (or the value) and the reason, and leaves nothing behind; a query's
time limit covers all of it, checking included.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vitd_kg.cli import main


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vitd_kg", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def assert_user_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@contextlib.contextmanager
def mounted_tmpfs(folder: Path, options: str):
    """A tmpfs at ``folder`` (needs root and the right to mount; the test is skipped otherwise)."""
    folder.mkdir()
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if mount.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_dist_into_a_read_only_file_system_names_the_folder_and_why(tmp_path):
    with mounted_tmpfs(tmp_path / "ro", "ro,size=1m") as folder:
        result = run_cli("dist", str(folder / "out"))
        assert_user_error(result, str(folder / "out"), "Read-only file system", "how to fix")


def test_dist_onto_a_full_disk_fails_cleanly(tmp_path):
    with mounted_tmpfs(tmp_path / "small", "size=300k") as folder:
        result = run_cli("dist", str(folder / "out"))
        assert_user_error(result, str(folder / "out"), "No space left on device")
        assert list(folder.iterdir()) == []


def test_dist_into_an_immutable_folder_names_it(tmp_path):
    folder = tmp_path / "frozen"
    folder.mkdir()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        result = run_cli("dist", str(folder / "out"))
        assert_user_error(result, str(folder / "out"), "Operation not permitted", "immutable")
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=False)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a folder whatever its mode")
def test_dist_into_a_folder_without_write_permission_names_it(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert_user_error(run_cli("dist", str(folder / "out")), str(folder / "out"), "Permission denied")
    finally:
        folder.chmod(0o755)


def test_a_name_longer_than_the_file_system_allows(tmp_path, capsys):
    assert main(["dist", str(tmp_path / ("a" * 300))]) == 2
    assert "300 bytes long; file systems allow 255" in capsys.readouterr().err
    assert main(["export", "-o", str(tmp_path / ("b" * 300 + ".ttl"))]) == 2
    assert list(tmp_path.iterdir()) == []


def test_a_name_near_the_limit_still_works(tmp_path, capsys):
    """The staging name is longer than the target's: it must not be what fails."""
    name = "c" * 250
    assert main(["dist", str(tmp_path / name)]) == 0
    assert main(["export", "--format", "ntriples", "-o", str(tmp_path / (name[:248] + ".nt"))]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, name[:248] + ".nt"])


def test_dist_dot_and_dot_dot(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("dist", ".", cwd=empty).returncode == 0
    assert (empty / "SHA256SUMS").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert_user_error(run_cli("dist", ".", cwd=empty), "the folder is not empty", str(empty))
    assert_user_error(run_cli("dist", ".", "--force", cwd=empty), "will not replace the folder you are working in")
    assert_user_error(run_cli("dist", "..", "--force", cwd=empty), "will not replace the folder you are working in")
    assert_user_error(run_cli("dist", "/"), "root of the file system")


@pytest.mark.parametrize(
    ("binding", "words"),
    [
        ("claim=<a b>", "not a valid IRI: <a b>"),
        ("claim=<>", "not a valid IRI"),
        ("claim=<http://[::1>", "not a valid IRI"),
        ("claim=claim:a b", "not a valid IRI"),
        ("claim=\udcff", "is not UTF-8 text"),
        ("no-equals-sign", "VAR=VALUE"),
    ],
)
def test_bad_bindings_are_usage_errors(binding, words, capsys):
    assert main(["query", "claims/claim", "--bind", binding]) == 2
    assert words in capsys.readouterr().err


@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "0", "-1"])
def test_impossible_time_limits_are_usage_errors(value, capsys):
    assert main(["query", "stats/triple-count", "--timeout", value]) == 2
    assert "time limit must be a positive number" in capsys.readouterr().err


def test_a_query_that_is_not_utf8_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "vitd_kg", "query", b'SELECT ?n WHERE { BIND("\xff" AS ?n) }'],
                            capture_output=True, text=True, timeout=120)
    assert_user_error(result, "not UTF-8")


def test_an_empty_query_says_so(capsys):
    assert main(["query", "   "]) == 2
    assert "the query is empty" in capsys.readouterr().err


def test_the_time_limit_covers_checking_a_huge_query(tmp_path):
    """A 9.9 MB VALUES query: rdflib's parser needs minutes; --timeout 5 must hold."""
    path = tmp_path / "big.rq"
    items = []
    size = 0
    index = 0
    while size < 9_900_000:
        item = f"<http://example.org/item/{index}> "
        items.append(item)
        size += len(item)
        index += 1
    path.write_text("SELECT * WHERE { VALUES ?x { " + "".join(items) + "} }")
    started = time.monotonic()
    result = run_cli("query", str(path), "--timeout", "5")
    elapsed = time.monotonic() - started
    assert result.returncode == 4, result.stderr
    assert "time limit of 5 s" in result.stderr
    assert elapsed < 60  # the data is read before the limit starts: a few seconds more at most


def test_a_query_larger_than_the_size_limit_is_refused_at_once(tmp_path, capsys):
    path = tmp_path / "q.rq"
    path.write_text("SELECT * WHERE { VALUES ?x { " + "<http://example.org/i> " * 50_000 + "} }")
    assert main(["query", str(path), "--max-query-size", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "more than the limit of 500,000" in err and "--max-query-size" in err and str(path) in err


@pytest.mark.parametrize("command", [
    ["query", "SELECT * WHERE { ?s ?p ?o }", "--format", "csv"],
    ["export", "--format", "ntriples"],
])
def test_the_reader_going_away_is_not_an_error(command):
    """`vitd-kg query ... | head -1`: the command stops quietly."""
    process = subprocess.Popen([sys.executable, "-m", "vitd_kg", *command],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()
    assert process.wait(120) == 0
    err = process.stderr.read().decode()
    assert "internal error" not in err and "Traceback" not in err
