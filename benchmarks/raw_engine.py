#!/usr/bin/env python
"""The raw engine's side of a whole-command comparison: pyoxigraph alone, no vitd-kg.

    python benchmarks/raw_engine.py load DATA.ttl          # Store.load of the file in memory
    python benchmarks/raw_engine.py reconstruct DATA.ttl   # the same, then every query of
                                                           # queries/claims, rows read as they come

Run it under ``/usr/bin/time -v`` beside the vitd-kg command it is the baseline of
(``vitd-kg --cache off stats --data DIR`` for load, ``vitd-kg --cache off claims --data DIR
--format json`` for reconstruct): the ontology is loaded too, as vitd-kg loads it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]


def load(data: Path) -> ox.Store:
    store = ox.Store()
    for part in [*sorted((ROOT / "ontology").glob("*.ttl")), data]:
        if part.name.startswith("shapes"):
            continue
        store.load(path=str(part), format=ox.RdfFormat.TURTLE)
    return store


def reconstruct(store: ox.Store) -> int:
    rows = 0
    for query in sorted((ROOT / "queries" / "claims").glob("*.rq")):
        solutions = store.query(query.read_text(encoding="utf-8"))
        width = len(solutions.variables)
        for solution in solutions:
            for index in range(width):
                solution[index]
            rows += 1
    return rows


if __name__ == "__main__":
    step, path = sys.argv[1], Path(sys.argv[2])
    graph = load(path)
    print(f"{len(graph):,} triples", end="")
    if step == "reconstruct":
        print(f", {reconstruct(graph):,} rows", end="")
    print()
