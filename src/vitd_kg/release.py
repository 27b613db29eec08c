"""Releases: the graph as standard dumps, with VoID/DCAT metadata and checksums.

The release is a *dataset* of named graphs, each triple in exactly one of them:

* ``graph/ontology`` -- the OWL ontology (``ontology/vitd.ttl``);
* ``graph/shapes`` -- the SHACL shapes (``ontology/shapes.ttl``), when the package ships them;
* ``graph/claim/<id>`` -- one per claim: every triple whose *subject* is the claim
  (its statement, qualifiers, sentence and provenance links);
* ``graph/data`` -- every other data triple (studies, effects, sentences, concepts ...).

So the union of ontology, data and claim graphs is exactly the graph that
:func:`vitd_kg.load` returns, and the triple formats (Turtle, N-Triples, JSON-LD,
RDF/XML) hold that union. Output is deterministic: triples are sorted and blank
nodes get canonical labels, so two builds of the same version are byte-identical
(the issued date comes from the ontology's metadata, never from the clock).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable

import pyoxigraph as ox

from . import __version__, resources
from .errors import InputError
from .graph import DataDir, SourceFile, parse_into, source_files
from .namespaces import BASE, ONTOLOGY_IRI, PREFIXES, VITD

GRAPH_BASE = BASE + "graph/"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
SHAPES_GRAPH = GRAPH_BASE + "shapes"
DATA_GRAPH = GRAPH_BASE + "data"
DATASET_IRI = BASE + "dataset"
RELEASE_BASE = f"{BASE}release/{__version__}/"
DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
CODE_LICENSE = "https://spdx.org/licenses/MIT"

#: Serializations ``vitd-kg export`` writes itself: name -> (Oxigraph format, is a quad format).
RDF_FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "ntriples": (ox.RdfFormat.N_TRIPLES, False),
    "nquads": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "jsonld": (ox.RdfFormat.JSON_LD, False),
    "rdfxml": (ox.RdfFormat.RDF_XML, False),
}

#: The dump files of a release: file name -> format name.
DUMP_FILES = {
    "vitd-kg.ttl": "turtle",
    "vitd-kg.nt": "ntriples",
    "vitd-kg.nq": "nquads",
    "vitd-kg.trig": "trig",
    "vitd-kg.jsonld": "jsonld",
}
ONTOLOGY_RDFXML = "ontology/vitd.rdf"
VOID_FILE = "void.ttl"
CHECKSUM_FILE = "SHA256SUMS"

MEDIA_TYPES = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"


def claim_graph_iri(claim: str) -> str:
    """The named graph of one claim: ``.../graph/claim/<id>`` for ``.../id/claim/<id>``."""
    return GRAPH_BASE + "claim/" + claim.rsplit("/", 1)[-1]


@dataclass
class ReleaseDataset:
    """The graph split into named graphs (IRI -> sorted triples), in release order."""

    graphs: dict[str, list[ox.Triple]] = field(default_factory=dict)

    def quads(self) -> list[ox.Quad]:
        """Every triple in its named graph."""
        return [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, ts in self.graphs.items() for t in ts]

    def union(self) -> list[ox.Triple]:
        """The union of every graph but the shapes: what :func:`vitd_kg.load` returns."""
        seen: set[ox.Triple] = set()
        for name, triples in self.graphs.items():
            if name != SHAPES_GRAPH:
                seen.update(triples)
        return sort_triples(seen)

    def claim_graphs(self) -> dict[str, list[ox.Triple]]:
        """Only the per-claim graphs."""
        return {g: ts for g, ts in self.graphs.items() if g.startswith(GRAPH_BASE + "claim/")}


def sort_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Triples in a stable order (by their N-Triples text)."""
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _parse_group(sources: list[SourceFile]) -> ox.Store:
    store = ox.Store()
    for source in sources:
        parse_into(store, source)
    return store


