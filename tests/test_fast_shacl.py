"""The fast SHACL engine gives the same report as pySHACL, the reference.

Both engines validate the same triples (the ontology plus one data folder) against
tests/data/shapes/claims-shapes.ttl: the bundled data and a synthetic corpus, which
conform, and one file per fault in tests/data/shacl-invalid/, named for the class and the
fault it carries, whose first line names the constraint component it must trigger.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph
from rdflib.namespace import RDF, SH, XSD

from vitd_kg import resources
from vitd_kg.validation.fast_shacl import UnsupportedShapes, unsupported_features, validate_store
from vitd_kg.validation.shacl_report import ShaclReport, report_from_graph
from vitd_kg import load_store
from vitd_kg.rdf.serialize import store_to_graph
from vitd_kg.synth import generate

HERE = Path(__file__).parent / "data"
SHAPES = Graph().parse(HERE / "shapes" / "claims-shapes.ttl", format="turtle")
INVALID = sorted((HERE / "shacl-invalid").glob("*.ttl"))


def both_reports(data_dir: Path | None) -> tuple[ShaclReport, ShaclReport]:
    store = load_store(data_dir)
    fast = validate_store(store, SHAPES)
    _, results_graph, _ = pyshacl.validate(store_to_graph(store), shacl_graph=SHAPES)
    reference = report_from_graph(results_graph)
    declared = {str(m) for m in SHAPES.objects(None, SH.message)}
    # pySHACL writes a message of its own where a shape gives none: keep only the shapes'.
    reference.results = [replace(r, messages=tuple(m for m in r.messages if m in declared)) for r in reference.results]
    return fast, reference


def folder_with(tmp_path: Path, *files: Path) -> Path:
    for file in files:
        shutil.copy(file, tmp_path / file.name)
    return tmp_path


def test_bundled_data_conforms_in_both_engines():
    fast, reference = both_reports(None)
    assert reference.conforms, reference.results[:3]
    assert fast == reference


def test_synthetic_corpus_conforms_in_both_engines(tmp_path):
    generate(claims=40, seed=5).write(tmp_path / "synthetic.ttl")
    fast, reference = both_reports(tmp_path)
    assert reference.conforms, reference.results[:3]
    assert fast == reference


@pytest.mark.parametrize("fixture", INVALID, ids=[f.stem for f in INVALID])
def test_violations_agree_with_pyshacl(fixture, tmp_path):
    fast, reference = both_reports(folder_with(tmp_path, fixture))
    expected = fixture.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expects: ").strip()
    assert not reference.conforms
    assert expected in {str(r.constraint_component).rsplit("#", 1)[-1] for r in reference.results}
    assert fast.results == reference.results
    assert fast.conforms == reference.conforms


def test_all_violations_at_once_agree(tmp_path):
    """Every fixture in one graph: shapes interact (shared nodes, several targets)."""
    fast, reference = both_reports(folder_with(tmp_path, *INVALID))
    assert len(reference.results) > len(INVALID)
    assert fast == reference


def test_report_graph_round_trips():
    store = load_store(None)
    violating = validate_store(store, Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix vitd: <https://w3id.org/vitd-kg/ontology#> .
        <urn:s> a sh:NodeShape ; sh:targetClass vitd:Claim ;
            sh:property [ sh:path vitd:hedgeCue ; sh:minCount 1 ; sh:message "needs a cue" ] .""", format="turtle"))
    assert not violating.conforms
    assert report_from_graph(violating.graph()) == violating


