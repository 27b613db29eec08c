"""The bytes a load sends to a store: one graph's triples as N-Triples, or as N-Quads in a graph.

>>> import pyoxigraph as ox
>>> body = ntriples([ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("a .\\nb"))])
>>> as_nquads(body, "urn:g")
b'<urn:s> <urn:p> "a .\\\\nb" <urn:g> .\\n'
"""

from __future__ import annotations

import pyoxigraph as ox


def ntriples(triples: list[ox.Triple]) -> bytes:
    """The body sent for one graph: N-Triples (also valid Turtle, which every store reads)."""
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def as_nquads(body: bytes, graph: str) -> bytes:
    """One graph's N-Triples as N-Quads in ``graph`` (N-Triples escapes newlines in literals,
    so ``" .\\n"`` ends a statement and nothing else)."""
    return body.replace(b" .\n", f" <{graph}> .\n".encode())
