"""Writing a store's default graph: as an ``rdflib.Graph`` for users, or as Turtle, N-Triples, RDF/XML..."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from vitd_kg.errors import InputError
from vitd_kg.namespaces import PREFIXES

if TYPE_CHECKING:  # rdflib is imported only where an rdflib graph is made: it is slow to import
    from rdflib import Graph

    from vitd_kg.rdf.terms import RdflibTerm


def store_to_graph(store: ox.Store) -> Graph:
    """Copy the default graph of an Oxigraph store into a new ``rdflib.Graph``."""
    from rdflib import Graph

    from vitd_kg.rdf.terms import to_rdflib

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    # Predicates, classes and shared objects recur: convert each distinct term once.
    converted: dict[ox.NamedNode | ox.BlankNode | ox.Literal, RdflibTerm] = {}

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal) -> RdflibTerm:
        found = converted.get(node)
        if found is None:
            found = converted[node] = to_rdflib(node)
        return found

    graph.addN(
        (term(quad.subject), term(quad.predicate), term(quad.object), graph)
        for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    )
    return graph


#: Formats :func:`serialize` writes, by the names users give them.
SERIALIZATIONS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}


def serialize(store: ox.Store, rdf_format: str = "turtle") -> bytes:
    """The default graph of a store as Turtle (with the package's prefixes), N-Triples,
    RDF/XML..., written by Oxigraph.

    >>> from vitd_kg.rdf.parsing import load_store
    >>> text = serialize(load_store(), "turtle").decode()
    >>> text.startswith("@prefix")
    True
    """
    try:
        target = SERIALIZATIONS[rdf_format]
    except KeyError:
        raise InputError(f"unknown RDF format {rdf_format!r}", hint="use one of: " + ", ".join(SERIALIZATIONS)) from None
    if target in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        return store.dump(format=target)
    prefixes = PREFIXES if target in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return store.dump(format=target, from_graph=ox.DefaultGraph(), prefixes=prefixes)
