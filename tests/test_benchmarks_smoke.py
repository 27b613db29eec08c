"""The benchmark harness runs end to end at its smallest size (it asserts nothing about speed).

It starts a real ``oxigraph serve`` for the HTTP step, as the full run does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"

pytest.importorskip("httpx")
pytest.importorskip("matplotlib")


def test_quick_run_writes_table_json_and_plot(tmp_path):
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--sizes", "1000", "--out", str(tmp_path), "--timeout", "300"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    table = (tmp_path / "results.md").read_text(encoding="utf-8")
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert (tmp_path / "results.png").stat().st_size > 10_000
    steps = {(row["step"], row["engine"]) for row in results["rows"]}
    assert ("reconstruct", "rdflib") in steps and ("validate", "pyshacl") in steps and ("http", "vitd-kg") in steps
    failed = [row for row in results["rows"] if row["error"]]
    assert not failed, failed
    # the engines did the same work: every engine of a step counted the same results
    for step in ("load", "validate", "reconstruct", "lookup", "http"):
        counts = {row["check"] for row in results["rows"] if row["step"] == step}
        assert len(counts) == 1, (step, counts)
    assert not results["warnings"]
    assert "| reconstruct | vitd-kg |" in table and "## Machine" in table


def test_synth_wrapper_writes_a_corpus(tmp_path):
    target = tmp_path / "synthetic.ttl"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "synth.py"), "--claims", "8", "-o", str(target)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "vitd:ConclusionClaim" in target.read_text(encoding="utf-8")


def test_validate_overhead_times_both_sides(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    synth = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "synth.py"), "--claims", "8",
                            "-o", str(corpus / "data.ttl")], capture_output=True, text=True)
    assert synth.returncode == 0, synth.stderr
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "validate_overhead.py"), str(corpus), "--rounds", "1",
         "--vitd-kg", str(Path(sys.executable).with_name("vitd-kg"))],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [row] = [line for line in done.stdout.splitlines() if line.startswith("| corpus | 1 |")]
    whole, rss, step, ratio, one, ratio_one = (float(cell.split()[0]) for cell in row.strip("|").split("|")[2:])
    assert whole > 0 and rss > 0 and step > 0 and one > 0
    assert abs(ratio - whole / step) < 0.05 * ratio
    assert abs(ratio_one - whole / one) < 0.05 * ratio_one


def upload_benchmark_row(script: str, tmp_path: Path) -> tuple[Path, list[str], str]:
    """The bundled release, and the last table row ``benchmarks/<script>`` prints for it."""
    import vitd_kg

    release = tmp_path / "release"
    vitd_kg.dist(release)
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), str(release)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return release, done.stdout.splitlines()[-1].strip("|").split("|"), done.stdout


def test_upload_release_times_every_path_against_a_raw_post(tmp_path):
    """benchmarks/upload_release.py on the bundled release: every path into real Oxigraph stores, one row."""
    release, row, stdout = upload_benchmark_row("upload_release.py", tmp_path)
    assert row[0].strip() == "release" and len(row) == 14, stdout
    quads = sum(1 for line in (release / "vitd-kg.nq").read_text(encoding="utf-8").splitlines() if line.strip())
    assert int(row[1].replace(",", "")) == quads
    assert all(float(cell.strip().removesuffix(" s")) > 0 for cell in row[2:])


def test_upload_virtuoso_times_the_upload_against_the_bulk_loader(tmp_path):
    """benchmarks/upload_virtuoso.py on the bundled release: two real Virtuoso servers, one row."""
    import shutil

    from vitd_kg.publishing.release import read_release

    if shutil.which("virtuoso-t") is None:
        pytest.skip("virtuoso-t is not installed (Debian package virtuoso-opensource, in .ci/apt-packages.txt)")
    release, row, stdout = upload_benchmark_row("upload_virtuoso.py", tmp_path)
    assert row[0].strip() == "release" and len(row) == 6, stdout
    assert int(row[1].replace(",", "")) == sum(len(set(triples)) for triples in read_release(release).values())
    assert all(float(cell.strip().removesuffix(" s")) > 0 for cell in row[2:5])


def test_commands_run_whole_processes_including_dist_and_docs(tmp_path):
    """benchmarks/commands.py at its smallest size: every command named is timed, none failed."""
    only = ["stats", "export nquads", "dist", "docs"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "commands.py"), "--sizes", "1000", "--repeat", "1",
         "--only", *only, "--timeout", "300", "--work", str(tmp_path / "work"), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads((tmp_path / "results-commands.json").read_text(encoding="utf-8"))["measurements"]
    assert sorted(m["step"] for m in found) == sorted(only)
    assert all(m["seconds"] and m["seconds"] > 0 and not m["note"] for m in found), found


def test_commands_time_the_read_commands_on_an_endpoint(tmp_path):
    """``--endpoint``: the read commands run against an oxigraph serve holding the corpus,
    as their own rows, beside the local ones; none failed."""
    only = ["claims --id", "audit"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "commands.py"), "--sizes", "1000", "--repeat", "1",
         "--only", *only, "--endpoint", "--timeout", "300", "--work", str(tmp_path / "work"), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads((tmp_path / "results-commands.json").read_text(encoding="utf-8"))["measurements"]
    assert sorted((m["step"], m["variant"]) for m in found) == sorted(
        (step, variant) for step in only for variant in ("this tree", "endpoint"))
    assert all(m["seconds"] and m["seconds"] > 0 and not m["note"] for m in found), found
