"""The shortcuts taken for speed give exactly what the plain way gives."""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from vitd_kg import resources
from vitd_kg import load_store
from vitd_kg.rdf.serialize import serialize, store_to_graph
from vitd_kg.rdf.terms import to_rdflib

XSD = "http://www.w3.org/2001/XMLSchema#"
LITERALS = [
    ox.Literal("a sentence, with \"quotes\" and ünïcode"),
    ox.Literal(""),
    ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("0", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("007", datatype=ox.NamedNode(XSD + "integer")),  # not canonical: rdflib normalises it
    ox.Literal("-5", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("١٢", datatype=ox.NamedNode(XSD + "integer")),  # Arabic-Indic digits: not xsd
    ox.Literal("abc", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("0.17", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ox.Literal("P84D", datatype=ox.NamedNode(XSD + "duration")),
    ox.Literal("muscle", language="en"),
]


def plain(term: ox.Literal) -> Literal:
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD + "string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


@pytest.mark.parametrize("term", LITERALS, ids=[str(t) for t in LITERALS])
def test_literals_equal_those_rdflib_builds(term):
    fast, slow = to_rdflib(term), plain(term)
    assert fast == slow and hash(fast) == hash(slow) and str(fast) == str(slow)
    assert (fast.value, fast.datatype, fast.language, fast.ill_typed) == (slow.value, slow.datatype, slow.language, slow.ill_typed)


def test_the_copied_graph_holds_the_triples_rdflib_parses():
    parsed = Graph()
    parsed.parse(data=resources.ontology_file().read_text(encoding="utf-8"), format="turtle")
    for entry in resources.data_files():
        parsed.parse(data=entry.read_text(encoding="utf-8"), format="turtle")
    copied = store_to_graph(load_store())
    from rdflib.compare import isomorphic

    assert len(copied) == len(parsed)
    assert isomorphic(copied, parsed)


@pytest.mark.parametrize("rdf_format", ["turtle", "nt", "xml"])
def test_serialize_round_trips(rdf_format):
    store = load_store()
    again = ox.Store()
    fmt = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "xml": ox.RdfFormat.RDF_XML}[rdf_format]
    again.load(serialize(store, rdf_format), format=fmt)
    assert len(again) == len(store)


def test_stats_command_does_not_import_rdflib():
    """rdflib takes most of a cold start; counting needs none of it."""
    code = "import sys; from vitd_kg.cli import main; main(['stats']); assert 'rdflib' not in sys.modules, 'rdflib imported'"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "vitd:Claim" in done.stdout
