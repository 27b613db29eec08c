"""A reload into a real Oxigraph server: only the graphs that changed are written, in one
update, exactly as the release has them; a lost or refused update loses nothing."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from servers import BasicAuthProxy
from test_load import (  # noqa: F401 - server and graphs are fixtures
    PASSWORD,
    all_graph_names,
    client_for,
    expected_content,
    graphs,
    recorded_writes,
    with_literals_changed,
    server,
    snapshot,
)
from vitd_kg.cli import main
from vitd_kg.cli.exit_codes import exit_code_of
from vitd_kg.publishing import upload as loading
from vitd_kg.publishing.sparql_client import (
    EndpointUnreachable,
    OutcomeUnknown,
    SparqlClient,
    VerificationFailed,
    endpoint_from,
)

XSD = "http://www.w3.org/2001/XMLSchema#"
S, P = ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p")


def has_blank_node(triples) -> bool:
    return any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples)


def loaded(server, graphs) -> None:
    with client_for(server) as client:
        loading.load_graphs(client, graphs, progress=False)


def reloaded(server, graphs, **options) -> loading.LoadReport:
    with client_for(server) as client:
        return loading.load_graphs(client, graphs, **{"progress": False, **options})


def test_reloading_the_same_release_writes_nothing(server, graphs, monkeypatch):
    """Every graph is read back and found equal, those with blank nodes (the ontology's
    lists and axioms) up to their labels: not one request writes."""
    assert any(has_blank_node(triples) for triples in graphs.values()), "the bundled release has blank nodes"
    loaded(server, graphs)
    writes = recorded_writes(monkeypatch)
    report = reloaded(server, graphs)
    assert writes == []
    assert report.method == "none" and report.requests == 0
    assert {c.action for c in report.changes} == {"unchanged"}
    assert all(c.before == c.after == len(graphs[c.graph]) for c in report.changes)


def test_the_graphs_that_changed_are_found_and_replaced(server, graphs, monkeypatch):
    """Same triple counts, one literal changed in every third graph: exactly those are written."""
    new_graphs = with_literals_changed(graphs)
    loaded(server, graphs)
    writes = recorded_writes(monkeypatch)
    report = reloaded(server, new_graphs)
    differ = {name for name in graphs if graphs[name] != new_graphs[name]}
    assert len(differ) > 2
    assert {c.graph for c in report.changes if c.action == "replaced"} == differ
    assert report.method == "update"
    [update] = [body for _, url, body in writes if url.endswith("/update")]
    assert all(f"GRAPH <{name}>".encode() not in update for name in graphs if name not in differ)
    assert snapshot(server, new_graphs) == expected_content(new_graphs)
    assert not any(g.startswith(loading.STAGING_PREFIX) for g in all_graph_names(server)), "the marker graph is left"


def blank_graphs(*shapes: list[tuple]) -> dict:
    """Graphs ``https://example.org/graphs/N`` from triples written as tuples of
    ``"_:label"`` (a blank node), ``"<iri>"`` or anything else (a literal)."""
    def term(text):
        if text.startswith("_:"):
            return ox.BlankNode(text[2:])
        return ox.NamedNode(text[1:-1]) if text.startswith("<") else ox.Literal(text)

    return {f"https://example.org/graphs/{n}": [ox.Triple(*map(term, triple)) for triple in shape]
            for n, shape in enumerate(shapes)}


RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LIST = [("<https://example.org/s>", "<https://example.org/p>", "_:l1"),
        ("_:l1", f"<{RDF}first>", "a"), ("_:l1", f"<{RDF}rest>", "_:l2"),
        ("_:l2", f"<{RDF}first>", "b"), ("_:l2", f"<{RDF}rest>", f"<{RDF}nil>")]
SWAPPED = [(s, p, {"a": "b", "b": "a"}.get(o, o)) for s, p, o in LIST]
CYCLE = [("_:a", "<https://example.org/p>", "_:b"), ("_:b", "<https://example.org/p>", "_:a")]
SELF_LOOPS = [("_:a", "<https://example.org/p>", "_:a"), ("_:b", "<https://example.org/p>", "_:b")]
TWINS = [("<https://example.org/s>", "<https://example.org/p>", "_:t1"), ("_:t1", "<https://example.org/q>", "x"),
         ("<https://example.org/s>", "<https://example.org/p>", "_:t2"), ("_:t2", "<https://example.org/q>", "x")]
PLAIN = [("<https://example.org/s>", "<https://example.org/p>", "<https://example.org/o>")]


def canonical(quads) -> set[str]:
    """Quads with canonical blank-node labels and literals as a store keeps them."""
    from vitd_kg.rdf.canonical import canonical_quads

    store = ox.Store()
    store.extend(quads)
    return {str(quad) for quad in canonical_quads(store)}


def store_holds(server, graphs) -> bool:
    """Whether the server's whole dataset is ``graphs``, blank-node structure and all."""
    answer = httpx.get(server.base + "/store", headers={"Accept": "application/n-quads"}, timeout=30)
    answer.raise_for_status()
    held = canonical(ox.parse(answer.content, format=ox.RdfFormat.N_QUADS))
    return held == canonical(ox.Quad(*t, ox.NamedNode(g)) for g, triples in graphs.items() for t in triples)


