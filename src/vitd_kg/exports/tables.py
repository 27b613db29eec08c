"""The tidy effect table: one row per effect estimate (or per effect without one).

Rows come from the bundled query ``queries/export/effects.rq``, so the table says what
the graph says and nothing more: a value the graph does not state is ``None`` (an empty
CSV cell, a Parquet null), never 0. Write it as CSV (UTF-8, RFC 4180) or Parquet (the
``tables`` extra: ``pip install 'vitd-kg[tables]'``), or get it as a pandas DataFrame.

>>> from vitd_kg.rdf.parsing import load_store
>>> rows = effect_table(load_store())
>>> strength = next(r for r in rows if r["effect_id"] == "beaudart-2014-strength")
>>> strength["measure"], strength["estimate"], strength["p_value"], strength["ci_lower"]
('standardized mean difference', 0.17, 0.02, None)
"""

from __future__ import annotations

import csv
import io
from typing import Any, BinaryIO

from rdflib import Literal, URIRef

from vitd_kg.errors import InputError, MissingExtraError
from vitd_kg.namespaces import ID, claim_id
from vitd_kg.sparql.engines import Target, run_query
from vitd_kg.sparql.queries import bundled_query
from vitd_kg.sparql.rows import Row

EFFECTS_QUERY = "export/effects"

#: Column name -> (query variable, kind). Kinds: ``id`` (the IRI's local id under the
#: vitd-kg namespace), ``iri``, ``text``, ``float``, ``int``.
COLUMNS: dict[str, tuple[str, str]] = {
    "claim_id": ("claim", "id"),
    "effect_id": ("effect", "id"),
    "effect": ("effectLabel", "text"),
    "estimate_id": ("estimate", "id"),
    "study_id": ("study", "id"),
    "study": ("studyLabel", "text"),
    "design": ("designLabel", "text"),
    "population": ("populationLabel", "text"),
    "intervention": ("interventionLabel", "text"),
    "comparator": ("comparatorLabel", "text"),
    "outcome": ("outcomeLabel", "text"),
    "measure": ("measure", "text"),
    "estimate": ("value", "float"),
    "ci_lower": ("ciLower", "float"),
    "ci_upper": ("ciUpper", "float"),
    "ci_level": ("ciLabel", "text"),
    "p_value": ("pValue", "float"),
    "participants": ("participants", "int"),
    "number_of_studies": ("includedStudies", "int"),
    "significance": ("significanceLabel", "text"),
    "direction": ("directionLabel", "text"),
    "magnitude": ("magnitude", "text"),
    "magnitude_operator": ("operatorCue", "text"),
    "magnitude_value": ("magnitudeValue", "float"),
    "magnitude_unit": ("magnitudeUnit", "text"),
    "source_quote": ("quote", "text"),
    "publication": ("publication", "iri"),
}

FORMATS = ("csv", "parquet")
TABLES_EXTRA_HINT = "install the optional extra: pip install 'vitd-kg[tables]'"


def effect_rows(graph: Target) -> list[Row]:
    """The raw rows of ``export/effects.rq`` (rdflib terms), in the query's order."""
    return run_query(graph, bundled_query(EFFECTS_QUERY))


def effect_table(graph: Target) -> list[dict[str, Any]]:
    """One dict per effect estimate (or per effect without one), keys as in :data:`COLUMNS`.

    Numbers are floats or ints exactly as the graph states them; anything the graph
    does not state is ``None``.

    >>> from vitd_kg.rdf.parsing import load_store
    >>> rows = effect_table(load_store())
    >>> len(rows)
    10
    >>> sorted({r["significance"] for r in rows})
    ['not statistically significant', 'significance not reported', 'statistically significant']
    """
    return [tidy_row(row) for row in effect_rows(graph)]


def tidy_row(row: Row) -> dict[str, Any]:
    """Turn one query row into one table row."""
    return {column: cell(row.get(variable), kind) for column, (variable, kind) in COLUMNS.items()}


