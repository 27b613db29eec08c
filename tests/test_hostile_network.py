"""Issue 14, case 1: no query reaches the network, by any door.

A real listener on 127.0.0.1 records every connection; each hostile query names it and
must be refused (exit 2) by both engines, from the command line (a worker that cannot
open sockets) and from the Python API (the checks alone), with nothing arriving.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import vitd_kg
from vitd_kg.errors import InputError
from vitd_kg.sparql.queries import Query


class Listener:
    """A TCP listener on loopback that counts connections (and answers nothing useful)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(2)
            try:
                self.hits.append(conn.recv(200))
                conn.sendall(b"HTTP/1.1 500 no\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                self.hits.append(b"")
            finally:
                conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def hostile_queries(url: str) -> dict[str, str]:
    """Queries that call SERVICE (or name a dataset) at ``url``, each by another door."""
    many = ",".join(str(i) for i in range(20_000))
    return {
        "lower-case": f"select * where {{ service <{url}/a> {{ ?s ?p ?o }} }}",
        "escaped-keyword": f"SELECT * WHERE {{ \\u0053ERVICE <{url}/b> {{ ?s ?p ?o }} }}",
        # rdflib reads \u00000022 as one 8-digit escape (a quote that opens a long string
        # hiding the SERVICE); Oxigraph reads \u0000 and four digits: it saw the SERVICE.
        "escape-read-two-ways": f"SELECT * WHERE {{ VALUES ?v {{ \"\\u00000022\" }} SERVICE <{url}/c> {{ ?a ?b ?c }} "
                                f"BIND('''\"\"\" ''' AS ?w) # '''\n}}",
        # A comment ends at a carriage return (SPARQL's EOL); rdflib's ran on to the line feed.
        "comment-ended-by-cr": f"SELECT * WHERE {{ # x\r SERVICE <{url}/d> {{ ?s ?p ?o }}\n}}",
        "sub-select": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}/e> {{ ?s ?p ?o }} }} }} }}",
        "exists": f"SELECT * WHERE {{ BIND(1 AS ?x) FILTER EXISTS {{ SERVICE <{url}/f> {{ ?s ?p ?o }} }} }}",
        "graph": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{url}/g> {{ ?s ?p ?o }} }} }}",
        "values-variable": f"SELECT * WHERE {{ VALUES ?svc {{ <{url}/h> }} SERVICE ?svc {{ ?s ?p ?o }} }}",
        "property-path": f"SELECT * WHERE {{ ?s <http://e/p>/<http://e/q>* ?o . SERVICE <{url}/i> {{ ?s ?p ?o }} }}",
        "after-20000-item-in": f"SELECT * WHERE {{ SERVICE <{url}/j> {{ ?x ?p ?o }} FILTER(?x IN ({many})) }}",
        "silent-in-optional": f"SELECT * WHERE {{ BIND(1 AS ?z) OPTIONAL {{ SERVICE SILENT <{url}/k> {{ ?s ?p ?o }} }} }}",
        "from": f"SELECT * FROM <{url}/l> WHERE {{ ?s ?p ?o }}",
        "prefixed-name": f"PREFIX r: <{url}/> SELECT * WHERE {{ SERVICE r:m {{ ?s ?p ?o }} }}",
    }


CASES = sorted(hostile_queries("http://x"))


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vitd_kg", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("case", CASES)
def test_the_command_line_refuses_every_door_and_no_request_arrives(listener, tmp_path, case, engine):
    path = tmp_path / "q.rq"
    path.write_bytes(hostile_queries(listener.url)[case].encode("utf-8"))  # bytes: the CR stays a CR
    result = run_cli("query", str(path), "--engine", engine)
    assert result.returncode == 2, result.stderr
    assert "SERVICE is refused" in result.stderr or "FROM and FROM NAMED are refused" in result.stderr
    assert str(path) in result.stderr and "internal error" not in result.stderr
    assert listener.hits == []


@pytest.mark.parametrize("case", ["comment-ended-by-cr", "escape-read-two-ways", "lower-case"])
def test_inline_sparql_is_refused_the_same_way(listener, case):
    result = run_cli("query", hostile_queries(listener.url)[case])
    assert result.returncode == 2, result.stderr
    assert "SERVICE is refused" in result.stderr
    assert listener.hits == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("case", CASES)
