"""vitd-kg: the claims of a research summary on vitamin D and muscle spasm as a graph.

Open the graph once and ask it, or use the module-level functions, which do the same:

>>> import vitd_kg
>>> kg = vitd_kg.open()                              # the bundled data; or open("my/data/")
>>> kg.stats().count("vitd:Claim")
30
>>> kg.claim("concl-alleviates-muscle-spasm").text
'The evidence suggests that vitamin D can significantly alleviate muscle spasm, particularly in individuals with vitamin D deficiency.'
>>> [str(row["outcomeLabel"]) for row in vitd_kg.query("questions/null-outcomes")]
['muscle mass', 'muscle power']
>>> sorted({f.kind for f in vitd_kg.audit()})[0]
'hedge-dropped-from-publication'
>>> len(vitd_kg.effect_table())                      # one row per effect estimate
10
>>> vitd_kg.fhir_bundle()["resourceType"]            # FHIR R5 Evidence + Citation
'Bundle'

Names are imported on first use (PEP 562), so ``import vitd_kg`` and the CLI start
fast and a command pulls in only what it needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

#: Public name -> module that defines it. No module is named like a public function,
#: so importing a submodule never shadows one of these names on the package.
_EXPORTS: dict[str, str] = {
    "open": "knowledge_graph",
    "KnowledgeGraph": "knowledge_graph",
    "load": "api",
    "load_store": "api",
    "claims": "api",
    "query": "api",
    "query_frame": "api",
    "audit": "api",
    "stats": "api",
    "validate": "api",
    "effect_table": "api",
    "effect_dataframe": "api",
    "fhir_bundle": "api",
    "export": "api",
    "dist": "api",
    "write_nanopubs": "api",
    "build_site": "api",
    "write_evidence_map": "api",
    "write_model_diagram": "api",
    "upload": "api",
    "Claim": "evidence.model",
    "Finding": "evidence.audit",
    "Stats": "evidence.stats",
    "ValidationReport": "validation.report",
    "ValidationResult": "validation.report",
    "LoadReport": "publishing.upload",
    "VitdKgError": "errors",
    "InputError": "errors",
    "InvalidDataError": "errors",
    "MissingExtraError": "errors",
    "QueryTimeout": "errors",
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
    from vitd_kg.api import (
        audit,
        build_site,
        claims,
        dist,
        effect_dataframe,
        effect_table,
        export,
        fhir_bundle,
        load,
        load_store,
        query,
        query_frame,
        stats,
        upload,
        validate,
        write_evidence_map,
        write_model_diagram,
        write_nanopubs,
    )
    from vitd_kg.errors import InputError, InvalidDataError, MissingExtraError, QueryTimeout, VitdKgError
    from vitd_kg.evidence.audit import Finding
    from vitd_kg.evidence.model import Claim
    from vitd_kg.evidence.stats import Stats
    from vitd_kg.knowledge_graph import KnowledgeGraph, open
    from vitd_kg.publishing.upload import LoadReport
    from vitd_kg.validation.report import ValidationReport, ValidationResult
