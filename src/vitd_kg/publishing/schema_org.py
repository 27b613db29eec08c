"""schema.org descriptions of the dataset: the release's RO-Crate, and the site's ``Dataset`` markup.

Both say what the VoID says (:mod:`vitd_kg.publishing.void`), in the vocabulary that
repositories and search engines read: name, description, version, dates, license,
the project as creator (an agent, never a person), the source document it is based
on, and the publications the graph records (their DOIs, read from the graph: the
dataset itself has no DOI, and none is made up for it).

* :func:`ro_crate` -- ``ro-crate-metadata.json``, the RO-Crate 1.1 metadata file of a
  release folder: the root ``Dataset`` and one ``File`` per file, with its media
  type, size and SHA-256;
* :func:`dataset_markup` -- the schema.org ``Dataset`` that the site's home page
  embeds as JSON-LD, with the release's downloads as ``DataDownload`` distributions.

>>> import vitd_kg
>>> kg = vitd_kg.open()
>>> about = describe(kg.store, kg.ontology, issued="2026-11-25")
>>> about.creator_name, len(about.citations)
('vitd-kg project', 3)
>>> dataset_markup(about)["@type"]
'Dataset'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

import pyoxigraph as ox

from vitd_kg import __version__
from vitd_kg.namespaces import ONTOLOGY_IRI, PROJECT_AGENT
from vitd_kg.publishing.void import (
    DATA_LICENSE,
    DATASET_DESCRIPTION,
    DATASET_IRI,
    DATASET_TITLE,
    DUMP_FILES,
    ONTOLOGY_FILES,
    RELEASE_BASE,
)
from vitd_kg.exports.rdf import MEDIA_TYPES
from vitd_kg.sparql.engines import run_query
from vitd_kg.sparql.queries import bundled_query

if TYPE_CHECKING:
    from vitd_kg.publishing.release import ReleaseFile

#: The file name RO-Crate 1.1 gives the metadata file at a crate's root.
CRATE_FILE = "ro-crate-metadata.json"
RO_CRATE_CONTEXT = "https://w3id.org/ro/crate/1.1/context"
RO_CRATE_SPEC = "https://w3id.org/ro/crate/1.1"
SCHEMA_CONTEXT = "https://schema.org"

_DCTERMS = "http://purl.org/dc/terms/"
_FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

#: Media type of a release file, by its name's ending (the longest that fits wins).
SUFFIX_MEDIA_TYPES = {
    ".ttl": MEDIA_TYPES["turtle"],
    ".nt": MEDIA_TYPES["ntriples"],
    ".nq": MEDIA_TYPES["nquads"],
    ".trig": MEDIA_TYPES["trig"],
    ".jsonld": MEDIA_TYPES["jsonld"],
    ".rdf": MEDIA_TYPES["rdfxml"],
    ".rq": "application/sparql-query",
    ".tsv": "text/tab-separated-values",
    ".json": "application/json",
    ".html": "text/html",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain",
}


def media_type(path: str) -> str:
    """The media type of a release or site file by its suffix (``text/plain`` for ``SHA256SUMS``).

    >>> media_type("vitd-kg.nq"), media_type("SHA256SUMS")
    ('application/n-quads', 'text/plain')
    """
    for suffix, kind in sorted(SUFFIX_MEDIA_TYPES.items(), key=lambda item: -len(item[0])):
        if path.endswith(suffix):
            return kind
    return "text/plain"


@dataclass(frozen=True)
class Citation:
    """A publication the graph records: its IRI (the DOI's URL), title, year and DOI."""

    iri: str
    title: str
    year: str
    doi: str


@dataclass(frozen=True)
class DatasetFacts:
    """What the descriptions say about the dataset, all read from the opened graph."""

    issued: str
    modified: str
    creator_name: str
    document_iri: str
    document_title: str
    citations: tuple[Citation, ...]
    version: str = __version__


def describe(store: ox.Store, ontology: Iterable[ox.Triple], *, issued: str) -> DatasetFacts:
    """The dataset's dates, creator, source document and publications, from the graph.

    ``issued`` is the release date (:func:`vitd_kg.publishing.release.release_issued`);
    the modified date is the ontology's ``dcterms:modified``; the creator's name is the
    project agent's ``foaf:name``; the source document and the publications come from
    the bundled queries ``docs/source-document`` and ``export/publications``.
    """
    ontology = list(ontology)
    modified = [t.object.value for t in ontology
                if t.subject == ox.NamedNode(ONTOLOGY_IRI) and t.predicate.value == _DCTERMS + "modified"]
    names = {t.predicate.value: t.object.value for t in ontology
             if t.subject == ox.NamedNode(PROJECT_AGENT) and t.predicate.value in (_FOAF_NAME, _RDFS_LABEL)}
    documents = run_query(store, bundled_query("docs/source-document"))
    document = documents[0] if documents else {}
    citations = tuple(
        Citation(str(row["publication"]), str(row.get("title", "")), str(row.get("issued", "")), str(row["doi"]))
        for row in run_query(store, bundled_query("export/publications"))
        if "doi" in row
    )
    return DatasetFacts(
        issued=issued,
        modified=min(modified) if modified else issued,
        creator_name=names.get(_FOAF_NAME) or names.get(_RDFS_LABEL) or PROJECT_AGENT,
        document_iri=str(document.get("document", "")),
        document_title=str(document.get("title", "")),
        citations=citations,
    )


def _common(facts: DatasetFacts) -> dict[str, Any]:
    """The properties the crate's root and the site's markup share."""
    described: dict[str, Any] = {
        "name": DATASET_TITLE,
        "description": DATASET_DESCRIPTION,
        "version": facts.version,
        "datePublished": facts.issued,
        "dateModified": facts.modified,
        "license": {"@id": DATA_LICENSE},
        "creator": {"@id": PROJECT_AGENT},
        "citation": [{"@id": c.iri} for c in facts.citations],
    }
    if facts.document_iri:
        described["isBasedOn"] = {"@id": facts.document_iri}
    return described


def _context_entities(facts: DatasetFacts) -> list[dict[str, Any]]:
    """The creator, license, source document and publications as their own entities."""
    entities: list[dict[str, Any]] = [
        {"@id": PROJECT_AGENT, "@type": "Organization", "name": facts.creator_name},
        {"@id": DATA_LICENSE, "@type": "CreativeWork", "name": "Creative Commons Attribution 4.0 International"},
    ]
    if facts.document_iri:
        entities.append({"@id": facts.document_iri, "@type": "CreativeWork", "name": facts.document_title})
    for c in facts.citations:
        article: dict[str, Any] = {"@id": c.iri, "@type": "ScholarlyArticle", "name": c.title, "identifier": f"doi:{c.doi}"}
        if c.year:
            article["datePublished"] = c.year
        entities.append(article)
    return entities


def ro_crate(files: Iterable["ReleaseFile"], facts: DatasetFacts) -> dict[str, Any]:
    """The RO-Crate 1.1 metadata of a release folder holding ``files``.

    The root ``Dataset`` (``./``) has every file in ``hasPart``, each a ``File`` with
    ``encodingFormat``, ``contentSize`` (bytes) and ``sha256``. ``files`` are the
    folder's files but the metadata file itself and ``SHA256SUMS`` (which lists this
    file's checksum, so this file cannot list its).
    """
    files = sorted(files, key=lambda f: f.path)
    root = {
        "@id": "./",
        "@type": "Dataset",
        "identifier": DATASET_IRI,
        **_common(facts),
        "hasPart": [{"@id": f.path} for f in files],
    }
    graph = [
        {"@id": CRATE_FILE, "@type": "CreativeWork", "about": {"@id": "./"}, "conformsTo": {"@id": RO_CRATE_SPEC}},
        root,
        *_context_entities(facts),
        *(
            {"@id": f.path, "@type": "File", "name": f.path, "encodingFormat": media_type(f.path),
             "contentSize": str(f.size), "sha256": f.sha256}
            for f in files
        ),
    ]
    return {"@context": RO_CRATE_CONTEXT, "@graph": graph}


def distributions() -> list[dict[str, str]]:
    """The release's graph dumps and ontology files as schema.org ``DataDownload``s."""
    names = [*DUMP_FILES, *ONTOLOGY_FILES]
    return [
        {"@type": "DataDownload", "contentUrl": RELEASE_BASE + name, "encodingFormat": media_type(name)}
        for name in names
    ]


def dataset_markup(facts: DatasetFacts) -> dict[str, Any]:
    """The schema.org ``Dataset`` (JSON-LD) that the site's home page embeds."""
    markup = {
        "@context": SCHEMA_CONTEXT,
        "@type": "Dataset",
        "@id": DATASET_IRI,
        "url": DATASET_IRI,
        **_common(facts),
        "distribution": distributions(),
    }
    entities = {e["@id"]: e for e in _context_entities(facts)}
    markup["creator"] = entities[PROJECT_AGENT]
    markup["license"] = {**entities[DATA_LICENSE], "url": DATA_LICENSE}
    if facts.document_iri:
        markup["isBasedOn"] = entities[facts.document_iri]
    markup["citation"] = [entities[c.iri] for c in facts.citations]
    return markup
