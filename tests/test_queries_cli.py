"""`vitd-kg query`: bindings, output formats, refusals, syntax errors and the time limit."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time

import pytest

from vitd_kg.cli import main


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vitd_kg", *args], capture_output=True, text=True, timeout=timeout)


def write(tmp_path, text: str, name: str = "q.rq"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_list_shows_every_bundled_query_with_what_it_answers(capsys):
    assert main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    assert "questions/null-outcomes" in out and "Which outcomes showed no statistically significant effect" in out
    assert "audit/rests-on-uncontrolled-evidence-only" in out


def test_json_output_is_sparql_results_json_and_bindings_select_one_claim(capsys):
    assert main(["query", "claims/claim", "--bind", "claim=claim:ma-strength", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert "claim" in payload["head"]["vars"]
    [row] = payload["results"]["bindings"]
    assert row["claim"] == {"type": "uri", "value": "https://w3id.org/vitd-kg/id/claim/ma-strength"}
    assert row["start"] == {"type": "literal", "value": "1807", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}


def test_bind_accepts_an_iri_in_angle_brackets_on_rdflib(capsys):
    iri = "<https://w3id.org/vitd-kg/id/claim/ma-mass-no-effect>"
    assert main(["query", "claims/effect", "--bind", f"claim={iri}", "--engine", "rdflib", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["pValue"] for r in rows] == ["0.52"]


def test_tsv_writes_terms_in_n_triples_syntax(capsys):
    assert main(["query", "questions/null-outcomes", "--format", "tsv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("?outcome\t?outcomeLabel")
    assert lines[1].startswith("<https://w3id.org/vitd-kg/id/concept/muscle-mass>\t\"muscle mass\"")


def test_table_is_readable(capsys):
    assert main(["query", "questions/subgroups-benefited-more"]) == 0
    out = capsys.readouterr().out
    assert "claim:ma-subgroup-aged-65-or-older" in out and "(2 rows)" in out


def test_a_users_file_runs_and_ask_answers_yes_or_no(tmp_path, capsys):
    path = write(tmp_path, "PREFIX vitd: <https://w3id.org/vitd-kg/ontology#>\nASK { ?c vitd:strengthWording \"crucial\" }\n")
    assert main(["query", path]) == 0
    assert capsys.readouterr().out.strip() == "yes"
    assert main(["query", path, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"head": {}, "boolean": True}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }", "updates"),
        ("DELETE WHERE { ?s ?p ?o }", "updates"),
        ("LOAD <http://example.org/data.ttl>", "updates"),
        ("CLEAR DEFAULT", "updates"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE is refused"),
        ("SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://x/> { ?s ?q ?z } } }", "SERVICE is refused"),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM and FROM NAMED are refused"),
    ],
    ids=["insert", "delete", "load", "clear", "service", "nested-service", "from"],
)
def test_updates_load_service_and_from_are_refused(tmp_path, capsys, text, words):
    path = write(tmp_path, text)
    assert main(["query", path]) == 2
    err = capsys.readouterr().err
    assert words in err and path in err


def test_a_syntax_error_is_reported_with_line_and_column(tmp_path, capsys):
    path = write(tmp_path, "# a broken query\nSELECT ?s\nWHERE {\n  ?s ?p .\n}\n")
    assert main(["query", path]) == 2
    err = capsys.readouterr().err
    assert f"{path}:4:" in err and "SPARQL syntax error" in err


def test_an_unknown_query_name_exits_2(capsys):
    assert main(["query", "questions/no-such-question"]) == 2
    assert "vitd-kg query --list" in capsys.readouterr().err


def test_binding_an_unprojected_variable_is_a_clear_error(tmp_path, capsys):
    path = write(tmp_path, "SELECT ?s WHERE { ?s ?p ?o }")
    assert main(["query", path, "--bind", "p=vitd:relation"]) == 2
    assert "SELECT clause" in capsys.readouterr().err


def test_a_bad_binding_is_a_usage_error(capsys):
    assert main(["query", "claims/claim", "--bind", "no-equals-sign"]) == 2
    assert "VAR=VALUE" in capsys.readouterr().err


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_slow_query_is_stopped_at_its_time_limit(tmp_path, engine):
    """A six-way cross join of a small synthetic graph (about 10^18 rows) cannot finish;
    the worker running it is killed when the limit passes and the command exits 4."""
    data = tmp_path / "data"
    data.mkdir()
    triples = "\n".join(f"<http://e/s{i}> <http://e/p> {i} ." for i in range(30))
    (data / "synthetic.ttl").write_text(triples + "\n", encoding="utf-8")
    path = write(tmp_path, SLOW)
    started = time.monotonic()
    result = run("query", path, "--data", str(data), "--timeout", "1", "--engine", engine)
    assert result.returncode == 4, result.stderr
    assert "time limit of 1 s" in result.stderr
    assert time.monotonic() - started < 60


def test_the_default_time_limit_lets_ordinary_queries_finish(capsys):
    assert main(["query", "questions/wording-stronger-than-evidence", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["claim"].rsplit("/", 1)[1] for r in rows] == [
        "concl-alleviates-muscle-spasm",
        "concl-cost-effective-strategy",
        "concl-crucial-role-in-muscle-function",
        "cs-improvement",
    ]


def test_every_bundled_query_passes_the_checks_users_queries_get():
    from vitd_kg.sparql.queries import bundled_queries
    from vitd_kg.sparql.safety import check_query

    assert {check_query(q) for q in bundled_queries()} == {"SELECT"}


def test_construct_results_come_out_as_subject_predicate_object_rows(tmp_path, capsys):
    path = write(tmp_path, "PREFIX vitd: <https://w3id.org/vitd-kg/ontology#>\n"
                           "CONSTRUCT { ?c vitd:hedgeCue ?w } WHERE { ?c vitd:hedgeCue ?w . FILTER(?w = \"could\") }\n")
    assert main(["query", path, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows == [{"subject": "https://w3id.org/vitd-kg/id/claim/concl-cost-effective-strategy",
                     "predicate": "https://w3id.org/vitd-kg/ontology#hedgeCue", "object": "could"}]
