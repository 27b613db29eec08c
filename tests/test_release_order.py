"""The release's order: one sort of every triple, the same bytes from every load.

``release_dataset`` sorts the triples once, by their N-Triples text (one string per
triple), and gives each named graph and the union its share of that order. These tests
hold that to the order of the three terms compared one after the other, over every RDF
file of the repository (the W3C SHACL suite and the hostile fixtures included), and
check that a graph exported twice is the same bytes, blank-node claims and all.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest

import vitd_kg
from vitd_kg.exports import rdf

ROOT = Path(__file__).resolve().parent.parent
FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}
RDF_FILES = sorted(p for folder in ("data", "ontology", "tests") for p in (ROOT / folder).rglob("*") if p.suffix in FORMATS)


def loaded(path: Path) -> tuple[ox.Store, list[ox.Triple]]:
    """The file in a store, and its triples; the test is skipped if Oxigraph refuses it."""
    store = ox.Store()
    try:
        store.load(path=str(path), format=FORMATS[path.suffix], base_iri="http://example.org/base/")
    except (SyntaxError, ValueError, OSError):
        pytest.skip("not well-formed RDF (a hostile fixture)")
    return store, [q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]


def test_the_repository_has_rdf_files_to_check():
    assert len(RDF_FILES) > 200


@pytest.mark.parametrize("path", RDF_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_one_string_per_triple_sorts_as_the_three_terms_do(path):
    _, triples = loaded(path)
    for t in triples:
        assert str(t) == f"{t.subject} {t.predicate} {t.object}"
    by_terms = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    assert rdf.sort_triples(triples) == by_terms


def test_terms_whose_text_begins_another_sort_as_the_three_terms_do():
    """Where one term's text is a prefix of another's, the next character decides the joined
    string's order: a blank-node label's, never one below the space."""
    e = "http://e.org/"
    subjects = [ox.BlankNode("b1"), ox.BlankNode("b12"), ox.BlankNode("b1-x"), ox.BlankNode("b1_"),
                ox.NamedNode(e + "a"), ox.NamedNode(e + "a/b"), ox.NamedNode(e + "a%20b"), ox.NamedNode(e)]
    predicates = [ox.NamedNode(e + "p"), ox.NamedNode(e + "p2"), ox.NamedNode(e + "p#")]
    objects = [ox.Literal("a"), ox.Literal("a", language="en"), ox.Literal("a b"), ox.Literal("a\n"),
               ox.Literal("a", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#token")),
               ox.NamedNode(e + "o"), ox.BlankNode("o1"), ox.BlankNode("o")]
    triples = [ox.Triple(s, p, o) for s in subjects for p in predicates for o in objects]
    by_terms = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    assert rdf.sort_triples(reversed(triples)) == by_terms


@pytest.mark.parametrize("path", RDF_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_graph_and_the_union_are_sorted_and_the_union_is_every_graph(path):
    store, triples = loaded(path)
    dataset = rdf.release_dataset(store, triples[:3])  # a few as "the ontology": kept out of the data graphs
    for triples_of in dataset.graphs.values():
        assert triples_of == rdf.sort_triples(triples_of)
    assert dataset.union() == rdf.ReleaseDataset(dict(dataset.graphs)).union()  # kept = worked out afresh
    assert len(dataset.union()) == len(store)
    assert sum(map(len, dataset.graphs.values())) == len(store)  # each triple in exactly one graph


def test_the_ontology_triples_are_in_the_ontology_graph_only():
    graph = vitd_kg.open()
    dataset = graph.release_dataset
    ontology = set(dataset.graphs[rdf.ONTOLOGY_GRAPH])
    assert ontology and all(not ontology & set(ts) for name, ts in dataset.graphs.items() if name != rdf.ONTOLOGY_GRAPH)
    assert list(dataset.graphs)[:2] == [rdf.ONTOLOGY_GRAPH, rdf.DATA_GRAPH]
    claims = list(dataset.claim_graphs())
    assert claims == sorted(claims) and len(claims) == 30


BLANK_CLAIM = """@prefix vitd: <https://w3id.org/vitd-kg/ontology#> .
@prefix ex: <https://example.org/> .
[] a vitd:Claim ; vitd:sourceSentence ex:s1 ; vitd:statement "one" .
[] a vitd:Claim ; vitd:sourceSentence ex:s2 ; vitd:statement "two" .
ex:named a vitd:Claim ; vitd:sourceSentence ex:s1 ; vitd:statement "three" .
"""


@pytest.mark.parametrize("fmt", ["nquads", "trig", "ntriples"])
def test_a_graph_with_blank_node_claims_exports_the_same_bytes_every_time(tmp_path, fmt):
    """Blank-node labels differ on every load; a claim's graph was once named by one."""
    (tmp_path / "claims.ttl").write_text(BLANK_CLAIM, encoding="utf-8")
    outputs = set()
    for _ in range(3):
        buffer = io.BytesIO()
        rdf.write_dataset(vitd_kg.open(tmp_path, cache="off").release_dataset, fmt, buffer)
        outputs.add(buffer.getvalue())
    assert len(outputs) == 1


def test_a_blank_node_claim_stays_in_the_data_graph(tmp_path):
    (tmp_path / "claims.ttl").write_text(BLANK_CLAIM, encoding="utf-8")
    dataset = vitd_kg.open(tmp_path, cache="off").release_dataset
    assert list(dataset.claim_graphs()) == [rdf.GRAPH_BASE + "claim/named"]
    in_data = {t.object.value for t in dataset.graphs[rdf.DATA_GRAPH] if type(t.object) is ox.Literal}
    assert {"one", "two"} <= in_data
