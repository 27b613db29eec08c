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

Every store's content (its N-Quads dump, blank node labels aside) must equal the raw
POST's, and a reload must leave the store as the first load did. Needs the ``oxigraph``
package (its ``oxigraph`` command) and httpx:

    python benchmarks/upload_release.py RELEASE_DIR [RELEASE_DIR ...]
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from servers import OxigraphServer  # noqa: E402

BLANK = re.compile(rb"_:[A-Za-z0-9]+")


def content(server: OxigraphServer) -> tuple[int, str]:
    """The store's quads (its whole dataset, as the server dumps it in N-Quads): their number,
    and a SHA-256 of them sorted, with blank node labels blanked (each load labels them anew)."""
    answer = httpx.get(server.base + "/store", headers={"Accept": "application/n-quads"}, timeout=600)
    answer.raise_for_status()
    lines = sorted(BLANK.sub(b"_:", line) for line in answer.content.splitlines() if line.strip())
    return len(lines), hashlib.sha256(b"\n".join(lines)).hexdigest()


def upload(server: OxigraphServer, release: Path, *options: str) -> float:
    """Seconds for one whole ``vitd-kg upload`` process into ``server``."""
    vitd_kg = str(Path(sys.executable).parent / "vitd-kg")
    start = time.perf_counter()
    subprocess.run([vitd_kg, "upload", "--endpoint", server.query_url, "--release", str(release),
                    "--read-timeout", "1200", *options], check=True, capture_output=True)
    return time.perf_counter() - start


def safe_uploads(release: Path) -> tuple[float, float, float, tuple[int, str]]:
    """A first load and a reload into one store, then a staged first load into another; the
    content of each store, which must be the same (:func:`content`)."""
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        first = upload(server, release)
        loaded = content(server)
        reload = upload(server, release)
        if content(server) != loaded:
            raise SystemExit(f"{release}: the store changed when the same release was loaded again")
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        staged = upload(server, release, "--method", "dataset")
        if content(server) != loaded:
            raise SystemExit(f"{release}: the staged first load and the first load left different stores")
    return first, reload, staged, loaded


def raw_post(release: Path) -> tuple[float, tuple[int, str]]:
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        start = time.perf_counter()
        with (release / "vitd-kg.nq").open("rb") as body:
            answer = httpx.post(server.base + "/store", content=body, headers={"Content-Type": "application/n-quads"},
                                timeout=1200)
        answer.raise_for_status()
        return time.perf_counter() - start, content(server)


if __name__ == "__main__":
    print("| release | quads | first load | reload (staged replace) | first load, staged (`--method dataset`) "
          "| raw POST | throughput ratio, first load | ratio, reload | ratio, staged |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for arg in sys.argv[1:]:
        release = Path(arg)
        first, reload, staged, safe_content = safe_uploads(release)
        raw_seconds, raw_content = raw_post(release)
        if safe_content != raw_content:
            raise SystemExit(f"{release}: the stores differ: {safe_content[0]} quads after upload, "
                             f"{raw_content[0]} after the POST, or the same number of different quads")
        print(f"| {release.name} | {raw_content[0]:,} | {first:.2f} s | {reload:.2f} s | {staged:.2f} s | {raw_seconds:.3f} s "
              f"| {raw_seconds / first:.3f} | {raw_seconds / reload:.3f} | {raw_seconds / staged:.3f} |", flush=True)
