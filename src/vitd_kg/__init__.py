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

Names are imported when first used, so ``import vitd_kg`` and the CLI start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from .errors import InputError, VitdKgError

if TYPE_CHECKING:  # pragma: no cover
    from .audit import Finding
    from .claims import Claim
    from .graph import load, load_store
    from .sparql import query, query_frame
    from .stats import Stats, stats

#: public name -> (module, attribute); an attribute of None means the module itself,
#: which for ``claims``, ``audit`` and ``stats`` is callable (``vitd_kg.claims()``,
#: ``vitd_kg.audit()``) and still holds the rest (``vitd_kg.audit.audit()``).
_LAZY: dict[str, tuple[str, str | None]] = {
    "load": ("graph", "load"),
    "load_store": ("graph", "load_store"),
    "stats": ("stats", None),
    "Stats": ("stats", "Stats"),
    "claims": ("claims", None),
    "Claim": ("claims", "Claim"),
    "query": ("sparql", "query"),
    "query_frame": ("sparql", "query_frame"),
    "audit": ("audit", None),
    "Finding": ("audit", "Finding"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'vitd_kg' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(f"{__name__}.{module_name}")
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Claim",
    "Finding",
    "InputError",
    "Stats",
    "VitdKgError",
    "__version__",
    "audit",
    "claims",
    "load",
    "load_store",
    "query",
    "query_frame",
    "stats",
]
