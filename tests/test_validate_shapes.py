"""``vitd-kg validate DATA --shapes FILE``: the user's shapes, through the public CLI and API.

The reference is pySHACL, run here on the same data graph the command validates (the
ontology plus the data) and the same shapes. The Turtle report is read back with rdflib
only, as another tool would read it. Also: ``--with-bundled-shapes`` adds the bundled
results and nothing else, a shapes file that cannot be read or validated is exit 2 with
a message naming it, and what the compiled engine does not compile is validated by
pySHACL with a note that says so.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph
from rdflib.namespace import RDF, SH

import vitd_kg
from vitd_kg import resources
from vitd_kg.cli import main
from vitd_kg.errors import InputError
from vitd_kg.validation.shacl_engine import ShaclRefusal

HERE = Path(__file__).parent
DATA = HERE / "data"
CONTEXT = DATA / "context.ttl"
W3C = HERE / "w3c-shacl"

# A property shape with its own target, a nested property shape, a look-ahead and a
# back-reference in sh:pattern, sh:hasValue on a node shape, an ill-typed xsd:int and
# sh:maxCount over two decimals of equal value: each was silently wrong before issue 12.
USER_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:OwnTarget a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:name ; sh:minCount 1 .
ex:Outer a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:address ; sh:property [ sh:path ex:city ; sh:class ex:City ] ] .
ex:Pattern a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:code ; sh:pattern "^(?=.*[0-9])[A-Z0-9]+$" .
ex:Backref a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:code ; sh:pattern "^(.)\\\\1" .
ex:HasValue a sh:NodeShape ; sh:targetNode ex:a , ex:b ; sh:hasValue ex:a .
ex:Int a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:n ; sh:datatype xsd:int .
ex:One a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:amount ; sh:maxCount 1 .
"""
USER_DATA = """
@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:good a ex:C ; ex:name "g" ; ex:address [ ex:city ex:paris ] ; ex:code "AB1" ; ex:n "5"^^xsd:int ;
  ex:amount "1.0"^^xsd:decimal .
ex:bad a ex:C ; ex:address [ ex:city ex:nowhere ] ; ex:code "AAB" ; ex:n "abc"^^xsd:int , 7 ;
  ex:amount "1.0"^^xsd:decimal , "1.00"^^xsd:decimal .
ex:paris a ex:City .
"""
# Shapes on the bundled vocabulary: every claim needs an ex:reviewedBy (none has one).
CLAIM_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix vitd: <https://w3id.org/vitd-kg/ontology#> .
ex:Reviewed a sh:NodeShape ; sh:targetClass vitd:Claim ;
  sh:property [ sh:path ex:reviewedBy ; sh:minCount 1 ; sh:message "a claim needs a reviewer" ] .
