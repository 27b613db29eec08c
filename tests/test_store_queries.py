"""Every bundled SELECT query gives the same rows on every store, for both layouts of a release.

A user loads a release in one of two layouts (docs/guide/compat.md):

* **named graphs**: ``vitd-kg.nq`` or ``vitd-kg.trig`` (the ontology, the data and one
  graph per claim), queried through the store's union default graph;
* **one graph**: ``vitd-kg.ttl`` or ``vitd-kg.nt``, in the default graph (on Virtuoso,
  which has none, in one named graph given as the query's ``default-graph-uri``).

Each layout is loaded into each store the way the store's own tools load a dump:
pyoxigraph and rdflib in memory; ``oxigraph load`` then ``oxigraph serve``; Virtuoso's bulk
loader through ``isql`` (queried right after the load and again after a restart: Virtuoso
plans differently once it has restarted); Jena's ``tdb2.tdbloader`` then ARQ over the TDB2
database. Every answer is compared, as a multiset of rows, with what ``vitd-kg query NAME``
answers on the bundled graph. Each store is started once and answers every query in one go.

The quad dumps are used as the release should ship them: without the SHACL shapes graph
(docs/guide/compat.md, "What the default graph means"), which the test removes until the
release stops writing it.
"""

from __future__ import annotations

import shutil
import warnings
from contextlib import ExitStack
from pathlib import Path
from typing import Callable

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal

import vitd_kg
from servers import (
    JenaServer,
    OxigraphServer,
    VirtuosoServer,
    isql_binary,
    jena_available,
    oxigraph_load,
    tdb2_load,
    tdb2_query,
    virtuoso_binary,
)
from query_results import normalize
from test_load import is_select
from test_load_virtuoso import embedded_form, local_form
from vitd_kg import load_store
from vitd_kg.publishing.sparql_client import SparqlClient, endpoint_from, json_term
from vitd_kg.rdf.terms import to_rdflib
from vitd_kg.sparql.engines import run_query
from vitd_kg.sparql.queries import bundled_queries

SHAPES_GRAPH = "https://w3id.org/vitd-kg/graph/shapes"
RELEASE_GRAPHS = "https://w3id.org/vitd-kg/graph/"
#: The named graph that holds the one-graph layout on Virtuoso (the guide's recipe).
ONE_GRAPH = "https://w3id.org/vitd-kg/graph/all"
GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "compat.md"

#: The loading recipes of docs/guide/compat.md, as the tests below run them (with their
#: own folders): store/layout -> lines that the guide shows verbatim.
RECIPES = {
    "oxigraph-server/named-graphs": [
        "oxigraph load --location /data/vitd --file vitd-kg.nq",
        "oxigraph serve --location /data/vitd --union-default-graph",
    ],
    "oxigraph-server/one-graph": [
        "oxigraph load --location /data/vitd --file vitd-kg.ttl",
        "oxigraph serve --location /data/vitd",
    ],
    "virtuoso/named-graphs": [
        "ld_dir('/data/release', 'vitd-kg.nq', 'https://w3id.org/vitd-kg/graph/data');",
        "rdf_loader_run();",
        "checkpoint;",
    ],
    "virtuoso/one-graph": [
        f"ld_dir('/data/release', 'vitd-kg.ttl', '{ONE_GRAPH}');",
        f"default-graph-uri={ONE_GRAPH}",
    ],
    "jena/named-graphs": [
        "tdb2.tdbloader --loc /data/vitd vitd-kg.nq",
        "tdb2.tdbquery --loc /data/vitd --set tdb:unionDefaultGraph=true --query QUERY.rq",
    ],
    "jena/one-graph": [
        "tdb2.tdbloader --loc /data/vitd vitd-kg.nt",
        "tdb2.tdbquery --loc /data/vitd --query QUERY.rq",
    ],
    "python/named-graphs": [
        "store.query(text, use_default_graph_as_union=True)",
        "dataset = rdflib.Dataset(default_union=True)",
    ],
}

QUERIES = [q for q in bundled_queries() if is_select(q.text)]
LAYOUTS = ("named-graphs", "one-graph")

Rows = list[dict]


# --- the release, in the two layouts -------------------------------------------------------


@pytest.fixture(scope="module")
def dumps(tmp_path_factory) -> dict[str, Path]:
    """The release's dumps by file name; the quad dumps without the shapes graph."""
    built = tmp_path_factory.mktemp("release") / "release"
    vitd_kg.dist(built)
    folder = tmp_path_factory.mktemp("dumps")
    for name, fmt in (("vitd-kg.nq", ox.RdfFormat.N_QUADS), ("vitd-kg.trig", ox.RdfFormat.TRIG)):
        quads = [q for q in ox.parse(path=str(built / name), format=fmt) if q.graph_name != ox.NamedNode(SHAPES_GRAPH)]
        ox.serialize(quads, str(folder / name), fmt)
    for name in ("vitd-kg.ttl", "vitd-kg.nt"):
        shutil.copyfile(built / name, folder / name)
    return {p.name: p for p in folder.iterdir()}


