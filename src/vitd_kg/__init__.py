"""vitd-kg: the claims of a research summary on vitamin D and muscle spasm as a graph.

>>> import vitd_kg
>>> graph = vitd_kg.load()          # ontology + data as an rdflib.Graph
>>> vitd_kg.stats().count("vitd:Claim")
30
"""

from __future__ import annotations

__version__ = "0.1.0"

from .diagram import write_model_diagram
from .errors import InputError, VitdKgError
from .evidence_map import write_evidence_map
from .graph import load, load_store
from .site import build_site
from .stats import Stats, stats

__all__ = [
    "InputError",
    "Stats",
    "VitdKgError",
    "__version__",
    "build_site",
    "load",
    "load_store",
    "stats",
    "write_evidence_map",
    "write_model_diagram",
]
