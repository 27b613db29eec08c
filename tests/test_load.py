"""`vitd-kg load` into a real Oxigraph server: same answers as the embedded engine, and faults lose nothing."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs

import httpx
import pyoxigraph as ox
import pytest
from rdflib import BNode

from servers import BasicAuthProxy, OxigraphServer
from vitd_kg.publishing import upload as loading
import vitd_kg
from vitd_kg.exports import rdf as release
from vitd_kg import resources
from vitd_kg.cli import main
from vitd_kg.cli.exit_codes import exit_code_of
from vitd_kg import load_store
from vitd_kg.rdf.terms import to_rdflib
from vitd_kg.sparql.engines import run_query
from vitd_kg.sparql.queries import bundled_queries
from vitd_kg.publishing.sparql_client import (
    AuthenticationRefused,
    EndpointUnreachable,
    OutcomeUnknown,
    RequestRejected,
    SparqlClient,
    VerificationFailed,
    endpoint_from,
)

PASSWORD = "s3cret-Pa55"


@pytest.fixture()
def server(tmp_path):
    """A fresh Oxigraph server on loopback with an on-disk store; stopped after the test."""
    with OxigraphServer(tmp_path / "store") as running:
        yield running


@pytest.fixture(scope="module")
def graphs() -> dict:
    return vitd_kg.open().release_dataset.graphs


def client_for(server) -> SparqlClient:
    return SparqlClient(endpoint_from(server.query_url), connect_timeout=2, read_timeout=30, backoff=0.05)


def snapshot(server, names) -> dict[str, set]:
    """Every triple of every named graph on the server, as text."""
    with client_for(server) as client:
        result = {}
        for name in names:
            _, rows = client.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
            result[name] = {(_norm(r["s"]), str(r["p"]), _norm(r["o"])) for r in rows}
        return result


def all_graph_names(server) -> list[str]:
    with client_for(server) as client:
        _, rows = client.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return sorted(str(r["g"]) for r in rows)


def _norm(term):
    return "_:b" if isinstance(term, BNode) else term.n3()


def changed_data(tmp_path):
    """A copy of the bundled data with one claim file removed: a different release."""
    data = tmp_path / "data-v2"
    data.mkdir()
    for entry in resources.data_files():
        if entry.name != "conclusion.ttl":
            (data / entry.name).write_bytes(entry.read_bytes())
    return data


def with_literals_changed(graphs, every: int = 3) -> dict:
    """``graphs`` with one literal changed in every ``every``-th graph that has one: the same counts."""
    changed, n = {}, 0
    for name, triples in graphs.items():
        triples = list(triples)
        at = next((i for i, t in enumerate(triples) if isinstance(t.object, ox.Literal)), None)
        if at is not None:
            if n % every == 0:
                t = triples[at]
                triples[at] = ox.Triple(t.subject, t.predicate, ox.Literal(t.object.value + " (v2)"))
            n += 1
        changed[name] = triples
    return changed


def is_select(text: str) -> bool:
    body = re.sub(r"(?m)^\s*(#.*|PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*$", "", text)
    match = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE)
    return bool(match) and match.group(1).upper() == "SELECT"


def test_load_creates_every_graph_and_reports_counts(server, graphs, capsys):
    assert main(["load", "--endpoint", server.query_url]) == 0
    out = capsys.readouterr().out
    assert sum(line.startswith("created ") for line in out.splitlines()) == len(graphs)
    with client_for(server) as client:
        for name, triples in graphs.items():
            assert client.count(name) == len(triples), name
        assert client.graphs_with_prefix(loading.STAGING_PREFIX) == []


@pytest.mark.parametrize("query", [q for q in bundled_queries() if is_select(q.text)], ids=lambda q: q.name)
def test_every_bundled_query_answers_the_same_over_http(server, graphs, query):
    with client_for(server) as client:
        loading.load_graphs(client, graphs, progress=False)
        default_graphs = [g for g in graphs if g != release.SHAPES_GRAPH]
        names, remote = client.select(query.text, default_graphs)
    local = run_query(load_store(), query)  # a check query may rightly return no rows on both

    def rows(found):
        return sorted(tuple((k, _norm(v)) for k, v in sorted(row.items())) for row in found)

    assert rows(remote) == rows(local)


def test_the_query_comparison_is_not_vacuous():
    store = load_store()
    answered = [q.name for q in bundled_queries() if is_select(q.text) and run_query(store, q)]
    assert answered, "no bundled SELECT query returns rows: comparing answers over HTTP would prove nothing"


def test_progress_bar_shows_when_asked(server, graphs, capsys):
    with client_for(server) as client:
        loading.load_graphs(client, graphs, progress=True)
    assert "triple" in capsys.readouterr().err


def test_loading_again_replaces_and_reports_before_and_after(server, graphs):
    with client_for(server) as client:
        loading.load_graphs(client, graphs, progress=False)
        report = loading.load_graphs(client, graphs, progress=False, method="dataset")
    assert {c.action for c in report.changes} == {"replaced"}
    assert all(c.before == c.after == len(graphs[c.graph]) for c in report.changes)


def test_load_a_built_release_into_one_named_graph(server, tmp_path, graphs, capsys):
    built = tmp_path / "release"
    vitd_kg.dist(built)
    target = "https://example.org/graphs/vitd"
    assert main(["load", "--endpoint", server.query_url, "--release", str(built), "--graph", target, "--format", "json"]) == 0
    assert '"action": "created"' in capsys.readouterr().out
    with client_for(server) as client:
        assert client.count(target) == len(vitd_kg.open().release_dataset.union())


def test_a_damaged_release_is_refused_before_contacting_the_server(tmp_path, capsys):
    built = tmp_path / "release"
    vitd_kg.dist(built)
    dump = built / "vitd-kg.nq"
    dump.write_bytes(dump.read_bytes().replace(b"vitamin", b"vitamine", 1))
    assert main(["load", "--endpoint", "http://127.0.0.1:9/query", "--release", str(built)]) == 2
    assert "checksum" in capsys.readouterr().err


def test_server_killed_mid_load_leaves_the_old_graphs_intact(server, graphs, tmp_path):
    with client_for(server) as client:
        loading.load_graphs(client, graphs, progress=False)
    before = snapshot(server, graphs)
    new_graphs = vitd_kg.open(changed_data(tmp_path)).release_dataset.graphs

    def crash_after_three(index, graph):
        if index == 2:
            server.stop(crash=True)

    with client_for(server) as client, pytest.raises(EndpointUnreachable) as failure:
        loading.load_graphs(client, new_graphs, progress=False, after_upload=crash_after_three, method="dataset")
    assert exit_code_of(failure.value) == 4
    assert "staging graph" in failure.value.hint
    server.start()
    assert snapshot(server, graphs) == before, "a target graph changed although the load failed"
    with client_for(server) as client:
        leftovers = client.graphs_with_prefix(loading.STAGING_PREFIX)
        assert leftovers, "the crash should have left staging graphs for the next run to remove"
        report = loading.load_graphs(client, new_graphs, progress=False)
        assert report.removed_stale == leftovers
        assert client.graphs_with_prefix(loading.STAGING_PREFIX) == []
        for name, triples in new_graphs.items():
            assert client.count(name) == len(triples)


def test_a_graph_the_server_cannot_parse_changes_nothing(server, graphs, monkeypatch, capsys):
    with client_for(server) as client:
        loading.load_graphs(client, graphs, progress=False)
    before = snapshot(server, graphs)
    real = loading.ntriples
    calls = []

    def broken_third(triples):
        calls.append(1)
        body = real(triples)
        return body + b"<broken" if len(calls) == 3 else body

    monkeypatch.setattr(loading, "ntriples", broken_third)
    assert main(["load", "--endpoint", server.query_url, "--method", "dataset"]) == 7
    assert "HTTP 400" in capsys.readouterr().err
    assert snapshot(server, graphs) == before
    assert not any(g.startswith(loading.STAGING_PREFIX) for g in all_graph_names(server))


def test_a_count_mismatch_in_staging_stops_before_the_swap(server, graphs, monkeypatch):
    with client_for(server) as client:
        loading.load_graphs(client, graphs, progress=False)
    before = snapshot(server, graphs)
    real_counts = SparqlClient.counts  # staging graphs are counted many per query

    def lying_counts(self, graphs):
        found = real_counts(self, graphs)
        return {graph: n - 1 if graph.startswith(loading.STAGING_PREFIX) else n for graph, n in found.items()}

    monkeypatch.setattr(SparqlClient, "counts", lying_counts)
    with client_for(server) as client, pytest.raises(VerificationFailed) as failure:
        loading.load_graphs(client, graphs, progress=False, method="dataset")
    assert exit_code_of(failure.value) == 6
    monkeypatch.undo()
    assert snapshot(server, graphs) == before
    assert not any(g.startswith(loading.STAGING_PREFIX) for g in all_graph_names(server))


def test_bad_credentials_stop_at_once_and_change_nothing(server, graphs, monkeypatch, capsys):
    with client_for(server) as client:
        loading.load_graphs(client, graphs, progress=False)
    before = snapshot(server, graphs)
    with BasicAuthProxy(server.base, "loader", PASSWORD) as proxy:
        monkeypatch.setenv("VITD_KG_PASSWORD", "wrong-password")
        assert main(["load", "--endpoint", proxy.query_url, "--user", "loader"]) == 5
        captured = capsys.readouterr()
        assert "refused the credentials (401)" in captured.err
        assert "wrong-password" not in captured.err + captured.out
        assert snapshot(server, graphs) == before
        monkeypatch.setenv("VITD_KG_PASSWORD", PASSWORD)
        assert main(["load", "--endpoint", proxy.query_url, "--user", "loader"]) == 0
        captured = capsys.readouterr()
        assert PASSWORD not in captured.err + captured.out
        assert "replaced" in captured.out


def test_an_unreachable_endpoint_exits_4(tmp_path, capsys):
    from servers import free_port

    assert main(["load", "--endpoint", f"http://127.0.0.1:{free_port()}/query", "--connect-timeout", "1"]) == 4
    assert "failed after 3 attempt(s)" in capsys.readouterr().err


def test_credentials_in_the_url_are_refused_without_echoing_them(capsys):
    assert main(["load", "--endpoint", f"http://loader:{PASSWORD}@127.0.0.1:7878/query"]) == 2
    err = capsys.readouterr().err
    assert "credentials in a URL are refused" in err
    assert PASSWORD not in err


def test_a_user_without_a_password_in_the_environment_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.delenv("VITD_KG_PASSWORD", raising=False)
    assert main(["load", "--endpoint", "http://127.0.0.1:9/query", "--user", "loader"]) == 2
    assert "VITD_KG_PASSWORD" in capsys.readouterr().err


def test_only_idempotent_requests_are_retried():
    attempts = {"PUT": 0, "POST": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        attempts[request.method] += 1
        if attempts[request.method] < 3:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(204)

    client = SparqlClient(endpoint_from("http://127.0.0.1:1/query"), transport=httpx.MockTransport(flaky), backoff=0.001)
    client.put_graph("urn:g", b"")
    assert attempts["PUT"] == 3
    with pytest.raises(EndpointUnreachable):
        client.update("CLEAR ALL")
    assert attempts["POST"] == 1


def test_a_query_goes_by_post_and_is_retried_as_it_has_no_side_effects():
    seen = []

    def flaky(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.headers["content-type"], request.content))
        if len(seen) < 3:
            raise httpx.ReadTimeout("no answer", request=request)
        return httpx.Response(200, json={"head": {"vars": ["n"]}, "results": {"bindings": []}})

    client = SparqlClient(endpoint_from("http://127.0.0.1:1/query"), transport=httpx.MockTransport(flaky), backoff=0.001)
    long_query = "SELECT ?n WHERE { ?n ?p ?o } # " + "x" * 20_000  # longer than a server's URL/header limit
    assert client.select(long_query, ["urn:g1", "urn:g2"]) == (["n"], [])
    assert len(seen) == 3
    method, content_type, body = seen[-1]
    assert method == "POST" and content_type == "application/x-www-form-urlencoded"
    assert parse_qs(body.decode()) == {"query": [long_query], "default-graph-uri": ["urn:g1", "urn:g2"]}


def test_403_is_not_retried():
    calls = []

    def forbidden(request):
        calls.append(request.method)
        return httpx.Response(403)

    client = SparqlClient(endpoint_from("http://127.0.0.1:1/query"), transport=httpx.MockTransport(forbidden))
    with pytest.raises(AuthenticationRefused):
        client.put_graph("urn:g", b"")
    assert calls == ["PUT"]


def test_rejected_request_message_names_the_status():
    client = SparqlClient(
        endpoint_from("http://127.0.0.1:1/query"),
        transport=httpx.MockTransport(lambda r: httpx.Response(400, text="Parser error at line 1")),
    )
    with pytest.raises(RequestRejected, match="HTTP 400: Parser error"):
        client.put_graph("urn:g", b"x")



def test_a_lost_answer_to_the_swap_is_resolved_by_counting(server, graphs, monkeypatch, tmp_path):
    """The proxy applies the MOVE on the server but drops its answer: the load checks and succeeds."""
    new_graphs = vitd_kg.open(changed_data(tmp_path)).release_dataset.graphs
    monkeypatch.setenv("VITD_KG_PASSWORD", PASSWORD)
    with BasicAuthProxy(server.base, "loader", PASSWORD, lose_answers_to="POST /update") as proxy:
        endpoint = endpoint_from(proxy.query_url, user="loader")
        with SparqlClient(endpoint, backoff=0.05) as client:
            report = loading.load_graphs(client, new_graphs, progress=False, method="dataset")  # staged, then the swap
    assert all(c.after == len(new_graphs[c.graph]) for c in report.changes)
    assert not any(g.startswith(loading.STAGING_PREFIX) for g in all_graph_names(server))


def test_a_server_gone_just_before_the_swap_changes_nothing(server, graphs, tmp_path, monkeypatch):
    """Uploads and counts succeed, then the server stops: the swap is refused, exit 4, targets intact."""
    with client_for(server) as client:
        loading.load_graphs(client, graphs, progress=False)
    before = snapshot(server, graphs)
    new_graphs = vitd_kg.open(changed_data(tmp_path)).release_dataset.graphs
    real_swap_update = loading._swap_update

    def stop_then_build(*args):
        server.stop()
        return real_swap_update(*args)

    monkeypatch.setattr(loading, "_swap_update", stop_then_build)
    with client_for(server) as client, pytest.raises(EndpointUnreachable) as failure:
        loading.load_graphs(client, new_graphs, progress=False, method="dataset")
    assert exit_code_of(failure.value) == 4 and not failure.value.request_sent
    server.start()
    assert snapshot(server, graphs) == before


def test_the_swap_on_oxigraph_is_one_operation_that_leaves_exactly_the_new_triples(server, graphs, tmp_path, monkeypatch):
    """Oxigraph gets the one DELETE/INSERT swap (no MOVE copy); a reload with other content
    leaves in each target exactly the triples sent, and no staging graph, empty or not."""
    sent: list[str] = []
    real_update = SparqlClient.update

    def recording(self, text):
        sent.append(text)
        return real_update(self, text)

    monkeypatch.setattr(SparqlClient, "update", recording)
    new_graphs = vitd_kg.open(changed_data(tmp_path)).release_dataset.graphs
    with client_for(server) as client:
        loading.load_graphs(client, graphs, progress=False, method="dataset")  # staged, though the store is empty
        assert client.is_oxigraph
        loading.load_graphs(client, new_graphs, progress=False, method="dataset")
    swaps = [text for text in sent if "INSERT" in text or "MOVE" in text]
    assert len(swaps) == 2 and all(text.startswith("DELETE {") and "MOVE" not in text for text in swaps)
    expected = {
        name: {(_norm(to_rdflib(t.subject)), str(t.predicate.value), _norm(to_rdflib(t.object))) for t in triples}
        for name, triples in new_graphs.items()
    }
    assert snapshot(server, new_graphs) == expected
    with client_for(server) as client:
        _, rows = client.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    assert not [r["g"] for r in rows if str(r["g"]).startswith(loading.STAGING_PREFIX)]


# -- a first load into Oxigraph: one transactional POST straight into the targets ----------------

def expected_content(graphs) -> dict[str, set]:
    return {
        name: {(_norm(to_rdflib(t.subject)), str(t.predicate.value), _norm(to_rdflib(t.object))) for t in triples}
        for name, triples in graphs.items()
    }


def recorded_writes(monkeypatch) -> list[tuple[str, str, bytes]]:
    """Every request but the queries, as (method, URL, body), from now on."""
    from vitd_kg.sparql.endpoint import HttpClient

    writes: list[tuple[str, str, bytes]] = []
    real_request = HttpClient.request

    def recording(self, method, url, **kwargs):
        if not url.endswith("/query"):
            content = kwargs.get("content", b"")
            writes.append((method, url, content if isinstance(content, bytes) else b"".join(content)))
        return real_request(self, method, url, **kwargs)

    monkeypatch.setattr(HttpClient, "request", recording)
    return writes


def test_a_first_load_is_one_transactional_post_into_the_targets(server, graphs, monkeypatch):
    """No staging graph, no update, no bulk loader: one POST of every graph, then the counts."""
    writes = recorded_writes(monkeypatch)
    with client_for(server) as client:
        report = loading.load_graphs(client, graphs, progress=False)
    assert report.method == "transaction" and report.requests == 1
    assert [(method, url) for method, url, _ in writes] == [("POST", server.base + "/store")], "not one transactional POST"
    assert loading.STAGING_PREFIX.encode() not in writes[0][2]
    assert {c.action for c in report.changes} == {"created"}
    assert snapshot(server, graphs) == expected_content(graphs)
    assert all_graph_names(server) == sorted(name for name, triples in graphs.items() if triples)


def test_a_first_load_the_server_cannot_parse_writes_nothing(server, graphs, monkeypatch, capsys):
    """The last graph of the one POST is broken: exit 7, and none of the graphs before it is in the store."""
    last = [name for name, triples in graphs.items() if triples][-1]
    real = loading.as_nquads
    monkeypatch.setattr(loading, "as_nquads", lambda body, graph: real(body, graph) + (b"<broken" if graph == last else b""))
    assert main(["load", "--endpoint", server.query_url]) == 7
    assert "HTTP 400" in capsys.readouterr().err
    assert all_graph_names(server) == []


def test_a_server_killed_during_a_first_load_leaves_it_empty(server, graphs, monkeypatch):
    """The server dies while the body is sent: exit 4, and after a restart the store is empty."""
    sent = []
    real = loading.ntriples
    graphs_with_triples = sum(1 for triples in graphs.values() if triples)

    def crash_halfway(triples):
        sent.append(1)
        if len(sent) == graphs_with_triples + graphs_with_triples // 2:  # halfway through the body (2nd pass)
            server.stop(crash=True)
        return real(triples)

    monkeypatch.setattr(loading, "ntriples", crash_halfway)
    with client_for(server) as client, pytest.raises(EndpointUnreachable) as failure:
        loading.load_graphs(client, graphs, progress=False)
    assert exit_code_of(failure.value) == 4
    assert "applied none of it" in failure.value.hint
    monkeypatch.undo()
    server.start()
    assert all_graph_names(server) == []
    with client_for(server) as client:
        loading.load_graphs(client, graphs, progress=False)
    assert snapshot(server, graphs) == expected_content(graphs)


@pytest.mark.parametrize("answer", [None, 504], ids=["connection-closed", "gateway-timeout"])
@pytest.mark.parametrize("reload", [False, True], ids=["first-load", "reload-update"])
def test_a_lost_answer_to_a_load_is_resolved(server, graphs, monkeypatch, answer, reload):
    """The server applied the first load's POST (or a reload's update), but its answer is
    lost (or a gateway answers 504 instead): the targets are counted (or the update's
    marker graph looked for), found loaded, and the load succeeds (not "nothing changed")."""
    new_graphs = graphs
    if reload:
        with client_for(server) as client:
            loading.load_graphs(client, graphs, progress=False)
        new_graphs = with_literals_changed(graphs)
    monkeypatch.setenv("VITD_KG_PASSWORD", PASSWORD)
    with BasicAuthProxy(server.base, "loader", PASSWORD, lose_answers_to="POST /update" if reload else "POST /store",
                        lost_answer_status=answer, pass_server_header=True) as proxy:
        with SparqlClient(endpoint_from(proxy.query_url, user="loader"), backoff=0.05) as client:
            report = loading.load_graphs(client, new_graphs, progress=False)
    assert report.method == ("update" if reload else "transaction")
    assert snapshot(server, new_graphs) == expected_content(new_graphs)


@pytest.mark.parametrize("path", ["first-load", "staged-swap", "reload-update"])
def test_a_connection_dropped_while_the_server_goes_on_is_an_unknown_outcome(server, graphs, monkeypatch, path):
    """A gateway closes the connection without an answer and the server starts the request
    two seconds later: the targets are as before when counted, which is not "nothing
    changed" (exit 4, and for the swap its staging graphs dropped under it) but exit 8;
    the server then puts the release in place."""
    new_graphs = graphs
    if path != "first-load":
        with client_for(server) as client:
            loading.load_graphs(client, graphs, progress=False)
        new_graphs = with_literals_changed(graphs)
    monkeypatch.setenv("VITD_KG_PASSWORD", PASSWORD)
    with BasicAuthProxy(server.base, "loader", PASSWORD, hold_seconds=2, pass_server_header=True,
                        drop_then_forward_to="POST /store" if path == "first-load" else "POST /update") as proxy:
        with SparqlClient(endpoint_from(proxy.query_url, user="loader"), backoff=0.05) as client, \
                pytest.raises(OutcomeUnknown, match="got no answer and the"):
            loading.load_graphs(client, new_graphs, progress=False, method="dataset" if path == "staged-swap" else "auto")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and snapshot(server, new_graphs) != expected_content(new_graphs):
            time.sleep(0.2)
    assert snapshot(server, new_graphs) == expected_content(new_graphs)


def test_one_big_graph_goes_in_slices_with_the_same_triples(server, graphs, monkeypatch):
    """Everything in one named graph (as --graph does), sent 100 triples at a time."""
    monkeypatch.setattr(loading, "CHUNK_TRIPLES", 100)
    one = loading.into_one_graph(graphs, "https://example.org/graphs/vitd")
    calls = []
    real = loading.ntriples
    monkeypatch.setattr(loading, "ntriples", lambda triples: calls.append(len(triples)) or real(triples))
    with client_for(server) as client:
        report = loading.load_graphs(client, one, progress=False)
    assert report.method == "transaction" and max(calls) == 100 and len(calls) > 2
    assert snapshot(server, one) == expected_content(one)


def test_a_first_load_that_times_out_is_not_called_unchanged(server, graphs, monkeypatch, capsys):
    """The server starts the POST after the client stopped waiting: the targets are still empty
    when counted, but the load is not over, so the outcome is unknown (exit 8), not
    "nothing changed" (exit 4); the server then applies it."""
    monkeypatch.setenv("VITD_KG_PASSWORD", PASSWORD)
    with BasicAuthProxy(server.base, "loader", PASSWORD, hold_requests_to="POST /store", hold_seconds=8,
                        pass_server_header=True) as proxy:
        code = main(["load", "--endpoint", proxy.query_url, "--user", "loader", "--read-timeout", "3"])
        assert code == 8, capsys.readouterr().err
        assert "may still be applying it" in capsys.readouterr().err
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and snapshot(server, graphs) != expected_content(graphs):
            time.sleep(0.2)
    assert snapshot(server, graphs) == expected_content(graphs)


@pytest.mark.parametrize("method", ["dataset", "auto"], ids=["staged-swap", "reload-update"])
def test_a_swap_that_times_out_is_not_called_unchanged(server, graphs, tmp_path, monkeypatch, capsys, method):
    """The server starts the swap (or a reload's one update) after the client stopped waiting:
    the targets are still old when counted, so the outcome is unknown (exit 8, the staging
    graphs left for the swap), not "nothing changed" (exit 4); the server then puts the new
    release in place."""
    with client_for(server) as client:
        loading.load_graphs(client, graphs, progress=False)
    new_graphs = vitd_kg.open(changed_data(tmp_path)).release_dataset.graphs
    monkeypatch.setenv("VITD_KG_PASSWORD", PASSWORD)
    with BasicAuthProxy(server.base, "loader", PASSWORD, hold_requests_to="POST /update", hold_seconds=8,
                        pass_server_header=True) as proxy:
        with SparqlClient(endpoint_from(proxy.query_url, user="loader"), read_timeout=3, backoff=0.05) as client, \
                pytest.raises(OutcomeUnknown, match="not new yet"):
            loading.load_graphs(client, new_graphs, progress=False, method=method)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and snapshot(server, new_graphs) != expected_content(new_graphs):
            time.sleep(0.2)
    assert snapshot(server, new_graphs) == expected_content(new_graphs)
