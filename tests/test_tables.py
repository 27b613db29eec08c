"""The tidy effect table, checked against the graph read with plain rdflib."""

from __future__ import annotations

import csv
import io
import sys
from decimal import Decimal

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

import vitd_kg
from vitd_kg.cli.exit_codes import exit_code_of
from vitd_kg.exports import tables
from vitd_kg.errors import VitdKgError
from vitd_kg.namespaces import ID, VITD

ROWS = vitd_kg.effect_table()
STORE = vitd_kg.load_store()
NUMERIC = [c for c, (_, kind) in tables.COLUMNS.items() if kind in ("float", "int")]


def iri(kind: str, local: str | None) -> URIRef | None:
    return None if local is None else URIRef(f"{ID}{kind}/{local}")


def graph_number(graph: Graph, subject: URIRef | None, prop: URIRef) -> Decimal | None:
    value = None if subject is None else graph.value(subject, prop)
    return None if value is None else Decimal(str(value))


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def test_one_row_per_estimate_or_per_effect_without_one(graph):
    expected = sorted(
        (str(effect), str(estimate) if estimate else "")
        for effect in graph.subjects(RDF.type, VITD.Effect)
        for estimate in (sorted(graph.objects(effect, VITD.estimate)) or [None])
    )
    got = sorted(
        (str(iri("effect", r["effect_id"])), str(iri("estimate", r["estimate_id"])) if r["estimate_id"] else "")
        for r in ROWS
    )
    assert got == expected
    assert len(ROWS) == 10


@pytest.mark.parametrize("row", ROWS, ids=[r["effect_id"] for r in ROWS])
def test_every_number_is_the_graphs(graph, row):
    effect, estimate = iri("effect", row["effect_id"]), iri("estimate", row["estimate_id"])
    study = iri("study", row["study_id"])
    assert as_decimal(row["estimate"]) == graph_number(graph, estimate, VITD.value)
    assert as_decimal(row["p_value"]) == graph_number(graph, estimate, VITD.pValue)
    assert as_decimal(row["ci_lower"]) == graph_number(graph, estimate, VITD.ciLower)
    assert as_decimal(row["ci_upper"]) == graph_number(graph, estimate, VITD.ciUpper)
    assert as_decimal(row["magnitude_value"]) == graph_number(graph, effect, VITD.magnitudeValue)
    is_subgroup = (effect, VITD.subgroupOf, None) in graph
    totals = None if is_subgroup else study
    assert as_decimal(row["participants"]) == graph_number(graph, totals, VITD.participants)
    assert as_decimal(row["number_of_studies"]) == graph_number(graph, totals, VITD.includedStudies)


@pytest.mark.parametrize("row", ROWS, ids=[r["effect_id"] for r in ROWS])
def test_labels_and_links_are_the_graphs(graph, row):
    from claim_facts import quote_of

    effect = iri("effect", row["effect_id"])
    assert row["population"] == str(graph.value(graph.value(effect, VITD.effectPopulation), RDFS.label))
    assert row["outcome"] == str(graph.value(graph.value(effect, VITD.outcome), RDFS.label))
    assert row["significance"] == str(graph.value(graph.value(effect, VITD.significance), RDFS.label))
    comparator = graph.value(effect, VITD.comparator)
    assert row["comparator"] == (None if comparator is None else str(graph.value(comparator, RDFS.label)))
    study = iri("study", row["study_id"])
    assert (study, VITD.intervention, graph.value(effect, VITD.intervention)) in graph
    assert row["design"] == str(graph.value(graph.value(study, VITD.design), RDFS.label))
    claims = sorted(graph.subjects(VITD.reportsEffect, effect))
    if claims:
        assert row["claim_id"] == vitd_kg.namespaces.claim_id(str(claims[0]))
        assert row["source_quote"] == quote_of(graph, claims[0])[0]
    else:
        assert row["claim_id"] is None and row["source_quote"] is None


def test_missing_values_are_empty_never_zero():
    younger = next(r for r in ROWS if r["effect_id"] == "beaudart-2014-strength-younger-than-65")
    assert younger["p_value"] is None and younger["participants"] is None
    assert any(r[c] is None for r in ROWS for c in NUMERIC)
    buffer = io.BytesIO()
    tables.write_effect_table(STORE, buffer, format="csv")
    records = list(csv.DictReader(io.StringIO(buffer.getvalue().decode("utf-8"), newline="")))
    for row, record in zip(ROWS, records):
        for column in NUMERIC:
            assert (record[column] == "") == (row[column] is None)
            assert record[column] not in ("0", "0.0") or row[column] == 0


