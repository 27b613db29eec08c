"""Every fixture of tests/data/invalid and tests/data/valid, run through ``vitd-kg validate``.

A fixture is one small file named ``<Class>-<fault>.<ext>`` and validated together with
the ontology and ``tests/data/context.ttl``. Its expectations are comment lines in the
file (or, for JSON, in ``<file>.expect`` beside it):

    # expect-exit: 1                      exit code of `vitd-kg validate`
    # expect-node: claim:test-x           focus node a result must name (exit 0/1)
    # expect-path: vitd:sourceSentence    property that result must name
    # expect-message: ...                 words the message (or error) must contain
    # expect-error-line: 31               line an exit-2 error must give
    # expect-line: 8                      line of the result (default: found by layout)
    # args: --reason                      extra command-line arguments

For exit 1 the result's file must be the fixture and its line the line where the node's
block starts (found here by layout: the first line that begins with the node).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from vitd_kg.cli import main
from vitd_kg.namespaces import PREFIXES

DATA = Path(__file__).parent / "data"
CONTEXT = DATA / "context.ttl"
FIXTURES = sorted(
    p for folder in ("invalid", "valid") for p in (DATA / folder).iterdir() if p.suffix != ".expect"
)
HEADER = re.compile(r"^\s*#\s*(expect-[a-z-]+|args):\s*(.*?)\s*$")


def expectations(fixture: Path) -> dict[str, str]:
    sidecar = fixture.with_name(fixture.name + ".expect")
    source = sidecar if sidecar.exists() else fixture
    found = {}
    for line in source.read_bytes().decode("utf-8", errors="replace").splitlines():
        match = HEADER.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def expand(name: str) -> str:
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    return PREFIXES[prefix] + local


def block_line(fixture: Path, node: str) -> int:
    """The first line of the fixture that starts with the node (how fixtures are laid out)."""
    for number, line in enumerate(fixture.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(node + " ") or line == node:
            return number
    raise AssertionError(f"{fixture.name}: no line starts with {node}")


def test_there_are_fixtures():
    assert len([f for f in FIXTURES if f.parent.name == "invalid"]) >= 60
    assert len([f for f in FIXTURES if f.parent.name == "valid"]) >= 5


def test_fixture_names_say_class_and_fault():
    for fixture in FIXTURES:
        assert re.fullmatch(r"[A-Z][A-Za-z]+-[a-z0-9-]+\.[a-z]+", fixture.name), fixture.name
        assert "expect-exit" in expectations(fixture), f"{fixture.name} has no `# expect-exit:` line"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f"{f.parent.name}/{f.name}" for f in FIXTURES])
def test_fixture(fixture: Path, capsys):
    expect = expectations(fixture)
    args = ["validate", str(CONTEXT), str(fixture), "--format", "json", *shlex.split(expect.get("args", ""))]
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == int(expect["expect-exit"]), out + err

    if code == 2:
        assert out == ""
        assert err.startswith(f"error: {fixture}"), err
        assert "how to fix:" in err
        if "expect-error-line" in expect:
            assert err.startswith(f"error: {fixture}:{expect['expect-error-line']}:"), err
        assert expect["expect-message"] in err
        return

    report = json.loads(out)
    assert report["conforms"] is (code == 0)
    if code == 0 and "expect-node" not in expect:
        assert report["results"] == []
        return
    node = expand(expect["expect-node"])
    path = expand(expect["expect-path"]) if "expect-path" in expect else None
    matching = [r for r in report["results"] if r["focus_node"] == node and r["path"] == path]
    assert matching, f"no result for {node} {path}: {json.dumps(report['results'], indent=1)}"
    result = matching[0]
    assert result["file"] == str(fixture)
    expected_line = expect.get("expect-line") or block_line(fixture, expect["expect-node"])
    assert result["line"] == int(expected_line)
    assert result["severity"] == ("Violation" if code == 1 else "Warning")
    if "expect-message" in expect:
        assert any(expect["expect-message"] in r["message"] for r in matching), matching
    # the fault is in the fixture, not in the context it is validated with
    assert all(r["file"] != str(CONTEXT) or r["source"] == "gate:defined-twice" for r in report["results"])
