"""vitd-kg: the claims of a research summary on vitamin D and muscle spasm as a graph.

>>> import vitd_kg
>>> graph = vitd_kg.load()          # ontology + data as an rdflib.Graph
>>> vitd_kg.stats().count("vitd:Claim")
30
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import InputError, VitdKgError
from .graph import load, load_store
from .loading import LoadReport, load_into
from .nanopubs import write_nanopubs
from .release import dist, export
from .stats import Stats, stats

__all__ = [
    "InputError",
    "LoadReport",
    "Stats",
    "VitdKgError",
    "__version__",
    "dist",
    "export",
    "load",
    "load_into",
    "load_store",
    "stats",
    "write_nanopubs",
]
