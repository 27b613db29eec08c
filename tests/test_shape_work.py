"""Several threads validating one store's shapes give the report one thread gives.

``fast_shacl.validate_store`` hands its shapes out to ``workers`` threads
(``fast_shacl.ShapeWork``). Checked against the single thread on the W3C SHACL suite's
compiled tests and on every SHACL-invalid fixture with the claims shapes: the same results
in the same order, the same shape runs, or the same error. Where shapes raise, the error
of the first in the shapes' order is raised even when a later shape raised first; a stop
ends every thread; the collector is back as it was, and no thread frees another's query
results.
"""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from vitd_kg import load_store
from vitd_kg.validation import fast_shacl
from vitd_kg.validation.pipeline import shapes_graph
from vitd_kg.validation.shacl_engine import fast_engine_shapes, load_shapes
from vitd_kg.validation.shacl_report import sort_key

from test_validate_ahead import COMPILED  # noqa: E402 - the W3C tests the fast engine compiles

HERE = Path(__file__).parent / "data"
CLAIM_SHAPES = Graph().parse(HERE / "shapes" / "claims-shapes.ttl", format="turtle")
INVALID = sorted((HERE / "shacl-invalid").glob("*.ttl"))


def in_order(results: list) -> list:
    """Results in a total order: Oxigraph gives a query's rows in an order that may change
    from one run to the next, even on one thread, and the report's order (``sort_key``)
    leaves results that differ only in their messages as they came."""
    return sorted(results, key=lambda r: (sort_key(r), r.messages, str(r.severity)))


def outcome(store: ox.Store, shapes: Graph, workers: int):
    """The results and each shape's run (shapes in their order); or the error, as text."""
    runs: list[fast_shacl.ShapeRun] = []
    try:
        report = fast_shacl.validate_store(store, shapes, shape_runs=runs, workers=workers)
    except fast_shacl.UnsupportedShapes as error:
        return ("error", str(error))
    return report.conforms, in_order(report.results), [(run.shape, in_order(run.results)) for run in runs]


@pytest.mark.parametrize("test", [t for t, _ in COMPILED], ids=[i for _, i in COMPILED])
def test_w3c_any_number_of_workers_gives_one_workers_report(test):
    shapes = fast_engine_shapes(load_shapes(test.shapes_file))
    store = ox.Store()
    store.load(test.data_file.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=test.data_file.as_uri())
    alone = outcome(store, shapes, 1)
    assert outcome(store, shapes, 2) == alone
    assert outcome(store, shapes, 5) == alone


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_fixtures_any_number_of_workers_gives_one_workers_report(tmp_path, path):
    (tmp_path / path.name).write_bytes(path.read_bytes())
    store = load_store(tmp_path)
    alone = outcome(store, CLAIM_SHAPES, 1)
    assert alone[0] is False, "the fixture must fail a shape"
    assert outcome(store, CLAIM_SHAPES, 3) == alone


def test_the_bundled_data_with_two_workers():
    store = load_store()
    shapes = fast_engine_shapes(shapes_graph())
    report = fast_shacl.validate_store(store, shapes, workers=2)
    assert report.conforms and report == fast_shacl.validate_store(store, shapes, workers=1)


SLOW_THEN_FAST = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/work#> .
ex:A a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select '''
    SELECT $this (COUNT(*) > 0 AS ?failure) WHERE {
      $this a <http://example.org/work#C> . ?a ?b ?c . ?d ?e ?f } GROUP BY $this''' ] .
ex:B a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select '''
    SELECT $this (true AS ?failure) WHERE { $this a <http://example.org/work#C> . }''' ] .
