"""Counts of what the graph holds, from the bundled ``queries/stats`` files."""

from __future__ import annotations

from dataclasses import dataclass

from vitd_kg.namespaces import curie
from vitd_kg.sparql.engines import Target, select_light
from vitd_kg.sparql.queries import bundled_query


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


def graph_stats(graph: Target) -> Stats:
    """Count triples and resources by class.

    A resource counts for its class and every superclass, so the ``vitd:Claim`` row
    totals claims of every kind.

    >>> from vitd_kg.rdf.parsing import load_store
    >>> graph_stats(load_store()).count("vitd:Claim")
    30
    """
    triples = int(select_light(graph, bundled_query("stats/triple-count"))[0]["triples"])
    rows = select_light(graph, bundled_query("stats/class-counts"))
    classes = [
        ClassCount(
            curie=curie(row["class"]),
            label=row.get("label", ""),
            count=int(row["count"]),
        )
        for row in rows
    ]
    return Stats(triples=triples, classes=classes)
