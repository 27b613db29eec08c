"""Which target graphs of a load the server does not already hold exactly as the release has them.

A reload of a release that changed a few claims need not rewrite the others. The targets'
content is read back from the server (one SELECT per batch of graphs, as SPARQL TSV
results) and compared with the release as canonical N-Quads lines: Oxigraph's N-Quads
serializer writes both sides, so a triple has one form on each.

A graph is called unchanged only if its triples are the same set on both sides, as the
store keeps them (Oxigraph keeps a number by its value, so a release's ``"01"^^xsd:integer``
equals the ``"1"`` it holds: loading it again would leave the store as it is). Blank
nodes keep no identity between a store and a file, so a graph's triples with blank nodes
are compared up to their labels: the same after canonical relabelling on each side. A
blank node that two graphs share is one node, on the server as in the release, so those
graphs are never called unchanged (the release's are written together, in one request).
Anything the comparison cannot read (an answer that is not TSV, a term the TriG parser
refuses) makes its whole batch "changed": a wrong guess costs time, never data.

Reading a graph costs about a quarter of what writing it costs (at 1e6 triples on
Oxigraph: about 7 s to answer the SELECT against 22 s for a raw POST), so this pays
unless almost every graph changed; graphs whose triple count already differs are never
read.

>>> _graph_of(b'<urn:s> <urn:p> "a b" <urn:g> .')
'urn:g'
"""

from __future__ import annotations

import uuid
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from vitd_kg.errors import RequestRejected
from vitd_kg.publishing.bodies import as_nquads, ntriples
from vitd_kg.publishing.sparql_client import SparqlClient

#: Triples read back in one SELECT (about 20 MB of TSV).
BATCH_TRIPLES = 100_000
#: Graphs named in one SELECT's VALUES.
BATCH_GRAPHS = 2_000


def changed_graphs(client: SparqlClient, graphs: dict[str, list[ox.Triple]], before: dict[str, int],
                   progress: Callable[[int], object] | None = None) -> list[str]:
    """The graphs of ``graphs`` (IRI -> triples, no duplicates) whose content on the server
    differs from the release, in the order of ``graphs``; ``before`` holds their counts there.
    ``progress(n)`` is told of every ``n`` triples compared, or settled without reading."""
    changed = {g for g, triples in graphs.items() if before[g] != len(triples)} | _sharing_blank_nodes(graphs)
    told = progress or (lambda n: None)
    told(sum(len(graphs[g]) for g in changed))
    brace = f"urn:vitd-kg:tsv-brace:{uuid.uuid4().hex}"
    server_blank_nodes: dict[str, str] = {}
    for batch in _batches([g for g, triples in graphs.items() if triples and g not in changed], graphs):
        changed |= _differing(_read_back(client, batch, brace), brace, batch, graphs, server_blank_nodes)
        told(sum(len(graphs[g]) for g in batch))
    return [g for g in graphs if g in changed]


def _sharing_blank_nodes(graphs: dict[str, list[ox.Triple]]) -> set[str]:
    """Graphs of the release with a blank node that another graph also has: the node must
    stay one, so they are written together (never called unchanged)."""
    seen: dict[str, str] = {}
    sharing: set[str] = set()
    for graph, triples in graphs.items():
        for triple in triples:
            for node in _blank_nodes(triple):
                if seen.setdefault(node, graph) != graph:
                    sharing |= {graph, seen[node]}
    return sharing


def _blank_nodes(triple: ox.Triple) -> Iterator[str]:
    """Labels of the blank nodes of ``triple``, those inside its triple terms too (RDF 1.2)."""
    for term in (triple.subject, triple.object):
        if type(term) is ox.BlankNode:
            yield term.value
        elif type(term) is ox.Triple:
            yield from _blank_nodes(term)


def _batches(names: list[str], graphs: dict[str, list[ox.Triple]]) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for name in names:
        if batch and (size + len(graphs[name]) > BATCH_TRIPLES or len(batch) == BATCH_GRAPHS):
            yield batch
            batch, size = [], 0
        batch.append(name)
        size += len(graphs[name])
    if batch:
        yield batch


def _read_back(client: SparqlClient, batch: list[str], brace: str) -> bytes | None:
    """The server's triples of ``batch`` as TSV rows ``?g ?brace ?s ?p ?o``, or None if it refuses.

    The constant column ``?brace`` between the graph and the subject marks where TriG's
    ``{`` goes: it is replaced as a whole (:func:`_canonical_lines`), which is much faster
    than rewriting each row in Python.
    """
    values = " ".join(f"<{g}>" for g in batch)
    try:
        return client.select_tsv(f"SELECT ?g ?brace ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} "
                                 f"GRAPH ?g {{ ?s ?p ?o }} BIND(<{brace}> AS ?brace) }}")
    except RequestRejected:
        return None


