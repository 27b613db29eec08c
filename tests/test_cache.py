"""The on-disk cache (issue 17, item 1): reused while the inputs are unchanged, never stale.

Every test runs the installed ``vitd-kg`` command in its own process on a copy of the
data, with ``--cache on`` (the data is small, so ``auto`` would not cache it) and a cache
folder of its own, and compares what a cached run prints with what an uncached run prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from data_folders import copy_data

VITD_KG = [sys.executable, "-m", "vitd_kg"]
OLD, NEW = "global muscle strength", "global MUSCLE strength"  # same length: same file size


def run(*args: str, cache: Path | None, cwd: Path) -> subprocess.CompletedProcess:
    options = ["--cache", "off"] if cache is None else ["--cache", "on", "--cache-dir", str(cache)]
    return subprocess.run([*VITD_KG, *options, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def entries(cache: Path) -> list[Path]:
    folder = cache / "graphs"
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def claim_text(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)[0]["text"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return copy_data(tmp_path)


@pytest.mark.parametrize("lookup", [["claims", "--id", "ma-strength"], ["claims"]], ids=["one claim", "all claims"])
def test_an_edit_that_keeps_size_and_mtime_is_seen(lookup, data, tmp_path):
    """Fingerprints (size, mtime) only say which entry to try: the content decides."""
    cache = tmp_path / "cache"
    command = [*lookup, "--data", str(data), "--format", "json"]
    first = run(*command, cache=cache, cwd=tmp_path)
    assert OLD in first.stdout
    assert run(*command, cache=cache, cwd=tmp_path).stdout == first.stdout  # from the cache
    assert len(entries(cache)) == 1

    concepts = data / "concepts.ttl"
    stat = concepts.stat()
    concepts.write_text(concepts.read_text(encoding="utf-8").replace(f'"{OLD}"', f'"{NEW}"'), encoding="utf-8")
    os.utime(concepts, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert concepts.stat().st_size == stat.st_size

    edited = run(*command, cache=cache, cwd=tmp_path)
    assert edited.returncode == 0, edited.stderr
    assert NEW in edited.stdout and edited.stdout != first.stdout
    assert edited.stdout == run(*command, cache=None, cwd=tmp_path).stdout  # what an uncached run says
    assert len(entries(cache)) == 1  # the folder's old entry was replaced, not kept beside


@pytest.mark.parametrize("command", [["claims", "--format", "json"], ["audit", "--format", "json"], ["stats", "--format", "json"]])
def test_cached_answers_are_the_uncached_ones(command, data, tmp_path):
    cache = tmp_path / "cache"
    args = [*command, "--data", str(data)]
    uncached = run(*args, cache=None, cwd=tmp_path)
    assert uncached.returncode in (0, 1), uncached.stderr
    for _ in range(2):  # the run that fills the entry, then the one that reads it
        cached = run(*args, cache=cache, cwd=tmp_path)
        assert (cached.returncode, cached.stdout) == (uncached.returncode, uncached.stdout)
    assert len(entries(cache)) == 1


def test_info_and_clear(data, tmp_path):
    cache = tmp_path / "cache"
    assert run("claims", "--id", "ma-strength", "--data", str(data), cache=cache, cwd=tmp_path).returncode == 0
    info = run("cache", "info", cache=cache, cwd=tmp_path)
    assert info.returncode == 0 and "1 entry" in info.stdout and str(data / "concepts.ttl") in info.stdout

    (tmp_path / "other").mkdir()
    other = copy_data(tmp_path / "other")
    (other / "concepts.ttl").write_text(
        (other / "concepts.ttl").read_text(encoding="utf-8").replace(f'"{OLD}"', f'"{NEW}"'), encoding="utf-8"
    )
    assert run("claims", "--id", "ma-strength", "--data", str(other), cache=cache, cwd=tmp_path).returncode == 0
    assert len(entries(cache)) == 2

    cleared = run("cache", "clear", "--data", str(data), cache=cache, cwd=tmp_path)
    assert cleared.returncode == 0, cleared.stderr
    assert len(entries(cache)) == 1
    assert run("cache", "clear", cache=cache, cwd=tmp_path).returncode == 0
    assert entries(cache) == []


def test_the_bundled_data_is_never_cached(tmp_path):
    cache = tmp_path / "cache"
    assert run("claims", "--id", "ma-strength", cache=cache, cwd=tmp_path).returncode == 0
    assert entries(cache) == []


def test_a_damaged_release_is_refused_even_with_an_entry(tmp_path):
    """A release's entry is found by the digest its SHA256SUMS lists, then the dump is hashed:
    flipped bytes under an unchanged SHA256SUMS are refused, not answered from the cache."""
    release, cache = tmp_path / "release", tmp_path / "cache"
    assert run("dist", str(release), cache=None, cwd=tmp_path).returncode == 0
    first = run("claims", "--id", "ma-strength", "--data", str(release), "--format", "json", cache=cache, cwd=tmp_path)
    assert claim_text(first)
    assert len(entries(cache)) == 1

    dump = release / "vitd-kg.nq"
    raw = dump.read_bytes()
    at = raw.index(OLD.encode())
    dump.write_bytes(raw[:at] + NEW.encode() + raw[at + len(OLD):])
    damaged = run("claims", "--id", "ma-strength", "--data", str(release), "--format", "json", cache=cache, cwd=tmp_path)
    assert damaged.returncode == 2, damaged.stdout
    assert "vitd-kg.nq" in damaged.stderr and "SHA256SUMS" in damaged.stderr


def result_files(cache: Path, name: str) -> list[Path]:
    return sorted(cache.glob(f"graphs/*/results/*/{name}"))


def test_claims_are_kept_as_they_stream_and_read_back_the_same(data, tmp_path):
    """Every claim is kept one pickle at a time while it is written, and read back so."""
    cache = tmp_path / "cache"
    uncached = run("claims", "--data", str(data), "--format", "json", cache=None, cwd=tmp_path)
    assert uncached.returncode == 0, uncached.stderr
    first = run("claims", "--data", str(data), "--format", "json", cache=cache, cwd=tmp_path)
    [kept] = result_files(cache, "claims.pickles")
    again = run("claims", "--data", str(data), "--format", "json", cache=cache, cwd=tmp_path)
    assert first.stdout == again.stdout == uncached.stdout
    assert len(json.loads(again.stdout)) == 30
    info = run("cache", "info", cache=cache, cwd=tmp_path)
    assert "claims" in info.stdout, info.stdout


def test_a_reader_that_stops_early_leaves_no_result(data, tmp_path):
    """`claims | head`: the stream ends early, so no partial list of claims is kept."""
    cache = tmp_path / "cache"
    command = [*VITD_KG, "--cache", "on", "--cache-dir", str(cache), "claims", "--data", str(data), "--format", "json"]
    shell = subprocess.run(f"{' '.join(map(str, command))} | head -c 10", shell=True, capture_output=True, text=True,
                           cwd=tmp_path, timeout=300)
    assert shell.stdout == "[\n  {\n    "
    assert result_files(cache, "claims.pickles") == []
    assert not list(cache.glob("graphs/*/results/*/.*partial"))


def test_a_damaged_result_is_computed_again(data, tmp_path):
    """One changed byte that still unpickles (a word of a finding) is caught by the digest."""
    cache = tmp_path / "cache"
    first = run("audit", "--data", str(data), "--format", "json", cache=cache, cwd=tmp_path)
    [kept] = result_files(cache, "findings.pickle")
    content = kept.read_bytes()
    assert b"controlled" in content
    where = content.index(b"controlled")
    kept.write_bytes(content[:where] + b"C" + content[where + 1:])
    again = run("audit", "--data", str(data), "--format", "json", cache=cache, cwd=tmp_path)
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)
    assert kept.read_bytes() == content  # computed again, and kept again


@pytest.mark.parametrize("damage", ["end", "first-claim", "one-byte"])
def test_a_damaged_list_of_claims_is_named_and_removed(data, tmp_path, damage):
    """Refused before any claim is written: no half list on stdout, whatever the damage."""
    cache = tmp_path / "cache"
    whole = run("claims", "--data", str(data), cache=cache, cwd=tmp_path)
    [kept] = result_files(cache, "claims.pickles")
    content = kept.read_bytes()
    if damage == "end":
        content = content[:-200] + b"\x00garbage"
    elif damage == "first-claim":
        content = content[:40] + b"\x00" * 20 + content[60:]
    else:  # one byte in the middle of a string: every pickle still reads
        middle = content.index(b"vitamin", len(content) // 2)
        content = content[:middle] + b"V" + content[middle + 1:]
    kept.write_bytes(content)
    damaged = run("claims", "--data", str(data), cache=cache, cwd=tmp_path)
    assert damaged.returncode == 2
    assert damaged.stdout == ""
    assert "claims.pickles is damaged" in damaged.stderr and "run the command again" in damaged.stderr
    assert not kept.exists()
    again = run("claims", "--data", str(data), cache=cache, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == whole.stdout
