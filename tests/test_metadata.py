"""FAIR metadata that ships with the repository: one version everywhere, a valid citation file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL

import vitd_kg
from vitd_kg import resources
from vitd_kg.namespaces import ONTOLOGY_IRI

ROOT = Path(__file__).resolve().parents[1]


def ontology() -> Graph:
    return Graph().parse(data=resources.ontology_file().read_text(encoding="utf-8"), format="turtle")


def test_one_version_in_package_ontology_citation_and_deposit():
    version = vitd_kg.__version__
    assert re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1) == version
    graph = ontology()
    assert str(graph.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo)) == version
    assert str(graph.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI)) == f"{ONTOLOGY_IRI}/{version}"
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert f"\nversion: {version}\n" in citation
    assert json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))["version"] == version
    assert f"## [{version}]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8") or "## [Unreleased]" in (
        ROOT / "CHANGELOG.md"
    ).read_text(encoding="utf-8")


def test_the_citation_file_is_valid_cff():
    cffconvert = shutil.which("cffconvert") or str(Path(sys.executable).with_name("cffconvert"))
    if not Path(cffconvert).exists():
        pytest.skip("cffconvert is not installed (it is in the test extra)")
    result = subprocess.run([cffconvert, "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_ontology_names_its_prior_version_and_its_creator_as_an_agent():
    graph = ontology()
    iri = URIRef(ONTOLOGY_IRI)
    assert graph.value(iri, OWL.priorVersion) is not None
    creator = graph.value(iri, URIRef("http://purl.org/dc/terms/creator"))
    assert isinstance(creator, URIRef), "the creator is an agent, not a name string"
