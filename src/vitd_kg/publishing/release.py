"""Releases: the graph as standard dumps, with nanopublications, VoID/DCAT metadata and checksums.

:func:`dist` writes a release folder, all at once (:mod:`vitd_kg.atomic`): the dumps of
:mod:`vitd_kg.exports.rdf` (Turtle, N-Triples, N-Quads, TriG, JSON-LD, and the
ontology in RDF/XML), the bundled context and queries, one nanopublication per claim,
``void.ttl`` and ``SHA256SUMS``. The issued date comes from the ontology's metadata,
never from the clock, so two builds of one version are byte-identical.

>>> import tempfile, pathlib, vitd_kg
>>> out = pathlib.Path(tempfile.mkdtemp()) / "release"
>>> files = vitd_kg.open().dist(out)
>>> sorted(f.path for f in files if "/" not in f.path)
['context.jsonld', 'vitd-kg.jsonld', 'vitd-kg.nq', 'vitd-kg.nt', 'vitd-kg.trig', 'vitd-kg.ttl', 'void.ttl']
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from vitd_kg import resources
from vitd_kg.atomic import publish_folder
from vitd_kg.errors import InputError
from vitd_kg.exports.rdf import ONTOLOGY_GRAPH, ReleaseDataset, write_dataset
from vitd_kg.namespaces import ONTOLOGY_IRI, PREFIXES
from vitd_kg.publishing.void import DUMP_FILES, ONTOLOGY_RDFXML, void_turtle

VOID_FILE = "void.ttl"
CHECKSUM_FILE = "SHA256SUMS"
DCTERMS = "http://purl.org/dc/terms/"


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release with its size and SHA-256."""

    path: str
    size: int
    sha256: str


def dist(
    dataset: ReleaseDataset,
    store: ox.Store,
    outdir: Path,
    *,
    force: bool = False,
    sign_key: Path | None = None,
    signer: str | None = None,
) -> list[ReleaseFile]:
    """Build a release of ``dataset`` (``store`` is the same graph, for the nanopublications) in ``outdir``.

    Everything is written into a staging folder next to ``outdir`` and moved into
    place only when complete. A non-empty ``outdir`` is refused unless ``force``.
    """
    issued = release_issued(dataset.graphs[ONTOLOGY_GRAPH])
    return publish_folder(
        outdir, lambda root: _build(root, dataset, store, issued, sign_key=sign_key, signer=signer), force=force
    )


def _build(root: Path, dataset: ReleaseDataset, store: ox.Store, issued: str, *, sign_key: Path | None, signer: str | None) -> list[ReleaseFile]:
    from vitd_kg.publishing.nanopubs import write_nanopubs

    sizes = {}
    for name, fmt in DUMP_FILES.items():
        with open(root / name, "wb") as out:
            write_dataset(dataset, fmt, out)
        sizes[name] = (root / name).stat().st_size
    (root / "ontology").mkdir()
    ox.serialize(dataset.graphs[ONTOLOGY_GRAPH], str(root / ONTOLOGY_RDFXML), ox.RdfFormat.RDF_XML, prefixes=dict(PREFIXES))
    sizes[ONTOLOGY_RDFXML] = (root / ONTOLOGY_RDFXML).stat().st_size
    (root / "context.jsonld").write_bytes(resources.ontology_folder_bytes(resources.CONTEXT_FILE))
    queries = _copy_queries(root)
    write_nanopubs(store, root / "nanopubs", issued=issued, sign_key=sign_key, signer=signer)
    (root / VOID_FILE).write_text(void_turtle(dataset, issued=issued, queries=queries, sizes=sizes), encoding="utf-8")
    return write_checksums(root)


def _copy_queries(root: Path) -> list[tuple[str, str]]:
    """Copy every bundled query into ``queries/``; return (path, description) pairs."""
    from vitd_kg.sparql.queries import bundled_queries

    copied = []
    for query in bundled_queries():
        path = root / "queries" / f"{query.name}.rq"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(query.text, encoding="utf-8")
        copied.append((f"queries/{query.name}.rq", query.description))
    return copied


def release_issued(ontology: Iterable[ox.Triple]) -> str:
    """The release date: the ontology's ``dcterms:issued``, else its ``dcterms:created``."""
    dates = {
        t.predicate.value: t.object.value
        for t in ontology
        if t.subject == ox.NamedNode(ONTOLOGY_IRI) and t.predicate.value in (DCTERMS + "issued", DCTERMS + "created")
    }
    for prop in ("issued", "created"):
        if DCTERMS + prop in dates:
            return dates[DCTERMS + prop]
    raise InputError("the ontology has no dcterms:issued or dcterms:created date", file=resources.ONTOLOGY_FILE)


def write_checksums(root: Path) -> list[ReleaseFile]:
    """Write ``SHA256SUMS`` (``sha256sum -c`` format) for every file under ``root``."""
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative == CHECKSUM_FILE:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        files.append(ReleaseFile(relative, path.stat().st_size, digest))
    (root / CHECKSUM_FILE).write_text("".join(f"{f.sha256}  {f.path}\n" for f in files), encoding="utf-8")
    return files