"""


def test_the_first_shapes_error_is_raised_though_a_later_one_came_first(monkeypatch):
    """ex:A (first in order) fails after a long count; ex:B fails at once, on the other thread."""
    shapes = Graph().parse(data=SLOW_THEN_FAST, format="turtle")
    store = ox.Store()
    store.load(b"".join(b"<http://example.org/work#n%d> a <http://example.org/work#C> .\n" % n for n in range(120)),
               format=ox.RdfFormat.TURTLE)
    failed_at: dict[str, float] = {}
    real = fast_shacl._Run.shape

    def timed(run, shape):
        try:
            real(run, shape)
        except fast_shacl.UnsupportedShapes:
            failed_at[str(shape).rsplit("#", 1)[-1]] = len(failed_at)
            raise

    monkeypatch.setattr(fast_shacl._Run, "shape", timed)
    with pytest.raises(fast_shacl.UnsupportedShapes, match="work#A|ex:A"):
        fast_shacl.validate_store(store, shapes, workers=2)
    assert failed_at == {"B": 0, "A": 1}, "ex:B must have failed first for this test to mean something"
    failed_at.clear()
    with pytest.raises(fast_shacl.UnsupportedShapes, match="work#A|ex:A"):
        fast_shacl.validate_store(store, shapes, workers=1)
    assert failed_at == {"A": 0}


@pytest.mark.parametrize("workers", [1, 3])
def test_a_stop_ends_every_worker(workers):
    stop = threading.Event()
    stop.set()
    with pytest.raises(fast_shacl.Stopped):
        fast_shacl.validate_store(load_store(), CLAIM_SHAPES, stop=stop, workers=workers)
    assert not [t for t in threading.enumerate() if t.name.startswith("vitd-kg-shacl-")]


def test_no_thread_frees_anothers_query_results(capfd):
    """pyoxigraph's query results belong to their thread: the collector stays off while the
    workers run, and is back on after; nothing is printed about results freed elsewhere."""
    assert gc.isenabled()
    store = load_store()
    for path in INVALID[:5]:
        store.load(path.read_bytes(), format=ox.RdfFormat.TURTLE)
    seen = []
    real = fast_shacl._Run.shape
    monkeypatch_shape = lambda run, shape: (seen.append(gc.isenabled()), real(run, shape))[1]  # noqa: E731
    fast_shacl._Run.shape = monkeypatch_shape
    try:
        fast_shacl.validate_store(store, CLAIM_SHAPES, workers=3)
    finally:
        fast_shacl._Run.shape = real
    gc.collect()
    assert seen and not any(seen)
    assert gc.isenabled()
    assert "unsendable" not in capfd.readouterr().err


def test_default_workers_is_one_per_core_and_bounded():
    assert 1 <= fast_shacl.default_workers() <= fast_shacl.MOST_WORKERS


def test_lexical_checks_parse_on_the_callers_thread(monkeypatch):
    """With a literal the store rewrites, SPARQL constraints are read by rdflib's parser,
    whose garbage holds query results: parsed on a worker, they were freed on another thread."""
    from vitd_kg.validation.shacl_engine import prepare

    data_ttl = ("@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
                + "".join(f'ex:n{i} a ex:C ; ex:v "0.50"^^xsd:decimal ; ex:name "n{i}" .\n' for i in range(50)))
    shapes = Graph().parse(format="turtle", data="@prefix sh: <http://www.w3.org/ns/shacl#> . "
                           "@prefix ex: <http://example.org/> .\n" + "".join(
        f"ex:S{k} a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select '''SELECT $this WHERE "
        f"{{ $this <http://example.org/name> ?n . FILTER(STRLEN(STR(?n)) > {100 + k}) }}''' ] .\n"
        for k in range(6)))
    fast_shacl._algebra.cache_clear()
    data = prepare(Graph().parse(data=data_ttl, format="turtle"), shapes)
    assert data.originals
    dropped: list[str] = []  # Python reports a value freed on the wrong thread as "unraisable"
    monkeypatch.setattr(sys, "unraisablehook", lambda found: dropped.append(str(found.exc_value)))
    assert fast_shacl.validate_store(data, shapes, workers=2).conforms
    gc.collect()
    assert not [text for text in dropped if "unsendable" in text]
