"""`vitd-kg serve`: a real local endpoint that answers like the Python API and stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from servers import free_port
from vitd_kg import load_store
from vitd_kg.sparql.engines import run_query
from vitd_kg.sparql.queries import bundled_queries
from vitd_kg.publishing.sparql_client import SparqlClient, endpoint_from


@pytest.fixture()
def served():
    """`python -m vitd_kg serve` on a free loopback port; interrupted after the test."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "vitd_kg", "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        line = process.stdout.readline()  # blocks until the endpoint is up (or the process dies)
        assert line.startswith("SPARQL endpoint: "), process.stderr.read()
        yield process, line.split()[2]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # lets serve stop its oxigraph child
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the whole session: serve and its server
                process.wait(timeout=10)


def test_serve_binds_loopback_and_answers_like_the_embedded_engine(served):
    process, url = served
    assert url.startswith("http://127.0.0.1:")
    client = SparqlClient(endpoint_from(url))
    store = load_store()
    for query in bundled_queries("stats"):
        _, remote = client.select(query.text)
        assert remote == run_query(store, query), query.name
    _, rows = client.select("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(rows[0]["n"]) >= 32, "the release's named graphs are served too"
    client.close()


def test_serve_is_read_only(served):
    _, url = served
    response = httpx.post(url.replace("/query", "/update"), content="CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    assert response.status_code >= 400


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_stops_the_server_and_frees_the_port(served, sig):
    process, url = served
    process.send_signal(sig)
    assert process.wait(timeout=20) == 0
    assert "stopped" in process.stderr.read()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=0.5)
        except httpx.TransportError:
            return
        time.sleep(0.1)
    pytest.fail("the SPARQL server still answers after the interrupt")


def test_a_busy_port_is_a_clear_error(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "vitd_kg", "serve", "--port", str(port)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "--port" in result.stderr
