"""Validation: the bundled data conforms, shapes cover the ontology, results are placed right.

The fault fixtures are run by test_validate_fixtures.py; this file tests the parts:
shapes and checks, the line index, the input gate, reasoning, engines, the CLI report.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

import vitd_kg
from vitd_kg import resources
from vitd_kg.validation.checks import checks, sparql_shapes_turtle
from vitd_kg.cli import main
from vitd_kg.cli.exit_codes import exit_code_of
from vitd_kg.errors import InputError
from vitd_kg.validation.gate import is_well_typed
from vitd_kg.namespaces import PREFIXES, VITD
from vitd_kg.validation.reasoning import reasoner_input
from vitd_kg.sparql.engines import run_query
from vitd_kg.rdf.turtle_lines import subject_lines
from vitd_kg.validation import pipeline
from vitd_kg.validation.pipeline import shapes_graph
from vitd_kg.validation.report import ValidationReport, ValidationResult
from vitd_kg.validation.shacl_engine import validate_graphs

SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"  # a string: rdflib's XSD namespace object upsets pytest collection
DATA = Path(__file__).parent / "data"
CONTEXT = DATA / "context.ttl"
INVALID = sorted(p for p in (DATA / "invalid").glob("*.ttl"))


def pyshacl_engine(data_graph, shapes) -> list:
    """pySHACL's results on a graph, with focus node and path as reports give them (full IRIs)."""
    from types import SimpleNamespace

    report = validate_graphs(data_graph, shapes, engine="pyshacl")
    return [SimpleNamespace(focus_node=pipeline._node_text(r.focus_node), path=pipeline._path_text(r.result_path))
            for r in report.results]


@pytest.fixture(scope="module")
def bundled_report() -> ValidationReport:
    return vitd_kg.validate()


# --------------------------------------------------------------------------- bundled data


def test_bundled_data_conforms(bundled_report):
    assert bundled_report.conforms, bundled_report.to_text()
    assert bundled_report.results == []
    assert len(bundled_report.files) == 1 + len(resources.data_files())


