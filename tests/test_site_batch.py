"""The site draws its evidence maps many per `dot` process (issue 17), with the same bytes.

Each map drawn in a batch is compared with the same map drawn alone by the one-process
path (`write_picture`, which `vitd-kg claims --map` and the server use); a batch of 7
splits the bundled claims over several processes, so that first and later pictures of a
process are both checked. A graph `dot` rejects is named in the error; a missing `dot`
says how to install it.
"""

from __future__ import annotations

import shutil

import pytest

import vitd_kg
from vitd_kg.errors import EngineFailure, MissingExtraError
from vitd_kg.site.build import FindingIndex, _claims, claim_page_context
from vitd_kg.site.evidence_map import evidence_map_graph
from vitd_kg.site.graphviz_output import SvgBatch, write_picture

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


@pytest.fixture(scope="module")
def kg():
    return vitd_kg.open()


@pytest.fixture(scope="module")
def maps(kg):
    return {claim.id: evidence_map_graph(kg.evidence_chain(claim.id)) for claim in kg.claims()}


def test_every_map_drawn_in_a_batch_is_the_map_drawn_alone(maps, tmp_path):
    alone, batched = tmp_path / "alone", tmp_path / "batched"
    alone.mkdir(), batched.mkdir()
    assert len(maps) > 2 * 7, "the batches must split the claims over several processes"
    with SvgBatch(size=7) as batch:
        for name, graph in maps.items():
            write_picture(graph, alone / f"{name}.svg")
            batch.add(graph, batched / f"{name}.svg", f"the evidence map of claim {name}")
    for name in maps:
        expected = (alone / f"{name}.svg").read_bytes()
        assert expected.startswith(b"<?xml") and b'<g id="graph0" class="graph"' in expected
        assert (batched / f"{name}.svg").read_bytes() == expected, name


def test_the_batch_writes_nothing_else_and_leaves_no_temporary_files(maps, tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "out"
    out.mkdir()
    names = sorted(maps)[:5]
    with SvgBatch(size=2) as batch:
        for name in names:
            batch.add(maps[name], out / f"{name}.svg", name)
    assert sorted(p.name for p in out.iterdir()) == [f"{name}.svg" for name in names]
    assert list(scratch.iterdir()) == []


def test_a_graph_dot_rejects_is_named_in_the_error(maps, tmp_path):
    import graphviz

    broken = graphviz.Digraph()
    broken.node("a", "<<B>not closed>")  # an HTML-like label dot cannot read
    good = sorted(maps)[:3]
    with pytest.raises(EngineFailure, match="the evidence map of claim broken-claim"):
        with SvgBatch(size=10) as batch:
            for name in good:
                batch.add(maps[name], tmp_path / f"{name}.svg", f"the evidence map of claim {name}")
            batch.add(broken, tmp_path / "broken.svg", "the evidence map of claim broken-claim")
    assert not (tmp_path / "broken.svg").exists()


def test_a_missing_dot_says_how_to_install_graphviz(maps, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    name = sorted(maps)[0]
    with pytest.raises(MissingExtraError, match="apt-get install graphviz"):
        with SvgBatch() as batch:
            batch.add(maps[name], tmp_path / "map.svg", name)


def test_a_claims_page_shows_the_same_findings_with_or_without_the_index(kg):
    inputs = kg.site_inputs()
    by_id = {c.id: c for c in inputs.claims or kg.claims()}
    index = FindingIndex.of(inputs.findings)
    assert index.about, "the bundled data has flagged claims"
    assert index.citing, "and claims that findings only cite"
    for row in _claims(inputs.store):
        chain = inputs.chain(row["id"])
        slow = {
            "about": [f for f in inputs.findings if f.claim_id == row["id"]],
            "citing": [f for f in inputs.findings if f.claim_id != row["id"] and row["id"] in f.claim_ids],
        }
        fast = claim_page_context(inputs, dict(row), chain, by_id, index)
        assert fast["about"] == slow["about"]
        assert [c["finding"] for c in fast["citing"]] == slow["citing"]
        assert fast == claim_page_context(inputs, dict(row), chain, by_id)
