"""The release layout (issue 13): the shapes are in no dump, the quad dumps are the graph under a union default graph.

The quad dumps hold the ontology, the data and one graph per claim, and an empty
default graph; the SHACL shapes ship as their own files (``ontology/shapes*.ttl``),
listed in ``SHA256SUMS`` and the VoID but in no dump, so a store that queries the
union of its graphs (docs/guide/compat.md) counts what the package counts.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

import vitd_kg
from servers import OxigraphServer
from vitd_kg import resources
from vitd_kg.cli import main
from vitd_kg.exports import rdf
from vitd_kg.publishing import release
from vitd_kg.publishing import void as void_meta
from vitd_kg.publishing.sparql_client import SparqlClient, endpoint_from
from vitd_kg.rdf.terms import to_rdflib
from vitd_kg.sparql.queries import bundled_query

SH = "http://www.w3.org/ns/shacl#"
QUAD_DUMPS = {"vitd-kg.nq": ox.RdfFormat.N_QUADS, "vitd-kg.trig": ox.RdfFormat.TRIG}
TRIPLE_DUMPS = {
    "vitd-kg.ttl": ox.RdfFormat.TURTLE,
    "vitd-kg.nt": ox.RdfFormat.N_TRIPLES,
    "vitd-kg.jsonld": ox.RdfFormat.JSON_LD,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "out"
    assert main(["dist", str(out)]) == 0
    return out


def quads_of(path: Path, fmt: ox.RdfFormat) -> list[ox.Quad]:
    return list(ox.parse(path=str(path), format=fmt))


def shape_nodes(quads) -> set:
    """Subjects typed as SHACL shapes, and any triple whose predicate is a SHACL term."""
    return {
        q.subject for q in quads
        if q.predicate.value.startswith(SH)
        or (q.predicate.value.endswith("#type") and isinstance(q.object, ox.NamedNode) and q.object.value.startswith(SH))
    }


def test_the_bundled_shapes_are_not_vacuous():
    """The check below would pass on a package without shapes: make sure it has some."""
    shapes = ox.parse(resources.ontology_folder_bytes(resources.SHAPES_FILE), format=ox.RdfFormat.TURTLE)
    assert len(shape_nodes(shapes)) > 10


@pytest.mark.parametrize("name", sorted({**QUAD_DUMPS, **TRIPLE_DUMPS}))
def test_no_dump_holds_the_shapes(built, name):
    quads = quads_of(built / name, {**QUAD_DUMPS, **TRIPLE_DUMPS}[name])
    assert quads
    assert shape_nodes(quads) == set(), f"{name} holds SHACL shapes"
    assert all(q.graph_name != ox.NamedNode(rdf.SHAPES_GRAPH) for q in quads)


@pytest.mark.parametrize("name", sorted(QUAD_DUMPS))
def test_quad_dumps_have_an_empty_default_graph_and_named_graphs_that_are_the_graph(built, name):
    quads = quads_of(built / name, QUAD_DUMPS[name])
    assert not [q for q in quads if q.graph_name == ox.DefaultGraph()], "the default graph of a quad dump is empty"
    union = {q.triple for q in quads}
    assert len(union) == len(quads), "each triple is in exactly one named graph"
    assert union == set(vitd_kg.open().release_dataset.union())
    assert len(union) == len(vitd_kg.open())


def triple_count(store: ox.Store, *, union: bool) -> int:
    """``stats/triple-count`` (the bundled query) over a store, with or without a union default graph."""
    result = store.query(bundled_query("stats/triple-count").text, use_default_graph_as_union=union)
    (row,) = list(result)
    return int(row[0].value)


def test_triple_count_through_a_union_default_graph_of_the_quad_dump_is_the_turtle_dumps(built):
    quads = ox.Store()
    quads.load(path=str(built / "vitd-kg.nq"), format=ox.RdfFormat.N_QUADS)
    turtle = ox.Store()
    turtle.load(path=str(built / "vitd-kg.ttl"), format=ox.RdfFormat.TURTLE)
    assert triple_count(quads, union=True) == triple_count(turtle, union=False) == len(vitd_kg.open())
    assert triple_count(quads, union=False) == 0, "nothing in the quad dump's default graph"


def test_rdflib_with_a_union_default_graph_counts_the_same(built):
    """A second engine: rdflib's Dataset with default_union over the TriG dump."""
    dataset = Dataset(default_union=True)
    dataset.parse(built / "vitd-kg.trig", format="trig")
    (row,) = list(dataset.query(bundled_query("stats/triple-count").text))
    turtle = Graph().parse(built / "vitd-kg.ttl", format="turtle")
    assert int(row[0]) == len(turtle) == len(vitd_kg.open())


