"""Releases: the graph as standard dumps, with nanopublications, VoID/DCAT and RO-Crate metadata and checksums.

:func:`dist` writes a release folder, all at once (:mod:`vitd_kg.atomic`): the dumps of
:mod:`vitd_kg.exports.rdf` (Turtle, N-Triples, N-Quads, TriG, JSON-LD), the ontology
alone in Turtle, N-Triples, RDF/XML and JSON-LD, the SHACL shapes (in no dump: they
are not data), the bundled context and queries, one nanopublication per claim,
``void.ttl``, ``ro-crate-metadata.json`` and ``SHA256SUMS``. The issued date comes
from the ontology's metadata, never from the clock, so two builds of one version are
byte-identical.

>>> import tempfile, pathlib, vitd_kg
>>> out = pathlib.Path(tempfile.mkdtemp()) / "release"
>>> files = vitd_kg.open().dist(out)
>>> sorted(f.path for f in files if "/" not in f.path)  # doctest: +NORMALIZE_WHITESPACE
['context.jsonld', 'ro-crate-metadata.json', 'vitd-kg.jsonld', 'vitd-kg.nq', 'vitd-kg.nt',
 'vitd-kg.trig', 'vitd-kg.ttl', 'void.ttl']
>>> sorted(f.path for f in files if f.path.startswith("ontology/"))  # doctest: +NORMALIZE_WHITESPACE
['ontology/shapes-sparql.ttl', 'ontology/shapes.ttl', 'ontology/vitd.jsonld', 'ontology/vitd.nt',
 'ontology/vitd.rdf', 'ontology/vitd.ttl']
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from vitd_kg import resources
from vitd_kg.atomic import publish_folder
from vitd_kg.errors import InputError
from vitd_kg.exports.rdf import ONTOLOGY_GRAPH, ReleaseDataset, write_dataset
from vitd_kg.namespaces import ONTOLOGY_IRI
from vitd_kg.publishing.void import DUMP_FILES, ONTOLOGY_FILES, ontology_only, shape_files, void_turtle
from vitd_kg.storage.hashing import HashingReader

VOID_FILE = "void.ttl"
CHECKSUM_FILE = "SHA256SUMS"
#: The dump a release is read back from: every named graph, each triple once.
QUADS_DUMP = "vitd-kg.nq"
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
    from vitd_kg.publishing.schema_org import CRATE_FILE, describe, ro_crate

    # first: they refuse a graph whose claims cannot be published (a claim without an IRI)
    write_nanopubs(store, root / "nanopubs", issued=issued, sign_key=sign_key, signer=signer)
    sizes = {}
    (root / "ontology").mkdir()
    for files, source in ((DUMP_FILES, dataset), (ONTOLOGY_FILES, ontology_only(dataset))):
        for name, fmt in files.items():
            with open(root / name, "wb") as out:
                write_dataset(source, fmt, out)
            sizes[name] = (root / name).stat().st_size
    for name in shape_files():  # beside the dumps, in none of them: the shapes are not data
        (root / name).write_bytes(resources.ontology_folder_bytes(name.split("/", 1)[1]))
        sizes[name] = (root / name).stat().st_size
    (root / "context.jsonld").write_bytes(resources.ontology_folder_bytes(resources.CONTEXT_FILE))
    queries = _copy_queries(root)
    (root / VOID_FILE).write_text(void_turtle(dataset, issued=issued, queries=queries, sizes=sizes), encoding="utf-8")
    files = list_files(root)
    crate = ro_crate(files, describe(store, dataset.graphs[ONTOLOGY_GRAPH], issued=issued))
    text = (json.dumps(crate, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    (root / CRATE_FILE).write_bytes(text)
    files.append(ReleaseFile(CRATE_FILE, len(text), hashlib.sha256(text).hexdigest()))
    return write_checksums(root, sorted(files, key=lambda f: f.path))


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


def list_files(root: Path) -> list[ReleaseFile]:
    """Every file under ``root`` with its size and SHA-256, but ``SHA256SUMS``, sorted by path."""
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative == CHECKSUM_FILE:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        files.append(ReleaseFile(relative, path.stat().st_size, digest))
    return files


def write_checksums(root: Path, files: list[ReleaseFile] | None = None) -> list[ReleaseFile]:
    """Write ``SHA256SUMS`` (``sha256sum -c`` format) for every file under ``root``.

    ``files`` are the folder's files with their digests when the caller has them already.
    """
    files = list_files(root) if files is None else files
    (root / CHECKSUM_FILE).write_text("".join(f"{f.sha256}  {f.path}\n" for f in files), encoding="utf-8")
    return files


def is_release(folder: Path) -> bool:
    """True for a folder that ``vitd-kg dist`` built (it has ``SHA256SUMS`` and the N-Quads dump)."""
    return (folder / CHECKSUM_FILE).is_file() and (folder / QUADS_DUMP).is_file()


def read_release(folder: Path) -> dict[str, list[ox.Triple]]:
    """The named graphs of a release folder, read from its N-Quads dump.

    The dump is parsed strictly and hashed while it is read (one pass, one open); a
    digest that differs from the one ``SHA256SUMS`` lists raises :class:`InputError`,
    so a damaged release is never used.
    """
    folder = Path(folder)
    sums = folder / CHECKSUM_FILE
    if not sums.is_file():
        raise InputError(f"{folder} holds no {CHECKSUM_FILE}", file=str(folder), hint="pass a folder built by `vitd-kg dist`")
    expected = None
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), 1):
        digest, _, name = line.partition("  ")
        if name == QUADS_DUMP:
            expected = (digest, number)
    if expected is None:
        raise InputError(f"{CHECKSUM_FILE} lists no {QUADS_DUMP}", file=str(sums), hint="rebuild the release with `vitd-kg dist`")
    dump = folder / QUADS_DUMP
    graphs: dict[str, list[ox.Triple]] = {}
    try:
        with open(dump, "rb") as raw:
            reader = HashingReader(raw)
            for quad in ox.parse(input=reader, format=ox.RdfFormat.N_QUADS):
                graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
            reader.drain()
    except SyntaxError as error:
        raise InputError(f"N-Quads syntax error: {error}", file=str(dump), hint="rebuild the release with `vitd-kg dist`") from None
    except OSError as error:
        raise InputError(f"cannot read the release dump: {error.strerror}", file=str(dump)) from None
    if reader.hexdigest() != expected[0]:
        raise InputError(
            f"{QUADS_DUMP} does not match its checksum",
            file=str(sums), line=expected[1], hint="the release is damaged: download or build it again",
        )
    return graphs
