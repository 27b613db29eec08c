#!/usr/bin/env python
"""The safe upload of a release against one raw POST of its N-Quads, on a real Oxigraph server.

For each release folder given (built by ``vitd-kg dist``, e.g. from ``vitd-kg synth`` data),
two fresh on-disk ``oxigraph serve`` stores are started in turn; into the first,
``vitd-kg upload --release DIR`` (staging graphs, counts, one MOVE swap, counts) runs as a
whole process; into the second, the release's ``vitd-kg.nq`` is sent as one Graph Store
POST (what a user without the safety would do). Both are timed as wall clock, and the
triple counts of the two stores are compared. Needs the ``oxigraph`` package (its
``oxigraph`` command) and httpx:

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


def safe_upload(release: Path) -> tuple[float, int]:
    vitd_kg = str(Path(sys.executable).parent / "vitd-kg")
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        start = time.perf_counter()
        subprocess.run([vitd_kg, "upload", "--endpoint", server.query_url, "--release", str(release),
                        "--read-timeout", "1200"], check=True, capture_output=True)
        return time.perf_counter() - start, count(server)


def raw_post(release: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        start = time.perf_counter()
        with (release / "vitd-kg.nq").open("rb") as body:
            answer = httpx.post(server.base + "/store", content=body, headers={"Content-Type": "application/n-quads"},
                                timeout=1200)
        answer.raise_for_status()
        return time.perf_counter() - start, count(server)


if __name__ == "__main__":
    print("| release | quads | safe upload (s) | raw POST (s) | throughput ratio (raw time / safe time) |")
    print("|---|---:|---:|---:|---:|")
    for arg in sys.argv[1:]:
        release = Path(arg)
        safe_seconds, safe_count = safe_upload(release)
        raw_seconds, raw_count = raw_post(release)
        if safe_count != raw_count:
            raise SystemExit(f"{release}: the stores differ: {safe_count} quads after upload, {raw_count} after the POST")
        print(f"| {release.name} | {raw_count:,} | {safe_seconds:.1f} | {raw_seconds:.1f} | {raw_seconds / safe_seconds:.2f} |",
              flush=True)
