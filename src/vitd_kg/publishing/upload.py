"""Upload a release into a remote SPARQL store so that a failure changes nothing.

How the guarantee is kept:

1. **Before anything is written**, the target graphs are counted (this also proves the
   endpoint answers and the credentials work).
2. Every graph is uploaded with a Graph Store ``PUT`` into a **staging graph**
   (``urn:vitd-kg:staging:<run>:<n>``), never into its target. Staging graphs left by an
   earlier interrupted run are deleted first.
3. Each staging graph is **counted** and must hold exactly the triples sent.
4. One SPARQL Update request ``MOVE <staging> TO <target> ; ...`` swaps all of them in.
   Stores that run an update request in one transaction (Oxigraph, Jena TDB2, GraphDB)
   apply all the moves or none.
5. The targets are counted again and the change is reported graph by graph.

Any failure before step 4 (unreachable server, refused credentials, a graph the server
cannot parse, a count mismatch, a server that dies halfway) leaves every target graph as
it was; the staging graphs are deleted (or, if the server is gone, named in the error and
removed by the next run). If the swap request itself gets no answer, the targets are
counted to tell whether it was applied; if that is impossible the exit code is 8.
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from vitd_kg.errors import EndpointUnreachable, InputError, OutcomeUnknown, VerificationFailed, VitdKgError
from vitd_kg.publishing.sparql_client import SparqlClient

STAGING_PREFIX = "urn:vitd-kg:staging:"


@dataclass(frozen=True)
class GraphChange:
    """What a load did to one named graph."""

    graph: str
    before: int
    after: int

    @property
    def action(self) -> str:
        return "created" if self.before == 0 else "replaced"


@dataclass(frozen=True)
class LoadReport:
    """Every graph a load touched, with triple counts before and after."""

    changes: list[GraphChange]
    removed_stale: list[str]

    @property
    def triples(self) -> int:
        return sum(change.after for change in self.changes)


def ntriples(triples: list[ox.Triple]) -> bytes:
    """The body sent for one graph: N-Triples (also valid Turtle, which every store reads)."""
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def load_graphs(
    client: SparqlClient,
    graphs: dict[str, list[ox.Triple]],
    *,
    progress: bool | None = None,
    after_upload: Callable[[int, str], None] | None = None,
) -> LoadReport:
    """Replace each named graph of ``graphs`` (IRI -> triples) on the server, all or nothing.

    ``after_upload(index, graph)`` runs after each staging upload (tests use it to
    inject faults). ``progress`` None shows a bar only when stderr is a terminal.
    """
    from tqdm import tqdm

    graphs = {graph: list(dict.fromkeys(triples)) for graph, triples in graphs.items()}  # a graph is a set
    targets = list(graphs)
    before = {graph: client.count(graph) for graph in targets}
    stale = client.graphs_with_prefix(STAGING_PREFIX)
    for graph in stale:
        client.delete_graph(graph)
    run = uuid.uuid4().hex
    staging = {graph: f"{STAGING_PREFIX}{run}:{n}" for n, graph in enumerate(targets)}
    show = sys.stderr.isatty() if progress is None else progress
    uploaded: list[str] = []
    try:
        with tqdm(total=sum(len(t) for t in graphs.values()), unit="triple", disable=not show, file=sys.stderr) as bar:
            for n, graph in enumerate(targets):
                if graphs[graph]:
                    uploaded.append(staging[graph])
                    client.put_graph(staging[graph], ntriples(graphs[graph]))
                bar.update(len(graphs[graph]))
                if after_upload is not None:
                    after_upload(n, graph)
        for graph in targets:
            if graphs[graph] and client.count(staging[graph]) != len(graphs[graph]):
                raise VerificationFailed(
                    f"staging graph for {graph} holds {client.count(staging[graph])} triples, "
                    f"{len(graphs[graph])} were sent; nothing was replaced",
                    hint="the server dropped or merged triples; check its logs",
                )
    except BaseException as error:
        _cleanup(client, uploaded, error)
        raise
    _swap(client, graphs, staging, before, uploaded)
    after = {graph: client.count(graph) for graph in targets}
    changes = [GraphChange(graph, before[graph], after[graph]) for graph in targets]
    wrong = [c for c in changes if c.after != len(graphs[c.graph])]
    if wrong:
        raise VerificationFailed(
            "after loading, triple counts differ: "
            + "; ".join(f"{c.graph} has {c.after}, expected {len(graphs[c.graph])}" for c in wrong),
            hint="another client may have written to these graphs at the same time; load again",
        )
    return LoadReport(changes, stale)


def _swap_update(graphs: dict[str, list[ox.Triple]], staging: dict[str, str]) -> str:
    operations = [
        f"MOVE <{staging[graph]}> TO <{graph}>" if triples else f"CLEAR SILENT GRAPH <{graph}>"
        for graph, triples in graphs.items()
    ]
    return " ;\n".join(operations)


def _swap(client: SparqlClient, graphs, staging, before, uploaded) -> None:
    """Move every staging graph onto its target in one update request."""
    try:
        client.update(_swap_update(graphs, staging))
    except EndpointUnreachable as error:
        if not error.request_sent:  # the connection was refused: the swap never reached the server
            _cleanup(client, uploaded, error)
            raise
        try:
            now = {graph: client.count(graph) for graph in graphs}
            left = client.graphs_with_prefix(STAGING_PREFIX)
        except VitdKgError:
            raise OutcomeUnknown(
                f"the swap request got no answer and the server cannot be asked what happened ({error.message})",
                hint="run `vitd-kg load` again once the server answers: it loads everything again and cleans up",
            ) from None
        if all(now[g] == len(graphs[g]) for g in graphs) and not set(uploaded) & set(left):
            return  # applied: the answer was lost, the data is in
        if now == before:
            _cleanup(client, uploaded, error)
            raise
        raise OutcomeUnknown(
            "the swap request got no answer and the graphs are neither old nor new "
            "(the server does not run an update request as one transaction)",
            hint="run `vitd-kg load` again to put the release in place",
        ) from None
    except BaseException as error:
        _cleanup(client, uploaded, error)
        raise


def _cleanup(client: SparqlClient, uploaded: list[str], error: BaseException) -> None:
    """Delete staging graphs after a failure; name them in the error if the server is gone."""
    leftover = []
    for graph in uploaded:
        try:
            client.delete_graph(graph)
        except VitdKgError:
            leftover.append(graph)
    if leftover and isinstance(error, VitdKgError):
        error.hint = (error.hint or "") + (
            f"\n  target graphs were not touched; {len(leftover)} staging graph(s) "
            f"({STAGING_PREFIX}...) remain and the next load removes them"
        )


def into_one_graph(graphs: dict[str, list[ox.Triple]], graph: str) -> dict[str, list[ox.Triple]]:
    """Everything but the shapes, in the one named graph ``graph``."""
    from vitd_kg.exports.rdf import SHAPES_GRAPH, sort_triples

    merged = {t for name, ts in graphs.items() if name != SHAPES_GRAPH for t in ts}
    return {graph: sort_triples(merged)}


def upload(
    endpoint: str,
    graphs: dict[str, list[ox.Triple]],
    *,
    user: str | None = None,
    update_url: str | None = None,
    store_url: str | None = None,
    graph_param: str = "graph",
    auth_scheme: str = "basic",
    connect_timeout: float = 5.0,
    read_timeout: float = 60.0,
    progress: bool | None = None,
) -> LoadReport:
    """Put ``graphs`` (IRI -> triples) into the SPARQL store whose query endpoint is ``endpoint``.

    Each named graph is replaced, all at once or not at all. The password for ``user``
    is read from ``VITD_KG_PASSWORD``.
    """
    from vitd_kg.publishing.sparql_client import endpoint_from

    target = endpoint_from(
        endpoint, update_url=update_url, store_url=store_url, user=user, graph_param=graph_param, auth_scheme=auth_scheme
    )
    with SparqlClient(target, connect_timeout=connect_timeout, read_timeout=read_timeout) as client:
        return load_graphs(client, graphs, progress=progress)