def cell(term: URIRef | Literal | None, kind: str) -> Any:
    """The table value of one term: ``None`` where the graph gives none."""
    if term is None:
        return None
    if kind == "id":
        return local_id(str(term))
    if kind == "float":
        return float(str(term))
    if kind == "int":
        return int(str(term))
    return str(term)


def local_id(iri: str) -> str:
    """The short id of a vitd-kg IRI (``effect/beaudart-2014-strength`` -> ``beaudart-2014-strength``).

    IRIs outside the vitd-kg namespace (a user's own data) are kept whole.
    """
    if iri.startswith(f"{ID}claim/"):
        return claim_id(iri)
    if iri.startswith(str(ID)):
        return iri[len(str(ID)):].split("/", 1)[-1]
    return iri


def write_effect_table(graph: Target, out: BinaryIO, *, format: str) -> None:
    """Write the effect table to a binary stream as ``csv`` or ``parquet``.

    CSV is UTF-8 with a header row and CRLF line ends (RFC 4180); empty cells are
    values the graph does not state. Parquet needs the ``tables`` extra (pyarrow).

    >>> import io
    >>> from vitd_kg.rdf.parsing import load_store
    >>> buffer = io.BytesIO()
    >>> write_effect_table(load_store(), buffer, format="csv")
    >>> buffer.getvalue().decode("utf-8").splitlines()[0].split(",")[:3]
    ['claim_id', 'effect_id', 'effect']
    """
    if format not in FORMATS:
        raise InputError(f"unknown table format {format!r}", hint=f"use one of: {', '.join(FORMATS)}")
    if format == "parquet":
        _import("pyarrow")  # before any work: a missing extra fails at once
    rows = effect_table(graph)
    if format == "csv":
        write_csv(out, rows)
    else:
        write_parquet(out, rows)


def write_csv(out: BinaryIO, rows: list[dict[str, Any]]) -> None:
    """Write rows as RFC 4180 CSV in UTF-8; ``None`` becomes an empty cell."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow("" if row[column] is None else row[column] for column in COLUMNS)
        text.flush()
    finally:
        text.detach()  # leave the caller's stream open


def arrow_schema():
    """The Parquet schema: floats as float64, counts as int64, the rest as strings."""
    pyarrow = _import("pyarrow")
    types = {"float": pyarrow.float64(), "int": pyarrow.int64()}
    return pyarrow.schema(
        [(column, types.get(kind, pyarrow.string())) for column, (_, kind) in COLUMNS.items()]
    )


def write_parquet(out: BinaryIO, rows: list[dict[str, Any]]) -> None:
    """Write rows as a Parquet file (missing values are nulls)."""
    pyarrow = _import("pyarrow")
    parquet = _import("pyarrow.parquet")
    table = pyarrow.Table.from_pylist(rows, schema=arrow_schema())
    parquet.write_table(table, out)


def effect_dataframe(graph: Target):
    """The effect table as a pandas DataFrame (needs pandas, e.g. the ``tables`` extra).

    Numbers use pandas' nullable dtypes (``Float64``, ``Int64``), so a value the graph
    does not state is ``<NA>``, never 0.

    >>> from vitd_kg.rdf.parsing import load_store
    >>> frame = effect_dataframe(load_store())
    >>> frame.loc[frame.effect_id == "beaudart-2014-mass", ["estimate", "p_value"]].values.tolist()
    [[0.058, 0.52]]
    """
    pandas = _import("pandas")
    frame = pandas.DataFrame.from_records(effect_table(graph), columns=list(COLUMNS))
    dtypes = {"float": "Float64", "int": "Int64"}
    return frame.astype({column: dtypes.get(kind, "string") for column, (_, kind) in COLUMNS.items()})


def _import(module: str):
    """Import an optional dependency or raise :class:`MissingExtraError` saying how to get it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"this needs the optional package {module.split('.')[0]!r}, which is not installed",
            hint=TABLES_EXTRA_HINT,
        ) from None
