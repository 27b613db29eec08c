"""vitd-kg: the claims of a research summary on vitamin D and muscle spasm as a graph.

>>> import vitd_kg
>>> graph = vitd_kg.load()          # ontology + data as an rdflib.Graph
>>> vitd_kg.stats().count("vitd:Claim")
30
>>> claim = next(c for c in vitd_kg.claims() if c.id == "concl-alleviates-muscle-spasm")
>>> claim.text
'The evidence suggests that vitamin D can significantly alleviate muscle spasm, particularly in individuals with vitamin D deficiency.'
>>> [row["outcomeLabel"].value for row in vitd_kg.query("questions/null-outcomes")]
['muscle mass', 'muscle power']
>>> sorted({f.kind for f in vitd_kg.audit()})[0]
'hedge-dropped-from-publication'
>>> len(vitd_kg.effect_table())                     # one row per effect estimate
10
>>> vitd_kg.fhir_bundle()["resourceType"]           # FHIR R5 Evidence + Citation
'Bundle'

Names are imported on first use (PEP 562), so ``import vitd_kg`` and the CLI start
fast and a command pulls in only what it needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> module that defines it. No module is named like a public function,
#: so importing a submodule never shadows one of these names on the package.
_EXPORTS: dict[str, str] = {
    "InputError": "errors",
    "VitdKgError": "errors",
    "load": "graph",
    "load_store": "graph",
    "Stats": "graph_stats",
    "stats": "graph_stats",
    "Claim": "reconstruct",
    "claims": "reconstruct",
    "query": "sparql",
    "query_frame": "sparql",
    "Finding": "evidence_audit",
    "audit": "evidence_audit",
    "effect_table": "tables",
    "fhir_bundle": "fhir",
    "build_site": "site",
    "write_evidence_map": "evidence_map",
    "write_model_diagram": "diagram",
    "dist": "release",
    "export": "release",
    "write_nanopubs": "nanopubs",
    "LoadReport": "loading",
    "load_into": "loading",
    "validate": "validation",
    "ValidationReport": "validation_report",
    "ValidationResult": "validation_report",
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
    from .evidence_audit import Finding, audit
    from .evidence_map import write_evidence_map
    from .fhir import fhir_bundle
    from .graph import load, load_store
    from .loading import LoadReport, load_into
    from .nanopubs import write_nanopubs
    from .release import dist, export
    from .graph_stats import Stats, stats
    from .reconstruct import Claim, claims
    from .site import build_site
    from .sparql import query, query_frame
    from .tables import effect_table
    from .validation import validate
    from .validation_report import ValidationReport, ValidationResult
