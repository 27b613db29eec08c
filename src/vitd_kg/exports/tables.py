"""The tidy effect table: one row per effect estimate (or per effect without one).

Rows come from the bundled query ``queries/export/effects.rq``, with where each figure
comes from (``export/provenance.rq``) and what each effect compares
(``export/comparisons.rq``), so the table says what the graph says and nothing more: a
value the graph does not state is ``None`` (an empty CSV cell, a Parquet null), never 0.
Write it as CSV (UTF-8, RFC 4180) or Parquet (the ``tables`` extra:
``pip install 'vitd-kg[tables]'``), or get it as a pandas DataFrame.

Provenance: ``provenance``, ``estimate_provenance`` and ``population_provenance`` say
whether the effect, its estimate and its population are the source document's report,
verified in the cited publication, taken from the publication only, or inferred by the
modeller; ``publication`` is the paper the row's figures were checked in or taken from
(empty where they are the document's report), ``study_publication`` the paper identified
for the study. ``participants`` and ``number_of_studies`` are the whole study's totals,
repeated on each of its outcome rows (``counts_scope`` says so); they are never given
for a subgroup. :data:`COLUMN_NOTES` describes every column (also in the Parquet schema).

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
from vitd_kg.evidence.model import CHECKED_STATUSES
from vitd_kg.namespaces import ID, claim_id
from vitd_kg.sparql.engines import Target, run_query
from vitd_kg.sparql.queries import bundled_query
from vitd_kg.sparql.rows import Row

EFFECTS_QUERY = "export/effects"
PROVENANCE_QUERY = "export/provenance"
COMPARISONS_QUERY = "export/comparisons"

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
    # where the figures come from, and what the effect compares (export/provenance, export/comparisons)
    "provenance": ("provenanceLabel", "text"),
    "estimate_provenance": ("estimateProvenanceLabel", "text"),
    "population_provenance": ("populationProvenanceLabel", "text"),
    "study_publication": ("studyPublication", "iri"),
    "comparison": ("comparisonBasisLabel", "text"),
    "subgroup_difference": ("differenceSignificanceLabel", "text"),
    "counts_scope": ("countsScope", "text"),
}

#: What each column holds, for readers of the CSV and in the Parquet schema (field metadata).
COLUMN_NOTES: dict[str, str] = {
    "claim_id": "the claim that reports the effect (the first by IRI)",
    "effect_id": "the effect",
    "effect": "the effect's label",
    "estimate_id": "the effect-size estimate of this row (none: the effect has no estimate)",
    "study_id": "the study that gave the effect's intervention",
    "study": "the study's label",
    "design": "the study's design",
    "population": "the population the effect was observed in",
    "intervention": "what was given",
    "comparator": "what the intervention was compared with (none: no control group)",
    "outcome": "what was measured",
    "measure": "the statistic of the estimate (a STATO term's label)",
    "estimate": "the estimate's value",
    "ci_lower": "the lower bound of its confidence interval",
    "ci_upper": "the upper bound of its confidence interval",
    "ci_level": "the kind of confidence interval",
    "p_value": "the estimate's p-value",
    "participants": "WHOLE-STUDY total: participants of the whole study, repeated on each of its outcome rows; "
                    "not this outcome's count, and never given for a subgroup",
    "number_of_studies": "WHOLE-STUDY total: studies the whole meta-analysis pooled, repeated on each of its outcome rows; "
                         "not this outcome's count, and never given for a subgroup",
    "significance": "whether the effect itself was statistically significant",
    "direction": "the direction of the effect",
    "magnitude": "the size as worded (\"small\", \"more pronounced\")",
    "magnitude_operator": "the operator of a stated size (>, <, ...)",
    "magnitude_value": "a stated size",
    "magnitude_unit": "the UCUM unit of the stated size",
    "source_quote": "the source document's sentence the effect comes from",
    "publication": "the paper this row's figures were verified in or taken from; empty where they are the "
                   "source document's report only (see provenance)",
    "provenance": "where the effect and its figures come from: reported by the source document, verified in the "
                  "cited publication, from the cited publication only, or inferred by the modeller",
    "estimate_provenance": "where the estimate comes from (the estimates are the publication's, not the document's)",
    "population_provenance": "where the population comes from (a comparison group may be the modeller's inference)",
    "study_publication": "the paper identified for the study (by matching); not a sign that this row's figures "
                         "were checked in it",
    "comparison": "what the effect compares: the same patients before and after without a control group, or a "
                  "control group",
    "subgroup_difference": "the result of a test of the difference between this subgroup's effect and another's "
                           "(not of this subgroup's own effect)",
    "counts_scope": "\"whole study\" where participants and number_of_studies are the whole study's totals",
}

FORMATS = ("csv", "parquet")
TABLES_EXTRA_HINT = "install the optional extra: pip install 'vitd-kg[tables]'"


def effect_rows(graph: Target) -> list[Row]:
    """The raw rows of ``export/effects.rq`` (rdflib terms), in the query's order."""
    return run_query(graph, bundled_query(EFFECTS_QUERY))


