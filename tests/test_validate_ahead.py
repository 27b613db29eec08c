"""SHACL ahead of the gate (vitd_kg.validation.ahead) gives the report the gate's own store gives.

``validate`` streams the files into a store on a second thread and validates it there while
the gate parses them; that report is used only as far as it is the one the gate's data
gives. Checked three ways:

* every fixture (valid, invalid, SHACL-invalid, with bundled and user shapes) validated
  with and without the thread gives the same results, notes and engine, or the same error;
* on the W3C SHACL suite, a run that took every literal as written, revised for the data's
  rewritten literals (``fast_shacl.revalidate``), equals the engine's run on that data;
* the cases the thread cannot serve (a rewritten literal a shape sees, a blank node no
  triple refers to, a file the gate refuses) fall back, and the thread stops.
"""

from __future__ import annotations

import gc
import re
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import SH

import vitd_kg
from vitd_kg.errors import InputError
from vitd_kg.validation import fast_shacl, pipeline
from vitd_kg.validation.shacl_engine import fast_engine_shapes, load_shapes

from test_w3c_shacl import IDS, TESTS  # noqa: E402 - the suite's loader

DATA = Path(__file__).parent / "data"
CONTEXT = DATA / "context.ttl"
FIXTURES = sorted(
    p for folder in ("invalid", "valid", "shacl-invalid") for p in (DATA / folder).iterdir()
    if p.suffix != ".expect"
)
SHAPES = sorted((DATA / "shapes").iterdir())
EX = "http://example.org/ahead#"


def _blank_free(text):
    """Text with the ids Oxigraph draws for anonymous blank nodes (``[ ... ]``: afresh on
    every parse) made one; a label the data writes (``_:x``) is kept."""
    return None if text is None else re.sub(r"_:[0-9a-f]{20,32}\b", "_:b", str(text))  # a u128 in hex, no leading 0s


def outcome(monkeypatch, ahead: bool, *args, **kwargs):
    """The report's results (drawn blank-node ids left out), notes and engine; or the error
    raised, as text."""
    monkeypatch.setattr(pipeline, "SHACL_AHEAD", ahead)
    try:
        report = vitd_kg.validate(*args, **kwargs)
    except InputError as error:
        return ("error", type(error).__name__, str(error))
    results = sorted((
        (r.file, r.line, _blank_free(r.focus_node), r.path, _blank_free(r.value), _blank_free(r.message),
         r.severity, r.source)
        for r in report.results
    ), key=repr)
    return results, report.notes, report.engine, report.files


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f"{f.parent.name}/{f.name}" for f in FIXTURES])
def test_fixture_same_report(fixture, monkeypatch):
    without = outcome(monkeypatch, False, [CONTEXT, fixture])
    assert outcome(monkeypatch, True, [CONTEXT, fixture]) == without


@pytest.mark.parametrize("shapes", SHAPES, ids=[s.name for s in SHAPES])
@pytest.mark.parametrize("fixture", [f for f in FIXTURES if f.parent.name == "shacl-invalid"][:6],
                         ids=lambda f: f.name)
def test_user_shapes_same_report(fixture, shapes, monkeypatch):
    for bundled in (False, True):
        without = outcome(monkeypatch, False, [CONTEXT, fixture], shapes=[shapes], with_bundled_shapes=bundled)
        assert outcome(monkeypatch, True, [CONTEXT, fixture], shapes=[shapes], with_bundled_shapes=bundled) == without


def test_bundled_data_same_report(monkeypatch):
    without = outcome(monkeypatch, False)
    assert without[0] == []
    assert outcome(monkeypatch, True) == without


# --------------------------------------------------------------------------- rewritten literals

