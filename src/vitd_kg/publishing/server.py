"""A local SPARQL endpoint over the graph: Oxigraph's server, on loopback by default.

The default graph holds what :func:`vitd_kg.load` returns (ontology + data), so the
bundled queries give the same answers over HTTP as in Python; the release's named
graphs (ontology, shapes, data, one per claim) are there too for ``GRAPH`` queries.
The server is read-only and its store is a temporary folder removed on exit.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from vitd_kg.errors import InputError
from vitd_kg.exports.rdf import ReleaseDataset

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary (from the ``oxigraph`` PyPI package)."""
    candidate = Path(sys.executable).parent / "oxigraph"
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        raise InputError(
            "the Oxigraph server is not installed",
            hint="pip install 'vitd-kg[server]' (it brings the `oxigraph` binary)",
        )
    return found


def prepare_store(location: Path, dataset: ReleaseDataset) -> None:
    """Load the graph (default graph) and the release's named graphs into ``location``."""
    dump = location.parent / "graph.nq"
    union = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in dataset.union()]
    ox.serialize(union + dataset.quads(), str(dump), ox.RdfFormat.N_QUADS)
    result = subprocess.run(
        [oxigraph_binary(), "load", "--location", str(location), "--file", str(dump)],
        capture_output=True, text=True, timeout=600,
    )
    dump.unlink()
    if result.returncode != 0:
        raise InputError(f"oxigraph could not load the graph: {result.stderr.strip()[:500]}")


def serve(
    host: str = "127.0.0.1",
    port: int = 7878,
    *,
    dataset: ReleaseDataset,
    on_ready: Callable[[str], None] = print,
) -> int:
    """Serve the graph over SPARQL until interrupted; return the server's exit status."""
    import httpx

    workdir = Path(tempfile.mkdtemp(prefix="vitd-kg-serve-"))
    process = None
    try:
        location = workdir / "store"
        prepare_store(location, dataset)
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        process = subprocess.Popen(
            [oxigraph_binary(), "serve-read-only", "--location", str(location), "--bind", bind],
            stderr=subprocess.PIPE, text=True,
        )
        url_host = f"[{host}]" if ":" in host else host
        url = f"http://{url_host}:{port}/query"
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise InputError(
                    f"the SPARQL server stopped at once: {process.stderr.read().strip()[:300]}",
                    hint=f"is port {port} already in use? pass --port N",
                )
            try:
                httpx.get(url, params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise InputError("the SPARQL server did not start within 30 s") from None
                time.sleep(0.1)
        on_ready(url)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