"""
# SHACL-SPARQL forbids MINUS where $this is pre-bound (W3C sparql/pre-binding/unsupported-sparql-001).
MINUS_SHAPES = '''
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:TestShape a sh:NodeShape ; sh:targetNode ex:bad ;
  sh:sparql [ sh:select """SELECT $this WHERE { $this ?x ?any . MINUS { $this ?x "Value" } }""" ] .
'''
# W3C core tests with shapes of each kind the compiled engine once got wrong (own targets,
# nested property shapes, paths) and one it does not compile (sh:xone: pySHACL runs).
W3C_TESTS = [
    "core/property/property-001.ttl",
    "core/path/path-sequence-001.ttl",
    "core/path/path-inverse-001.ttl",
    "core/node/hasValue-001.ttl",
    "core/node/xone-001.ttl",
    "core/property/datatype-ill-formed.ttl",
    "core/misc/severity-002.ttl",
]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _w3c_file(folder: Path, test: str) -> Path:
    """A W3C test file (data and shapes in one) with a base IRI: the input gate refuses the
    relative IRIs of its manifest part otherwise."""
    text = (W3C / test).read_text(encoding="utf-8")
    return _write(folder, Path(test).name, f"@base <http://example.org/w3c/{test}> .\n{text}")


def _pyshacl(data_files: list[Path], shapes_file: Path) -> Graph:
    """pySHACL's report on the graph the command validates: the ontology plus the data."""
    data = Graph().parse(resources.ontology_dir() / "vitd.ttl", format="turtle")
    for path in data_files:
        data.parse(path, format="turtle")
    shapes = Graph().parse(shapes_file, format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    return report


def _summary(report: Graph) -> tuple[bool, Counter]:
    """sh:conforms, and the results as (focus node, path, component, shape, severity), blank
    nodes as "_" (their labels differ between graphs)."""
    nodes = list(report.subjects(RDF.type, SH.ValidationReport))
    assert len(nodes) == 1, "exactly one sh:ValidationReport"
    conforms = report.value(nodes[0], SH.conforms).toPython()
    results = Counter(
        tuple("_" if isinstance(t, BNode) else str(t) for t in (
            report.value(r, SH.focusNode), report.value(r, SH.resultPath),
            report.value(r, SH.sourceConstraintComponent), report.value(r, SH.sourceShape),
            report.value(r, SH.resultSeverity),
        ))
        for r in report.objects(nodes[0], SH.result)
    )
    return conforms, results


def _cli_turtle(capsys, args: list[str]) -> tuple[int, Graph, str]:
    code = main(["validate", *args, "--format", "turtle"])
    out, err = capsys.readouterr()
    return code, Graph().parse(data=out, format="turtle"), err


def test_user_shapes_turtle_report_is_pyshacls(tmp_path, capsys):
    data = _write(tmp_path, "data.ttl", USER_DATA)
    shapes = _write(tmp_path, "shapes.ttl", USER_SHAPES)
    code, report, err = _cli_turtle(capsys, [str(data), "--shapes", str(shapes)])
    assert "Traceback" not in err
    conforms, results = _summary(report)
    expected_conforms, expected = _summary(_pyshacl([data], shapes))
    assert (conforms, results) == (expected_conforms, expected)
    assert conforms is False and code == 1
    components = {key[2].rsplit("#", 1)[-1] for key in results}
    assert {"MinCountConstraintComponent", "ClassConstraintComponent", "PatternConstraintComponent",
            "HasValueConstraintComponent", "DatatypeConstraintComponent", "MaxCountConstraintComponent"} <= components


@pytest.mark.parametrize("test", W3C_TESTS)
@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
def test_w3c_shapes_file_through_the_cli_is_pyshacls(tmp_path, capsys, test, engine):
    path = _w3c_file(tmp_path, test)
    code, report, err = _cli_turtle(capsys, [str(path), "--shapes", str(path), "--engine", engine])
    conforms, results = _summary(report)
    expected_conforms, expected = _summary(_pyshacl([path], path))
    assert conforms == expected_conforms
    assert sum(results.values()) == sum(expected.values())
    assert results == expected
    # a violation, or a severity of the user's own (counted as one), fails the command
    failing = sum(n for key, n in results.items() if key[4] not in (str(SH.Warning), str(SH.Info)))
    assert code == (1 if failing else 0), err


def test_results_of_user_shapes_are_placed_at_file_and_line(tmp_path):
    """A namespace ending in "#" under @base (every W3C test file here) is still found."""
    path = _w3c_file(tmp_path, "core/misc/severity-002.ttl")
    report = vitd_kg.validate([path], shapes=[path])
    assert {(r.file, r.line) for r in report.results} == {(str(path), 12)}
    assert {r.severity for r in report.results} == {"Violation", "Info"}  # ex:MySeverity counts as a violation


def test_turtle_report_of_conforming_data(tmp_path, capsys):
    data = _write(tmp_path, "data.ttl", USER_DATA)
    shapes = _write(tmp_path, "shapes.ttl", USER_SHAPES.split("ex:Outer")[0])  # ex:OwnTarget only
    shapes.write_text(shapes.read_text(encoding="utf-8").replace("ex:targetClass", "sh:targetClass")
                      .replace("sh:targetClass ex:C", "sh:targetNode ex:good"), encoding="utf-8")
    code, report, _ = _cli_turtle(capsys, [str(data), "--shapes", str(shapes)])
    assert _summary(report) == _summary(_pyshacl([data], shapes)) == (True, Counter())
    assert code == 0


def test_with_bundled_shapes_adds_the_bundled_results(tmp_path, capsys):
    shapes = _write(tmp_path, "claims.ttl", CLAIM_SHAPES)
    files = [CONTEXT, DATA / "invalid" / "EffectEstimate-value-above-ci.ttl"]
    bundled = vitd_kg.validate(files)
    mine = vitd_kg.validate(files, shapes=[shapes])
    both = vitd_kg.validate(files, shapes=[shapes], with_bundled_shapes=True)
    bundled_shacl = {r for r in bundled.results if r.source.startswith("shacl:")}
    mine_shacl = {r for r in mine.results if r.source.startswith("shacl:")}
    assert bundled_shacl and mine_shacl and not bundled_shacl & mine_shacl
    assert all(r.message == "a claim needs a reviewer" for r in mine_shacl)
    assert set(both.results) == set(bundled.results) | set(mine.results)
    assert len(both.shacl.results) == len(bundled.shacl.results) + len(mine.shacl.results)
    # the same through the CLI, in Turtle
    args = [*map(str, files), "--shapes", str(shapes)]
    _, only_mine, _ = _cli_turtle(capsys, args)
    _, with_bundled, _ = _cli_turtle(capsys, [*args, "--with-bundled-shapes"])
    assert sum(_summary(only_mine)[1].values()) == len(mine_shacl)
    assert sum(_summary(with_bundled)[1].values()) == len(both.shacl.results)


def test_turtle_lists_the_input_checks_on_stderr(tmp_path, capsys):
    """Findings of the input gate are not SHACL results: not in the report, but listed and counted."""
    shapes = _write(tmp_path, "claims.ttl", CLAIM_SHAPES.replace("vitd:Claim", "ex:Nothing"))
    fixture = DATA / "invalid" / "Claim-misspelt-property.ttl"
    code, report, err = _cli_turtle(capsys, [str(CONTEXT), str(fixture), "--shapes", str(shapes)])
    assert _summary(report) == (True, Counter())
    assert code == 1 and "not SHACL results" in err and str(fixture) in err


@pytest.mark.parametrize("content, expected", [
    ("@prefix sh: <http://www.w3.org/ns/shacl#> .\nex:S a sh:NodeShape .\n", "cannot be parsed"),
    ("not turtle at all {", "cannot be parsed"),
])
def test_bad_shapes_file_exits_2_naming_it(tmp_path, capsys, content, expected):
    shapes = _write(tmp_path, "bad-shapes.ttl", content)
    assert main(["validate", str(CONTEXT), "--shapes", str(shapes)]) == 2
    out, err = capsys.readouterr()
    assert f"error: {shapes}" in err and expected in err, err
    assert "Traceback" not in out + err
    with pytest.raises(InputError) as error:
        vitd_kg.validate([CONTEXT], shapes=[shapes])
    assert str(shapes) in str(error.value.file)


def test_missing_shapes_file_exits_2_naming_it(tmp_path, capsys):
    missing = tmp_path / "nowhere.ttl"
    assert main(["validate", str(CONTEXT), "--shapes", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err
    with pytest.raises(InputError):
        vitd_kg.validate([CONTEXT], shapes=[missing])


@pytest.mark.parametrize("engine", ["auto", "fast", "pyshacl"])
def test_sparql_shapes_that_must_be_refused_exit_2(tmp_path, capsys, engine):
    data = _write(tmp_path, "data.ttl", USER_DATA)
    shapes = _write(tmp_path, "minus.ttl", MINUS_SHAPES)
    assert main(["validate", str(data), "--shapes", str(shapes), "--engine", engine]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("error: ") and "ex:TestShape" in err and "MINUS" in err, err
    assert "Traceback" not in out + err and "sh:ValidationReport" not in out
    with pytest.raises(ShaclRefusal) as refusal:
        vitd_kg.validate([data], shapes=[shapes], engine=engine)
    assert refusal.value.feature and "MINUS" in refusal.value.feature


def test_auto_says_when_pyshacl_validated(tmp_path, capsys):
    path = _w3c_file(tmp_path, "core/node/xone-001.ttl")
    report = vitd_kg.validate([path], shapes=[path])
    assert report.engine == "pyshacl"
    assert any("pySHACL" in note and "sh:xone" in note for note in report.notes)
    assert main(["validate", str(path), "--shapes", str(path)]) == 1
    out, _ = capsys.readouterr()
    assert "sh:xone" in out and "(engine pyshacl)" in out
    # the compiled engine alone refuses it, naming the feature
    assert main(["validate", str(path), "--shapes", str(path), "--engine", "fast"]) == 2
    assert "sh:xone" in capsys.readouterr().err


def test_bundled_shapes_stay_on_the_compiled_engine():
    report = vitd_kg.validate([CONTEXT, DATA / "invalid" / "EffectEstimate-value-above-ci.ttl"])
    assert report.engine == "fast" and not report.conforms
    assert report.shacl is not None and report.shacl.engine == "fast"


def test_text_report_names_the_user_shape_and_constraint(tmp_path, capsys):
    """A user's shape without sh:message: the text names the shape and what it checks."""
    # without "1.0" and "1.00" on one node (the compiled engine then hands over to pySHACL)
    data = _write(tmp_path, "data.ttl", USER_DATA.replace(' , "1.00"^^xsd:decimal', ""))
    shapes = _write(tmp_path, "shapes.ttl", USER_SHAPES)
    assert main(["validate", str(data), "--shapes", str(shapes)]) == 1
    out = capsys.readouterr().out
    assert "(engine fast)" in out
    assert "does not conform to ex:OwnTarget (sh:minCount)" in out
    assert "does not conform to ex:Backref (sh:pattern)" in out
    assert "does not conform to its shape" not in out
