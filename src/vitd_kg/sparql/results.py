"""Write query results as a table, CSV, TSV, SPARQL 1.1 Query Results JSON, or a pandas DataFrame."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from vitd_kg.errors import MissingExtraError
from vitd_kg.namespaces import curie
from vitd_kg.sparql.engines import QueryResult
from vitd_kg.sparql.rows import python_value


def format_result(result: QueryResult, output_format: str) -> str:
    """The result in ``table``, ``csv``, ``tsv`` or ``json`` form, ending in a newline."""
    writer = {"table": to_table, "csv": to_csv, "tsv": to_tsv, "json": to_json}[output_format]
    return writer(result)


def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/)."""
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
    bindings = [{name: _json_term(term) for name, term in row.items()} for row in result.rows]
    payload = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _json_term(term: Any) -> dict[str, str]:
    kind = type(term).__name__
    if kind == "URIRef":
        return {"type": "uri", "value": str(term)}
    if kind == "BNode":
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if getattr(term, "language", None):
        out["xml:lang"] = term.language
    elif getattr(term, "datatype", None) is not None:
        out["datatype"] = str(term.datatype)
    return out


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV results: plain values, IRIs in full."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.boolean is not None:
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return out.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([str(row[name]) if name in row else "" for name in result.variables])
    return out.getvalue()


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV results: terms in N-Triples syntax."""
    if result.boolean is not None:
        return f"?boolean\n{'true' if result.boolean else 'false'}\n"
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    for row in result.rows:
        lines.append("\t".join(row[name].n3() if name in row else "" for name in result.variables))
    return "\n".join(lines) + "\n"


def to_table(result: QueryResult, *, width: int = 60) -> str:
    """A plain-text table for people: IRIs as CURIEs, long cells cut to ``width``."""
    if result.boolean is not None:
        return ("yes" if result.boolean else "no") + "\n"
    header = result.variables
    cells = [[_cell(row.get(name), width) for name in header] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _cell(term: Any, width: int) -> str:
    if term is None:
        return ""
    text = curie(str(term)) if type(term).__name__ == "URIRef" else str(term)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def result_frame(result: QueryResult):
    """The result as a ``pandas.DataFrame`` of Python values: IRIs as strings, numbers as
    numbers, unbound cells as ``pd.NA``. Needs pandas (``pip install 'vitd-kg[pandas]'``)."""
    try:
        import pandas
    except ImportError:
        raise MissingExtraError(
            "pandas is not installed", hint="install the optional extra: pip install 'vitd-kg[pandas]'"
        ) from None
    if result.boolean is not None:
        return pandas.DataFrame({"boolean": [result.boolean]})
    columns = result.variables
    records = [{c: python_value(row.get(c)) for c in columns} for row in result.rows]
    frame = pandas.DataFrame.from_records(records, columns=columns)
    return frame.convert_dtypes()
