"""The fast SHACL engine gives the same report as pySHACL, the reference.

Both engines validate the same triples (the ontology plus one data folder) against
tests/data/shapes/claims-shapes.ttl: the bundled data and a synthetic corpus, which
conform, and one file per fault in tests/data/shacl-invalid/, named for the class and the
fault it carries, whose first line names the constraint component it must trigger.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from vitd_kg import resources
from vitd_kg.fast_shacl import (
    UnsupportedShapes,
    ValidationReport,
    report_from_pyshacl,
    unsupported_features,
    validate_store,
)
from vitd_kg.graph import load_store, store_to_graph
from vitd_kg.synth import generate

HERE = Path(__file__).parent / "data"
SHAPES = Graph().parse(HERE / "shapes" / "claims-shapes.ttl", format="turtle")
INVALID = sorted((HERE / "shacl-invalid").glob("*.ttl"))


def both_reports(data_dir: Path | None) -> tuple[ValidationReport, ValidationReport]:
    store = load_store(data_dir)
    fast = validate_store(store, SHAPES)
    _, results_graph, _ = pyshacl.validate(store_to_graph(store), shacl_graph=SHAPES)
    reference = report_from_pyshacl(results_graph)
    declared = {str(m) for m in SHAPES.objects(None, SH.message)}
    # pySHACL writes a message of its own where a shape gives none: keep only the shapes'.
    reference.results = [replace(r, messages=tuple(m for m in r.messages if m in declared)) for r in reference.results]
    return fast, reference


def folder_with(tmp_path: Path, *files: Path) -> Path:
    for file in files:
        shutil.copy(file, tmp_path / file.name)
    return tmp_path


def test_bundled_data_conforms_in_both_engines():
    fast, reference = both_reports(None)
    assert reference.conforms, reference.results[:3]
    assert fast == reference


def test_synthetic_corpus_conforms_in_both_engines(tmp_path):
    generate(claims=40, seed=5).write(tmp_path / "synthetic.ttl")
    fast, reference = both_reports(tmp_path)
    assert reference.conforms, reference.results[:3]
    assert fast == reference


@pytest.mark.parametrize("fixture", INVALID, ids=[f.stem for f in INVALID])
def test_violations_agree_with_pyshacl(fixture, tmp_path):
    fast, reference = both_reports(folder_with(tmp_path, fixture))
    expected = fixture.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expects: ").strip()
    assert not reference.conforms
    assert expected in {str(r.constraint_component).rsplit("#", 1)[-1] for r in reference.results}
    assert fast.results == reference.results
    assert fast.conforms == reference.conforms


def test_all_violations_at_once_agree(tmp_path):
    """Every fixture in one graph: shapes interact (shared nodes, several targets)."""
    fast, reference = both_reports(folder_with(tmp_path, *INVALID))
    assert len(reference.results) > len(INVALID)
    assert fast == reference


def test_report_graph_round_trips():
    store = load_store(None)
    violating = validate_store(store, Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix vitd: <https://w3id.org/vitd-kg/ontology#> .
        <urn:s> a sh:NodeShape ; sh:targetClass vitd:Claim ;
            sh:property [ sh:path vitd:hedgeCue ; sh:minCount 1 ; sh:message "needs a cue" ] .""", format="turtle"))
    assert not violating.conforms
    assert report_from_pyshacl(violating.graph()) == violating


def test_unsupported_features_are_named_and_refused():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:or ( [ sh:minCount 1 ] ) .""", format="turtle")
    assert unsupported_features(shapes) == ["sh:or"]
    with pytest.raises(UnsupportedShapes, match="sh:or"):
        validate_store(load_store(None), shapes)
    assert unsupported_features(SHAPES) == []


def test_docstring_example_runs():
    import doctest

    from vitd_kg import fast_shacl

    assert doctest.testmod(fast_shacl).failed == 0