@pytest.fixture(scope="module")
def reference() -> dict[str, Rows]:
    """What ``vitd-kg query NAME`` answers: the embedded engine over the bundled graph."""
    store = load_store()
    return {q.name: run_query(store, q) for q in QUERIES}


# --- one function per store: load a layout, answer every query -----------------------------


def key(term) -> str:
    return "_:" if isinstance(term, BNode) else term.n3()


def exact(rows: Rows) -> list[tuple]:
    """Rows as comparable tuples: every term exactly (blank nodes are all alike)."""
    return sorted(tuple(sorted((name, key(term)) for name, term in row.items())) for row in rows)


def by_value(rows: Rows) -> list[tuple]:
    """Rows with numbers and booleans compared by value (for rdflib's computed literals)."""
    return sorted(tuple(sorted((name, normalize(term)) for name, term in row.items())) for row in rows)


def pyoxigraph_answers(layout: str, dumps: dict[str, Path], tmp: Path) -> dict[str, Rows]:
    store = ox.Store()
    if layout == "named-graphs":
        store.load(path=str(dumps["vitd-kg.trig"]), format=ox.RdfFormat.TRIG)
    else:
        store.load(path=str(dumps["vitd-kg.nt"]), format=ox.RdfFormat.N_TRIPLES)
    answers = {}
    for query in QUERIES:
        solutions = store.query(query.text, use_default_graph_as_union=layout == "named-graphs")
        names = [v.value for v in solutions.variables]
        answers[query.name] = [
            {name: to_rdflib(solution[name]) for name in names if solution[name] is not None}
            for solution in solutions
        ]
    return answers


def rdflib_answers(layout: str, dumps: dict[str, Path], tmp: Path) -> dict[str, Rows]:
    answers = {}
    with warnings.catch_warnings():
        # rdflib 7 warns about its own use of Dataset.default_context in every query
        warnings.simplefilter("ignore", DeprecationWarning)
        if layout == "named-graphs":
            graph = Dataset(default_union=True)
            graph.parse(dumps["vitd-kg.trig"], format="trig")
        else:
            graph = Graph().parse(dumps["vitd-kg.ttl"], format="turtle")
        for query in QUERIES:
            result = graph.query(query.text)
            names = [str(v) for v in result.vars]
            answers[query.name] = [{n: v for n, v in zip(names, row) if v is not None} for row in result]
    return answers


def http_answers(url: str, default_graphs: list[str] = ()) -> dict[str, Rows]:
    with SparqlClient(endpoint_from(url), read_timeout=120) as client:
        return {q.name: client.select(q.text, default_graphs)[1] for q in QUERIES}


def oxigraph_server_answers(layout: str, dumps: dict[str, Path], tmp: Path) -> dict[str, Rows]:
    location = tmp / "oxigraph"
    oxigraph_load(location, dumps["vitd-kg.nq" if layout == "named-graphs" else "vitd-kg.ttl"])
    with OxigraphServer(location, union_default_graph=layout == "named-graphs") as server:
        return http_answers(server.query_url)


def jena_answers(layout: str, dumps: dict[str, Path], tmp: Path) -> dict[str, Rows]:
    location = tmp / "tdb2"
    tdb2_load(location, dumps["vitd-kg.nq" if layout == "named-graphs" else "vitd-kg.nt"])
    with JenaServer(location, union_default_graph=layout == "named-graphs") as server:
        return http_answers(server.query_url)


def virtuoso_answers(layout: str, dumps: dict[str, Path], tmp: Path) -> dict[str, dict[str, Rows]]:
    """Answers right after the bulk load, and again after a restart."""
    with VirtuosoServer(tmp / "virtuoso") as server:
        if layout == "named-graphs":
            server.bulk_load(dumps["vitd-kg.nq"], "https://w3id.org/vitd-kg/graph/data")
            default_graphs: list[str] = []
        else:
            server.bulk_load(dumps["vitd-kg.ttl"], ONE_GRAPH)
            default_graphs = [ONE_GRAPH]
        fresh = http_answers(server.query_url, default_graphs)
        server.restart()
        restarted = http_answers(server.query_url, default_graphs)
        fresh["#system-triples"] = restarted["#system-triples"] = system_triples(server)
    return {"virtuoso": fresh, "virtuoso-restarted": restarted}


def system_triples(server: VirtuosoServer) -> int:
    """Triples in Virtuoso's own graphs (virtrdf#, ...), which its union default graph holds too."""
    with SparqlClient(endpoint_from(server.query_url)) as client:
        _, rows = client.select(
            f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
            f'FILTER(!STRSTARTS(STR(?g), "{RELEASE_GRAPHS}")) }}'
        )
    return int(rows[0]["n"])


def virtuoso_ready() -> bool:
    return virtuoso_binary() is not None and isql_binary() is not None