def test_cli_on_bundled_data_exits_0(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("(engine fast)")
    assert "conforms: 0 violations, 0 warnings" in out


def test_bundled_data_is_owl_consistent():
    report = vitd_kg.validate(reason=True)
    assert report.conforms and report.reasoned
    note = report.notes[-1]
    assert "consistent" in note and "INCONSISTENT" not in note
    assert "left out" not in note  # the ontology is OWL 2 DL: HermiT reads ontology and data whole



# --------------------------------------------------------------------------- shapes


def _ontology() -> Graph:
    return Graph().parse(data=resources.ontology_file().read_text(encoding="utf-8"), format="turtle")


ONTOLOGY_CLASSES = sorted(
    c for c in _ontology().subjects(RDF.type, OWL.Class) if str(c).startswith(str(VITD))
)


@pytest.mark.parametrize("cls", ONTOLOGY_CLASSES, ids=[str(c)[len(str(VITD)):] for c in ONTOLOGY_CLASSES])
def test_every_class_has_a_shape(cls):
    """A shape targets the class itself or one of its superclasses (claims by vitd:Claim)."""
    ontology, shapes = _ontology(), shapes_graph()
    targeted = set(shapes.objects(None, URIRef(SH + "targetClass")))
    lineage = set(ontology.transitive_objects(cls, RDFS.subClassOf))
    assert targeted & lineage, f"no shape targets {cls} or a superclass"


def test_every_shape_constraint_has_a_message():
    shapes = shapes_graph()
    property_shapes = set(shapes.objects(None, URIRef(SH + "property")))
    sparql = set(shapes.objects(None, URIRef(SH + "sparql")))
    for shape in property_shapes | sparql:
        message = shapes.value(shape, URIRef(SH + "message"))
        assert message is not None and len(str(message)) > 20, shape


def test_generated_sparql_shapes_are_in_sync():
    """ontology/shapes-sparql.ttl is `python -m vitd_kg.validation.checks` output, never hand-edited."""
    on_disk = (resources.ontology_dir() / "shapes-sparql.ttl").read_text(encoding="utf-8")
    assert on_disk == sparql_shapes_turtle()


def test_subclass_targeting_needs_the_ontology_in_the_data_graph():
    """sh:targetClass vitd:Claim reaches a vitd:FindingClaim only through the ontology's rdfs:subClassOf."""
    fixture = DATA / "invalid" / "FindingClaim-without-source-sentence.ttl"
    data = Graph().parse(CONTEXT).parse(fixture)
    claim = "https://w3id.org/vitd-kg/id/claim/test-x"
    path = str(VITD.sourceSentence)

    def found(graph: Graph) -> bool:
        return any(r.focus_node == claim and r.path == path for r in pyshacl_engine(graph, shapes_graph()))

    assert not found(data)
    assert found(data + _ontology())


# --------------------------------------------------------------------------- check queries

CHECKS = checks()


@pytest.mark.parametrize("check", CHECKS, ids=[c.name for c in CHECKS])
def test_check_query_says_why_and_passes_on_bundled_data(check):
    assert check.query.text.startswith("#")
    assert len(check.description) > 40
    assert run_query(vitd_kg.load_store(), check.query) == []


@pytest.mark.parametrize("check", CHECKS, ids=[c.name for c in CHECKS])
def test_check_query_catches_a_fixture(check):
    """Run standalone (Oxigraph, no SHACL), each check finds the fault of some invalid fixture."""
    ontology = resources.ontology_file().read_bytes()
    hits = []
    for fixture in INVALID:
        store = ox.Store()
        for data in (ontology, CONTEXT.read_bytes(), fixture.read_bytes()):
            try:
                store.load(data, format=ox.RdfFormat.TURTLE)
            except SyntaxError:
                break
        else:
            if run_query(store, check.query):  # context.ttl conforms, so rows are the fixture's
                hits.append(fixture.name)
    assert hits, f"no fixture in tests/data/invalid triggers {check.name}"


# --------------------------------------------------------------------------- line index

DATA_FILES = resources.data_files()


def _layout_line(lines: list[str], iri: str) -> int | None:
    """Independent oracle: the first line that starts with the subject's CURIE or <IRI>."""
    names = [f"<{iri}>"] + [f"{p}:{iri[len(ns):]}" for p, ns in PREFIXES.items() if iri.startswith(ns)]
    for number, line in enumerate(lines, start=1):
        if any(line.startswith(name + " ") or line == name for name in names):
            return number
    return None


@pytest.mark.parametrize("entry", DATA_FILES, ids=[e.name for e in DATA_FILES])
def test_subject_lines_match_the_layout_of_every_data_file(entry):
    text = entry.read_text(encoding="utf-8")
    index = subject_lines(text)
    subjects = {q.subject.value for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)
                if isinstance(q.subject, ox.NamedNode)}
    lines = text.splitlines()
    assert subjects
    for iri in subjects:
        assert index.subjects.get(iri) == _layout_line(lines, iri), iri


def test_subject_lines_skip_strings_comments_numbers_and_nested_nodes():
    text = (
        "# <http://e.org/not-a-subject> in a comment\n"
        "PREFIX v: <http://e.org/>\n"
        "@base <http://base.org/> .\n"
        'v:a v:p """long . string\n'
        '# with v:fake . inside""" ; v:q 1.5 , 2 .\n'
        "v:b.c v:p [ v:q v:nested ] ;\n"
        "    v:r ( v:item ) .\n"
        "<rel> v:p 'x' .\n"
        '[ v:p v:blank ] v:q "y"@en .\n'
        "v:d v:p v:a .\n"
    )
    index = subject_lines(text)
    assert index.subjects == {
        "http://e.org/a": 4,
        "http://e.org/b.c": 6,
        "http://base.org/rel": 8,
        "http://e.org/d": 10,
    }
    assert index.line_of("http://e.org/nested") == 6  # an object only: its first mention


def test_n_triples_lines():
    text = "<http://e.org/a> <http://e.org/p> \"1\" .\n\n<http://e.org/b> <http://e.org/p> <http://e.org/a> .\n"
    assert subject_lines(text).subjects == {"http://e.org/a": 1, "http://e.org/b": 3}


