"""The export queries are standard SPARQL: rdflib and Oxigraph give the same rows."""

from __future__ import annotations

import pytest

from vitd_kg import load_store
from vitd_kg.sparql.engines import run_query
from vitd_kg.sparql.queries import bundled_queries

EXPORT_QUERIES = bundled_queries("export")


def test_the_export_queries_are_bundled():
    names = {q.name for q in EXPORT_QUERIES}
    assert {"export/effects", "export/effect-context", "export/interventions", "export/populations", "export/publications"} <= names


@pytest.mark.parametrize("query", EXPORT_QUERIES, ids=[q.name for q in EXPORT_QUERIES])
def test_rdflib_and_oxigraph_agree(graph, query):
    assert query.description, f"{query.name} must open with a comment saying what it answers"
    oxigraph = sorted(
        tuple(sorted((name, str(term)) for name, term in row.items()))
        for row in run_query(load_store(), query)
    )
    rdflib = sorted(
        tuple(sorted((str(name), str(term)) for name, term in row.asdict().items()))
        for row in graph.query(query.text)
    )
    assert oxigraph, f"{query.name} returns no rows on the bundled data"
    assert oxigraph == rdflib
