#!/usr/bin/env python
"""The safe upload of a release into a real Virtuoso against Virtuoso's own bulk loader.

For each release folder given (built by ``vitd-kg dist``), two fresh Virtuoso servers
(Debian's ``virtuoso-opensource``, database in a temporary folder) are started in turn:

- into the first, ``vitd-kg upload --release DIR`` as a whole process, through the
  authenticated endpoints with Digest authentication (staging graphs through Graph Store
  PUTs, counts, one update of ``MOVE``s, counts), then the same command again (a reload,
  which on Virtuoso stages and replaces every graph);
- into the second, the release guide's bulk-loader recipe for ``vitd-kg.nq`` through
  ``isql`` (``ld_dir``, ``rdf_loader_run``, ``checkpoint``), timed from the copy of the file
  into the server's folder to the end of the checkpoint.

Both stores must then hold the same number of triples in the release's named graphs.
Prints one Markdown row per release; needs ``virtuoso-t`` and ``isql-vt``:

    python benchmarks/upload_virtuoso.py RELEASE_DIR [RELEASE_DIR ...]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from servers import VirtuosoServer, isql_binary, virtuoso_binary  # noqa: E402
from vitd_kg.publishing.release import read_release  # noqa: E402
from vitd_kg.publishing.sparql_client import SparqlClient, endpoint_from  # noqa: E402


def upload(server: VirtuosoServer, release: Path) -> float:
    """Seconds for one whole ``vitd-kg upload`` process into ``server``."""
    vitd_kg = str(Path(sys.executable).parent / "vitd-kg")
    start = time.perf_counter()
    subprocess.run(
        [vitd_kg, "upload", "--release", str(release), "--endpoint", f"{server.base}/sparql-auth",
         "--update-url", f"{server.base}/sparql-auth", "--store-url", f"{server.base}/sparql-graph-crud-auth",
         "--user", server.user, "--auth", "digest", "--read-timeout", "3600"],
        check=True, capture_output=True, env={**os.environ, "VITD_KG_PASSWORD": server.password},
    )
    return time.perf_counter() - start


def triples_in(server: VirtuosoServer, graphs: list[str]) -> int:
    endpoint = endpoint_from(f"{server.base}/sparql-auth", update_url=f"{server.base}/sparql-auth",
                             store_url=f"{server.base}/sparql-graph-crud-auth", user=server.user, auth_scheme="digest")
    os.environ["VITD_KG_PASSWORD"] = server.password
    with SparqlClient(endpoint, read_timeout=600) as client:
        return sum(client.counts(graphs).values())


def measure(release: Path) -> tuple[int, float, float, float]:
    """Triples in the release's graphs, then seconds for the upload, the reload and the bulk load."""
    graphs = list(read_release(release))
    with tempfile.TemporaryDirectory() as tmp:
        with VirtuosoServer(Path(tmp) / "upload") as server:
            first = upload(server, release)
            reload = upload(server, release)
            uploaded = triples_in(server, graphs)
        with VirtuosoServer(Path(tmp) / "bulk") as server:
            start = time.perf_counter()
            server.bulk_load(release / "vitd-kg.nq", "https://w3id.org/vitd-kg/graph/default")
            bulk = time.perf_counter() - start
            loaded = triples_in(server, graphs)
    if uploaded != loaded:
        raise SystemExit(f"{release}: {uploaded} triples after the upload, {loaded} after the bulk loader")
    return uploaded, first, reload, bulk


if __name__ == "__main__":
    if virtuoso_binary() is None or isql_binary() is None:
        raise SystemExit("needs virtuoso-t and isql-vt (Debian package virtuoso-opensource)")
    print("| release | triples | upload | reload | bulk loader | time ratio: upload / bulk, reload / bulk |")
    print("|---|---:|---:|---:|---:|---|")
    for arg in sys.argv[1:]:
        n, first, reload, bulk = measure(Path(arg))
        print(f"| {Path(arg).name} | {n:,} | {first:.2f} s | {reload:.2f} s | {bulk:.2f} s "
              f"| {first / bulk:.2f}, {reload / bulk:.2f} |", flush=True)
