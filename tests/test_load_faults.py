"""`vitd-kg load` against hostile or broken servers (issue 14): a graph IRI that is not one,
an answer of the wrong shape, a server that trickles its answer. Each fails clearly, with
its exit code, and writes nothing."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from servers import OxigraphServer, free_port
from vitd_kg.cli import main
from vitd_kg.publishing import upload as loading
from vitd_kg.publishing.sparql_client import SparqlClient, endpoint_from

BAD_GRAPHS = ["", "foo", "http://e/g> { ?s ?p ?o } } #", "urn:a b", "http://e/g>"]


class Recorder:
    """A server that answers every request with one canned answer and records what it got."""

    def __init__(self, status: int = 200, body: bytes = b"", content_type: str = "application/sparql-results+json") -> None:
        self.requests: list[tuple[str, str]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                recorder.requests.append((self.command, self.path))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/query"

    def __enter__(self) -> "Recorder":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.mark.parametrize("graph", BAD_GRAPHS, ids=repr)
def test_a_graph_that_is_not_an_absolute_iri_is_refused_before_anything_is_sent(graph, capsys):
    with Recorder() as server:
        assert main(["load", "--endpoint", server.query_url, "--graph", graph]) == 2
        assert server.requests == []
    assert "not an absolute IRI" in capsys.readouterr().err


def test_a_bad_graph_writes_nothing_to_a_real_server(tmp_path):
    with OxigraphServer(tmp_path / "store") as server:
        for graph in BAD_GRAPHS:
            assert main(["load", "--endpoint", server.query_url, "--graph", graph]) == 2
        client = SparqlClient(endpoint_from(server.query_url))
        _, rows = client.select("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        assert int(rows[0]["n"]) == 0


def test_the_library_refuses_a_bad_graph_too():
    from vitd_kg.errors import InputError

    with pytest.raises(InputError, match="not an absolute IRI"):
        loading.load_graphs(SparqlClient(endpoint_from("http://127.0.0.1:9/query")), {"foo": []})


@pytest.mark.parametrize("body, says", [
    (json.dumps({"head": {"vars": ["g", "n"]}, "results": {"bindings": [{
        "g": {"type": "uri", "value": "https://w3id.org/vitd-kg/graph/ontology"},
        "n": {"type": "literal", "value": "many"}}]}}),
     "a triple count that is not a number"),
    (json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "12"}}]}}),
     "a count of no graph"),
    (json.dumps({"answer": 42}), "no head.vars and results.bindings"),
    (json.dumps([1, 2, 3]), "the JSON is not an object"),
    (json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"value": "3"}}]}}), "cannot be read"),
    ("<html>not json</html>", "not JSON"),
], ids=["count-not-a-number", "count-of-no-graph", "no-bindings", "a-list", "value-without-type", "html"])
def test_a_200_answer_of_the_wrong_shape_is_a_clear_error(body, says, capsys):
    with Recorder(body=body.encode()) as server:
        code = main(["load", "--endpoint", server.query_url])
        assert [method for method, _ in server.requests] == ["POST"], "only the first count was asked"
    err = capsys.readouterr().err
    assert code == 7, err
    assert "did not answer SPARQL results" in err and says in err
    assert "internal error" not in err and "ValueError" not in err


class Trickle:
    """A raw socket server: sends the headers of a 10 kB answer at once, then one byte a second."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/query"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                         b"Content-Length: 10000\r\n\r\n")
            for _ in range(10000):
                if self.stop.is_set():
                    break
                conn.sendall(b" ")
                time.sleep(1)
        except OSError:
            pass
        finally:
            conn.close()

    def __enter__(self) -> "Trickle":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(timeout=5)


def test_a_trickling_server_cannot_hold_the_load_past_its_deadline(capsys):
    with Trickle() as server:
        started = time.monotonic()
        code = main(["load", "--endpoint", server.query_url, "--read-timeout", "3"])
        elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 4, err
    assert "did not arrive within 3 s" in err
    assert elapsed < 10, f"the load took {elapsed:.1f} s with --read-timeout 3"


def test_a_server_that_sends_nothing_times_out_as_before(capsys):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections (the kernel does) and never answers
    try:
        started = time.monotonic()
        code = main(["load", "--endpoint", f"http://127.0.0.1:{listener.getsockname()[1]}/query",
                     "--read-timeout", "1"])
        elapsed = time.monotonic() - started
    finally:
        listener.close()
    assert code == 4
    assert elapsed < 10
    assert "failed after 3 attempt(s)" in capsys.readouterr().err
