"""Every bundled query gives its expected answer, the same on Oxigraph and on rdflib.

The expected answers are data files (tests/expected/<folder>/<name>.json), one per
query; adding a query file adds a case here. Rows are compared in order, after
normalizing numbers and IRIs (see query_results.py).
"""

from __future__ import annotations

import json

import pytest

import vitd_kg
from vitd_kg import resources
from vitd_kg.evidence.reconstruct import CLAIM_QUERIES
from vitd_kg import load, load_store
from vitd_kg.sparql.queries import bundled_queries, read_query

from query_results import EXPECTED, FOLDERS, expected_path, normalized_rows, queries_with_expected_results

STORE = load_store()
GRAPH = load()
QUERIES = queries_with_expected_results()
IDS = [q.name for q in QUERIES]


@pytest.mark.parametrize("query", QUERIES, ids=IDS)
def test_query_gives_its_expected_rows_on_oxigraph(query):
    expected = json.loads(expected_path(query).read_text(encoding="utf-8"))
    assert normalized_rows(query, store=STORE) == expected


@pytest.mark.parametrize("query", QUERIES, ids=IDS)
def test_query_gives_the_same_rows_in_the_same_order_on_rdflib(query):
    assert normalized_rows(query, graph=GRAPH, engine="rdflib") == normalized_rows(query, store=STORE)


def test_every_expected_file_belongs_to_a_query():
    files = {
        p.relative_to(EXPECTED).with_suffix("").as_posix()
        for folder in FOLDERS
        for p in (EXPECTED / folder).rglob("*.json")
    }
    assert files == set(IDS)


@pytest.mark.parametrize("query", bundled_queries(), ids=[q.name for q in bundled_queries()])
def test_every_query_file_starts_with_a_comment_saying_what_it_answers(query):
    assert query.text.startswith("# ")
    assert query.summary.endswith(("?", "."))
    assert len(query.description) > 40


def test_the_issue_competency_questions_are_all_there():
    names = set(resources.query_names())
    for name in (
        "questions/spasm-claims",
        "questions/interventions",
        "questions/null-outcomes",
        "questions/subgroups-benefited-more",
        "questions/single-uncontrolled-study",
        "questions/hedged-claims",
        "questions/wording-stronger-than-evidence",
    ):
        assert name in names


BOUND_CASES = [
    (name, claim)
    for name in CLAIM_QUERIES
    for claim in ("cs-symptom-improvement", "ma-subgroup-aged-65-or-older", "concl-alleviates-muscle-spasm", "hyp-vitamin-d-muscle-function")
]


@pytest.mark.parametrize(("name", "claim"), BOUND_CASES, ids=[f"{n}-{c}" for n, c in BOUND_CASES])
def test_binding_claim_gives_that_claims_rows_on_both_engines(name, claim):
    """A bound ?claim returns exactly the unbound rows of that claim, on each engine."""
    query = read_query(f"claims/{name}")
    iri = f"claim:{claim}"
    everything = normalized_rows(query, store=STORE)
    own = [row for row in everything if row["claim"] == iri]
    bindings = {"claim": iri}
    assert normalized_rows(query, store=STORE, bindings=bindings) == own
    assert normalized_rows(query, graph=GRAPH, engine="rdflib", bindings=bindings) == own


def test_every_claim_is_reconstructed_by_the_claim_query():
    rows = normalized_rows(read_query("claims/claim"), store=STORE)
    assert len(rows) == 30 == len({r["claim"] for r in rows})
    for row in rows:
        for column in ("kind", "subject", "relation", "verbPresent", "verbBase", "verbPast",
                       "evidenceLevel", "evidenceRank", "quote", "start", "end", "sectionTitle"):
            assert column in row, f"{row['claim']} lacks {column}"


def test_claim_query_quotes_match_the_source_at_their_offsets():
    text = resources.source_text()
    for row in vitd_kg.query("claims/claim"):
        assert text[int(row["start"]):int(row["end"])] == str(row["quote"])


def test_dose_and_duration_come_back_from_the_intervention_query():
    rows = vitd_kg.query("claims/intervention", bind={"claim": "claim:cs-symptom-improvement"})
    subject = next(r for r in rows if str(r["role"]) == "subject")
    assert (int(subject["doseValue"]), str(subject["doseUnit"])) == (50000, "[iU]")
    assert (int(subject["durationValue"]), str(subject["durationUnit"]), str(subject["duration"])) == (12, "wk", "P84D")
    assert str(subject["routeLabel"]) == "oral" and str(subject["frequencyLabel"]) == "weekly"


def test_query_api_accepts_curies_iris_and_runs_on_rdflib():
    by_curie = vitd_kg.query("claims/effect", bind={"claim": "claim:ma-strength"})
    by_iri = vitd_kg.query("claims/effect", bind={"claim": "https://w3id.org/vitd-kg/id/claim/ma-strength"}, engine="rdflib")
    assert [str(r["pValue"]) for r in by_curie] == [str(r["pValue"]) for r in by_iri] == ["0.02"]


def test_query_frame_gives_a_dataframe():
    pandas = pytest.importorskip("pandas")
    frame = vitd_kg.query_frame("questions/null-outcomes")
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame["outcomeLabel"]) == ["muscle mass", "muscle power"]
    assert list(frame["pValue"]) == [0.52, 0.657]
