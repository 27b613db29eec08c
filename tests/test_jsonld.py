"""JSON-LD for JSON people: plain keys and values, and a lossless way back to RDF.

The release's JSON-LD dump (``vitd-kg export --format jsonld``) is compacted with the
bundled context (``ontology/context.jsonld``), which gives every vitd term a plain key and
types its values. Read back by pyld (an independent JSON-LD processor) the whole dump is
isomorphic to the Turtle; Oxigraph's JSON-LD parser reads the same triples; a claim reads
as plain JSON. Nothing is fetched: a data file naming a remote ``@context`` is refused.
"""

from __future__ import annotations

import io
import json
import socket

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

pytest.importorskip("pyld")

import vitd_kg  # noqa: E402
from pyld import jsonld as pyld  # noqa: E402
from vitd_kg.exports.rdf import bundled_context  # noqa: E402

VITD = "https://w3id.org/vitd-kg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def refuse_remote_documents(url, options=None):
    """A pyld document loader that fetches nothing."""
    raise AssertionError(f"pyld was asked to fetch {url}")


def to_nquads(document: dict) -> str:
    """pyld (an independent JSON-LD processor) turns a JSON-LD document into N-Quads."""
    return pyld.to_rdf(document, {"format": "application/n-quads", "documentLoader": refuse_remote_documents, "base": ""})


@pytest.fixture(scope="module")
def document() -> dict:
    """The JSON-LD dump of the release (`vitd-kg export --format jsonld`), as JSON."""
    buffer = io.BytesIO()
    vitd_kg.export("jsonld", buffer)
    return json.loads(buffer.getvalue())


@pytest.fixture(scope="module")
def nodes(document) -> dict[str, dict]:
    return {node["@id"]: node for node in document["@graph"]}


def test_pyld_round_trip_of_the_whole_graph_is_isomorphic_to_the_turtle(document, graph):
    back = Graph().parse(data=to_nquads(document), format="nt")
    assert len(back) == len(graph)
    assert isomorphic(back, graph)


def test_oxigraph_reads_the_compacted_document_as_the_same_graph(document, graph):
    parsed = Graph()
    text = json.dumps(document, ensure_ascii=False).encode("utf-8")
    for triple in ox.parse(text, format=ox.RdfFormat.JSON_LD):
        parsed.add(tuple(_rdflib(term) for term in (triple.subject, triple.predicate, triple.object)))
    assert isomorphic(parsed, graph)


def _rdflib(term):
    from vitd_kg.rdf.terms import to_rdflib

    return to_rdflib(term)


def test_a_compacted_claim_reads_as_plain_json(nodes):
    claim = nodes["claim:cs-symptom-improvement"]
    assert claim["@type"] == "FindingClaim"
    assert all(":" not in key for key in claim if not key.startswith("@"))
    assert claim["relation"] == "improves" and claim["modality"] == "Asserted"
    assert claim["forPopulation"] == "population:cai-2019-patients"
    assert claim["evidenceLevel"] == "UncontrolledClinicalEvidence"
    assert all(isinstance(value, str) for key, value in claim.items())  # links are strings, not objects

    effect = nodes[claim["reportsEffect"]]
    assert effect["magnitudeValue"] == 70 and effect["magnitudeUnit"] == "%"
    assert effect["patientReported"] is True
    assert effect["hasIntervention"] == claim["subject"]

    intervention = nodes[claim["subject"]]
    assert (intervention["doseValue"], intervention["doseUnit"]) == (50000, "[iU]")
    assert (intervention["durationValue"], intervention["durationUnit"]) == (12, "wk")
    assert intervention["frequency"] == "Weekly" and intervention["route"] == "Oral"

    selectors = {nodes[s]["@type"]: nodes[s] for s in nodes[claim["sourceSentence"]]["hasSelector"]}
    quote, position = selectors["TextQuoteSelector"], selectors["TextPositionSelector"]
    assert isinstance(position["start"], int) and isinstance(position["end"], int)
    assert quote["exact"].startswith("Specifically, patients who received 50,000 IU")


def test_integers_are_json_numbers_and_decimals_exact_strings(nodes):
    study = nodes["study:beaudart-2014-meta-analysis"]
    assert (study["includedStudies"], study["participants"]) == (30, 5615)
    estimate = nodes["estimate:beaudart-2014-strength-smd"]
    assert (estimate["value"], estimate["pValue"]) == ("0.17", "0.02")  # xsd:decimal, as written
    assert nodes["criterion:25ohd-below-30-nmol-per-l"]["integerValue"] == 30
    assert nodes["https://doi.org/10.1210/jc.2014-1742"]["issued"] == "2014"


def test_no_data_key_needs_a_prefix_and_no_literal_needs_a_type(document):
    """Only the ontology's own OWL axioms (rdfs:subClassOf, owl:members, ...) keep prefixed keys."""
    for node in document["@graph"]:
        if node["@id"].startswith(("vitd:", "https://w3id.org/vitd-kg/ontology", "_:")):
            continue  # the ontology's own axioms (its only blank nodes are OWL lists)
        assert [key for key in node if ":" in key] == [], node["@id"]
        for key, values in node.items():
            for value in values if isinstance(values, list) else [values]:
                assert not (isinstance(value, dict) and "@type" in value), (node["@id"], key, value)


def test_every_vitd_class_and_property_has_a_plain_key():
    context = bundled_context()
    prefixes = {key: value for key, value in context.items() if isinstance(value, str) and value.endswith(("/", "#"))}

    def expand(value: str) -> str:
        prefix, _, local = value.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else value

    mapped = {expand(value if isinstance(value, str) else value["@id"]) for key, value in context.items()
              if not key.startswith("@") and key not in prefixes}
    ontology = Graph().parse(data=vitd_kg.resources.ontology_file().read_text(encoding="utf-8"), format="turtle")
    terms = {
        str(term)
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for term in ontology.subjects(RDF.type, kind)
        if str(term).startswith(VITD)
    }
    assert sorted(terms - mapped) == []


def test_typed_keys_match_the_datatypes_the_data_uses(graph):
    """Each key typed with an XSD datatype is used by the data with exactly that datatype."""
    context = bundled_context()
    used: dict[str, set[str]] = {}
    for _, prop, value in graph:
        if isinstance(value, Literal) and value.datatype is not None:
            used.setdefault(str(prop), set()).add(str(value.datatype))
    for key, definition in context.items():
        if isinstance(definition, dict) and definition.get("@type", "").startswith("xsd:"):
            prefix, local = definition["@id"].split(":")
            iri = context[prefix] + local
            assert XSD + definition["@type"][4:] in used.get(iri, set()), key


def test_vocabulary_values_do_not_collide_with_keys(graph):
    """A value written by its local name ("Asserted") must not be read as another key's IRI."""
    context = bundled_context()
    for key, definition in context.items():
        if not (isinstance(definition, dict) and definition.get("@type") == "@vocab"):
            continue
        iri = URIRef(VITD + definition["@id"].split(":")[1])
        for value in graph.objects(None, iri):
            local = str(value)[len(VITD):]
            assert str(value).startswith(VITD), (key, value)
            assert local not in context, f"{key}: {local} is also a key of the context"


def test_a_data_file_with_a_remote_context_is_refused_and_nothing_is_fetched(monkeypatch, tmp_path):
    def no_network(*args, **kwargs):
        raise AssertionError("vitd-kg opened a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    remote = {"@context": "https://example.org/context.jsonld", "@id": "https://example.org/x", "name": "x"}
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps(remote), encoding="utf-8")
    with pytest.raises(vitd_kg.InputError, match="never fetched"):
        vitd_kg.open(path)
