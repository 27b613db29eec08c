"""Shared fixtures: the bundled graph, loaded once per test session."""

from __future__ import annotations

import pytest
from rdflib import Graph

import vitd_kg
from vitd_kg import resources


@pytest.fixture(scope="session")
def graph() -> Graph:
    """The bundled ontology and data as an rdflib graph."""
    return vitd_kg.load()


@pytest.fixture(scope="session")
def source_text() -> str:
    """The verbatim source document shipped in data/source/."""
    return resources.source_text()
