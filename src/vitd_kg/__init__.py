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
from .stats import Stats, stats
from .validate import validate
from .validation_report import ValidationReport, ValidationResult

__all__ = [
    "InputError",
    "Stats",
    "ValidationReport",
    "ValidationResult",
    "VitdKgError",
    "__version__",
    "load",
    "load_store",
    "stats",
    "validate",
]
