"""Load throughput of `vitd-kg load` into a real Oxigraph server, at growing sizes.

The graph is made bigger by replicating the bundled data N times with renamed IRIs
(every ``https://w3id.org/vitd-kg/id/...`` IRI gets a ``copyK/`` segment), then loaded
into ONE named graph through the same code path as ``vitd-kg load --graph IRI``
(staging PUT, count check, MOVE swap, count check). Run:

    .venv/bin/python benchmarks/load_throughput.py 100 1000

Prints one line per size: triples, seconds, triples/s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from servers import OxigraphServer  # noqa: E402
from vitd_kg.publishing.upload import load_graphs  # noqa: E402
from vitd_kg.namespaces import ID  # noqa: E402
import vitd_kg  # noqa: E402
from vitd_kg.exports.rdf import DATA_GRAPH  # noqa: E402
from vitd_kg.publishing.sparql_client import SparqlClient, endpoint_from  # noqa: E402


def renamed(term, copy: int):
    if isinstance(term, ox.NamedNode) and term.value.startswith(str(ID)):
        return ox.NamedNode(f"{ID}copy{copy}/{term.value[len(str(ID)):]}")
    return term


def replicated(copies: int) -> list[ox.Triple]:
    """The data triples (no ontology) ``copies`` times, with renamed IRIs."""
    dataset = vitd_kg.open().release_dataset
    data = [t for g, ts in dataset.graphs.items() if g.startswith(DATA_GRAPH.rsplit("/", 1)[0]) and "ontology" not in g and "shapes" not in g for t in ts]
    return [
        ox.Triple(renamed(t.subject, k), t.predicate, renamed(t.object, k))
        for k in range(copies)
        for t in data
    ]


def measure(copies: int) -> tuple[int, float]:
    triples = replicated(copies)
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        client = SparqlClient(endpoint_from(server.query_url), read_timeout=600)
        start = time.perf_counter()
        load_graphs(client, {"https://example.org/graph/synthetic": triples}, progress=False)
        elapsed = time.perf_counter() - start
        client.close()
    return len(triples), elapsed


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["100"]:
        n, seconds = measure(int(arg))
        print(f"copies={arg} triples={n} seconds={seconds:.2f} triples_per_second={n / seconds:,.0f}", flush=True)
