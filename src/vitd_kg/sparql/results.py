"""Write query results as a table, CSV, TSV, SPARQL 1.1 Query Results JSON, or a pandas DataFrame.

The writers take rows one at a time (a :class:`~vitd_kg.sparql.engines.QueryStream`)
and write each as it comes, so a query's output never has to fit in memory; the table
sizes its columns from the first :data:`TABLE_SAMPLE_ROWS` rows. Rows hold pyoxigraph
terms; :func:`format_result` writes a whole :class:`~vitd_kg.sparql.engines.QueryResult`
(rows of rdflib terms) the same way.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from typing import IO, Any, BinaryIO, Callable, Mapping

from vitd_kg.errors import InputError, MissingExtraError
from vitd_kg.namespaces import curie
from vitd_kg.sparql.engines import QueryResult, QueryStream, Target, as_engine, deny_network, prepared_query
from vitd_kg.sparql.bindings import as_terms
from vitd_kg.sparql.queries import Query
from vitd_kg.sparql.rows import python_value

#: Rows the table reads before it fixes its column widths (the rest follow as they come).
TABLE_SAMPLE_ROWS = 1000
#: Longest cell of the table, in characters (longer ones are cut with "…").
TABLE_CELL_WIDTH = 60

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def write_results(
    query: Query,
    target: Target,
    out: BinaryIO,
    output_format: str,
    *,
    bindings: Mapping[str, Any] | None = None,
    timeout: float | None = None,
    max_query_bytes: int | None = None,
) -> int:
    """Run a query and write its results to ``out`` as they come; return the rows written.

    ``output_format`` is one of :data:`WRITERS` (``table``,
    ``csv``, ``tsv``, ``json``). No row is held: memory stays flat however many rows
    the query returns. ``timeout`` covers the check, the query and the writing, in a
    worker process that cannot reach the network (see :func:`execute`).

    >>> import io
    >>> from vitd_kg.rdf.parsing import load_store
    >>> from vitd_kg.sparql.queries import read_query
    >>> out = io.BytesIO()
    >>> write_results(read_query("SELECT (1 AS ?one) WHERE {}"), load_store(), out, "csv")
    1
    >>> out.getvalue()
    b'one\\r\\n1\\r\\n'
    """
    write = writer_for(output_format)
    engine = as_engine(target)
    terms = as_terms(bindings)

    def run(stream: BinaryIO) -> int:
        prepared = prepared_query(query, max_query_bytes)
        try:
            return write(engine.stream(prepared, terms), stream)
        finally:
            _flush(stream)

    if timeout is None:
        if query.bundled:
            return run(out)
        from vitd_kg.rdf.recursion import call_deep

        return call_deep(lambda: run(out))
    from vitd_kg.sparql.time_limit import write_with_time_limit

    def in_worker(stream: BinaryIO) -> int:
        deny_network()
        return run(stream)

    count = write_with_time_limit(in_worker, out, timeout, name=query.name)
    _flush(out)
    return count


def _flush(out: BinaryIO) -> None:
    try:
        out.flush()
    except (BrokenPipeError, ValueError):  # the reader went away, or the stream is closed
        pass


def format_result(result: QueryResult, output_format: str) -> str:
    """The result in ``table``, ``csv``, ``tsv`` or ``json`` form, ending in a newline."""
    out = io.BytesIO()
    writer_for(output_format)(as_stream(result), out)
    return out.getvalue().decode("utf-8")


def writer_for(output_format: str) -> Callable[[QueryStream, IO[bytes]], int]:
    """The writer of one output format; each returns the number of rows it wrote."""
    try:
        return WRITERS[output_format]
    except KeyError:
        raise InputError(f"unknown output format {output_format!r}", hint=f"use one of: {', '.join(WRITERS)}") from None


def as_stream(result: QueryResult) -> QueryStream:
    """A whole result (rows of rdflib terms) as a stream of rows of pyoxigraph terms."""
    from vitd_kg.rdf.terms import to_oxigraph

    rows = ({name: to_oxigraph(term) for name, term in row.items()} for row in result.rows)
    return QueryStream(variables=list(result.variables), rows=rows, boolean=result.boolean)


# --------------------------------------------------------------------------- terms


def _json_term(term: Any) -> dict[str, str]:
    """One term of SPARQL 1.1 Query Results JSON."""
    kind = type(term).__name__
    if kind == "NamedNode":
        return {"type": "uri", "value": term.value}
    if kind == "BlankNode":
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING):
        out["datatype"] = term.datatype.value
    return out


def _cell(term: Any, width: int) -> str:
    if term is None:
        return ""
    text = curie(term.value) if type(term).__name__ == "NamedNode" else term.value
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


# --------------------------------------------------------------------------- writers


class _Text:
    """Text written to a binary stream in UTF-8, in chunks (not one write per row)."""

    def __init__(self, out: IO[bytes], chunk: int = 1 << 16) -> None:
        self.out = out
        self.parts: list[str] = []
        self.size = 0
        self.chunk = chunk

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.out.write("".join(self.parts).encode("utf-8"))
            self.parts.clear()
            self.size = 0


def write_json(stream: QueryStream, out: IO[bytes]) -> int:
    """SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/)."""
    text = _Text(out)
    if stream.boolean is not None:
        text.write(json.dumps({"head": {}, "boolean": stream.boolean}) + "\n")
        text.flush()
        return 0
    text.write('{\n  "head": ' + json.dumps({"vars": stream.variables}) + ',\n  "results": {"bindings": [')
    count = 0
    for row in stream.rows:
        binding = {name: _json_term(term) for name, term in row.items()}
        text.write(("\n    " if count == 0 else ",\n    ") + json.dumps(binding, ensure_ascii=False))
        count += 1
    text.write("\n  ]}\n}\n" if count else "]}\n}\n")
    text.flush()
    return count


def write_csv(stream: QueryStream, out: IO[bytes]) -> int:
    """SPARQL 1.1 CSV results: plain values, IRIs in full."""
    text = _Text(out)
    writer = csv.writer(text, lineterminator="\r\n")
    if stream.boolean is not None:
        writer.writerow(["boolean"])
        writer.writerow(["true" if stream.boolean else "false"])
        text.flush()
        return 0
    names = stream.variables
    writer.writerow(names)
    count = 0
    for row in stream.rows:
        writer.writerow([row[name].value if name in row else "" for name in names])
        count += 1
    text.flush()
    return count


def write_tsv(stream: QueryStream, out: IO[bytes]) -> int:
    """SPARQL 1.1 TSV results: terms in N-Triples syntax."""
    text = _Text(out)
    if stream.boolean is not None:
        text.write(f"?boolean\n{'true' if stream.boolean else 'false'}\n")
        text.flush()
        return 0
    names = stream.variables
    text.write("\t".join(f"?{name}" for name in names) + "\n")
    count = 0
    for row in stream.rows:
        text.write("\t".join(str(row[name]) if name in row else "" for name in names) + "\n")
        count += 1
    text.flush()
    return count


def write_table(stream: QueryStream, out: IO[bytes], *, width: int = TABLE_CELL_WIDTH) -> int:
    """A plain-text table for people: IRIs as CURIEs, long cells cut to ``width``.

    Columns are as wide as their widest cell among the first :data:`TABLE_SAMPLE_ROWS`
    rows; later rows are written as they come (a wider cell there shifts its row).
    """
    text = _Text(out)
    if stream.boolean is not None:
        text.write(("yes" if stream.boolean else "no") + "\n")
        text.flush()
        return 0
    header = stream.variables
    rows = iter(stream.rows)
    sample = [[_cell(row.get(name), width) for name in header] for row in itertools.islice(rows, TABLE_SAMPLE_ROWS)]
    widths = [max([len(h)] + [len(r[i]) for r in sample]) for i, h in enumerate(header)]
    text.write("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip() + "\n")
    text.write("  ".join("-" * w for w in widths) + "\n")
    count = 0
    for cells in itertools.chain(sample, ([_cell(row.get(name), width) for name in header] for row in rows)):
        text.write("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip() + "\n")
        count += 1
    text.write(f"({count} row{'s' if count != 1 else ''})\n")
    text.flush()
    return count


#: Output format -> writer.
WRITERS: dict[str, Callable[[QueryStream, IO[bytes]], int]] = {
    "table": write_table,
    "csv": write_csv,
    "tsv": write_tsv,
    "json": write_json,
}


def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON of a whole result."""
    return format_result(result, "json")


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV results of a whole result."""
    return format_result(result, "csv")


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV results of a whole result."""
    return format_result(result, "tsv")


def to_table(result: QueryResult, *, width: int = TABLE_CELL_WIDTH) -> str:
    """A plain-text table of a whole result."""
    out = io.BytesIO()
    write_table(as_stream(result), out, width=width)
    return out.getvalue().decode("utf-8")


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
