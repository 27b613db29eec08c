"""Run a bundled query on both engines and put its rows in a form that compares.

Engines may write the same number differently (``0.170`` and ``0.17``) and tag
labels with or without a language, so rows are compared after normalizing: IRIs as
CURIEs, numbers as normalized decimals, booleans as ``true``/``false``, other
literals as their text. The expected result of every query is a JSON file in
``tests/expected/<folder>/<name>.json``; ``python tests/query_results.py`` rewrites
them from the Oxigraph results (review the diff before committing it).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from vitd_kg.namespaces import curie
from vitd_kg.sparql.engines import execute
from vitd_kg.sparql.queries import Query, bundled_queries

EXPECTED = Path(__file__).parent / "expected"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}

#: The folders whose queries have expected results (stats is checked by its own tests).
FOLDERS = ("claims", "questions", "audit")


def normalize(term: Any) -> str:
    """One engine-independent string for an RDF term."""
    kind = type(term).__name__
    if kind == "URIRef":
        return curie(str(term))
    if kind == "BNode":
        return "_:"
    datatype = str(term.datatype) if getattr(term, "datatype", None) is not None else None
    if datatype in NUMERIC:
        return format(Decimal(str(term)).normalize(), "f")
    if datatype == XSD + "boolean":
        return "true" if str(term) in ("true", "1") else "false"
    return str(term)


def normalized_rows(query: Query, *, store=None, graph=None, engine: str = "oxigraph", bindings=None) -> list[dict[str, str]]:
    result = execute(query, store if engine == "oxigraph" else graph, bindings=bindings)
    return [{name: normalize(row[name]) for name in result.variables if name in row} for row in result.rows]


def expected_path(query: Query) -> Path:
    return EXPECTED / f"{query.name}.json"


def queries_with_expected_results() -> list[Query]:
    return [q for folder in FOLDERS for q in bundled_queries(folder)]


def main() -> None:
    from vitd_kg import load_store

    store = load_store()
    for query in queries_with_expected_results():
        path = expected_path(query)
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = normalized_rows(query, store=store)
        path.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{path.relative_to(EXPECTED.parent.parent)}: {len(rows)} rows")


if __name__ == "__main__":
    main()