@pytest.mark.parametrize("shape", [LIST, CYCLE, SELF_LOOPS, TWINS], ids=["list", "cycle", "self-loops", "twins"])
def test_graphs_with_blank_nodes_compare_equal_up_to_labels(server, monkeypatch, shape):
    release = blank_graphs(shape, PLAIN)
    loaded(server, release)
    relabelled = {name: [ox.Triple(*(ox.BlankNode("z" + t.value) if isinstance(t, ox.BlankNode) else t for t in triple))
                         for triple in triples] for name, triples in release.items()}
    writes = recorded_writes(monkeypatch)
    assert reloaded(server, relabelled).method == "none" and writes == []
    assert store_holds(server, relabelled)


@pytest.mark.parametrize("old, new", [(LIST, SWAPPED), (CYCLE, SELF_LOOPS)], ids=["list-order", "cycle-vs-loops"])
def test_blank_node_structures_that_differ_with_the_same_count_are_found(server, old, new):
    loaded(server, blank_graphs(old, PLAIN))
    report = reloaded(server, blank_graphs(new, PLAIN))
    assert [c.action for c in report.changes] == ["replaced", "unchanged"]
    assert store_holds(server, blank_graphs(new, PLAIN)) and not store_holds(server, blank_graphs(old, PLAIN))
    assert reloaded(server, blank_graphs(new, PLAIN)).method == "none"


def test_a_blank_node_two_graphs_share_is_written_with_both(server):
    """Shared in the release: both graphs always go together. Shared on the server but not
    in the release: each graph alone matches, but the store holds one node, so both are written."""
    shared = blank_graphs([("<https://example.org/s>", "<https://example.org/p>", "_:x")],
                          [("<https://example.org/t>", "<https://example.org/p>", "_:x")], PLAIN)
    separate = blank_graphs([("<https://example.org/s>", "<https://example.org/p>", "_:y")],
                            [("<https://example.org/t>", "<https://example.org/p>", "_:z")], PLAIN)
    loaded(server, shared)
    assert [c.action for c in reloaded(server, shared).changes] == ["replaced", "replaced", "unchanged"]
    with client_for(server) as client:
        _, rows = client.select_terms("SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { GRAPH ?g { ?s ?p ?b } FILTER(isBlank(?b)) }")
    assert int(rows[0]["n"].value) == 1, "the release's one shared node is one node in the store"
    assert [c.action for c in reloaded(server, separate).changes] == ["replaced", "replaced", "unchanged"]
    assert store_holds(server, separate) and not store_holds(server, shared)
    assert [c.action for c in reloaded(server, separate).changes] == ["unchanged"] * 3


def literal(value: str, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)) if datatype else ox.Literal(value)


#: Literals whose written forms differ between N-Triples and TSV, or need escapes.
AWKWARD = [
    literal("1", "integer"), literal("01", "integer"), literal("-0", "integer"), literal("1.0", "decimal"),
    literal(".5", "decimal"), literal("1E0", "double"), literal("1.0e-3", "double"), literal("NaN", "double"),
    literal("INF", "double"), literal("true", "boolean"), literal("1", "boolean"), literal("2024-01-02", "date"),
    literal("tab\there"), literal("new\nline"), literal("carriage\rreturn"), literal('quote " inside'),
    literal("back\\slash"), literal("\\u0041 is not A"), literal("é, 漢字, 😀"), literal("e\u0301"),
    literal("a", language="en"), literal("a", language="en-gb"), literal("x", "string"), literal("x", "token"),
    literal(""), literal(" "), literal("<not-an-iri>"), literal("_:not-a-blank-node"), literal("ends with a dot ."),
    literal('"""'), literal("\u0001 control"),
]