# --------------------------------------------------------------------------- input gate


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.ttl", b"", "file is empty"),
        ("blank.ttl", b"  \n\n", "file is empty"),
        ("bom-only.ttl", "\ufeff".encode(), "file is empty"),
        ("comments-only.ttl", b"# nothing\n@prefix v: <http://e.org/> .\n", "no triples"),
        ("binary.ttl", bytes(range(128, 256)) * 3, "not UTF-8"),
        ("html.ttl", b"<!DOCTYPE html><html><body>Not found</body></html>", "XML or HTML"),
        ("array.ttl", b'[{"@id": "http://e.org/a"}]', "JSON"),
        ("bad.jsonld", b'{"@id": "http://e.org/a", ', "JSON syntax error"),
        ("quads.jsonld", b'{"@id": "http://e.org/g", "@graph": [{"@id": "http://e.org/a", "http://e.org/p": "x"}]}', "named graphs"),
    ],
)
def test_unreadable_input_exits_2_naming_the_file(tmp_path, capsys, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"error: {path}") and expected in err, err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("make", ["missing", "empty-folder", "folder-of-text"])
def test_bad_paths_exit_2(tmp_path, capsys, make):
    target = tmp_path / "x"
    if make == "empty-folder":
        target.mkdir()
    elif make == "folder-of-text":
        target.mkdir()
        (target / "notes.txt").write_text("hello", encoding="utf-8")
    assert main(["validate", str(target)]) == 2
    assert f"error: {target}" in capsys.readouterr().err


def test_a_folder_is_searched_for_rdf_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "context.ttl").write_bytes(CONTEXT.read_bytes())
    (tmp_path / "README.txt").write_text("not RDF", encoding="utf-8")
    report = vitd_kg.validate([tmp_path])
    assert report.conforms
    assert report.files == ["ontology/vitd.ttl", str(tmp_path / "sub" / "context.ttl")]


def test_data_option_validates_that_folder(tmp_path, capsys):
    (tmp_path / "context.ttl").write_bytes(CONTEXT.read_bytes())
    assert main(["validate", "--data", str(tmp_path)]) == 0
    assert "in 2 files" in capsys.readouterr().out


def test_user_files_with_bundled_data(tmp_path):
    extension = tmp_path / "extension.ttl"
    extension.write_text(
        "@prefix vitd: <https://w3id.org/vitd-kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/vitd-kg/id/intervention/test-x> a vitd:Intervention ;\n"
        '    rdfs:label "daily vitamin D" ;\n'
        "    vitd:substance <https://w3id.org/vitd-kg/id/concept/vitamin-d> .\n",
        encoding="utf-8",
    )
    report = vitd_kg.validate([extension], with_bundled_data=True)
    assert report.conforms, report.to_text()
    assert str(extension) in report.files and "data/meta-analysis.ttl" in report.files
    # context.ttl describes a publication that data/publications.ttl already defines
    clash = vitd_kg.validate([CONTEXT], with_bundled_data=True)
    (result,) = clash.results
    assert result.source == "gate:defined-twice" and result.file == str(CONTEXT)
    assert result.focus_node == "https://doi.org/10.1210/jc.2014-1742"
    assert "data/publications.ttl:" in result.message


@pytest.mark.parametrize(
    ("lexical", "datatype", "ok"),
    [
        ("12", "integer", True), ("-3", "integer", True), ("1.5", "integer", False), ("many", "integer", False),
        ("0.17", "decimal", True), ("-.5", "decimal", True), ("NaN", "decimal", False), ("INF", "decimal", False),
        ("1e3", "decimal", False), ("NaN", "double", True), ("2.5E-1", "double", True),
        ("true", "boolean", True), ("yes", "boolean", False),
        ("P84D", "duration", True), ("P", "duration", False), ("12 weeks", "duration", False),
        ("2019", "gYear", True), ("19", "gYear", False),
        ("2026-11-25", "date", True), ("2026-13-01", "date", False),
    ],
)
def test_lexical_forms(lexical, datatype, ok):
    literal = ox.Literal(lexical, datatype=ox.NamedNode(XSD + datatype))
    assert is_well_typed(literal) is ok


def test_size_limit_is_an_option(tmp_path):
    big = tmp_path / "big.ttl"
    big.write_bytes(CONTEXT.read_bytes())
    with pytest.raises(InputError, match="larger than the limit"):
        vitd_kg.validate([big], max_bytes=1000)
    assert vitd_kg.validate([big], max_bytes=10_000).conforms


def test_unknown_engine_is_a_usage_error():
    with pytest.raises(InputError) as error:
        vitd_kg.validate([CONTEXT], engine="no-such-engine")
    assert exit_code_of(error.value) == 2 and "pyshacl" in str(error.value)


