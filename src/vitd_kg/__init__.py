"""vitd-kg: the claims of a research summary on vitamin D and muscle spasm as a graph.

>>> import vitd_kg
>>> graph = vitd_kg.load()          # ontology + data as an rdflib.Graph
>>> vitd_kg.stats().count("vitd:Claim")
30
>>> len(vitd_kg.effect_table())                     # one row per effect estimate
10
>>> vitd_kg.fhir_bundle()["resourceType"]           # FHIR R5 Evidence + Citation
'Bundle'
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import InputError, VitdKgError
from .fhir import fhir_bundle
from .graph import load, load_store
from .stats import Stats, stats
from .tables import effect_table

__all__ = [
    "InputError",
    "Stats",
    "VitdKgError",
    "__version__",
    "effect_table",
    "fhir_bundle",
    "load",
    "load_store",
    "stats",
]