def test_the_python_api_refuses_every_door_and_no_request_arrives(listener, case, engine):
    with pytest.raises(InputError, match="SERVICE is refused|FROM and FROM NAMED are refused"):
        vitd_kg.open().query(hostile_queries(listener.url)[case], engine=engine)
    assert listener.hits == []


def test_a_query_object_built_by_hand_is_checked_like_any_users_query(listener):
    """``Query(name, text)`` used to default to bundled=True: unchecked."""
    query = Query("mine", f"SELECT * WHERE {{ SERVICE <{listener.url}/n> {{ ?s ?p ?o }} }}")
    assert not query.bundled
    with pytest.raises(InputError, match="SERVICE is refused"):
        vitd_kg.open().query(query)
    assert listener.hits == []


def test_a_relative_path_with_dot_dot_is_the_users_file_and_is_checked(listener, tmp_path):
    """`vitd-kg query ../../x/svc` names a file, never a bundled query, however it is spelt."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "svc").write_text(f"SELECT * WHERE {{ SERVICE <{listener.url}/o> {{ ?s ?p ?o }} }}\n")
    here = tmp_path / "a" / "b"
    here.mkdir(parents=True)
    for engine in ("oxigraph", "rdflib"):
        result = run_cli("query", "../../elsewhere/svc", "--engine", engine, cwd=here)
        assert result.returncode == 2, result.stderr
        assert "../../elsewhere/svc" in result.stderr and "SERVICE is refused" in result.stderr
    assert listener.hits == []


def test_the_service_check_finds_service_after_a_long_filter_quickly(listener):
    """The old parse-tree walk gave up after 100,000 nodes; the text scan finds it at once."""
    import time

    from vitd_kg.sparql.safety import check_query

    text = hostile_queries(listener.url)["after-20000-item-in"]
    started = time.monotonic()
    with pytest.raises(InputError) as refused:
        check_query(Query("q", text))
    assert "SERVICE is refused" in str(refused.value) and refused.value.line == 1
    assert time.monotonic() - started < 10


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker's sandbox is a Linux seccomp filter")
def test_a_query_worker_cannot_reach_the_network_even_unchecked(listener):
    """Belt and braces: a SERVICE handed to Oxigraph with no check at all, in a query
    worker, reaches no host (the worker cannot open a socket)."""
    import pyoxigraph as ox

    from vitd_kg.sparql.safety import deny_network
    from vitd_kg.sparql.time_limit import run_with_time_limit

    def unchecked() -> str:
        assert deny_network()
        try:
            list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}/p> {{ ?s ?p ?o }} }}"))
        except OSError as error:
            return type(error).__name__
        return "reached"

    assert run_with_time_limit(unchecked, 30, name="sandbox") == "PermissionError"
    assert listener.hits == []
    socket.socket().close()  # this process keeps its network


def test_bundled_queries_still_pass_every_layer_of_the_check():
    from vitd_kg.sparql.queries import bundled_queries
    from vitd_kg.sparql.safety import check_query

    for query in bundled_queries():
        assert check_query(Query(query.name, query.text)) == "SELECT"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("SELECT * WHERE { ?s <http://e/service> ?o }", None),
        ('SELECT * WHERE { ?s ?p "the SERVICE desk, FROM nine" }', None),
        ("PREFIX service: <http://e/> SELECT ?service WHERE { ?service service:from ?o } # SERVICE <http://x/>", None),
        ("SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }", None),
        ("SELECT * WHERE { ?s ?p \"\\u0053ERVICE\" }", None),
        ("SELECT * WHERE { ?s ?p \"\\U0001F600\" }", None),
        ("SELECT * WHERE { ?s ?p \"\\U0053\" }", "escape is refused"),
        ("SELECT * WHERE { ?s ?p \"\\u005Cu0053\" }", "escape is refused"),
        ("SELECT * WHERE { ?s ?p \"\\uD800\" }", "is not a Unicode character"),
        ("   \n# only a comment\n", "the query is empty"),
    ],
    ids=["iri", "string", "names-and-comment", "less-than", "escape-in-string", "astral-escape",
         "short-U-escape", "escape-writing-an-escape", "surrogate-escape", "empty"],
)
def test_the_text_scan_refuses_only_what_it_must(text, words):
    from vitd_kg.sparql.safety import check_query

    if words is None:
        assert check_query(Query("q", text)) == "SELECT"
    else:
        with pytest.raises(InputError, match=words):
            check_query(Query("q", text))