def test_unsupported_features_are_named_and_refused():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:xone ( [ sh:minCount 1 ] ) ;
            sh:or ( [ sh:node <urn:t> ] ) .""", format="turtle")
    assert unsupported_features(shapes) == ["sh:node in a member shape of sh:or or sh:qualifiedValueShape", "sh:xone"]
    with pytest.raises(UnsupportedShapes, match="sh:xone"):
        validate_store(load_store(None), shapes)
    assert unsupported_features(SHAPES) == []


def test_docstring_example_runs():
    import doctest

    from vitd_kg.validation import fast_shacl

    assert doctest.testmod(fast_shacl).failed == 0


EDGE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:low ; sh:lessThan ex:high ; sh:message "low < high" ] ,
    [ sh:path ex:low ; sh:lessThanOrEquals ex:high ; sh:message "low <= high" ] ,
    [ sh:path ex:n ; sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ; sh:minInclusive 0 ] ) ;
      sh:message "n is an integer or a decimal >= 0" ] ,
    [ sh:path ex:part ; sh:qualifiedValueShape [ sh:class ex:Part ] ; sh:qualifiedMinCount 1 ;
      sh:qualifiedMaxCount 1 ; sh:message "one part" ] ;
  sh:sparql [ sh:select "SELECT $this ?value ?n WHERE { $this <http://example.org/n> ?n . BIND(STR(?n) AS ?value) }" ;
              sh:message "{$this} has {?n} ({?value})" ] .
"""
EDGE_DATA = """
@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:equal a ex:C ; ex:low 3 ; ex:high 3.0 ; ex:n 1 ; ex:part ex:p1 .
ex:below a ex:C ; ex:low 2 ; ex:high 3, 1 ; ex:n -1.5 ; ex:part ex:p1 , ex:p2 .
ex:strings a ex:C ; ex:low "a" ; ex:high "b" , "A" , 5 ; ex:n "x" .
ex:iris a ex:C ; ex:low ex:a ; ex:high ex:b , "ex" ; ex:n 2.5 ; ex:part ex:x .
ex:dates a ex:C ; ex:low "2020-01-01"^^xsd:date ; ex:high "2021-01-01"^^xsd:date , "2019-12-31"^^xsd:date .
ex:p1 a ex:Part . ex:p2 a ex:Part . ex:x a ex:Other .
"""


def test_new_constraints_agree_with_pyshacl_at_their_edges():
    """Equal values, strings, IRIs, mixed kinds, several compared values, counts of 0 and 2,
    and message templates: the cases the data fixtures do not reach."""
    import pyoxigraph as ox

    shapes = Graph().parse(data=EDGE_SHAPES, format="turtle")
    store = ox.Store()
    store.load(EDGE_DATA.encode(), format=ox.RdfFormat.TURTLE)
    fast = validate_store(store, shapes)
    _, results_graph, _ = pyshacl.validate(store_to_graph(store), shacl_graph=shapes)
    reference = report_from_graph(results_graph)
    components = {str(r.constraint_component).rsplit("#", 1)[-1] for r in reference.results}
    assert components >= {
        "LessThanConstraintComponent", "LessThanOrEqualsConstraintComponent", "OrConstraintComponent",
        "QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent", "SPARQLConstraintComponent",
    }
    assert fast.results == reference.results


