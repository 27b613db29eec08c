"""The synthetic corpus has the bundled data's shape and keeps its provenance promises.

The same checks the bundled claims pass (quotes verbatim at their offsets, hedge cues and
numbers in the quote) run over every generated claim.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

import vitd_kg
from vitd_kg import resources
from vitd_kg.cli import main
from vitd_kg.namespaces import VITD
from vitd_kg.synth import generate

from claim_facts import claims, numbers_stated, quote_of, spellings

CORPUS = generate(claims=48, seed=7)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Graph, str]:
    folder = tmp_path_factory.mktemp("synth")
    CORPUS.write(folder / "synthetic.ttl")
    return vitd_kg.load(folder), (folder / "source" / "synthetic-corpus.txt").read_text(encoding="utf-8")


def test_same_seed_same_corpus_and_other_seed_another():
    assert generate(claims=48, seed=7) == CORPUS
    assert generate(claims=48, seed=8).turtle != CORPUS.turtle


def test_counts_are_what_the_graph_holds(synthetic):
    graph, _ = synthetic
    ontology = Graph().parse(data=resources.ontology_file().read_text(encoding="utf-8"), format="turtle")
    assert len(graph) - len(ontology) == CORPUS.triples
    assert len(claims(graph)) == CORPUS.claims == 48
    assert len(set(graph.subjects(RDF.type, VITD.Study))) == CORPUS.studies + 1  # + the synthesis


def test_every_vitd_term_used_is_defined_in_the_ontology(synthetic):
    graph, _ = synthetic
    ontology = Graph().parse(data=resources.ontology_file().read_text(encoding="utf-8"), format="turtle")
    used = {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(str(VITD))}
    assert sorted(str(t) for t in used if (t, None, None) not in ontology) == []


def _properties_by_class(graph: Graph) -> dict[URIRef, set[URIRef]]:
    found: dict[URIRef, set[URIRef]] = defaultdict(set)
    for node, cls in graph.subject_objects(RDF.type):
        if isinstance(cls, URIRef) and not str(node).startswith(str(VITD)):
            found[cls].update(graph.predicates(node))
    return found


def test_every_class_uses_only_properties_the_bundled_data_uses_for_it(synthetic, graph):
    """Mirroring the bundled patterns is what lets the corpus conform to the shapes."""
    generated, bundled = _properties_by_class(synthetic[0]), _properties_by_class(graph)
    for cls, properties in generated.items():
        assert cls in bundled, f"{cls} has no instance in the bundled data"
        assert properties <= bundled[cls], f"{cls}: {sorted(map(str, properties - bundled[cls]))}"


def test_every_claim_has_full_provenance(synthetic):
    graph, text = synthetic
    for claim in claims(graph):
        exact, start, end = quote_of(graph, claim)
        assert text[start:end] == exact
        sentence = graph.value(claim, VITD.sourceSentence)
        assert (graph.value(sentence, VITD.inSection), RDF.type, VITD.DocumentSection) in graph
        modalities = list(graph.objects(claim, VITD.modality))
        assert modalities and all((m, RDF.type, VITD.Modality) in graph for m in modalities)
        assert (graph.value(claim, VITD.evidenceLevel), RDF.type, VITD.EvidenceLevel) in graph
        for modality in modalities:
            if graph.value(modality, VITD.isHedge) == Literal(True):
                assert str(graph.value(modality, VITD.cue)) in exact
        for words in graph.objects(claim, VITD.hedgeCue):
            assert str(words) in exact
        for number in numbers_stated(graph, claim):
            assert any(form in exact for form in spellings(number)), f"{number} not in {exact!r}"
        if (claim, RDF.type, VITD.ConclusionClaim) in graph:
            supports = set(graph.objects(claim, VITD.restsOn))
            assert supports and all(graph.value(s, VITD.sourceSentence) is not None for s in supports)


def test_cli_writes_a_data_folder_that_stats_reads(tmp_path, capsys):
    target = tmp_path / "corpus" / "synthetic.ttl"
    assert main(["synth", "--claims", "10", "--seed", "3", "-o", str(target)]) == 0
    assert (tmp_path / "corpus" / "source" / "synthetic-corpus.txt").is_file()
    capsys.readouterr()
    assert main(["stats", "--data", str(target.parent), "--format", "json"]) == 0
    import json

    counts = {row["curie"]: row["count"] for row in json.loads(capsys.readouterr().out)["classes"]}
    assert counts["vitd:Claim"] == 12  # 10 rounded up to whole studies of 4


def test_rejects_zero_claims():
    with pytest.raises(ValueError):
        generate(claims=0)


def test_docstring_example_runs():
    import doctest

    from vitd_kg import synth

    assert doctest.testmod(synth).failed == 0
