#!/usr/bin/env python
"""The safe upload of a release against one raw POST of its N-Quads, on a real Oxigraph server.

For each release folder given (built by ``vitd-kg dist``, e.g. from ``vitd-kg synth`` data),
fresh on-disk ``oxigraph serve`` stores are started in turn, and in each one whole process
is timed as wall clock:

- ``vitd-kg upload --release DIR`` into an empty store: a first load, which on Oxigraph is
  one transactional N-Quads POST straight into the target graphs, then counts;
- the same command again into that store: a reload, which replaces every graph through
  staging graphs, counts and one swap;
- ``vitd-kg upload --method dataset --release DIR`` into an empty store: a first load
  through staging, counts and the swap;
- one Graph Store POST of the release's ``vitd-kg.nq`` (what a user without the safety
  would do).

The stores' triple counts are compared with the raw POST's. Needs the ``oxigraph``
package (its ``oxigraph`` command) and httpx:

    python benchmarks/upload_release.py RELEASE_DIR [RELEASE_DIR ...]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from servers import OxigraphServer  # noqa: E402

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def count(server: OxigraphServer) -> int:
    answer = httpx.post(server.query_url, data={"query": COUNT}, headers={"Accept": "application/sparql-results+json"},
                        timeout=600)
    answer.raise_for_status()
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def upload(server: OxigraphServer, release: Path, *options: str) -> float:
    """Seconds for one whole ``vitd-kg upload`` process into ``server``."""
    vitd_kg = str(Path(sys.executable).parent / "vitd-kg")
    start = time.perf_counter()
    subprocess.run([vitd_kg, "upload", "--endpoint", server.query_url, "--release", str(release),
                    "--read-timeout", "1200", *options], check=True, capture_output=True)
    return time.perf_counter() - start


def safe_uploads(release: Path) -> tuple[float, float, float, int]:
    """A first load and a reload into one store, then a staged first load into another; the count."""
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        first = upload(server, release)
        reload = upload(server, release)
        loaded = count(server)
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        staged = upload(server, release, "--method", "dataset")
        if count(server) != loaded:
            raise SystemExit(f"{release}: the staged first load holds {count(server)} quads, the first load {loaded}")
    return first, reload, staged, loaded


def raw_post(release: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        start = time.perf_counter()
        with (release / "vitd-kg.nq").open("rb") as body:
            answer = httpx.post(server.base + "/store", content=body, headers={"Content-Type": "application/n-quads"},
                                timeout=1200)
        answer.raise_for_status()
        return time.perf_counter() - start, count(server)


if __name__ == "__main__":
    print("| release | quads | first load | reload (staged replace) | first load, staged (`--method dataset`) "
          "| raw POST | throughput ratio, first load | ratio, reload | ratio, staged |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for arg in sys.argv[1:]:
        release = Path(arg)
        first, reload, staged, safe_count = safe_uploads(release)
        raw_seconds, raw_count = raw_post(release)
        if safe_count != raw_count:
            raise SystemExit(f"{release}: the stores differ: {safe_count} quads after upload, {raw_count} after the POST")
        print(f"| {release.name} | {raw_count:,} | {first:.2f} s | {reload:.2f} s | {staged:.2f} s | {raw_seconds:.3f} s "
              f"| {raw_seconds / first:.3f} | {raw_seconds / reload:.3f} | {raw_seconds / staged:.3f} |", flush=True)
