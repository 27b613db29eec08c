"""The ontology reference page is the same byte for byte whatever Python's hash seed.

pyLODE writes the ontology's schema.org JSON-LD in the order rdflib gives its nodes, which
follows the hash seed; two builds of one release differed there.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

RENDER = (
    "import sys\n"
    "from rdflib import Graph\n"
    "from vitd_kg import resources\n"
    "from vitd_kg.site.ontology_reference import ontology_reference_html\n"
    "graph = Graph().parse(data=resources.ontology_file().read_text(encoding='utf-8'), format='turtle')\n"
    "sys.stdout.write(ontology_reference_html(graph))\n"
)


def render(seed: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", RENDER], env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize("seed", ["1", "2", "3"])
def test_ontology_page_does_not_depend_on_the_hash_seed(seed: str) -> None:
    page = render(seed)
    assert '<script id="schema.org" type="application/ld+json">' in page
    assert page == render("0")
