"""vitd-kg: the claims of a research summary on vitamin D and muscle spasm as a graph.

>>> import vitd_kg
>>> graph = vitd_kg.load()          # ontology + data as an rdflib.Graph
>>> vitd_kg.stats().count("vitd:Claim")
30
>>> len(vitd_kg.effect_table())                     # one row per effect estimate
10
>>> vitd_kg.fhir_bundle()["resourceType"]           # FHIR R5 Evidence + Citation
'Bundle'

Names are imported on first use (PEP 562), so ``import vitd_kg`` stays cheap and a
command pulls in only what it needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "InputError": "errors",
    "VitdKgError": "errors",
    "load": "graph",
    "load_store": "graph",
    "Stats": "stats",
    "stats": "stats",
    "effect_table": "tables",
    "fhir_bundle": "fhir",
    "build_site": "site",
    "write_evidence_map": "evidence_map",
    "write_model_diagram": "diagram",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vitd_kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # static type checkers see the real names
    from .diagram import write_model_diagram
    from .errors import InputError, VitdKgError
    from .evidence_map import write_evidence_map
    from .fhir import fhir_bundle
    from .graph import load, load_store
    from .site import build_site
    from .stats import Stats, stats
    from .tables import effect_table
