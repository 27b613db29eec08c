"""Evidence chains gathered from Virtuoso 7.2 are the chains gathered locally.

``tests/test_store_queries.py`` compares the map queries' rows unbound (every claim's
chain at once, what :func:`evidence_chains` asks a server). Here the chains themselves
are compared, claim by claim, with ``?root`` bound as the endpoint sends it (a VALUES
block at the start of the query: one chain by id) and all at once; right after the load
and after a restart, since Virtuoso plans queries differently in the two states
(docs/guide/compat.md).
"""

from __future__ import annotations

import pytest

from servers import VirtuosoServer, virtuoso_binary
import vitd_kg
from vitd_kg.cli import main
from vitd_kg.evidence.chain import evidence_chain, evidence_chains, flags_and_citations
from vitd_kg.rdf.parsing import load_store
from vitd_kg.sparql.endpoint import EndpointEngine

pytestmark = pytest.mark.skipif(
    virtuoso_binary() is None,
    reason="virtuoso-t is not installed (Debian package virtuoso-opensource, listed in .ci/apt-packages.txt)",
)

CLAIMS = """PREFIX vitd: <https://w3id.org/vitd-kg/ontology#>
SELECT DISTINCT ?claim WHERE { ?claim vitd:sourceSentence ?sentence } ORDER BY ?claim"""


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso")) as server:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("VITD_KG_PASSWORD", server.password)
            args = ["--endpoint", f"{server.base}/sparql-auth", "--update-url", f"{server.base}/sparql-auth",
                    "--store-url", f"{server.base}/sparql-graph-crud-auth", "--user", server.user, "--auth", "digest"]
            assert main(["load", *args]) == 0  # the release's named graphs; the default graph is their union
        yield server


@pytest.fixture(scope="module")
def local():
    store = load_store()
    marked = flags_and_citations(vitd_kg.open().audit())
    roots = [solution["claim"].value for solution in store.query(CLAIMS)]
    return store, roots, marked, [evidence_chain(store, root, marked=marked) for root in roots]


@pytest.mark.parametrize("state", ["after the load", "after a restart"])
def test_virtuoso_gives_every_chain_the_local_store_gives(virtuoso, local, state):
    if state == "after a restart":
        virtuoso.restart()
    store, roots, marked, expected = local
    assert len(roots) >= 30
    engine = EndpointEngine.connect(virtuoso.query_url)
    assert [evidence_chain(engine, root, marked=marked) for root in roots] == expected
    assert list(evidence_chains(engine, roots, marked=marked)) == expected
    assert [chain.root for chain in evidence_chains(engine, marked=marked)] == roots