def _canonical(triples_by_graph: dict[str, list[ox.Triple]]) -> dict[str, list[ox.Triple]]:
    """Give blank nodes canonical labels so dumps are reproducible byte for byte."""
    dataset = ox.Dataset(
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, ts in triples_by_graph.items() for t in ts
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    out: dict[str, list[ox.Triple]] = {g: [] for g in triples_by_graph}
    for quad in dataset:
        out[quad.graph_name.value].append(quad.triple)
    return {g: sort_triples(ts) for g, ts in out.items()}


def release_dataset(data_dir: DataDir = None) -> ReleaseDataset:
    """Split the ontology, shapes and data into the release's named graphs.

    >>> ds = release_dataset()
    >>> len(ds.claim_graphs())
    30
    """
    files = source_files(data_dir)
    ontology = _parse_group(files[:1])
    data = _parse_group(files[1:])
    claims = {q.subject for q in data.quads_for_pattern(None, ox.NamedNode(str(VITD.sourceSentence)), None)}
    graphs: dict[str, list[ox.Triple]] = {ONTOLOGY_GRAPH: [q.triple for q in ontology]}
    shapes = resources.shapes_file()
    if shapes.is_file():
        graphs[SHAPES_GRAPH] = [q.triple for q in _parse_group([SourceFile(f"ontology/{resources.SHAPES_FILE}", shapes)])]
    graphs[DATA_GRAPH] = [q.triple for q in data if q.subject not in claims]
    for claim in sorted(claims, key=str):
        graphs[claim_graph_iri(claim.value)] = [q.triple for q in data.quads_for_pattern(claim, None, None)]
    return ReleaseDataset(_canonical(graphs))


def bundled_context() -> dict:
    """The bundled JSON-LD ``@context`` (prefixes only; embedded, never fetched)."""
    return json.loads(resources.context_file().read_text(encoding="utf-8"))["@context"]


def serialize(dataset: ReleaseDataset, output_format: str, out: BinaryIO) -> None:
    """Write the release in one RDF serialization (see :data:`RDF_FORMATS`)."""
    if output_format not in RDF_FORMATS:
        raise InputError(f"unknown RDF format {output_format!r}", hint=f"use one of {', '.join(RDF_FORMATS)}")
    rdf_format, is_quads = RDF_FORMATS[output_format]
    if output_format == "jsonld":
        write_jsonld(dataset.union(), out)
        return
    items = dataset.quads() if is_quads else dataset.union()
    ox.serialize(items, out, rdf_format, prefixes=dict(PREFIXES) if rdf_format != ox.RdfFormat.N_TRIPLES else None)


def write_jsonld(triples: list[ox.Triple], out: BinaryIO) -> None:
    """JSON-LD compacted with the bundled ``@context`` embedded in the file."""
    from rdflib import Graph

    from .terms import to_rdflib

    graph = Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    document = json.loads(graph.serialize(format="json-ld", context=bundled_context(), auto_compact=True))
    out.write(json.dumps(_sorted_jsonld(document), indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def _sorted_jsonld(value):
    """Sort every JSON-LD array (node lists, value sets) so the output is reproducible.

    Only ``@list`` arrays carry order in JSON-LD, so they are left as they are.
    """
    if isinstance(value, dict):
        return {k: (v if k == "@list" else _sorted_jsonld(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_jsonld(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def export(output_format: str, out: BinaryIO, *, data_dir: DataDir = None) -> None:
    """Write the graph in one format to a binary stream.

    >>> import io
    >>> buffer = io.BytesIO()
    >>> export("ntriples", buffer)
    >>> buffer.getvalue().count(b"\\n") > 1000
    True
    """
    serialize(release_dataset(data_dir), output_format, out)


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release with its size and SHA-256."""

    path: str
    size: int
    sha256: str


def dist(
    outdir: Path | str,
    *,
    data_dir: DataDir = None,
    force: bool = False,
    sign_key: Path | None = None,
    signer: str | None = None,
) -> list[ReleaseFile]:
    """Build a release into ``outdir``: dumps, nanopublications, VoID/DCAT, checksums.

    Everything is written into a temporary folder next to ``outdir`` and moved into
    place only when complete, so ``outdir`` never holds a half-written release.
    A non-empty ``outdir`` is refused unless ``force`` is true.
    """
    target = Path(outdir)
    if target.exists() and not target.is_dir():
        raise InputError(f"{target} exists and is not a folder", hint="choose a new folder for the release")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise InputError(f"{target} is not empty", hint="choose an empty or new folder, or pass --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        files = _build(staging, data_dir=data_dir, sign_key=sign_key, signer=signer)
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return files


def void_graph(*, data_dir: DataDir = None):
    """The release's VoID/DCAT description as an ``rdflib.Graph``.

    Builds the release in a temporary folder (sizes and checksums of the dumps are part
    of the description) and reads back its ``void.ttl``.
    """
    from rdflib import Graph

    with tempfile.TemporaryDirectory(prefix="vitd-kg-void-") as tmp:
        root = Path(tmp) / "release"
        dist(root, data_dir=data_dir)
        return Graph().parse(root / "void.ttl", format="turtle")


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename the finished staging folder to ``target`` (replacing an old one)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _build(root: Path, *, data_dir: DataDir, sign_key: Path | None, signer: str | None) -> list[ReleaseFile]:
    from .nanopubs import write_nanopubs

    dataset = release_dataset(data_dir)
    for name, fmt in DUMP_FILES.items():
        with open(root / name, "wb") as out:
            serialize(dataset, fmt, out)
    (root / "ontology").mkdir()
    ox.serialize(dataset.graphs[ONTOLOGY_GRAPH], str(root / ONTOLOGY_RDFXML), ox.RdfFormat.RDF_XML, prefixes=dict(PREFIXES))
    (root / "context.jsonld").write_bytes(resources.context_file().read_bytes())
    queries = _copy_queries(root)
    write_nanopubs(root / "nanopubs", data_dir=data_dir, sign_key=sign_key, signer=signer)
    ox.serialize(
        sort_triples(void_description(dataset, root, queries, data_dir)),
        str(root / VOID_FILE),
        ox.RdfFormat.TURTLE,
        prefixes={**PREFIXES, "void": VOID, "dcat": DCAT},
    )
    return write_checksums(root)


def _copy_queries(root: Path) -> list[tuple[str, str]]:
    """Copy every bundled query into ``queries/``; return (path, description) pairs."""
    from .sparql import bundled_queries

    copied = []
    for query in bundled_queries():
        path = root / "queries" / f"{query.name}.rq"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(query.text, encoding="utf-8")
        copied.append((f"queries/{query.name}.rq", query.description))
    return copied


def release_issued(data_dir: DataDir = None) -> str:
    """The release date: the ontology's ``dcterms:issued``, else its ``dcterms:created``."""
    store = _parse_group(source_files(data_dir)[:1])
    for prop in ("issued", "created"):
        for quad in store.quads_for_pattern(ox.NamedNode(ONTOLOGY_IRI), ox.NamedNode(DCTERMS + prop), None):
            return quad.object.value
    raise InputError("the ontology has no dcterms:issued or dcterms:created date", file=resources.ONTOLOGY_FILE)


def void_description(dataset: ReleaseDataset, root: Path, queries: list[tuple[str, str]], data_dir: DataDir) -> list[ox.Triple]:
    """VoID + DCAT triples describing the release in ``root``."""
    triples: list[ox.Triple] = []
    ds = ox.NamedNode(DATASET_IRI)

    def add(s: ox.NamedNode, p: str, o) -> None:
        triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def lit(value, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
        if lang:
            return ox.Literal(str(value), language=lang)
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(str(value))

    add(ds, RDF_TYPE.value, ox.NamedNode(VOID + "Dataset"))
    add(ds, RDF_TYPE.value, ox.NamedNode(DCAT + "Dataset"))
    add(ds, DCTERMS + "title", lit("vitd-kg: vitamin D and muscle spasm claim graph", lang="en"))
    add(ds, DCTERMS + "description", lit(
        "Every statement of a short research summary on vitamin D and muscle spasm as RDF: studies, "
        "populations, interventions, effects, mechanisms and claims, each claim tied to its verbatim "
        "source sentence, its hedges and its evidence level.", lang="en"))
    add(ds, DCTERMS + "license", ox.NamedNode(DATA_LICENSE))
    add(ds, DCTERMS + "rights", lit("Ontology and data: CC BY 4.0. Code (the vitd-kg Python package): MIT.", lang="en"))
    add(ds, DCTERMS + "creator", lit("vitd-kg contributors"))
    add(ds, DCTERMS + "issued", lit(release_issued(data_dir), XSD + "date"))
    add(ds, DCAT + "version", lit(__version__))
    add(ds, "http://www.w3.org/2002/07/owl#versionInfo", lit(__version__))
    add(ds, DCTERMS + "conformsTo", ox.NamedNode(ONTOLOGY_IRI))
    add(ds, VOID + "vocabulary", ox.NamedNode(str(VITD)))
    add(ds, VOID + "uriSpace", lit(BASE + "id/"))
    union = dataset.union()
    add(ds, VOID + "triples", lit(len(union), XSD + "integer"))
    add(ds, VOID + "distinctSubjects", lit(len({t.subject for t in union}), XSD + "integer"))
    software = ox.NamedNode(BASE + "software")
    add(ds, DCTERMS + "relation", software)
    add(software, RDF_TYPE.value, ox.NamedNode(DCAT + "Resource"))
    add(software, DCTERMS + "title", lit("vitd-kg Python package", lang="en"))
    add(software, DCTERMS + "license", ox.NamedNode(CODE_LICENSE))
    for example in _example_resources(union):
        add(ds, VOID + "exampleResource", example)
    for graph, triples_of in dataset.graphs.items():
        subset = ox.NamedNode(graph)
        add(ds, VOID + "subset", subset)
        add(subset, RDF_TYPE.value, ox.NamedNode(VOID + "Dataset"))
        add(subset, VOID + "triples", lit(len(triples_of), XSD + "integer"))
    for name, fmt in [*DUMP_FILES.items(), (ONTOLOGY_RDFXML, "rdfxml")]:
        dist_node = ox.NamedNode(RELEASE_BASE + name)
        add(ds, DCAT + "distribution", dist_node)
        add(dist_node, RDF_TYPE.value, ox.NamedNode(DCAT + "Distribution"))
        add(dist_node, DCAT + "downloadURL", dist_node)
        add(dist_node, DCAT + "mediaType", ox.NamedNode(f"https://www.iana.org/assignments/media-types/{MEDIA_TYPES[fmt]}"))
        add(dist_node, DCAT + "byteSize", lit((root / name).stat().st_size, XSD + "integer"))
        add(dist_node, DCTERMS + "license", ox.NamedNode(DATA_LICENSE))
        add(dist_node, DCTERMS + "title", lit(f"{'ontology' if name == ONTOLOGY_RDFXML else 'graph'} in {fmt}", lang="en"))
        add(ds, VOID + "dataDump", dist_node)
    for path, description in queries:
        q = ox.NamedNode(RELEASE_BASE + path)
        add(ds, DCAT + "distribution", q)
        add(q, RDF_TYPE.value, ox.NamedNode(DCAT + "Distribution"))
        add(q, DCAT + "downloadURL", q)
        add(q, DCAT + "mediaType", ox.NamedNode("https://www.iana.org/assignments/media-types/application/sparql-query"))
        add(q, DCTERMS + "description", lit(description or path, lang="en"))
        add(q, DCTERMS + "license", ox.NamedNode(CODE_LICENSE))
    return triples


def _example_resources(union: list[ox.Triple]) -> list[ox.NamedNode]:
    """The first (by IRI) claim, study and effect."""
    examples = []
    for cls in ("FindingClaim", "Study", "Effect"):
        members = sorted(
            (t.subject for t in union if t.predicate == RDF_TYPE and t.object == ox.NamedNode(str(VITD[cls]))
             and isinstance(t.subject, ox.NamedNode)),
            key=str,
        )
        if members:
            examples.append(members[0])
    return examples


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
