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
from vitd_kg.validation.fast_shacl import (
    UnsupportedShapes,
    ValidationReport,
    report_from_pyshacl,
    unsupported_features,
    validate_store,
)
from vitd_kg import load_store
from vitd_kg.rdf.serialize import store_to_graph
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
        <urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:xone ( [ sh:minCount 1 ] ) ;
            sh:or ( [ sh:node <urn:t> ] ) .""", format="turtle")
    assert unsupported_features(shapes) == ["sh:node in a member shape of sh:or or sh:qualifiedValueShape", "sh:xone"]
    with pytest.raises(UnsupportedShapes, match="sh:xone"):
        validate_store(load_store(None), shapes)
    assert unsupported_features(SHAPES) == []


def test_docstring_example_runs():
    import doctest

    from vitd_kg.validation import fast_shacl

    assert doctest.testmod(fast_shacl).failed == 0


EDGE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:low ; sh:lessThan ex:high ; sh:message "low < high" ] ,
    [ sh:path ex:low ; sh:lessThanOrEquals ex:high ; sh:message "low <= high" ] ,
    [ sh:path ex:n ; sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ; sh:minInclusive 0 ] ) ;
      sh:message "n is an integer or a decimal >= 0" ] ,
    [ sh:path ex:part ; sh:qualifiedValueShape [ sh:class ex:Part ] ; sh:qualifiedMinCount 1 ;
      sh:qualifiedMaxCount 1 ; sh:message "one part" ] ;
  sh:sparql [ sh:select "SELECT $this ?value ?n WHERE { $this <http://example.org/n> ?n . BIND(STR(?n) AS ?value) }" ;
              sh:message "{$this} has {?n} ({?value})" ] .
"""
EDGE_DATA = """
@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:equal a ex:C ; ex:low 3 ; ex:high 3.0 ; ex:n 1 ; ex:part ex:p1 .
ex:below a ex:C ; ex:low 2 ; ex:high 3, 1 ; ex:n -1.5 ; ex:part ex:p1 , ex:p2 .
ex:strings a ex:C ; ex:low "a" ; ex:high "b" , "A" , 5 ; ex:n "x" .
ex:iris a ex:C ; ex:low ex:a ; ex:high ex:b , "ex" ; ex:n 2.5 ; ex:part ex:x .
ex:dates a ex:C ; ex:low "2020-01-01"^^xsd:date ; ex:high "2021-01-01"^^xsd:date , "2019-12-31"^^xsd:date .
ex:p1 a ex:Part . ex:p2 a ex:Part . ex:x a ex:Other .
"""


def test_new_constraints_agree_with_pyshacl_at_their_edges():
    """Equal values, strings, IRIs, mixed kinds, several compared values, counts of 0 and 2,
    and message templates: the cases the data fixtures do not reach."""
    import pyoxigraph as ox

    shapes = Graph().parse(data=EDGE_SHAPES, format="turtle")
    store = ox.Store()
    store.load(EDGE_DATA.encode(), format=ox.RdfFormat.TURTLE)
    fast = validate_store(store, shapes)
    _, results_graph, _ = pyshacl.validate(store_to_graph(store), shacl_graph=shapes)
    reference = report_from_pyshacl(results_graph)
    components = {str(r.constraint_component).rsplit("#", 1)[-1] for r in reference.results}
    assert components >= {
        "LessThanConstraintComponent", "LessThanOrEqualsConstraintComponent", "OrConstraintComponent",
        "QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent", "SPARQLConstraintComponent",
    }
    assert fast.results == reference.results