#: store -> (how it answers, why it may be unavailable)
STORES: dict[str, tuple[Callable, Callable[[], str | None]]] = {
    "pyoxigraph": (pyoxigraph_answers, lambda: None),
    "rdflib": (rdflib_answers, lambda: None),
    "oxigraph-server": (oxigraph_server_answers, lambda: None),
    "virtuoso": (virtuoso_answers, lambda: None if virtuoso_ready() else "Virtuoso (virtuoso-opensource) is not installed"),
    "virtuoso-restarted": (virtuoso_answers, lambda: None if virtuoso_ready() else "Virtuoso (virtuoso-opensource) is not installed"),
    "jena": (jena_answers, lambda: None if jena_available() else "Jena's jars (libjena-*-java) or a JDK are not installed"),
}


class Answers:
    """Each store's answers for a layout, computed on first use (one server start each)."""

    def __init__(self, dumps: dict[str, Path], tmp_path_factory) -> None:
        self.dumps = dumps
        self.tmp_path_factory = tmp_path_factory
        self.cache: dict[tuple[str, str], dict[str, Rows]] = {}

    def __call__(self, store: str, layout: str) -> dict[str, Rows]:
        if (store, layout) not in self.cache:
            answer, _ = STORES[store]
            tmp = self.tmp_path_factory.mktemp(f"{store}-{layout}")
            found = answer(layout, self.dumps, tmp)
            if store.startswith("virtuoso"):
                for name, answers in found.items():
                    self.cache[(name, layout)] = answers
            else:
                self.cache[(store, layout)] = found
        return self.cache[(store, layout)]


@pytest.fixture(scope="module")
def answers(dumps, tmp_path_factory) -> Answers:
    return Answers(dumps, tmp_path_factory)


# --- the comparison ---------------------------------------------------------------------------


def cases():
    for store, (_, unavailable) in STORES.items():
        reason = unavailable()
        for layout in LAYOUTS:
            for query in QUERIES:
                marks = [pytest.mark.skip(reason=reason)] if reason else []
                yield pytest.param(store, layout, query, id=f"{store}-{layout}-{query.name}", marks=marks)


@pytest.mark.parametrize(("store", "layout", "query"), list(cases()))
def test_every_bundled_query_answers_the_same_on_every_store(answers, reference, store, layout, query):
    found = answers(store, layout)
    remote, local = found[query.name], reference[query.name]
    if store.startswith("virtuoso"):
        # Virtuoso's documented differences (docs/guide/compat.md), undone by value only
        local_types: dict[str, set] = {}
        for row in local:
            for name, term in row.items():
                local_types.setdefault(name, set()).add(getattr(term, "datatype", None))
        remote_rows = sorted(repr(embedded_form(row, local_types)) for row in remote)
        if query.name == "stats/triple-count" and layout == "named-graphs":
            # the union default graph of Virtuoso also holds Virtuoso's own system graphs
            count = int(remote[0]["triples"]) - found["#system-triples"]
            remote_rows = [repr(embedded_form({"triples": Literal(count)}, local_types))]
        assert remote_rows == sorted(repr(local_form(row)) for row in local)
    elif store == "rdflib":
        # rdflib computes aggregates with its own numeric types: compared by value
        assert by_value(remote) == by_value(local)
    else:
        assert exact(remote) == exact(local)


def test_the_comparison_is_not_vacuous(reference):
    answered = [name for name, rows in reference.items() if rows]
    assert len(answered) > len(QUERIES) / 2
    assert {"claims/claim", "audit/rests-on-uncontrolled-evidence-only", "maps/chain-claims"} <= set(answered)


def test_the_quad_dumps_hold_the_graph_in_named_graphs_only(dumps, reference):
    """Without a union default graph a store sees nothing: the guide's recipes must ask for one."""
    store = ox.Store()
    store.load(path=str(dumps["vitd-kg.nq"]), format=ox.RdfFormat.N_QUADS)
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 0
    union = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", use_default_graph_as_union=True)))
    assert int(union["n"].value) == int(reference["stats/triple-count"][0]["triples"])


def test_the_guide_shows_the_recipes_these_tests_run():
    guide = GUIDE.read_text(encoding="utf-8")
    for recipe, lines in RECIPES.items():
        for line in lines:
            assert line in guide, f"{recipe}: docs/guide/compat.md does not show {line!r}"


@pytest.mark.skipif(not jena_available(), reason="Jena's jars (libjena-*-java) or a JDK are not installed")
@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_jena_command_line_recipe_answers_like_vitd_kg_query(dumps, reference, tmp_path, layout):
    """``tdb2.tdbloader`` then ``tdb2.tdbquery`` (with ``--set tdb:unionDefaultGraph=true`` for the quads)."""
    import json

    location = tmp_path / "tdb2"
    tdb2_load(location, dumps["vitd-kg.nq" if layout == "named-graphs" else "vitd-kg.nt"])
    for name in ("stats/triple-count", "claims/claim"):
        query = next(q for q in QUERIES if q.name == name)
        payload = json.loads(tdb2_query(location, query.text, union_default_graph=layout == "named-graphs"))
        rows = [{k: to_rdflib(json_term(v)) for k, v in b.items()} for b in payload["results"]["bindings"]]
        assert exact(rows) == exact(reference[name])
