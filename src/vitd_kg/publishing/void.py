"""The release's VoID and DCAT description: what the dataset is, its parts and its downloads.

>>> import vitd_kg
>>> kg = vitd_kg.open()
>>> text = void_turtle(kg.release_dataset, issued="2026-01-01")
>>> "void:triples" in text and "dcat:downloadURL" in text
True
"""

from __future__ import annotations

import io
from typing import Iterable

import pyoxigraph as ox

from vitd_kg import __version__, resources
from vitd_kg.exports.rdf import MEDIA_TYPES, ONTOLOGY_GRAPH as ONTOLOGY_GRAPH_IRI, ReleaseDataset, sort_triples, write_dataset
from vitd_kg.namespaces import BASE, ONTOLOGY_IRI, PREFIXES, PROJECT_AGENT, VITD

DATASET_IRI = BASE + "dataset"
RELEASE_BASE = f"{BASE}release/{__version__}/"
DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
CODE_LICENSE = "https://spdx.org/licenses/MIT"
#: The dataset's title and description, as the VoID, the RO-Crate and the site's markup give them.
DATASET_TITLE = "vitd-kg: vitamin D and muscle spasm claim graph"
DATASET_DESCRIPTION = (
    "Every statement of a short research summary on vitamin D and muscle spasm as RDF: studies, "
    "populations, interventions, effects, mechanisms and claims, each claim tied to its verbatim "
    "source sentence, its hedges and its evidence level."
)

#: The dump files of a release: file name -> format name.
DUMP_FILES = {
    "vitd-kg.ttl": "turtle",
    "vitd-kg.nt": "ntriples",
    "vitd-kg.nq": "nquads",
    "vitd-kg.trig": "trig",
    "vitd-kg.jsonld": "jsonld",
}
ONTOLOGY_RDFXML = "ontology/vitd.rdf"
#: The ontology alone, in each serialization (file name -> format name): its IRI
#: resolves to whichever a client asks for (docs/w3id/).
ONTOLOGY_FILES = {
    "ontology/vitd.ttl": "turtle",
    "ontology/vitd.nt": "ntriples",
    ONTOLOGY_RDFXML: "rdfxml",
    "ontology/vitd.jsonld": "jsonld",
}
#: The SHACL shapes, shipped beside the dumps and in none of them (they are not data).
SHAPES_TURTLE = "ontology/shapes.ttl"


def shape_files() -> list[str]:
    """The release paths of the bundled SHACL files (``ontology/shapes*.ttl``)."""
    return [f"ontology/{name}" for name in resources.shape_file_names()]


def ontology_only(dataset: ReleaseDataset) -> ReleaseDataset:
    """The ontology's graph alone, as a dataset its files are written from."""
    return ReleaseDataset({ONTOLOGY_GRAPH_IRI: dataset.graphs[ONTOLOGY_GRAPH_IRI]})

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"


def dump_sizes(dataset: ReleaseDataset) -> dict[str, int]:
    """The byte size of each dump, ontology and shapes file, computed by writing to a counter, not to disk."""
    sizes = {}
    ontology = ontology_only(dataset)
    for files, source in ((DUMP_FILES, dataset), (ONTOLOGY_FILES, ontology)):
        for name, fmt in files.items():
            counter = _Counter()
            write_dataset(source, fmt, counter)  # type: ignore[arg-type]
            sizes[name] = counter.size
    for path in shape_files():
        sizes[path] = len(resources.ontology_folder_bytes(path.split("/", 1)[1]))
    return sizes


class _Counter(io.RawIOBase):
    """A binary sink that counts what is written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.size += len(data)
        return len(data)


def void_description(dataset: ReleaseDataset, sizes: dict[str, int], queries: list[tuple[str, str]], issued: str) -> list[ox.Triple]:
    """VoID + DCAT triples describing a release: ``sizes`` of its dump files, its ``queries`` (path, description)."""
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
    add(ds, DCTERMS + "title", lit(DATASET_TITLE, lang="en"))
    add(ds, DCTERMS + "description", lit(DATASET_DESCRIPTION, lang="en"))
    add(ds, DCTERMS + "license", ox.NamedNode(DATA_LICENSE))
    add(ds, DCTERMS + "rights", lit("Ontology and data: CC BY 4.0. Code (the vitd-kg Python package): MIT.", lang="en"))
    add(ds, DCTERMS + "creator", ox.NamedNode(PROJECT_AGENT))
    add(ds, DCTERMS + "issued", lit(issued, XSD + "date"))
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
    files = [(name, fmt, "graph") for name, fmt in DUMP_FILES.items()]
    files += [(name, fmt, "ontology") for name, fmt in ONTOLOGY_FILES.items()]
    files += [(name, "turtle", "SHACL shapes") for name in shape_files() if name in sizes]
    for name, fmt, what in files:
        dist_node = ox.NamedNode(RELEASE_BASE + name)
        add(ds, DCAT + "distribution", dist_node)
        add(dist_node, RDF_TYPE.value, ox.NamedNode(DCAT + "Distribution"))
        add(dist_node, DCAT + "downloadURL", dist_node)
        add(dist_node, DCAT + "mediaType", ox.NamedNode(f"https://www.iana.org/assignments/media-types/{MEDIA_TYPES[fmt]}"))
        add(dist_node, DCAT + "byteSize", lit(sizes[name], XSD + "integer"))
        add(dist_node, DCTERMS + "license", ox.NamedNode(DATA_LICENSE))
        add(dist_node, DCTERMS + "title", lit(f"{what} in {fmt}", lang="en"))
        if what != "SHACL shapes":  # the shapes are not data: no dump of the dataset
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


def void_turtle(dataset: ReleaseDataset, *, issued: str, queries: Iterable[tuple[str, str]] = (), sizes: dict[str, int] | None = None) -> str:
    """The VoID/DCAT description as Turtle (dump sizes computed when not given)."""
    triples = void_description(dataset, sizes if sizes is not None else dump_sizes(dataset), list(queries), issued)
    return ox.serialize(sort_triples(triples), format=ox.RdfFormat.TURTLE, prefixes={**PREFIXES, "void": VOID, "dcat": DCAT}).decode("utf-8")