def awkward_graphs(extra: bool = False) -> dict:
    triples = [ox.Triple(S, ox.NamedNode(f"https://example.org/p{i}"), lit) for i, lit in enumerate(AWKWARD)]
    triples.append(ox.Triple(S, P, ox.NamedNode("https://example.org/o?q=1&r=%20#frag")))
    if extra:
        triples.append(ox.Triple(S, P, literal("one more")))
    return {"https://example.org/graphs/awkward": triples, "https://example.org/graphs/plain": [ox.Triple(S, P, S)]}


def test_awkward_literals_compare_equal_when_unchanged(server, monkeypatch):
    loaded(server, awkward_graphs())
    writes = recorded_writes(monkeypatch)
    report = reloaded(server, awkward_graphs())
    assert writes == [] and report.method == "none"


def test_awkward_literals_are_written_by_the_update_as_a_first_load_writes_them(server):
    """The update's INSERT DATA carries N-Triples: the store ends as a first load of the same release leaves it."""
    new_graphs = awkward_graphs(extra=True)
    loaded(server, awkward_graphs())
    report = reloaded(server, new_graphs)
    assert report.method == "update"
    assert [c.action for c in report.changes] == ["replaced", "unchanged"]
    after_update = snapshot(server, new_graphs)
    with client_for(server) as client:
        client.update("DROP ALL")
    assert reloaded(server, new_graphs).method == "transaction"
    assert snapshot(server, new_graphs) == after_update


@pytest.mark.parametrize("old, new", [
    (literal("1", "integer"), literal("2", "integer")),
    (literal("1", "integer"), literal("1", "decimal")),
    (literal("1.5", "decimal"), literal("1.50001", "decimal")),
    (literal("true", "boolean"), literal("false", "boolean")),
    (literal("a", language="en"), literal("a", language="de")),
    (literal("a", language="en"), literal("a")),
    (literal("x"), literal("x", "token")),
    (literal("a\tb"), literal("a b")),
    (literal("é"), literal("e\u0301")),
    (literal("\\u0041"), literal("A")),
    (literal("https://example.org/o"), ox.NamedNode("https://example.org/o")),
], ids=["value", "datatype", "decimal", "boolean", "language", "language-vs-plain", "string-vs-token",
        "tab-vs-space", "nfc-vs-nfd", "escape-vs-letter", "literal-vs-iri"])
def test_a_term_changed_in_place_is_found(server, old, new):
    """One object changed, nothing else: the count is the same, the graph is replaced anyway."""
    loaded(server, one_term(old))
    report = reloaded(server, one_term(new))
    assert [c.action for c in report.changes] == ["replaced", "unchanged"]
    assert snapshot(server, one_term(new)) == expected_content(one_term(new))


def one_term(term) -> dict:
    return {"https://example.org/graphs/one": [ox.Triple(S, P, term)],
            "https://example.org/graphs/other": [ox.Triple(S, P, S)]}


@pytest.mark.parametrize("old, new", [
    (literal("1", "integer"), literal("01", "integer")),
    (literal("1", "decimal"), literal("1.0", "decimal")),
    (literal("true", "boolean"), literal("1", "boolean")),
    (literal("1", "double"), literal("1E0", "double")),
])
def test_a_literal_the_store_keeps_by_its_value_is_not_written_again(server, monkeypatch, old, new):
    """Oxigraph keeps "01"^^xsd:integer as 1: writing it again would leave the store as it is."""
    loaded(server, one_term(old))
    writes = recorded_writes(monkeypatch)
    report = reloaded(server, one_term(new))
    assert writes == [] and [c.action for c in report.changes] == ["unchanged", "unchanged"]


def test_an_update_longer_than_the_limit_stages_only_the_graphs_that_changed(server, graphs, monkeypatch):
    new_graphs = with_literals_changed(graphs)
    loaded(server, graphs)
    monkeypatch.setattr(loading, "UPDATE_BYTES", 1000)
    writes = recorded_writes(monkeypatch)
    report = reloaded(server, new_graphs)
    replaced = {c.graph for c in report.changes if c.action == "replaced"}
    assert report.method == "dataset" and 2 < len(replaced) < len(graphs)
    staged = b"".join(body for method, url, body in writes if method == "POST" and "/store" in url)
    assert staged.count(b"\n") == sum(len(new_graphs[name]) for name in replaced) + 1  # and the probe's quad
    assert snapshot(server, new_graphs) == expected_content(new_graphs)


def test_a_refused_update_falls_back_to_staging(server, graphs, monkeypatch):
    new_graphs = with_literals_changed(graphs)
    loaded(server, graphs)
    real = loading._replace_update
    monkeypatch.setattr(loading, "_replace_update", lambda graphs, marker: real(graphs, marker) + b" <broken")
    report = reloaded(server, new_graphs)
    assert report.method == "dataset"
    assert snapshot(server, new_graphs) == expected_content(new_graphs)


