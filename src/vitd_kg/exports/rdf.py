"""The graph as a dataset of named graphs, and its RDF serializations.

The release is a *dataset* of named graphs, each triple in exactly one of them:

* ``graph/ontology`` -- the OWL ontology (``ontology/vitd.ttl``);
* ``graph/claim/<id>`` -- one per claim: every triple whose *subject* is the claim
  (its statement, qualifiers, sentence and provenance links); a claim written as a
  blank node has no id to name a graph by, and its triples stay in ``graph/data``;
* ``graph/data`` -- every other data triple (studies, effects, sentences, concepts ...).

So the union of the named graphs is exactly the opened graph: a store whose default
graph is the union of its named graphs answers the bundled queries as the package does
(docs/guide/compat.md), and the quad formats (N-Quads, TriG) leave the default graph
empty. The triple formats (Turtle, N-Triples, JSON-LD, RDF/XML) hold that union in
their default graph. The SHACL shapes are not data and are in no dump: a release ships
them as their own files (``ontology/shapes.ttl``). Output is deterministic: triples are
sorted and blank nodes get canonical labels, so two exports of the same graph are
byte-identical.

>>> import io, vitd_kg
>>> dataset = vitd_kg.open().release_dataset
>>> len(dataset.claim_graphs())
30
>>> buffer = io.BytesIO()
>>> write_dataset(dataset, "ntriples", buffer)
>>> buffer.getvalue().count(b"\\n") == len(dataset.union())
True
>>> SHAPES_GRAPH in dataset.graphs
False
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import BinaryIO, Iterable

import pyoxigraph as ox

from vitd_kg import resources
from vitd_kg.errors import InputError
from vitd_kg.namespaces import BASE, PREFIXES, VITD_IRI

GRAPH_BASE = BASE + "graph/"
ONTOLOGY_GRAPH = GRAPH_BASE + "ontology"
#: The graph that releases before 0.2.0 put the SHACL shapes in. No dump holds it any
#: more (a store with a union default graph counted the shapes as data); readers of a
#: release leave it out, so an old release still opens as its graph.
SHAPES_GRAPH = GRAPH_BASE + "shapes"
DATA_GRAPH = GRAPH_BASE + "data"
SOURCE_SENTENCE = ox.NamedNode(VITD_IRI + "sourceSentence")

#: Serializations ``vitd-kg export`` writes itself: name -> (Oxigraph format, is a quad format).
RDF_FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "ntriples": (ox.RdfFormat.N_TRIPLES, False),
    "nquads": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "jsonld": (ox.RdfFormat.JSON_LD, False),
    "rdfxml": (ox.RdfFormat.RDF_XML, False),
}

MEDIA_TYPES = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}

def claim_graph_iri(claim: str) -> str:
    """The named graph of one claim: ``.../graph/claim/<id>`` for ``.../id/claim/<id>``."""
    return GRAPH_BASE + "claim/" + claim.rsplit("/", 1)[-1]


@dataclass
class ReleaseDataset:
    """The graph split into named graphs (IRI -> sorted triples), in release order.

    A dataset is not changed after it is built: :meth:`union` is worked out once and kept.
    """

    graphs: dict[str, list[ox.Triple]] = field(default_factory=dict)
    _union: list[ox.Triple] | None = field(default=None, repr=False, compare=False)

    def quads(self) -> list[ox.Quad]:
        """Every triple in its named graph."""
        return [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for g, ts in self.graphs.items() for t in ts]

    def union(self) -> list[ox.Triple]:
        """The union of the named graphs (an old release's shapes graph left out): the opened graph itself."""
        if self._union is None:
            self._union = sort_triples({t for name, ts in self.graphs.items() if name != SHAPES_GRAPH for t in ts})
        return self._union

    def claim_graphs(self) -> dict[str, list[ox.Triple]]:
        """Only the per-claim graphs."""
        return {g: ts for g, ts in self.graphs.items() if g.startswith(GRAPH_BASE + "claim/")}


def sort_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Triples in a stable order: by their N-Triples text, subject, then predicate, then object.

    One string per triple (``str(triple)``, the three terms joined by spaces) sorts as the
    three terms would one after the other: a term's text is never a proper prefix of
    another's followed by a character below the space (IRIs end with ``>``, which no IRI
    holds; blank-node labels hold no space), and the object comes last.
    """
    return sorted(triples, key=str)


def release_dataset(store: ox.Store, ontology: Iterable[ox.Triple]) -> ReleaseDataset:
    """Split a store's default graph into the release's named graphs.

    ``ontology`` are the ontology's own triples (they go to ``graph/ontology``). The
    SHACL shapes are not data, so no graph holds them (a store querying the union of
    the graphs would count them as data). Blank nodes get canonical labels, and all the
    triples are sorted once: each graph, and the union, is that order's share.
    """
    ontology = list(ontology)
    in_ontology = set(ontology)
    default = ox.DefaultGraph()
    subjects = (q.subject for q in store.quads_for_pattern(None, SOURCE_SENTENCE, None, default))
    claims = {claim for claim in subjects if type(claim) is ox.NamedNode}  # a blank claim has no name for a graph
    graph_of = {claim: claim_graph_iri(claim.value) for claim in claims}
    names = [ONTOLOGY_GRAPH, DATA_GRAPH, *(graph_of[claim] for claim in sorted(claims, key=str))]
    placed: list[tuple[str, ox.Triple]] = [(ONTOLOGY_GRAPH, t) for t in ontology]
    for quad in store.quads_for_pattern(None, None, None, default):
        triple = quad.triple
        if triple not in in_ontology:
            placed.append((graph_of.get(triple.subject, DATA_GRAPH), triple))
    placed = _canonical(placed)
    keys = [str(triple) for _, triple in placed]
    graphs: dict[str, list[ox.Triple]] = {name: [] for name in names}
    union: list[ox.Triple] = []
    previous = None
    for index in sorted(range(len(placed)), key=keys.__getitem__):
        name, triple = placed[index]
        graphs[name].append(triple)
        if keys[index] != previous:
            union.append(triple)
            previous = keys[index]
    return ReleaseDataset(graphs, union)


def _canonical(placed: list[tuple[str, ox.Triple]]) -> list[tuple[str, ox.Triple]]:
    """Give blank nodes canonical labels so dumps are reproducible byte for byte.

    Only the triples with a blank node go to :func:`vitd_kg.rdf.canonical.canonical_quads`
    (time linear in the data; Oxigraph's own canonicalization takes the cube of a chain's
    length, and crashes on deep ones); their labels depend on nothing else.
    """
    from vitd_kg.rdf.canonical import canonical_quads

    blank = ox.BlankNode
    plain = [(name, t) for name, t in placed if type(t.subject) is not blank and type(t.object) is not blank]
    if len(plain) == len(placed):
        return placed
    linked = canonical_quads(
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
        for name, t in placed
        if type(t.subject) is blank or type(t.object) is blank
    )
    return plain + [(quad.graph_name.value, quad.triple) for quad in linked]


def bundled_context() -> dict:
    """The bundled JSON-LD ``@context`` (prefixes only; embedded, never fetched)."""
    return json.loads(resources.ontology_folder_bytes(resources.CONTEXT_FILE))["@context"]


def write_dataset(dataset: ReleaseDataset, output_format: str, out: BinaryIO) -> None:
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
    """JSON-LD compacted with the bundled ``@context`` embedded in the file.

    rdflib's JSON-LD writer nests each blank node inside its parent by recursion, so it
    runs on a deep stack (:func:`vitd_kg.rdf.recursion.call_deep`); data deeper than
    even that allows is refused with a clear error, and nothing is written.
    """
    from vitd_kg.rdf.recursion import call_deep

    try:
        data = call_deep(lambda: _jsonld_bytes(triples))
    except RecursionError:
        raise InputError(
            "the graph's blank nodes nest too deeply for the JSON-LD writer",
            hint="export another format (turtle, ntriples, nquads, trig, rdfxml), or lower the nesting in the data",
        ) from None
    out.write(data)


def _jsonld_bytes(triples: list[ox.Triple]) -> bytes:
    from rdflib import Graph

    from vitd_kg.rdf.terms import to_rdflib

    graph = Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    document = json.loads(graph.serialize(format="json-ld", context=bundled_context(), auto_compact=True))
    return json.dumps(_sorted_jsonld(document), indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")


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