class Origins:
    """Where each resource comes from (``export/provenance.rq``) and what each effect
    compares (``export/comparisons.rq``), looked up by IRI."""

    def __init__(self, provenance_rows: list[Row], comparison_rows: list[Row]) -> None:
        self.status: dict[str, str] = {}
        self.label: dict[str, str] = {}
        self.publication: dict[str, str] = {}
        self.doi: dict[str, str] = {}
        self.derived_from: dict[str, list[str]] = {}
        self.attributed_to: dict[str, str] = {}
        for row in provenance_rows:
            iri = str(row["resource"])
            self.status[iri] = str(row["status"])
            self.label[iri] = str(row.get("statusLabel", row["status"]))
            if "publication" in row:
                self.publication[iri] = str(row["publication"])
            if "doi" in row:
                self.doi[iri] = str(row["doi"])
            if "derivedFrom" in row and str(row["derivedFrom"]) not in self.derived_from.setdefault(iri, []):
                self.derived_from[iri].append(str(row["derivedFrom"]))
            if "attributedTo" in row:
                self.attributed_to[iri] = str(row["attributedTo"])
        self.comparisons: dict[str, list[Row]] = {}
        for row in comparison_rows:
            self.comparisons.setdefault(str(row["effect"]), []).append(row)

    def checked(self, iri: str | None) -> bool:
        """Whether the resource's figures were verified in, or taken from, its publication."""
        return iri is not None and self.status.get(iri) in CHECKED_STATUSES

    def checked_publication(self, row: Row) -> str | None:
        """The paper a row's figures were checked in: the effect's, else the estimate's.

        Where the graph gives the effect no status, the query's own publication stands.
        """
        effect = str(row["effect"])
        if effect not in self.status:
            return str(row["publication"]) if "publication" in row else None
        estimate = str(row["estimate"]) if "estimate" in row else None
        for iri in (effect, estimate):
            if self.checked(iri) and iri in self.publication:
                return self.publication[iri]
        return None

    def comparison_label(self, effect: str) -> str | None:
        labels = {str(r["comparisonBasisLabel"]) for r in self.comparisons.get(effect, []) if "comparisonBasisLabel" in r}
        return "; ".join(sorted(labels)) or None

    def difference_label(self, effect: str) -> str | None:
        labels = {str(r["differenceSignificanceLabel"]) for r in self.comparisons.get(effect, []) if "differenceSignificanceLabel" in r}
        return "; ".join(sorted(labels)) or None


def origins(graph: Target) -> Origins:
    """Run ``export/provenance.rq`` and ``export/comparisons.rq`` once on a graph."""
    return Origins(run_query(graph, bundled_query(PROVENANCE_QUERY)), run_query(graph, bundled_query(COMPARISONS_QUERY)))


def with_origins(row: Row, found: Origins) -> dict[str, Any]:
    """One row of ``export/effects.rq`` with the provenance columns added (and
    ``publication`` kept only where the row's figures were checked in it)."""
    out: dict[str, Any] = dict(row)
    effect = str(row["effect"])
    out.pop("publication", None)
    publication = found.checked_publication(row)
    if publication is not None:
        out["publication"] = publication
    for column, iri in (("provenanceLabel", effect), ("estimateProvenanceLabel", row.get("estimate")),
                        ("populationProvenanceLabel", row.get("population"))):
        if iri is not None and str(iri) in found.label:
            out[column] = found.label[str(iri)]
    study = str(row["study"]) if "study" in row else None
    if study in found.publication:
        out["studyPublication"] = found.publication[study]
    for column, value in (("comparisonBasisLabel", found.comparison_label(effect)),
                          ("differenceSignificanceLabel", found.difference_label(effect))):
        if value is not None:
            out[column] = value
    if "participants" in row or "includedStudies" in row:
        out["countsScope"] = "whole study"
    return out


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
    >>> symptoms = next(r for r in rows if r["effect_id"] == "cai-2019-symptom-improvement")
    >>> symptoms["provenance"], symptoms["publication"], symptoms["study_publication"]
    ('reported by the source document', None, 'https://doi.org/10.7812/TPP/18.241')
    """
    found = origins(graph)
    return [tidy_row(with_origins(row, found)) for row in effect_rows(graph)]


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
    """The Parquet schema: floats as float64, counts as int64, the rest as strings; each
    field carries its :data:`COLUMN_NOTES` description as metadata."""
    pyarrow = _import("pyarrow")
    types = {"float": pyarrow.float64(), "int": pyarrow.int64()}
    return pyarrow.schema(
        [
            pyarrow.field(column, types.get(kind, pyarrow.string()), metadata={"description": COLUMN_NOTES.get(column, "")})
            for column, (_, kind) in COLUMNS.items()
        ]
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
