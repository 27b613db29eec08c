"""Load throughput of `vitd-kg load` into a real Oxigraph server, at growing sizes.

The graph is made bigger by replicating the bundled data N times with renamed IRIs
(every ``https://w3id.org/vitd-kg/id/...`` IRI gets a ``copyK/`` segment), then loaded
into ONE named graph through the same code path as ``vitd-kg load --graph IRI``: first into
an empty store (on Oxigraph one transactional POST, then the count check), then again into
that store with ``method="dataset"`` (a staged replace: staging POST, count check, the
swap, count check; a reload with the default method would find the graph unchanged and
write nothing, which ``upload_release.py`` times). Run:

    .venv/bin/python benchmarks/load_throughput.py 100 1000

Prints one line per size: triples, then seconds and triples/s for the first load and the reload.
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


def measure(copies: int) -> tuple[int, float, float]:
    """Triples, then seconds for a first load and for a reload of them into one fresh store."""
    triples = replicated(copies)
    graphs = {"https://example.org/graph/synthetic": triples}
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        with SparqlClient(endpoint_from(server.query_url), read_timeout=600) as client:
            start = time.perf_counter()
            load_graphs(client, graphs, progress=False)
            first = time.perf_counter() - start
            start = time.perf_counter()
            load_graphs(client, graphs, progress=False, method="dataset")
            reload = time.perf_counter() - start
    return len(triples), first, reload


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["100"]:
        n, first, reload = measure(int(arg))
        print(f"copies={arg} triples={n} first_load_seconds={first:.2f} first_load_triples_per_second={n / first:,.0f} "
              f"reload_seconds={reload:.2f} reload_triples_per_second={n / reload:,.0f}", flush=True)
