"""Filling an in-memory Oxigraph store from Python quads: in batches, not in one call.

An in-memory store filled by one ``Store.extend`` of a million quads answers queries
about 1.75x slower than the same store filled by ``Store.load`` or by ``extend`` calls
of a thousand quads each (the SHACL step at 1e6 triples: 22-25 s against 12.2-13.3 s,
``benchmarks/results-commands.md``). pyoxigraph converts the whole iterable into one Rust
vector before inserting it; the likely cause is where the store's nodes then land in
memory, not anything the queries do. In batches the fill itself is faster too (3.2 s
against 4.0 s at 1e6).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

import pyoxigraph as ox

#: Quads per ``Store.extend`` call (measured: 1,000 as fast as ``load``; 10,000 already 15% slower).
BATCH = 1000


def fill(store: ox.Store, quads: Iterable[ox.Quad], *, batch: int = BATCH) -> None:
    """Add ``quads`` to ``store`` (an in-memory store), ``batch`` quads per call.

    >>> store = ox.Store()
    >>> p = ox.NamedNode("http://example.org/p")
    >>> fill(store, (ox.Quad(ox.NamedNode(f"http://example.org/{i}"), p, ox.Literal(i)) for i in range(2500)))
    >>> len(store)
    2500
    """
    iterator = iter(quads)
    while chunk := list(islice(iterator, batch)):
        store.extend(chunk)


__all__ = ["BATCH", "fill"]