# --------------------------------------------------------------------------- engines and reports


def test_reports_compare_across_engines(monkeypatch):
    """A second engine that returns the same results in another order gives an equal report."""

    def shuffled_engine(data, shapes, *, engine, store=None):
        if engine != "shuffled":
            return validate_graphs(data, shapes, engine=engine, store=store)
        report = validate_graphs(data, shapes, engine="pyshacl")
        results = report.results
        random.Random(7).shuffle(results)
        report.results, report.engine = list(reversed(results)), "shuffled"
        return report

    monkeypatch.setattr(pipeline, "ENGINES", (*pipeline.ENGINES, "shuffled"))
    monkeypatch.setattr(pipeline, "validate_graphs", shuffled_engine)
    files = [CONTEXT, DATA / "invalid" / "EffectEstimate-value-above-ci.ttl"]
    reference = vitd_kg.validate(files)
    other = vitd_kg.validate(files, engine="shuffled")
    assert reference.violations and other.engine == "shuffled"
    assert reference.comparable() == other.comparable()
    assert reference.results == other.results  # sorted the same way, not just equal as sets


def test_text_report_groups_by_file_and_names_node_property_value_and_fix(capsys):
    fixture = DATA / "invalid" / "Study-zero-participants.ttl"
    assert main(["validate", str(CONTEXT), str(fixture)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == f"== {fixture} (1 problem)"
    assert lines[1].startswith(f"{fixture}:") and lines[1].endswith(": Violation: study:test-x")
    assert "    property: vitd:participants" in lines
    assert "    value:    0" in out
    assert "positive xsd:integer" in out
    assert "does not conform: 1 violation" in out
    assert "error: the data does not conform" in err


def test_json_report_is_the_api_report(capsys):
    fixture = DATA / "invalid" / "Claim-misspelt-property.ttl"
    assert main(["validate", str(CONTEXT), str(fixture), "--format", "json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    report = vitd_kg.validate([CONTEXT, fixture])
    assert payload["results"] == [r.__dict__ for r in report.results]
    assert payload["conforms"] is False and payload["violations"] == len(report.violations)


def test_report_api_types():
    report = vitd_kg.validate([CONTEXT, DATA / "valid" / "Ontology-owl-imports.ttl"])
    assert isinstance(report, vitd_kg.ValidationReport)
    assert report.conforms
    (warning,) = report.warnings
    assert isinstance(warning, vitd_kg.ValidationResult)
    assert warning.severity == "Warning" and warning.path == str(OWL.imports)


# --------------------------------------------------------------------------- reasoning


def test_reasoner_input_leaves_out_unsupported_datatypes():
    graph = Graph()
    s, p = URIRef("http://e.org/s"), URIRef("http://e.org/p")
    graph.add((s, p, Literal("P7D", datatype=URIRef(XSD + "duration"))))
    graph.add((s, p, Literal("2019", datatype=URIRef(XSD + "gYear"))))
    graph.add((s, p, Literal(3)))
    graph.add((s, p, Literal("x")))
    kept, left_out = reasoner_input(graph)
    assert len(kept) == 2
    assert left_out == {XSD + "duration": 1, XSD + "gYear": 1}


def test_inconsistency_found_by_reasoning_only():
    """Typing a resource as both vitd:Claim and vitd:Study passes SHACL but not HermiT."""
    files = [CONTEXT, DATA / "invalid" / "Claim-also-a-study.ttl"]
    assert not any(r.source == "owl:consistency" for r in vitd_kg.validate(files).results)
    report = vitd_kg.validate(files, reason=True)
    (clash,) = [r for r in report.results if r.source == "owl:consistency"]
    assert clash.focus_node == "https://w3id.org/vitd-kg/id/claim/test-x"
    assert "INCONSISTENT" in report.notes[-1]


def test_validation_result_sorting_tolerates_missing_fields():
    results = [
        ValidationResult(None, None, None, None, None, "whole graph"),
        ValidationResult("b.ttl", 3, "x", None, None, "m"),
        ValidationResult("a.ttl", 9, "y", "p", '"1"', "m"),
    ]
    report = ValidationReport(files=["a.ttl", "b.ttl"], results=results)
    assert [r.file for r in report.results] == [None, "a.ttl", "b.ttl"]
    assert "(whole graph)" in report.to_text()