def test_an_unreadable_comparison_replaces_every_graph(server, graphs, monkeypatch):
    loaded(server, graphs)
    monkeypatch.setattr(SparqlClient, "select_tsv", lambda self, query: b"<html>a login page</html>")
    report = reloaded(server, graphs)
    assert {c.action for c in report.changes if graphs[c.graph]} == {"replaced"}
    assert snapshot(server, graphs) == expected_content(graphs)


def test_an_update_without_an_answer_or_its_marker_is_an_unknown_outcome(server, graphs, monkeypatch):
    """The connection breaks after the request went out and the marker is not there: the
    server may not have it, or may still be working on it (a gateway can drop the
    connection and leave it busy), so exit 8, naming the marker to watch for."""
    new_graphs = with_literals_changed(graphs)
    loaded(server, graphs)
    before = snapshot(server, graphs)

    def lost(self, text):
        raise EndpointUnreachable("POST /update: the connection was reset", request_sent=True)

    monkeypatch.setattr(SparqlClient, "update", lost)
    with client_for(server) as client, pytest.raises(OutcomeUnknown) as failure:
        loading.load_graphs(client, new_graphs, progress=False)
    assert exit_code_of(failure.value) == 8 and f"<{loading.STAGING_PREFIX}" in failure.value.hint
    monkeypatch.undo()
    assert snapshot(server, graphs) == before


TWO_INTEGERS = {"https://example.org/graphs/numbers": [ox.Triple(S, P, literal("1", "integer")),
                                                      ox.Triple(S, P, literal("01", "integer"))]}


@pytest.mark.parametrize("method", ["auto", "dataset"])
def test_literals_the_store_keeps_as_one_triple_stop_a_reload_before_it_writes(server, monkeypatch, method):
    """"1" and "01"^^xsd:integer are one triple in Oxigraph: the count after the load could
    never match, so nothing is replaced, and the hint says why."""
    old = {"https://example.org/graphs/numbers": [ox.Triple(S, P, literal("old"))]}
    loaded(server, old)
    with client_for(server) as client, pytest.raises(VerificationFailed) as failure:
        loading.load_graphs(client, TWO_INTEGERS, progress=False, method=method)
    assert exit_code_of(failure.value) == 6 and "nothing was replaced" in failure.value.message
    assert failure.value.hint == loading.MERGED_LITERALS
    assert snapshot(server, old) == expected_content(old)


def test_literals_the_store_keeps_as_one_triple_are_named_after_a_first_load(server):
    with client_for(server) as client, pytest.raises(VerificationFailed) as failure:
        loading.load_graphs(client, TWO_INTEGERS, progress=False)
    assert exit_code_of(failure.value) == 6 and failure.value.hint == loading.MERGED_LITERALS


def test_a_blank_node_inside_a_triple_term_that_two_graphs_share_stays_one_node(server):
    """RDF 1.2: the node is the subject of a triple term in one graph and of a triple in another."""
    node = ox.BlankNode("b1")
    release = {"https://example.org/graphs/a": [ox.Triple(S, P, ox.Triple(node, P, S))],
               "https://example.org/graphs/b": [ox.Triple(node, P, literal("x"))]}
    join = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/graphs/a> { ?s ?p ?t BIND(SUBJECT(?t) AS ?b) } "
            "GRAPH <https://example.org/graphs/b> { ?b ?q ?v } }")

    def joined() -> int:
        with client_for(server) as client:
            return int(client.select_terms(join)[1][0]["n"].value)

    loaded(server, release)
    assert joined() == 1
    assert [c.action for c in reloaded(server, release).changes] == ["replaced", "replaced"]
    assert joined() == 1


def test_the_comparison_shows_a_progress_bar_when_asked(server, graphs, capsys):
    loaded(server, graphs)
    capsys.readouterr()
    reloaded(server, graphs, progress=True)
    err = capsys.readouterr().err
    assert "comparing: 100%" in err and f"{sum(map(len, graphs.values()))}/{sum(map(len, graphs.values()))}" in err


def test_the_report_names_unchanged_graphs(server, graphs, capsys):
    assert main(["load", "--endpoint", server.query_url]) == 0
    capsys.readouterr()
    assert main(["load", "--endpoint", server.query_url]) == 0
    out = capsys.readouterr().out
    assert sum(line.startswith("unchanged ") for line in out.splitlines()) == len(graphs)
    assert f"(0 created, 0 replaced, {len(graphs)} unchanged) with nothing written, counts verified" in out