REWRITTEN_DATA = f"""@prefix ex: <{EX}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:C ; ex:value "0.50"^^xsd:decimal ; ex:count "5"^^xsd:int ; ex:name "a" .
ex:b a ex:C ; ex:value "0.25"^^xsd:decimal ; ex:count "8"^^xsd:integer ; ex:name "b" .
"""
#: Shapes whose results turn on how a literal was written: "0.50" matches the pattern, and
#: "5"^^xsd:int is an xsd:int; the store keeps them as "0.5" and "5"^^xsd:integer, which fail.
REWRITTEN_SHAPES = f"""@prefix ex: <{EX}> . @prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:ValueShape a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:value ; sh:pattern "^0\\\\.50$" ] .
ex:CountShape a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:count ; sh:datatype xsd:int ] .
ex:NameShape a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:name ; sh:maxLength 1 ] .
"""


@pytest.fixture()
def rewritten(tmp_path):
    data = tmp_path / "data.ttl"
    data.write_text(REWRITTEN_DATA, encoding="utf-8")
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(REWRITTEN_SHAPES, encoding="utf-8")
    return data, shapes


def test_rewritten_literals_are_validated_as_written(rewritten, monkeypatch):
    data, shapes = rewritten
    without = outcome(monkeypatch, False, data, shapes=[shapes])
    failing = {(r[2], r[4]) for r in without[0]}
    # b fails both, a neither (as written)
    assert failing == {(f"{EX}b", '"0.25"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
                       (f"{EX}b", '"8"^^<http://www.w3.org/2001/XMLSchema#integer>')}
    assert outcome(monkeypatch, True, data, shapes=[shapes]) == without


def test_only_shapes_that_see_a_rewritten_literal_run_again(rewritten):
    data, shapes_file = rewritten
    shapes = fast_engine_shapes(load_shapes(shapes_file))
    store = ox.Store()
    store.load(data.read_bytes(), format=ox.RdfFormat.TURTLE)
    runs: list[fast_shacl.ShapeRun] = []
    bare = fast_shacl.validate_store(store, shapes, shape_runs=runs)
    # taken as stored, a's "0.5" and "7" fail too
    assert len(bare.results) == 4
    triples = list(ox.parse(data.read_bytes(), format=ox.RdfFormat.TURTLE))
    prepared = fast_shacl.load_data(triples, fast_shacl.shape_constants(shapes), store=store)
    assert prepared.originals
    probe = fast_shacl._Run(prepared, shapes)
    held = {str(r.shape).rsplit("#", 1)[-1] if isinstance(r.shape, URIRef) else _path_of(shapes, r.shape)
            for r in runs if r.holds(probe)}
    redone = {_path_of(shapes, r.shape) for r in runs if not r.holds(probe)}
    # the shapes on ex:value and ex:count read a rewritten literal; the one on ex:name does not
    assert redone == {"value", "count"}
    assert "name" in held
    assert fast_shacl.revalidate(runs, prepared, shapes).results == fast_shacl.validate_store(prepared, shapes).results


def _path_of(shapes, shape) -> str:
    path = shapes.value(shape, SH.path)
    return str(path).rsplit("#", 1)[-1] if path is not None else str(shape)


# --------------------------------------------------------------------------- the W3C suite

#: The suite's tests whose shapes the fast engine validates (pySHACL validates the others).
COMPILED = [(t, i) for t, i in zip(TESTS, IDS) if fast_engine_shapes(load_shapes(t.shapes_file)) is not None]


def test_most_of_the_suite_is_compiled():
    assert len(COMPILED) >= 85


@pytest.mark.parametrize("test", [t for t, _ in COMPILED], ids=[i for _, i in COMPILED])
def test_w3c_revalidated_equals_the_run_on_the_data(test):
    shapes = fast_engine_shapes(load_shapes(test.shapes_file))
    base = test.data_file.as_uri()
    store = ox.Store()
    store.load(test.data_file.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=base)
    triples = list(ox.parse(test.data_file.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=base))
    prepared = fast_shacl.load_data(triples, fast_shacl.shape_constants(shapes), store=store)
    try:
        expected = fast_shacl.validate_store(prepared, shapes).results
    except fast_shacl.UnsupportedShapes:
        with pytest.raises(fast_shacl.UnsupportedShapes):
            runs: list[fast_shacl.ShapeRun] = []
            fast_shacl.validate_store(store, shapes, shape_runs=runs)
            fast_shacl.revalidate(runs, prepared, shapes)
        return
    runs = []
    fast_shacl.validate_store(store, shapes, shape_runs=runs)
    assert fast_shacl.revalidate(runs, prepared, shapes).results == expected


def test_the_suite_has_rewritten_literals():
    """The comparison above means something only if some tests' data is stored in another form."""
    rewritten = 0
    for test in TESTS:
        triples = list(ox.parse(test.data_file.read_bytes(), format=ox.RdfFormat.TURTLE,
                                base_iri=test.data_file.as_uri()))
        rewritten += bool(fast_shacl.load_data(triples).originals)
    assert rewritten >= 4


# --------------------------------------------------------------------------- falling back


def test_a_blank_node_no_triple_refers_to_is_placed_by_its_file(tmp_path, monkeypatch):
    data = tmp_path / "orphan.ttl"
    data.write_text(
        "@prefix vitd: <https://w3id.org/vitd-kg/ontology#> .\n\n[] a vitd:Claim .\n", encoding="utf-8"
    )
    without = outcome(monkeypatch, False, data)
    assert any(r[0] == str(data) and r[2] == "_:b" for r in without[0])
    assert outcome(monkeypatch, True, data) == without


def test_a_blank_node_label_is_kept_as_written(tmp_path, monkeypatch):
    """The gate's parse keeps ``_:x``, and results name it so (Oxigraph's loader would
    rename it: the thread does not serve such files)."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(f"""@prefix ex: <{EX}> . @prefix sh: <http://www.w3.org/ns/shacl#> .
ex:S a sh:NodeShape ; sh:targetObjectsOf ex:p ; sh:property [ sh:path ex:q ; sh:minCount 1 ] .
""", encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text(f"<{EX}a> <{EX}p> _:x .\n_:x <{EX}r> 1 .\n", encoding="utf-8")
    without = outcome(monkeypatch, False, data, shapes=[shapes])
    assert [r[2] for r in without[0]] == ["_:x"]
    assert outcome(monkeypatch, True, data, shapes=[shapes]) == without


def test_a_label_shared_by_two_files_is_one_node(tmp_path, monkeypatch):
    """The reviewer's case: the class is in one file, the reference in the other."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(f"""@prefix ex: <{EX}> . @prefix sh: <http://www.w3.org/ns/shacl#> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:class ex:C ] .
""", encoding="utf-8")
    first, second = tmp_path / "one.ttl", tmp_path / "two.ttl"
    first.write_text(f"<{EX}a> <{EX}p> _:x .\n", encoding="utf-8")
    second.write_text(f"_:x a <{EX}C> .\n", encoding="utf-8")
    without = outcome(monkeypatch, False, [first, second], shapes=[shapes])
    assert without[0] == []
    assert outcome(monkeypatch, True, [first, second], shapes=[shapes]) == without


def _ahead_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "vitd-kg-shacl-ahead"]


def test_the_thread_has_stopped_when_the_gate_refuses_a_file(tmp_path, monkeypatch):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    monkeypatch.setattr(pipeline, "SHACL_AHEAD", True)
    started = []
    real = pipeline.ShaclAhead.__init__
    monkeypatch.setattr(pipeline.ShaclAhead, "__init__", lambda self, *a: (started.append(1), real(self, *a))[1])
    with pytest.raises(InputError, match="bad.ttl"):
        vitd_kg.validate([CONTEXT, bad])
    assert started == [1]
    assert not _ahead_threads()


def test_the_collector_is_back_as_it_was(monkeypatch):
    monkeypatch.setattr(pipeline, "SHACL_AHEAD", True)
    assert gc.isenabled()
    vitd_kg.validate([CONTEXT])
    assert gc.isenabled()
    gc.disable()
    try:
        vitd_kg.validate([CONTEXT])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_thread_is_not_started_for_other_formats_or_pyshacl(monkeypatch):
    monkeypatch.setattr(pipeline, "SHACL_AHEAD", True)
    started = []
    real = pipeline.ShaclAhead.__init__
    monkeypatch.setattr(pipeline.ShaclAhead, "__init__", lambda self, *a: (started.append(1), real(self, *a))[1])
    vitd_kg.validate([CONTEXT, DATA / "valid" / "Document-inline-context.jsonld"])
    vitd_kg.validate([CONTEXT], engine="pyshacl")
    vitd_kg.validate([CONTEXT])
    assert started == [1]


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if f.parent.name == "shacl-invalid"][:3],
                         ids=lambda f: f.name)
def test_the_gates_thread_takes_shapes_once_it_is_done(fixture, monkeypatch):
    """Once the gate is done, its thread validates the shapes not yet handed out, beside the
    thread ahead (made sure of here: the thread ahead holds its first shape until the
    gate's thread has validated one), and the report is the one a single thread gives."""
    ran: list[str] = []
    helped = threading.Event()
    real = fast_shacl._Run.shape

    def shape(run, node):
        name = threading.current_thread().name
        if name == "vitd-kg-shacl-ahead" and not helped.wait(timeout=20):
            helped.set()  # never helped: wait no more
        real(run, node)
        ran.append(name)
        if threading.current_thread() is threading.main_thread():
            helped.set()

    monkeypatch.setattr(fast_shacl._Run, "shape", shape)
    shared = outcome(monkeypatch, True, [CONTEXT, fixture])
    assert {"vitd-kg-shacl-ahead", threading.main_thread().name} <= set(ran)
    monkeypatch.setattr(fast_shacl._Run, "shape", real)
    assert shared == outcome(monkeypatch, False, [CONTEXT, fixture])




ROOT = Path(__file__).parent.parent


def _canonical(path: Path, *, lenient: bool, base: bool) -> list[str] | None:
    """The triples of a Turtle or N-Triples file loaded as the thread ahead loads it
    (``lenient``, no base IRI) or strictly, as the gate parses it, blank nodes canonically
    labelled; None if refused. ``base``: with the file's IRI as base, so that the files
    the W3C suite writes with relative IRIs are compared too."""
    rdf_format = ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE
    data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    store = ox.Store()
    try:
        store.load(data, format=rdf_format, base_iri=path.as_uri() if base else None, to_graph=ox.DefaultGraph(),
                   lenient=lenient)
    except SyntaxError:
        return None
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(map(str, dataset))


#: every Turtle and N-Triples file of the repository that the strict parse accepts, with
#: no base IRI (as validate loads them) and with one
ACCEPTED = sorted(
    (p, base) for folder in ("tests", "data", "ontology") for p in (ROOT / folder).rglob("*")
    if p.suffix in (".ttl", ".nt") and p.is_file()
    for base in (False, True) if _canonical(p, lenient=False, base=base) is not None
)


@pytest.mark.parametrize(("path", "base"), ACCEPTED,
                         ids=[f"{p.relative_to(ROOT)}{'+base' if b else ''}" for p, b in ACCEPTED])
def test_the_threads_lenient_load_gives_what_the_strict_parse_accepts(path, base):
    """The thread ahead loads leniently, trusting the gate's strict parse to refuse bad
    input: every Turtle and N-Triples file of the repository (the W3C SHACL suite's among
    them) that the strict parse accepts gives the same triples leniently."""
    assert _canonical(path, lenient=True, base=base) == _canonical(path, lenient=False, base=base)


def test_the_lenient_load_is_checked_without_a_base_and_on_the_w3c_suite():
    assert sum(not base for _, base in ACCEPTED) > 100
    assert sum("w3c-shacl" in p.parts for p, _ in ACCEPTED) > 100
