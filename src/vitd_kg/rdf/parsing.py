"""Parsing a graph's files (the ontology, then the data) into one Oxigraph store.

Files are parsed once, strictly, by Oxigraph (which reports syntax errors with a line
and column and accepts no invalid Turtle), through :mod:`vitd_kg.rdf.reading`.
"""

from __future__ import annotations

import pyoxigraph as ox

from vitd_kg.rdf.filling import fill
from vitd_kg.rdf.reading import load_data, parse_source
from vitd_kg.rdf.sources import Source, SourceFile, data_sources, ontology_source


def graph_files(source: Source = None) -> list[SourceFile]:
    """The ontology followed by the data files of ``source`` (the bundled data for ``None``)."""
    return [ontology_source(), *data_sources(source)]


def load_store(source: Source = None) -> ox.Store:
    """An in-memory Oxigraph store holding the ontology and the data in its default graph.

    >>> store = load_store()
    >>> len(store) > 1000
    True
    """
    store = ox.Store()
    ontology, *data = graph_files(source)
    _, quads = parse_source(ontology)
    fill(store, (ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads))
    load_data(store, data, ontology=[q.triple for q in quads])
    return store