@pytest.mark.parametrize("name", [f"ontology/{n}" for n in resources.shape_file_names()])
def test_the_shapes_ship_as_their_own_files_listed_in_checksums_and_void(built, name):
    content = (built / name).read_bytes()
    assert content == resources.ontology_folder_bytes(name.split("/", 1)[1])
    sums = dict(reversed(line.split("  ", 1)) for line in (built / release.CHECKSUM_FILE).read_text().splitlines())
    assert sums[name] == hashlib.sha256(content).hexdigest()
    void = Graph().parse(built / release.VOID_FILE, format="turtle")
    dataset = URIRef(void_meta.DATASET_IRI)
    node = URIRef(void_meta.RELEASE_BASE + name)
    assert (dataset, URIRef(void_meta.DCAT + "distribution"), node) in void
    assert int(void.value(node, URIRef(void_meta.DCAT + "byteSize"))) == len(content)
    assert str(void.value(node, URIRef(void_meta.DCAT + "mediaType"))).endswith("/text/turtle")
    assert (dataset, URIRef(void_meta.VOID + "dataDump"), node) not in void, "the shapes are not a dump of the data"


def test_both_shape_files_are_bundled():
    assert resources.shape_file_names() == ["shapes-sparql.ttl", "shapes.ttl"]


@pytest.mark.parametrize("name, fmt", sorted(void_meta.ONTOLOGY_FILES.items()))
def test_the_ontology_ships_alone_in_every_format(built, name, fmt):
    parsed = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML,
              "jsonld": ox.RdfFormat.JSON_LD}[fmt]
    graph = Graph()
    for quad in ox.parse(path=str(built / name), format=parsed):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    expected = Graph()
    for t in vitd_kg.open().release_dataset.graphs[rdf.ONTOLOGY_GRAPH]:
        expected.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    assert len(graph) == len(expected)
    assert isomorphic(graph, expected)


def test_void_sizes_without_a_build_match_the_files(built):
    """The site's dataset page computes the VoID without writing a release: same sizes."""
    sizes = void_meta.dump_sizes(vitd_kg.open().release_dataset)
    for name, size in sizes.items():
        assert (built / name).stat().st_size == size, name


def test_upload_of_a_release_puts_its_named_graphs_and_no_shapes(built, tmp_path, capsys):
    with OxigraphServer(tmp_path / "store") as server:
        assert main(["upload", "--endpoint", server.query_url, "--release", str(built)]) == 0
        client = SparqlClient(endpoint_from(server.query_url))
        _, rows = client.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        names = {str(r["g"]) for r in rows}
        assert names == set(vitd_kg.open().release_dataset.graphs)
        assert rdf.SHAPES_GRAPH not in names
        _, rows = client.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert int(rows[0]["n"]) == len(vitd_kg.open())
        client.close()


def test_an_old_release_with_a_shapes_graph_still_opens_as_its_graph(built, tmp_path):
    """Releases before this layout put the shapes in graph/shapes: reading one leaves it out."""
    import shutil

    old = tmp_path / "old"
    shutil.copytree(built, old)
    shapes = ox.parse(resources.ontology_folder_bytes(resources.SHAPES_FILE), format=ox.RdfFormat.TURTLE)
    extra = ox.serialize(
        [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(rdf.SHAPES_GRAPH)) for q in shapes],
        format=ox.RdfFormat.N_QUADS,
    )
    dump = old / release.QUADS_DUMP
    dump.write_bytes(dump.read_bytes() + extra)
    lines = (old / release.CHECKSUM_FILE).read_text().splitlines()
    digest = hashlib.sha256(dump.read_bytes()).hexdigest()
    (old / release.CHECKSUM_FILE).write_text(
        "".join(f"{digest}  {release.QUADS_DUMP}\n" if line.endswith(f"  {release.QUADS_DUMP}") else line + "\n" for line in lines)
    )
    assert len(vitd_kg.open(old)) == len(vitd_kg.open())
