"""Upload a release into a remote SPARQL store so that a failure changes nothing.

How the guarantee is kept:

1. **Before anything is written**, every graph IRI is checked to be an absolute IRI and
   the target graphs are counted (this also proves the endpoint answers and the
   credentials work).
2. Every graph is uploaded into a **staging graph** (``urn:vitd-kg:staging:<run>:<n>``),
   never into its target. Staging graphs left by an earlier interrupted run are deleted
   first. Many graphs go in one request where the store accepts a dataset: an N-Quads
   ``POST`` to the Graph Store endpoint, in batches of about 32 MB (Oxigraph does; this
   is probed with one quad first; an Oxigraph server is asked for its bulk loader,
   ``?no_transaction``, as nothing reads staging graphs and step 3 checks them);
   otherwise one Graph Store ``PUT`` per graph.
3. The staging graphs are **counted** (many per query) and each must hold exactly the
   triples sent.
4. One SPARQL Update request swaps all of them in (:func:`_swap_update`): ``MOVE
   <staging> TO <target> ; ...``, or on Oxigraph one DELETE/INSERT operation that does
   not copy the data once more. Stores that run an update request in one transaction
   (Oxigraph, Jena TDB2, GraphDB) apply all of it or none.
5. The targets are counted again and the change is reported graph by graph.

Any failure before step 4 (unreachable server, refused credentials, a graph the server
cannot parse, a count mismatch, a server that dies halfway) leaves every target graph as
it was; the staging graphs are deleted (or, if the server is gone, named in the error and
removed by the next run). If the swap request itself gets no answer, the targets are
counted to tell whether it was applied; if that is impossible the exit code is 8.

**A first load into Oxigraph** (every target graph empty in step 1, method ``auto``)
skips steps 2-4: every graph goes straight into its target in one N-Quads ``POST``
without ``?no_transaction``, which an Oxigraph server applies as one transaction, all of
it or none (:func:`_load_in_one_transaction`). The body is made ``CHUNK_TRIPLES`` at a
time as it is sent, so it is never held whole. Its safety is the server's transaction, not staging: a failure, a graph the
server cannot parse or a server that dies halfway leaves the targets empty; a lost answer
is resolved by counting, as for the swap. Step 5 still counts every target. What it
does not have is step 3's count *before* anything is in place: a count that differs
afterwards (another client writing the same graphs at the same time) is reported (exit
6) with the data loaded. Staging would cost two more writes per triple (the swap deletes
each staged triple and inserts it in its target), about three times a raw POST's time;
``method="dataset"`` keeps it.

**A reload into Oxigraph** (some target not empty, method ``auto``) first reads the
targets back and compares them with the release (:mod:`vitd_kg.publishing.graph_diff`);
only the graphs that differ are written. If none does, nothing is sent. Otherwise one
update request drops each changed graph and inserts its new triples (``INSERT DATA``),
which Oxigraph applies in one transaction (:func:`_replaced_in_one_update`). The update
also writes a marker graph, so a lost answer is resolved by looking for it: there, the
update was applied; not there, the outcome is unknown (the server may still be working on
it). Graphs that an Oxigraph store would keep fewer triples of than the release has
(:func:`~vitd_kg.publishing.graph_diff.merged_by_store`) stop it before it writes. An
update longer than ``UPDATE_BYTES``, or one the server (or a proxy) refuses, changes
nothing, and the changed graphs then go through staging (steps 2-4). Step 5
counts every target, as always. Like any load, it does not lock the store: a graph
another client changes between the comparison and the update keeps that change if it
was called unchanged.
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from typing import Callable, Iterable

import pyoxigraph as ox

from vitd_kg.publishing.bodies import as_nquads, ntriples  # noqa: F401 - tests replace them here
from vitd_kg.errors import EndpointUnreachable, OutcomeUnknown, RequestRejected, VerificationFailed, VitdKgError
from vitd_kg.publishing.sparql_client import SparqlClient, checked_graph_iri

STAGING_PREFIX = "urn:vitd-kg:staging:"
#: Bytes of N-Quads sent in one dataset request (graphs are never split between requests).
BATCH_BYTES = 32 * 1024 * 1024
#: Graphs named in one counting query, one update of the clean-up, or one part of a swap the
#: store refused whole.
GRAPHS_PER_REQUEST = 500
#: What to do when the server may still be applying a load or a swap that got no answer in time.
WAIT_THEN_LOAD_AGAIN = (
    "wait until it is idle (its target graphs hold the new counts, or stop changing), then run `vitd-kg load` "
    "again with a longer --read-timeout; a load started sooner removes the staging graphs a pending swap reads"
)
#: Why a graph can hold fewer triples in the store than in the release.
MERGED_LITERALS = (
    'Oxigraph keeps numbers, booleans and dates by their value, so two literals written differently '
    '("1" and "01"^^xsd:integer) are one triple there: write each such literal in one form in the data'
)
#: Triples serialized at a time into the body of a first load (one graph may hold them all).
CHUNK_TRIPLES = 50_000
#: Longest update that replaces the changed graphs of a reload in one request (Oxigraph 0.5
#: refuses a SPARQL body over 128 MiB); a longer one goes through staging.
UPDATE_BYTES = 96 * 1024 * 1024


@dataclass(frozen=True)
class GraphChange:
    """What a load did to one named graph."""

    graph: str
    before: int
    after: int
    #: False when the server already held exactly this graph, which was then not written
    changed: bool = True

    @property
    def action(self) -> str:
        if not self.changed:
            return "unchanged"
        return "created" if self.before == 0 else "replaced"


@dataclass(frozen=True)
class LoadReport:
    """Every graph a load touched, with triple counts before and after."""

    changes: list[GraphChange]
    removed_stale: list[str]
    #: how the graphs were sent: ``transaction`` (a first load into Oxigraph: one transactional POST into
    #: the targets), ``update`` (a reload into Oxigraph: one update replacing the graphs that changed),
    #: ``none`` (a reload that found nothing changed), ``dataset`` (N-Quads POSTs of many graphs
    #: into staging) or ``graph`` (one PUT each)
    method: str = "graph"
    requests: int = 0

    @property
    def triples(self) -> int:
        return sum(change.after for change in self.changes)


def load_graphs(
    client: SparqlClient,
    graphs: dict[str, list[ox.Triple]],
    *,
    progress: bool | None = None,
    after_upload: Callable[[int, str], None] | None = None,
    method: str = "auto",
    batch_bytes: int = BATCH_BYTES,
) -> LoadReport:
    """Replace each named graph of ``graphs`` (IRI -> triples) on the server, all or nothing.

    ``method`` is ``auto`` (into Oxigraph, a first load is one transactional POST straight
    into the empty targets, and a reload writes only the graphs that changed, in one update;
    else staging through a dataset POST where the store accepts one, else one PUT per
    graph), ``dataset`` or ``graph`` (both always stage and replace every graph).
    ``after_upload(index, graph)`` runs after each graph's upload (tests
    use it to inject faults). ``progress`` None shows a bar only when stderr is a terminal.
    """
    from tqdm import tqdm

    for graph in graphs:
        checked_graph_iri(graph)
    graphs = {graph: list(dict.fromkeys(triples)) for graph, triples in graphs.items()}  # a graph is a set
    before = client.counts(graphs)
    stale = client.graphs_with_prefix(STAGING_PREFIX)
    _drop(client, stale)
    show = sys.stderr.isatty() if progress is None else progress

    def progress_bar(sending: dict[str, list[ox.Triple]], doing: str | None = None) -> tqdm:
        return tqdm(total=sum(len(t) for t in sending.values()), unit="triple", desc=doing, disable=not show,
                    file=sys.stderr)

    if method == "auto" and client.is_oxigraph and not any(before.values()):
        with progress_bar(graphs) as bar:
            _load_in_one_transaction(client, graphs, bar, after_upload)
        return _verified(client, graphs, before, stale, method="transaction", requests=1)
    unchanged: set[str] = set()
    to_stage = graphs
    if method == "auto" and client.is_oxigraph:
        from vitd_kg.publishing.graph_diff import changed_graphs

        with progress_bar(graphs, "comparing") as bar:
            changed = {graph: graphs[graph] for graph in changed_graphs(client, graphs, before, bar.update)}
        unchanged = set(graphs) - set(changed)
        if not changed:
            return _verified(client, graphs, before, stale, method="none", requests=0, unchanged=unchanged)
        with progress_bar(changed) as bar:
            replaced = _replaced_in_one_update(client, changed, bar, after_upload)
        if replaced:
            return _verified(client, graphs, before, stale, method="update", requests=1, unchanged=unchanged)
        to_stage = changed
    with progress_bar(to_stage) as bar:
        method, requests = _staged(client, to_stage, {g: before[g] for g in to_stage}, method, batch_bytes, bar,
                                   after_upload)
    return _verified(client, graphs, before, stale, method=method, requests=requests, unchanged=unchanged)


def _staged(client: SparqlClient, graphs: dict[str, list[ox.Triple]], before: dict[str, int], method: str,
            batch_bytes: int, bar, after_upload: Callable[[int, str], None] | None) -> tuple[str, int]:
    """Steps 2-4: every graph into a staging graph, the staging graphs counted, one swap;
    the method used (``dataset`` or ``graph``) and the number of upload requests."""
    targets = list(graphs)
    run = uuid.uuid4().hex
    staging = {graph: f"{STAGING_PREFIX}{run}:{n}" for n, graph in enumerate(targets)}
    uploaded: list[str] = []
    requests = 0
    try:
        if method == "auto":
            method = "dataset" if _accepts_datasets(client, run, uploaded) else "graph"
        batch: list[bytes] = []
        batch_graphs: list[tuple[int, str]] = []
        size = 0

        def send() -> None:
            nonlocal size, requests
            if batch:
                client.post_dataset(b"".join(batch), bulk=client.is_oxigraph)
                requests += 1
                for n, graph in batch_graphs:
                    bar.update(len(graphs[graph]))
                    if after_upload is not None:
                        after_upload(n, graph)
            batch.clear()
            batch_graphs.clear()
            size = 0

        for n, graph in enumerate(targets):
            if not graphs[graph]:
                if after_upload is not None and method == "graph":
                    after_upload(n, graph)
                elif method == "dataset":
                    batch_graphs.append((n, graph))
                continue
            uploaded.append(staging[graph])
            body = ntriples(graphs[graph])
            if method == "graph":
                client.put_graph(staging[graph], body)
                requests += 1
                bar.update(len(graphs[graph]))
                if after_upload is not None:
                    after_upload(n, graph)
                continue
            if size and size + len(body) > batch_bytes:
                send()
            batch.append(as_nquads(body, staging[graph]))
            batch_graphs.append((n, graph))
            size += len(batch[-1])
        send()
        sent = [graph for graph in targets if graphs[graph]]
        counted = client.counts([staging[g] for g in sent])
        wrong = [g for g in sent if counted[staging[g]] != len(graphs[g])]
        if wrong:
            raise VerificationFailed(
                "; ".join(f"staging graph for {g} holds {counted[staging[g]]} triples, {len(graphs[g])} were sent"
                          for g in wrong[:5]) + ("; ..." if len(wrong) > 5 else "") + "; nothing was replaced",
                hint=_why_counts_differ(graphs, {g: counted[staging[g]] for g in wrong},
                                        "the server dropped or merged triples; check its logs"),
            )
    except BaseException as error:
        _cleanup(client, uploaded, error)
        raise
    _swap(client, graphs, staging, before, uploaded)
    return method, requests


def _verified(client: SparqlClient, graphs: dict[str, list[ox.Triple]], before: dict[str, int], stale: list[str],
              *, method: str, requests: int, unchanged: set[str] = frozenset()) -> LoadReport:
    """Count every target after the load (step 5); each must hold exactly the triples of the release."""
    after = client.counts(graphs)
    changes = [GraphChange(graph, before[graph], after[graph], graph not in unchanged) for graph in graphs]
    wrong_after = [c for c in changes if c.after != len(graphs[c.graph])]
    if wrong_after:
        raise VerificationFailed(
            "after loading, triple counts differ: "
            + "; ".join(f"{c.graph} has {c.after}, expected {len(graphs[c.graph])}" for c in wrong_after[:5])
            + ("; ..." if len(wrong_after) > 5 else ""),
            hint=_why_counts_differ(graphs, {c.graph: c.after for c in wrong_after},
                                    "another client may have written to these graphs at the same time; load again"),
        )
    return LoadReport(changes, stale, method=method, requests=requests)


def _why_counts_differ(graphs: dict[str, list[ox.Triple]], found: dict[str, int], otherwise: str) -> str:
    """:data:`MERGED_LITERALS` if an Oxigraph store would keep exactly the ``found`` counts
    of these graphs, else ``otherwise``."""
    from vitd_kg.publishing.graph_diff import merged_by_store

    merged = merged_by_store({g: graphs[g] for g in found})
    return MERGED_LITERALS if merged and all(merged.get(g) == n for g, n in found.items()) else otherwise


class _StreamedQuads:
    """The N-Quads body of every non-empty graph, in its target, made ``CHUNK_TRIPLES`` at a
    time as the request is sent; ``finished`` once the last byte was handed over.

    Its ``length`` comes from a first pass that serializes and forgets, so the request
    carries a ``Content-Length`` (not every proxy passes a chunked body on) without the
    whole body in memory. It can be sent again (digest authentication resends a request).
    """

    def __init__(self, graphs: dict[str, list[ox.Triple]], bar) -> None:
        self.graphs = graphs
        self.bar = bar
        self.finished = False
        self.length = sum(len(chunk) for chunk, _ in self._chunks())

    def _chunks(self):
        for graph, triples in self.graphs.items():
            for start in range(0, len(triples), CHUNK_TRIPLES):
                part = triples[start:start + CHUNK_TRIPLES]
                yield as_nquads(ntriples(part), graph), len(part)

    def __iter__(self):
        self.finished = False
        self.bar.reset()
        for chunk, triples in self._chunks():
            yield chunk
            self.bar.update(triples)
        self.finished = True


def _load_in_one_transaction(client: SparqlClient, graphs: dict[str, list[ox.Triple]], bar,
                             after_upload: Callable[[int, str], None] | None) -> None:
    """Every graph straight into its (empty) target in one transactional N-Quads POST (Oxigraph).

    A body that was not sent to its end cannot have been applied: the error is raised as
    it is (nothing changed). A request sent whole that got no answer is resolved by
    counting the targets: all loaded is success; anything else is :class:`OutcomeUnknown`,
    since targets still empty may only mean the server has not finished.
    """
    body = _StreamedQuads(graphs, bar)
    try:
        client.post_dataset(body, length=body.length)
    except EndpointUnreachable as error:
        if not body.finished:
            if error.request_sent:
                error.hint = (error.hint or "") + "\n  the request was cut before its end, so the server applied none of it"
            raise
        now = _counted_after_no_answer(client, graphs, error, "load")
        if not all(now[graph] == len(triples) for graph, triples in graphs.items()):
            # Still empty is not "nothing changed": a gateway may have dropped the connection
            # (or timed out) while the server goes on with the request.
            raise OutcomeUnknown(
                f"the load request got no answer{' in time' if error.timed_out else ''} and the target graphs are "
                + ("not loaded yet" if not any(now.values()) else "neither empty nor loaded"),
                hint=f"the server may still be applying it: {WAIT_THEN_LOAD_AGAIN}",
            ) from None
    if after_upload is not None:
        for n, graph in enumerate(graphs):
            after_upload(n, graph)


def _replace_update(graphs: dict[str, list[ox.Triple]], marker: str) -> bytes | None:
    """One update that replaces each of ``graphs`` with its triples and adds one triple to
    the graph ``marker`` (which tells, if the answer is lost, whether it was applied), or
    None if it would be longer than ``UPDATE_BYTES``.

    The triples are N-Triples, which SPARQL's ``INSERT DATA`` reads as they are; one
    ``INSERT DATA`` for all graphs, so a blank node two graphs share stays one node.
    """
    parts = [f"DROP SILENT GRAPH <{graph}> ;\n".encode() for graph in graphs]
    parts.append(b"INSERT DATA {\n")
    size = sum(map(len, parts))
    for graph, triples in graphs.items():
        if triples:
            parts += [f"GRAPH <{graph}> {{\n".encode(), ntriples(triples), b"}\n"]
            size += sum(map(len, parts[-3:]))
            if size > UPDATE_BYTES:
                return None
    parts.append(f'GRAPH <{marker}> {{ <{marker}> <{marker}> "applied" }}\n}}\n'.encode())
    return b"".join(parts)


def _replaced_in_one_update(client: SparqlClient, graphs: dict[str, list[ox.Triple]], bar,
                            after_upload: Callable[[int, str], None] | None) -> bool:
    """Replace ``graphs`` (those of a reload that changed) with one SPARQL update, which Oxigraph
    applies in one transaction; False, with nothing changed, if the update is too long or the
    server refuses it (the caller then stages them).

    A lost answer is resolved by the marker graph the update also writes: present, it was
    applied; absent, it was not, unless the answer timed out (the server may still be
    applying it: :class:`OutcomeUnknown`).
    """
    from vitd_kg.publishing.graph_diff import merged_by_store

    marker = f"{STAGING_PREFIX}{uuid.uuid4().hex}:applied"
    body = _replace_update(graphs, marker)
    if body is None:
        return False
    merged = merged_by_store(graphs)
    if merged:  # the final count would fail with the graphs replaced: refuse now, as staging does
        raise VerificationFailed(
            "; ".join(f"{g} holds {len(graphs[g])} triples, of which the store would keep {n}" for g, n in list(merged.items())[:5])
            + ("; ..." if len(merged) > 5 else "") + "; nothing was replaced", hint=MERGED_LITERALS)
    try:
        client.update(body)
    except RequestRejected:  # e.g. a proxy's 413 for the body's size: nothing was applied
        return False
    except EndpointUnreachable as error:
        if not error.request_sent:
            raise
        if not _counted_after_no_answer(client, [marker], error, "update")[marker]:
            # not applied yet; a server that stopped working on it cannot be told from one that
            # still is (a gateway may drop the connection and leave the server busy)
            raise OutcomeUnknown(
                "the update request got no answer" + (" in time" if error.timed_out else "")
                + " and the graphs are not new yet",
                hint=f"the server may still be applying it: it has once the graph <{marker}> exists; wait until "
                     "the server is idle, then run `vitd-kg load` again (it removes that graph)",
            ) from None
    bar.update(sum(map(len, graphs.values())))
    try:
        _drop(client, [marker])
    except VitdKgError:  # the graphs are in; the next load removes the marker
        pass
    if after_upload is not None:
        for n, graph in enumerate(graphs):
            after_upload(n, graph)
    return True


def _counted_after_no_answer(client: SparqlClient, graphs: Iterable[str], error: EndpointUnreachable,
                             request: str) -> dict[str, int]:
    """Triples in each of ``graphs``, to learn what a ``request`` that got no answer did;
    :class:`OutcomeUnknown` when the server cannot be asked either."""
    try:
        return client.counts(graphs)
    except VitdKgError:
        raise OutcomeUnknown(
            f"the {request} request got no answer and the server cannot be asked what happened ({error.message})",
            hint="run `vitd-kg load` again once the server answers: it loads everything again, counts and cleans up",
        ) from None


def _accepts_datasets(client: SparqlClient, run: str, uploaded: list[str]) -> bool:
    """Whether the store adds the quads of an N-Quads POST to its Graph Store endpoint (tried with one quad)."""
    probe = f"{STAGING_PREFIX}{run}:probe"
    uploaded.append(probe)
    try:
        client.post_dataset(f'<urn:vitd-kg:probe> <urn:vitd-kg:probe> "probe" <{probe}> .\n'.encode())
        accepted = client.counts([probe])[probe] == 1
    except RequestRejected:
        return False
    _drop(client, [probe])
    uploaded.remove(probe)
    return accepted


def _swap_update(graphs: dict[str, list[ox.Triple]], staging: dict[str, str], one_operation: bool = False) -> str:
    """The update request that swaps every staging graph in.

    By default one ``MOVE <staging> TO <target>`` (or ``CLEAR`` for a target with nothing
    to load) per graph, all in one request. ``one_operation`` writes instead a single
    DELETE/INSERT (SPARQL 1.1 Update, section 3.1.3): rows of its first branch are staged
    triples, deleted from the staging graph (``?old``) and inserted in the target
    (``?new``); rows of the second are the targets' triples, only deleted (``?new`` is
    unbound there). The standard applies an operation's deletions before its
    insertions, so a triple in both the old and the new content stays. On Oxigraph this
    runs as a write-only transaction (an update whose only reading operation comes
    first), about twice as fast as the MOVEs, which copy the data once more; it is used
    for Oxigraph only, as Virtuoso 7.2's query plans were seen to lose OPTIONAL bindings
    after it (tests/test_load_virtuoso.py), where the MOVEs are tested.
    """
    if not one_operation:
        return " ;\n".join(
            f"MOVE <{staging[graph]}> TO <{graph}>" if triples else f"CLEAR SILENT GRAPH <{graph}>"
            for graph, triples in graphs.items()
        )
    pairs = " ".join(f"(<{staging[graph]}> <{graph}>)" for graph, triples in graphs.items() if triples)
    targets = " ".join(f"<{graph}>" for graph in graphs)
    return (
        "DELETE { GRAPH ?old { ?s ?p ?o } }\n"
        "INSERT { GRAPH ?new { ?s ?p ?o } }\n"
        "WHERE {\n"
        f"  {{ VALUES (?stage ?new) {{ {pairs} }} GRAPH ?stage {{ ?s ?p ?o }} BIND(?stage AS ?old) }}\n"
        "  UNION\n"
        f"  {{ VALUES ?old {{ {targets} }} GRAPH ?old {{ ?s ?p ?o }} }}\n"
        "}"
    )


def _swap(client: SparqlClient, graphs, staging, before, uploaded) -> None:
    """Swap every staging graph in with one update request; after the DELETE/INSERT swap,
    drop the staging graphs it emptied (Oxigraph keeps empty named graphs)."""
    one_operation = client.is_oxigraph
    try:
        client.update(_swap_update(graphs, staging, one_operation))
    except RequestRejected:
        if one_operation or len(graphs) <= GRAPHS_PER_REQUEST:
            _cleanup(client, uploaded, sys.exc_info()[1])
            raise
        _swap_in_parts(client, graphs, staging, uploaded)  # e.g. Virtuoso: "Query too large" above ~900 MOVEs
        return
    except EndpointUnreachable as error:
        if not error.request_sent:  # the connection was refused: the swap never reached the server
            _cleanup(client, uploaded, error)
            raise
        counted = _counted_after_no_answer(client, [*graphs, *uploaded], error, "swap")
        now = {graph: counted[graph] for graph in graphs}
        left = {graph: counted[graph] for graph in uploaded}
        if all(now[g] == len(graphs[g]) for g in graphs) and not any(left.values()):
            _cleanup(client, uploaded, error)  # applied: the answer was lost, the data is in
            return
        if now == before:  # not "nothing changed": the server may still be applying it (staging is kept for it)
            raise OutcomeUnknown(
                f"the swap request got no answer{' in time' if error.timed_out else ''} and the graphs are not new yet",
                hint=f"the server may still be applying it: {WAIT_THEN_LOAD_AGAIN}",
            ) from None
        raise OutcomeUnknown(
            "the swap request got no answer and the graphs are neither old nor new "
            "(the server does not run an update request as one transaction)",
            hint="run `vitd-kg load` again to put the release in place",
        ) from None
    except BaseException as error:
        _cleanup(client, uploaded, error)
        raise
    if not one_operation:
        return  # each MOVE removed its staging graph
    try:
        _drop(client, uploaded)
    except VitdKgError:  # the swap is done; what is left is empty staging graphs
        pass


def _swap_in_parts(client: SparqlClient, graphs: dict[str, list[ox.Triple]], staging: dict[str, str],
                   uploaded: list[str]) -> None:
    """The swap as one update request per ``GRAPHS_PER_REQUEST`` graphs, for a store that
    refused it whole (Virtuoso 7.2 refuses about 900 MOVEs in one request as "Query too
    large"). All or nothing holds per request only: if a request after the first fails,
    some graphs are new and some old, which is :class:`OutcomeUnknown` (the next load puts
    the release in place and removes the staging graphs left).
    """
    names = list(graphs)
    parts = [names[start:start + GRAPHS_PER_REQUEST] for start in range(0, len(names), GRAPHS_PER_REQUEST)]
    for done, part in enumerate(parts):
        try:
            client.update(_swap_update({graph: graphs[graph] for graph in part}, staging))
        except BaseException as error:
            if done == 0 and (isinstance(error, RequestRejected) or not getattr(error, "request_sent", True)):
                _cleanup(client, uploaded, error)  # nothing was swapped in
                raise
            if not isinstance(error, VitdKgError):
                raise
            raise OutcomeUnknown(
                f"the swap went in {len(parts)} requests, as the server refused one request for all {len(names)} "
                f"graphs, and request {done + 1} failed ({error.message}): graphs of the first {done} are new, "
                "the others may be old",
                hint="run `vitd-kg load` again to put the whole release in place",
            ) from None


def _drop(client: SparqlClient, graphs: list[str]) -> None:
    """Delete named graphs: many per update request, or one DELETE each if the update is refused."""
    for start in range(0, len(graphs), GRAPHS_PER_REQUEST):
        chunk = graphs[start:start + GRAPHS_PER_REQUEST]
        if len(chunk) == 1:
            client.delete_graph(chunk[0])
            continue
        try:
            client.update(" ;\n".join(f"DROP SILENT GRAPH <{checked_graph_iri(g)}>" for g in chunk))
        except RequestRejected:
            for graph in chunk:
                client.delete_graph(graph)


def _cleanup(client: SparqlClient, uploaded: list[str], error: BaseException) -> None:
    """Delete staging graphs after a failure; name them in the error if the server is gone."""
    try:
        _drop(client, uploaded)
        leftover = []
    except VitdKgError:
        leftover = uploaded
    if leftover and isinstance(error, VitdKgError):
        error.hint = (error.hint or "") + (
            f"\n  target graphs were not touched; {len(leftover)} staging graph(s) "
            f"({STAGING_PREFIX}...) remain and the next load removes them"
        )


def into_one_graph(graphs: dict[str, list[ox.Triple]], graph: str) -> dict[str, list[ox.Triple]]:
    """Everything but the shapes, in the one named graph ``graph`` (an absolute IRI, checked)."""
    from vitd_kg.exports.rdf import SHAPES_GRAPH, sort_triples

    checked_graph_iri(graph)
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
    method: str = "auto",
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
        return load_graphs(client, graphs, progress=progress, method=method)
