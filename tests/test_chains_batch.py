"""Evidence chains gathered many at a time are the chains gathered one by one.

The oracle is :func:`evidence_chain`, which runs the map queries with ``?root`` bound to
one claim. :func:`evidence_chains` (what the site draws its maps from) runs them once per
batch of roots on an Oxigraph store, and once over the whole graph elsewhere; every chain
it gives must equal the oracle's, field for field and in the same order, whatever the
batch size, on the bundled data and on a synthetic corpus.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

import vitd_kg
from vitd_kg.errors import InputError
from vitd_kg.evidence.chain import evidence_chain, evidence_chains, flags_and_citations
from vitd_kg.namespaces import claim_id

ROOTS = """PREFIX vitd: <https://w3id.org/vitd-kg/ontology#>
SELECT DISTINCT ?claim WHERE { ?claim vitd:sourceSentence ?sentence } ORDER BY ?claim"""


def claim_iris(store: ox.Store) -> list[str]:
    return [solution["claim"].value for solution in store.query(ROOTS)]


@pytest.fixture(scope="module")
def findings():
    return vitd_kg.open().audit()


@pytest.fixture(params=["bundled_store", "synthetic_store"])
def store(request) -> ox.Store:
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("batch_size", [1, 7, 500])
def test_every_chain_gathered_in_a_batch_is_the_chain_gathered_alone(store, findings, batch_size):
    roots = claim_iris(store)
    assert len(roots) >= 30
    marked = flags_and_citations(findings)
    alone = [evidence_chain(store, root, marked=marked) for root in roots]
    together = list(evidence_chains(store, roots, marked=marked, batch_size=batch_size))
    assert [chain.root for chain in together] == roots
    for one, many in zip(alone, together, strict=True):
        assert many == one, one.root
    assert sum(len(chain.parts) for chain in together) > len(roots)  # the chains are not empty
    assert any(chain.links for chain in together)


def test_without_roots_every_claims_chain_comes_in_the_order_of_the_iris(synthetic_store):
    roots = claim_iris(synthetic_store)
    chains = list(evidence_chains(synthetic_store, batch_size=40))
    assert [chain.root for chain in chains] == roots
    assert chains[5] == evidence_chain(synthetic_store, roots[5])


def test_roots_come_in_the_order_given_short_ids_or_iris(bundled_store):
    roots = claim_iris(bundled_store)
    asked = [claim_id(roots[3]), roots[0], claim_id(roots[-1]), roots[3]]
    chains = list(evidence_chains(bundled_store, asked, batch_size=2))
    assert [chain.root for chain in chains] == [roots[3], roots[0], roots[-1]]  # each once
    assert chains[1] == evidence_chain(bundled_store, roots[0])


def test_findings_are_marked_as_the_single_chain_marks_them(bundled_store, findings):
    root = "concl-alleviates-muscle-spasm"
    (chain,) = evidence_chains(bundled_store, [root], findings=findings)
    assert chain == evidence_chain(bundled_store, root, findings=findings)
    assert chain.flags or chain.cited


@pytest.mark.parametrize("unknown", ["no-such-claim", "not an iri"])
def test_an_unknown_root_is_refused_when_its_turn_comes(bundled_store, unknown):
    roots = claim_iris(bundled_store)[:3]
    chains = evidence_chains(bundled_store, [*roots, unknown], batch_size=10)
    assert [next(chains).root for _ in roots] == roots
    with pytest.raises(InputError, match="no claim with id"):
        next(chains)


def test_an_rdflib_graph_gives_the_chains_the_oxigraph_store_gives(bundled_store):
    graph = vitd_kg.load()
    roots = claim_iris(bundled_store)
    assert list(evidence_chains(graph, roots)) == [evidence_chain(bundled_store, root) for root in roots]


def test_the_site_draws_from_the_batched_chains_of_the_graph(bundled_store):
    kg = vitd_kg.open()
    inputs = kg.site_inputs()
    ids = [claim_id(root) for root in claim_iris(bundled_store)][:12]
    assert inputs.chains is not None
    assert list(inputs.chains(ids)) == [inputs.chain(i) for i in ids]
