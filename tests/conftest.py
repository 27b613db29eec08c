"""Shared fixtures: the bundled graph, and Oxigraph stores of it and of a synthetic corpus,
loaded once per test session (tests only read them)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph

import vitd_kg
from vitd_kg import resources
from vitd_kg.rdf.parsing import load_store
from vitd_kg.synth import generate


@pytest.fixture(scope="session")
def graph() -> Graph:
    """The bundled ontology and data as an rdflib graph."""
    return vitd_kg.load()


@pytest.fixture(scope="session")
def source_text() -> str:
    """The verbatim source document shipped in data/source/."""
    return resources.source_text()


@pytest.fixture(scope="session")
def bundled_store() -> ox.Store:
    """The bundled ontology and data in an Oxigraph store."""
    return load_store()


@pytest.fixture(scope="session")
def synthetic_store() -> ox.Store:
    """The bundled graph plus a synthetic corpus of 45 claims (seed 3), in an Oxigraph store."""
    store = load_store()
    store.load(generate(45, seed=3).turtle.encode(), format=ox.RdfFormat.TURTLE)
    return store