def _differing(answer: bytes | None, brace: str, batch: list[str], graphs: dict[str, list[ox.Triple]],
               server_blank_nodes: dict[str, str]) -> set[str]:
    """The graphs of ``batch`` whose triples on the server (``answer``) are not those of the
    release. ``server_blank_nodes`` maps each blank node seen on the server so far to its graph."""
    if answer is None:
        return set(batch)
    try:
        server = _canonical_lines(answer, brace)
    except (SyntaxError, ValueError):
        return set(batch)
    release = set(b"".join(as_nquads(ntriples(graphs[g]), g) for g in batch).split(b"\n"))
    release.discard(b"")
    only_server, only_release = server - release, release - server
    if only_release:  # perhaps a literal the store keeps as its value ("01" as 1): compare what it would keep
        kept = _as_stored(only_release)
        only_server, only_release = only_server - kept, kept - server
    differing = {_graph_of(line) for line in only_server | only_release if b"_:" not in line}
    with_blank_nodes = {_graph_of(line) for line in only_server | only_release if b"_:" in line} - differing
    if not differing | with_blank_nodes <= set(batch):
        return set(batch)
    server_blank = [line for line in server if b"_:" in line]
    if with_blank_nodes:
        differing |= _not_isomorphic(server_blank, release, with_blank_nodes)
    return differing | _shared_on_server(server_blank, server_blank_nodes)


def _not_isomorphic(server_blank: list[bytes], release: set[bytes], graphs: set[str]) -> set[str]:
    """Those of ``graphs`` whose triples with a blank node differ between the server
    (``server_blank``: its N-Quads lines that may hold one) and the ``release`` by more
    than the blank nodes' labels.

    Each graph's lines with a blank node are compared whole, with labels made canonical
    (:func:`vitd_kg.rdf.canonical.canonical_quads`), not only those that differ: two
    parts that match under different renamings do not make a match.
    """
    from vitd_kg.rdf.canonical import canonical_quads

    def by_graph(lines: Iterable[bytes]) -> dict[str, list[ox.Quad]]:
        grouped: dict[str, list[ox.Quad]] = {graph: [] for graph in graphs}
        for quad in ox.parse(b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_QUADS):
            grouped[quad.graph_name.value].append(quad)
        return grouped

    def canonical(quads: list[ox.Quad]) -> set[str]:
        return {str(quad) for quad in canonical_quads(quads)}

    on_server = by_graph(line for line in server_blank if _graph_of(line) in graphs)
    in_release = by_graph(_as_stored({line for line in release if b"_:" in line and _graph_of(line) in graphs}))
    return {graph for graph in graphs if canonical(on_server[graph]) != canonical(in_release[graph])}


def _shared_on_server(server_blank: list[bytes], seen: dict[str, str]) -> set[str]:
    """Graphs with a blank node the server also has in another graph (this batch or one
    before, kept in ``seen``): it is one node there, so both are written again."""
    shared: set[str] = set()
    for quad in ox.parse(b"\n".join(server_blank) + b"\n", format=ox.RdfFormat.N_QUADS):
        graph = quad.graph_name.value
        for node in _blank_nodes(quad.triple):
            if seen.setdefault(node, graph) != graph:
                shared |= {graph, seen[node]}
    return shared


def _as_stored(lines: set[bytes]) -> set[bytes]:
    """N-Quads ``lines`` as an Oxigraph store keeps them: numbers, booleans and dates by
    their value (``"01"^^xsd:integer`` comes back as ``"1"``), language tags in lower case.
    Writing such a triple again would leave the store as it is."""
    store = ox.Store()
    store.load(b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_QUADS)
    kept = set(store.dump(format=ox.RdfFormat.N_QUADS).split(b"\n"))
    kept.discard(b"")
    return kept


def merged_by_store(graphs: dict[str, list[ox.Triple]]) -> dict[str, int]:
    """The graphs of which an Oxigraph store would keep fewer triples than ``graphs`` holds
    (two literals with one value, such as ``"1"`` and ``"01"^^xsd:integer``, are one
    triple there), with the number it would keep."""
    store = ox.Store()
    store.load(b"".join(as_nquads(ntriples(triples), g) for g, triples in graphs.items() if triples),
               format=ox.RdfFormat.N_QUADS)
    kept = {row["g"].value: int(row["n"].value) for row in
            store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    return {g: kept.get(g, 0) for g, triples in graphs.items() if kept.get(g, 0) != len(triples)}


def _canonical_lines(tsv: bytes, brace: str) -> set[bytes]:
    """The rows ``?g ?brace ?s ?p ?o`` of a TSV answer as canonical N-Quads lines.

    TSV writes terms in Turtle's syntax (``1`` for an xsd:integer), so each row becomes the
    TriG statement ``g { s p o . }`` (TSV escapes tabs and newlines inside literals, so both
    only separate), which Oxigraph's parser reads and its N-Quads serializer writes back.
    """
    header, _, rows = tsv.partition(b"\n")
    if header.replace(b"?", b"").split(b"\t") != [b"g", b"brace", b"s", b"p", b"o"]:
        raise ValueError(f"not the TSV results asked for: {header[:200]!r}")
    if not rows.strip():
        return set()
    trig = (rows.rstrip(b"\n").replace(f"\t<{brace}>\t".encode(), b" { ").replace(b"\t", b" ")
            .replace(b"\n", b" . }\n") + b" . }\n")
    lines = set(ox.serialize(ox.parse(trig, format=ox.RdfFormat.TRIG), format=ox.RdfFormat.N_QUADS).split(b"\n"))
    lines.discard(b"")
    return lines


def _graph_of(line: bytes) -> str:
    """The graph IRI of one N-Quads line (the last term: an IRI has no space)."""
    return line.rsplit(b" ", 2)[1][1:-1].decode()