# --- shapes a user writes: each known silent failure of the compiled engine, now right --------

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
ex:bad a ex:C ; ex:address [ ex:city ex:nowhere ] ; ex:code "AAB" ; ex:n "abc"^^xsd:int , 7 .
ex:paris a ex:City .
"""


def user_reports(data: str, shapes_text: str):
    import pyoxigraph as ox

    from vitd_kg.validation.shacl_engine import validate_graphs

    shapes = Graph().parse(data=shapes_text, format="turtle")
    triples = list(ox.parse(data.encode(), format=ox.RdfFormat.TURTLE))
    fast = validate_graphs(triples, shapes, engine="fast")
    _, results_graph, _ = pyshacl.validate(Graph().parse(data=data, format="turtle"), shacl_graph=shapes,
                                           inference="none", advanced=True)
    return fast, report_from_graph(results_graph)


def keys(report):
    return sorted((str(r.focus_node), str(r.result_path), str(r.value), str(r.source_shape).rsplit("/", 1)[-1],
                   str(r.constraint_component).rsplit("#", 1)[-1]) for r in report.results
                  if not isinstance(r.focus_node, BNode) and not isinstance(r.source_shape, BNode)) + sorted(
        (str(r.value), str(r.constraint_component).rsplit("#", 1)[-1]) for r in report.results
        if isinstance(r.focus_node, BNode) or isinstance(r.source_shape, BNode))


def test_user_shapes_that_were_silently_wrong():
    fast, reference = user_reports(USER_DATA, USER_SHAPES)
    assert fast.engine == "fast"
    got = keys(fast)
    assert got == keys(reference)
    found = {(focus.rsplit("/", 1)[-1], shape, component) for focus, _, _, shape, component in got[:-1]
             if isinstance(focus, str)}
    assert ("bad", "OwnTarget", "MinCountConstraintComponent") in found  # property shape with its own target
    assert ("bad", "Pattern", "PatternConstraintComponent") in found  # a look-ahead
    assert ("good", "Backref", "PatternConstraintComponent") in found  # a back-reference: "AB1" has no pair
    assert ("bad", "Backref", "PatternConstraintComponent") not in found  # "AAB" has
    assert ("b", "HasValue", "HasValueConstraintComponent") in found  # only the node that is not ex:a
    assert ("a", "HasValue", "HasValueConstraintComponent") not in found
    assert ("bad", "Int", "DatatypeConstraintComponent") in found  # "abc"^^xsd:int is ill-typed
    # the nested property shape checks the city of the address (a blank node), not the outer node
    assert ("http://example.org/nowhere", "ClassConstraintComponent") in got
    assert not any("paris" in str(k) for k in got)


def test_literals_the_store_would_merge_are_refused():
    """"1.0" and "1.00" are two RDF terms (sh:maxCount 1 fails); the store keeps one."""
    import pyoxigraph as ox

    from vitd_kg.validation.shacl_engine import validate_graphs

    data = '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . <urn:x> a <urn:C> ; <urn:p> "1.0"^^xsd:decimal , "1.00"^^xsd:decimal .'
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:S> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:maxCount 1 ] .""")
    triples = list(ox.parse(data.encode(), format=ox.RdfFormat.TURTLE))
    with pytest.raises(UnsupportedShapes, match="keeps as one"):
        validate_graphs(triples, shapes, engine="fast")
    auto = validate_graphs(triples, shapes)
    assert (auto.engine, auto.conforms) == ("pyshacl", False)
    assert "pySHACL" in auto.notes[0]