def test_csv_is_rfc4180_utf8_and_round_trips():
    buffer = io.BytesIO()
    tables.write_effect_table(STORE, buffer, format="csv")
    raw = buffer.getvalue()
    text = raw.decode("utf-8")
    assert text.count("\r\n") >= len(ROWS) + 1 and "\n" not in text.replace("\r\n", "")
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert records[0] == list(tables.COLUMNS)
    assert len(records) == len(ROWS) + 1
    for row, record in zip(ROWS, records[1:]):
        assert record == ["" if row[c] is None else str(row[c]) for c in tables.COLUMNS]
    assert not buffer.closed


def test_pandas_reads_the_csv_with_missing_as_nan():
    pandas = pytest.importorskip("pandas")
    buffer = io.BytesIO()
    tables.write_effect_table(STORE, buffer, format="csv")
    buffer.seek(0)
    frame = pandas.read_csv(buffer)
    strength = frame[frame.effect_id == "beaudart-2014-strength"].iloc[0]
    assert strength.estimate == 0.17 and strength.p_value == 0.02
    assert pandas.isna(strength.ci_lower) and pandas.isna(strength.ci_upper)


def test_parquet_round_trips_with_nulls():
    parquet = pytest.importorskip("pyarrow.parquet")
    buffer = io.BytesIO()
    tables.write_effect_table(STORE, buffer, format="parquet")
    buffer.seek(0)
    table = parquet.read_table(buffer)
    assert table.column_names == list(tables.COLUMNS)
    assert table.to_pylist() == ROWS
    assert table.schema.field("participants").type == "int64"
    assert table.column("ci_lower").null_count == sum(r["ci_lower"] is None for r in ROWS)


def test_dataframe_uses_nullable_dtypes():
    pytest.importorskip("pandas")
    frame = vitd_kg.effect_dataframe()
    assert len(frame) == len(ROWS)
    assert str(frame.participants.dtype) == "Int64"
    assert int(frame.participants.isna().sum()) == sum(r["participants"] is None for r in ROWS)


def test_missing_extra_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # makes `import pyarrow` fail
    with pytest.raises(ImportError) as caught:
        tables.write_effect_table(STORE, io.BytesIO(), format="parquet")
    assert isinstance(caught.value, VitdKgError)
    assert "vitd-kg[tables]" in str(caught.value)
    assert exit_code_of(caught.value) == 2


def test_unknown_format_is_a_usage_error():
    with pytest.raises(VitdKgError) as caught:
        tables.write_effect_table(STORE, io.BytesIO(), format="xlsx")
    assert exit_code_of(caught.value) == 2 and "csv, parquet" in str(caught.value)


def test_table_follows_a_data_dir(tmp_path):
    from vitd_kg import resources

    for entry in resources.data_files():
        if entry.name != "meta-analysis.ttl":
            (tmp_path / entry.name).write_bytes(entry.read_bytes())
    rows = vitd_kg.effect_table(tmp_path)
    assert [r["study_id"] for r in rows] == ["cai-2019-case-series"] * 3



def test_the_readme_snippet_shows_the_exported_strength_row():
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "guide" / "evidence-standards.md").read_text(encoding="utf-8")
    header, row = text.split("```csv\n", 1)[1].split("\n```", 1)[0].splitlines()
    buffer = io.BytesIO()
    tables.write_effect_table(STORE, buffer, format="csv")
    lines = buffer.getvalue().decode("utf-8").splitlines()
    assert header == lines[0]
    assert row in lines and row.startswith("ma-strength,beaudart-2014-strength,")


@pytest.mark.parametrize("format", tables.FORMATS)
def test_writing_to_a_file_as_the_export_command_does(tmp_path, format):
    # the `vitd-kg export --format csv|parquet -o FILE` path: a binary file the caller opened
    target = tmp_path / f"effects.{format}"
    with target.open("wb") as out:
        tables.write_effect_table(STORE, out, format=format)
        assert not out.closed
    assert target.stat().st_size > 1000
