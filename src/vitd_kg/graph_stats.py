"""Counts of what the graph holds, from the bundled ``queries/stats`` files."""

from __future__ import annotations

from dataclasses import dataclass

from .graph import DataDir, load_store
from .namespaces import PREFIXES
from .sparql import read_query, select_light


@dataclass(frozen=True)
class ClassCount:
    """How many resources of one vitd-kg class the graph holds."""

    curie: str
    label: str
    count: int


@dataclass(frozen=True)
class Stats:
    """The size of the graph: triples in all, and resources by class."""

    triples: int
    classes: list[ClassCount]

    def count(self, curie: str) -> int:
        """Resources of one class (``vitd:Claim``), 0 if there are none."""
        return next((c.count for c in self.classes if c.curie == curie), 0)


def stats(data_dir: DataDir = None) -> Stats:
    """Count triples and resources by class.

    A resource counts for its class and every superclass, so the ``vitd:Claim`` row
    totals claims of every kind.

    >>> s = stats()
    >>> s.count("vitd:Claim")
    30
    """
    store = load_store(data_dir)
    triples = int(select_light(store, read_query("stats/triple-count"))[0]["triples"])
    rows = select_light(store, read_query("stats/class-counts"))
    classes = [
        ClassCount(
            curie="vitd:" + row["class"][len(PREFIXES["vitd"]):],
            label=row.get("label", ""),
            count=int(row["count"]),
        )
        for row in rows
    ]
    return Stats(triples=triples, classes=classes)