def test_rewritten_literals_are_checked_as_written():
    """"5"^^xsd:int is stored as "5"^^xsd:integer, "0.0" as "0": their checks see them as written."""
    data = """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix ex: <http://example.org/> .
      ex:x a ex:C ; ex:i "5"^^xsd:int ; ex:j "5"^^xsd:int ; ex:d "0.0"^^xsd:decimal ; ex:s "01"^^xsd:integer ."""
    shapes = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
      @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
      ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:i ; sh:datatype xsd:integer ] , [ sh:path ex:j ; sh:datatype xsd:int ] ,
          [ sh:path ex:d ; sh:pattern "^0\\\\.0$" ] , [ sh:path ex:s ; sh:minLength 2 ] ,
          [ sh:path ex:d ; sh:in ( "0.0"^^xsd:decimal ) ] ."""
    fast, reference = user_reports(data, shapes)
    assert keys(fast) == keys(reference)
    components = {str(r.constraint_component).rsplit("#", 1)[-1] for r in fast.results}
    assert "PatternConstraintComponent" not in components and "InConstraintComponent" not in components  # "0.0" as written
    # "5"^^xsd:int is not an xsd:integer (but is an xsd:int)
    assert [(str(r.value), r.value.datatype) for r in fast.results if r.constraint_component == SH.DatatypeConstraintComponent] == [("5", XSD.int)]


INTEGER_FORMS = [
    "0", "-0", "+0", "00", "5", "+5", "05", "-5", "-05", "10", "-10", "120",
    "123456789012345678", "-999999999999999999", "1000000000000000000", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "99999999999999999999",
    " 5", "5 ", "1e3", "1.0", "\u0663", "",
]


@pytest.mark.parametrize("lexical", INTEGER_FORMS + [str(n) for n in (7**k for k in range(1, 23))])
def test_integers_taken_as_written_are_stored_as_written(lexical):
    """The shortcut that spares the store a round trip for integers (``_stored_as_written``)
    never says "as written" of a literal the store rewrites: Oxigraph itself is asked."""
    import pyoxigraph as ox

    from vitd_kg.validation.fast_shacl import _stored_as_written, stored_forms

    literal = ox.Literal(lexical, datatype=ox.NamedNode(str(XSD.integer)))
    if _stored_as_written(literal):
        assert stored_forms([literal])[literal] == literal


def test_the_integer_shortcut_takes_canonical_integers():
    """The shortcut is not vacuous: canonical integers up to 18 digits skip the store."""
    import pyoxigraph as ox

    from vitd_kg.validation.fast_shacl import _stored_as_written

    taken = [x for x in INTEGER_FORMS if _stored_as_written(ox.Literal(x, datatype=ox.NamedNode(str(XSD.integer))))]
    assert taken == ["0", "5", "-5", "10", "-10", "120", "123456789012345678", "-999999999999999999"]


def test_report_turtle_is_read_by_pyshacl_and_by_vitd_kg():
    from vitd_kg.validation.shacl_engine import read_report, report_turtle, validate_graphs

    shapes = Graph().parse(data=USER_SHAPES, format="turtle")
    report = validate_graphs(Graph().parse(data=USER_DATA, format="turtle"), shapes)
    text = report_turtle(report, shapes)
    assert "sh:ValidationReport" in text
    again = read_report(text)
    assert (again.conforms, len(again.results)) == (report.conforms, len(report.results))
    # pySHACL reads it as a graph, and it holds the nested shape's path structure
    graph = Graph().parse(data=text, format="turtle")
    assert len(list(graph.subjects(RDF.type, SH.ValidationResult))) == len(report.results)


def test_unknown_engine_is_a_value_error():
    from vitd_kg.validation.shacl_engine import validate_graphs

    with pytest.raises(ValueError, match="unknown SHACL engine"):
        validate_graphs(Graph(), Graph(), engine="nope")


def test_sparql_constraint_that_reads_a_rewritten_literal_is_refused():
    """STR("0.0"^^xsd:decimal) is "0.0"; the store would answer "0": the fast engine refuses
    (naming the shape), and the default engine gives pySHACL's report instead."""
    import pyoxigraph as ox

    from vitd_kg.validation.shacl_engine import ShaclRefusal, validate_graphs

    data = '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . <urn:x> a <urn:C> ; <urn:p> "0.0"^^xsd:decimal .'
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:S> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:sparql [
          sh:select "SELECT $this ?value WHERE { $this <urn:p> ?value FILTER(STR(?value) = '0.0') }" ] .
        <urn:T> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:sparql [
          sh:select "SELECT $this ?value WHERE { $this <urn:p> ?value FILTER(?value = 0) }" ] .""")
    triples = list(ox.parse(data.encode(), format=ox.RdfFormat.TURTLE))
    with pytest.raises(ShaclRefusal, match="urn:S"):
        validate_graphs(triples, shapes, engine="fast")
    auto = validate_graphs(triples, shapes)
    assert auto.engine == "pyshacl"
    assert sorted(str(r.source_shape) for r in auto.results) == ["urn:S", "urn:T"]
    assert all(str(r.value) == "0.0" for r in auto.results)
    # comparing by value only: the fast engine runs it, and reports the literal as written
    del_s = Graph()
    for triple in shapes:
        if str(triple[0]) != "urn:S" and not (triple[1] == SH.sparql and str(triple[0]) == "urn:S"):
            del_s.add(triple)
    only_t = validate_graphs(triples, del_s)
    assert only_t.engine == "fast"
    assert [str(r.value) for r in only_t.results] == ["0.0"]


def test_engine_api_docstring_runs():
    import doctest

    from vitd_kg.validation import shacl_engine

    assert doctest.testmod(shacl_engine).failed == 0


def test_a_generator_of_triples_reaches_the_fallback_whole():
    """Data given as a generator is read once by the fast engine; the fallback must still see it."""
    import pyoxigraph as ox

    from vitd_kg.validation.shacl_engine import validate_graphs

    data = '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . <urn:x> a <urn:C> ; <urn:p> "1.0"^^xsd:decimal , "1.00"^^xsd:decimal .'
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:S> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:maxCount 1 ] .""")
    report = validate_graphs((t for t in ox.parse(data.encode(), format=ox.RdfFormat.TURTLE)), shapes)
    assert (report.engine, report.conforms, len(report.results)) == ("pyshacl", False, 1)
