#!/usr/bin/env python
"""The safe upload of a release against one raw POST of its N-Quads, on a real Oxigraph server.

For each release folder given (built by ``vitd-kg dist``, e.g. from ``vitd-kg synth`` data),
fresh on-disk ``oxigraph serve`` stores are started in turn, and in each one whole process
is timed as wall clock:

- ``vitd-kg upload --release DIR`` into an empty store: a first load, which on Oxigraph is
  one transactional N-Quads POST straight into the target graphs, then counts;
- then three reloads into that store, each of which reads the targets back and writes only
  the graphs that changed (one update, or staging and a swap when the update would pass
  ``UPDATE_BYTES``): the same release again; a copy with one literal changed in 1% of
  the graphs; and, after a copy with one literal changed in every graph, the release
  itself again, so that every graph changes and the store must end as the first load left it;
- ``vitd-kg upload --method dataset --release DIR`` into an empty store: a first load
  through staging, counts and the swap;
- one Graph Store POST of the release's ``vitd-kg.nq`` (what a user without the safety
  would do);
- ``oxigraph load --location DIR --file vitd-kg.nq``, Oxigraph's offline bulk loader, into
  an empty store directory with no server running (the fastest way into an empty store).

Every store's content (its N-Quads dump, blank node labels aside) must equal the raw
POST's, and a reload of the same release must leave the store as the first load did. Needs the ``oxigraph``
package (its ``oxigraph`` command) and httpx:

    python benchmarks/upload_release.py RELEASE_DIR [RELEASE_DIR ...]
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import httpx
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from servers import OxigraphServer, oxigraph_load  # noqa: E402

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


def with_literals_changed(release: Path, every: int, out: Path) -> Path:
    """A release folder (its N-Quads dump and checksum) with one literal changed in every
    ``every``-th named graph that has one: the same graphs, the same triple counts."""
    out.mkdir()
    quads, changed = [], set()
    for n, quad in enumerate(ox.parse(path=release / "vitd-kg.nq", format=ox.RdfFormat.N_QUADS)):
        graph = quad.graph_name
        if isinstance(quad.object, ox.Literal) and graph not in changed and zlib.crc32(graph.value.encode()) % every == 0:
            changed.add(graph)
            quad = ox.Quad(quad.subject, quad.predicate, ox.Literal(quad.object.value + " (changed)"), graph)
        quads.append(quad)
    body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    (out / "vitd-kg.nq").write_bytes(body)
    (out / "SHA256SUMS").write_text(f"{hashlib.sha256(body).hexdigest()}  vitd-kg.nq\n", encoding="utf-8")
    return out


def safe_uploads(release: Path) -> tuple[list[float], tuple[int, str]]:
    """A first load and three reloads into one store, then a staged first load into another:
    the seconds of each, and the content both stores must have (:func:`content`)."""
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        some = with_literals_changed(release, 100, Path(tmp) / "one-percent")
        every = with_literals_changed(release, 1, Path(tmp) / "every-graph")
        first = upload(server, release)
        loaded = content(server)
        unchanged = upload(server, release)
        if content(server) != loaded:
            raise SystemExit(f"{release}: the store changed when the same release was loaded again")
        one_percent = upload(server, some)
        upload(server, every)
        all_changed = upload(server, release)
        if content(server) != loaded:
            raise SystemExit(f"{release}: a reload that changed every graph did not leave the store as the first load")
        shutil.rmtree(some)
        shutil.rmtree(every)
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        staged = upload(server, release, "--method", "dataset")
        if content(server) != loaded:
            raise SystemExit(f"{release}: the staged first load and the first load left different stores")
    return [first, unchanged, one_percent, all_changed, staged], loaded


def raw_post(release: Path) -> tuple[float, tuple[int, str]]:
    with tempfile.TemporaryDirectory() as tmp, OxigraphServer(Path(tmp) / "store") as server:
        start = time.perf_counter()
        with (release / "vitd-kg.nq").open("rb") as body:
            answer = httpx.post(server.base + "/store", content=body, headers={"Content-Type": "application/n-quads"},
                                timeout=1200)
        answer.raise_for_status()
        return time.perf_counter() - start, content(server)


def offline_bulk_load(release: Path) -> tuple[float, tuple[int, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        oxigraph_load(Path(tmp) / "store", release / "vitd-kg.nq")
        seconds = time.perf_counter() - start
        with OxigraphServer(Path(tmp) / "store") as server:
            return seconds, content(server)


if __name__ == "__main__":
    paths = ["first load", "reload, unchanged", "reload, 1% of graphs changed", "reload, every graph changed",
             "first load, staged (`--method dataset`)"]
    print(f"| release | quads | {' | '.join(paths)} | raw POST | `oxigraph load` | "
          + " | ".join(f"throughput ratio, {path.split(' (')[0]}" for path in paths) + " |")
    print("|---|---:|" + "---:|" * (2 * len(paths) + 2))
    for arg in sys.argv[1:]:
        release = Path(arg)
        seconds, safe_content = safe_uploads(release)
        raw_seconds, raw_content = raw_post(release)
        bulk_seconds, bulk_content = offline_bulk_load(release)
        if bulk_content != raw_content:
            raise SystemExit(f"{release}: `oxigraph load` and the raw POST left different stores")
        if safe_content != raw_content:
            raise SystemExit(f"{release}: the stores differ: {safe_content[0]} quads after upload, "
                             f"{raw_content[0]} after the POST, or the same number of different quads")
        print(f"| {release.name} | {raw_content[0]:,} | " + " | ".join(f"{s:.2f} s" for s in seconds)
              + f" | {raw_seconds:.3f} s | {bulk_seconds:.3f} s | " + " | ".join(f"{raw_seconds / s:.3f}" for s in seconds)
              + " |", flush=True)
