"""`vitd-kg dist` and `vitd-kg export`: every dump is lossless, re-parsed by an independent parser."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

import vitd_kg
from vitd_kg.exports import rdf
from vitd_kg.publishing import release
from vitd_kg.publishing import void as void_meta
from vitd_kg.cli import main
from vitd_kg.namespaces import VITD
from vitd_kg.rdf.terms import to_rdflib


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A release built once for this module."""
    out = tmp_path_factory.mktemp("release") / "out"
    assert main(["dist", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def dataset() -> rdf.ReleaseDataset:
    return vitd_kg.open().release_dataset


def as_graph(triples) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def rdflib_dataset(path: Path, fmt: str) -> dict[str, Graph]:
    """Named graphs of a quad file, parsed by rdflib (the independent parser for Oxigraph's output)."""
    ds = Dataset()
    ds.parse(path, format=fmt)
    graphs = {}
    for context in ds.graphs():
        if len(context) and isinstance(context.identifier, URIRef):
            graphs[str(context.identifier)] = context
    return graphs


TRIPLE_DUMPS = {"vitd-kg.ttl": "turtle", "vitd-kg.nt": "nt"}


@pytest.mark.parametrize("name", sorted(TRIPLE_DUMPS))
def test_triple_dumps_written_by_oxigraph_reparse_with_rdflib_isomorphic(built, graph, name):
    parsed = Graph().parse(built / name, format=TRIPLE_DUMPS[name])
    assert len(parsed) == len(graph)
    assert isomorphic(parsed, graph)


def test_jsonld_written_by_rdflib_reparses_with_oxigraph_isomorphic(built, graph):
    parsed = as_graph(ox.parse(path=str(built / "vitd-kg.jsonld"), format=ox.RdfFormat.JSON_LD))
    assert len(parsed) == len(graph)
    assert isomorphic(parsed, graph)


def test_jsonld_embeds_the_bundled_context_and_names_no_remote_one(built):
    document = json.loads((built / "vitd-kg.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict), "the @context must be embedded, never a URL"
    assert document["@context"] == rdf.bundled_context()
    assert "claim:cs-symptom-improvement" in {node.get("@id") for node in document["@graph"]}


@pytest.mark.parametrize("name, fmt", [("vitd-kg.nq", "nquads"), ("vitd-kg.trig", "trig")])
def test_quad_dumps_keep_every_named_graph(built, dataset, name, fmt):
    parsed = rdflib_dataset(built / name, fmt)
    assert set(parsed) == set(dataset.graphs)
    for iri, triples in dataset.graphs.items():
        assert isomorphic(parsed[iri], as_graph(triples)), iri


def test_ontology_rdfxml_is_the_ontology_graph(built, dataset):
    parsed = Graph().parse(built / void_meta.ONTOLOGY_RDFXML, format="xml")
    assert isomorphic(parsed, as_graph(dataset.graphs[rdf.ONTOLOGY_GRAPH]))


def test_named_graphs_partition_the_graph(dataset, graph):
    assert isomorphic(as_graph(dataset.union()), graph)
    named = [t for iri, ts in dataset.graphs.items() if iri != rdf.SHAPES_GRAPH for t in ts]
    assert len(named) == len(set(named)), "a triple sits in two graphs"


def test_each_claim_graph_holds_exactly_the_claims_own_triples(dataset, graph):
    claims = sorted(set(graph.subjects(VITD.sourceSentence, None)))
    assert len(dataset.claim_graphs()) == len(claims) == 30
    for claim in claims:
        own = as_graph(dataset.graphs[rdf.claim_graph_iri(str(claim))])
        assert set(own) == set(graph.triples((claim, None, None)))


def test_checksums_match_every_file(built):
    lines = (built / release.CHECKSUM_FILE).read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in lines:
        digest, path = line.split("  ", 1)
        listed[path] = digest
    on_disk = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()} - {release.CHECKSUM_FILE}
    assert set(listed) == on_disk
    for path, digest in listed.items():
        assert hashlib.sha256((built / path).read_bytes()).hexdigest() == digest, path


def test_void_describes_counts_licenses_and_version(built, dataset):
    void = Graph().parse(built / release.VOID_FILE, format="turtle")
    ds = URIRef(void_meta.DATASET_IRI)
    VOID = void_meta.VOID
    assert int(void.value(ds, URIRef(VOID + "triples"))) == len(dataset.union())
    for iri, triples in dataset.graphs.items():
        assert int(void.value(URIRef(iri), URIRef(VOID + "triples"))) == len(triples), iri
    assert str(void.value(ds, URIRef(void_meta.DCTERMS + "license"))) == void_meta.DATA_LICENSE
    software = void.value(ds, URIRef(void_meta.DCTERMS + "relation"))
    assert str(void.value(software, URIRef(void_meta.DCTERMS + "license"))) == void_meta.CODE_LICENSE
    assert str(void.value(ds, URIRef(void_meta.DCAT + "version"))) == vitd_kg.__version__
    assert str(void.value(ds, URIRef(void_meta.DCTERMS + "issued"))) == release.release_issued(vitd_kg.open().ontology)
    assert len(list(void.objects(ds, URIRef(VOID + "exampleResource")))) >= 3
    dumps = {str(o).rsplit("/", 1)[-1] for o in void.objects(ds, URIRef(VOID + "dataDump"))}
    assert set(void_meta.DUMP_FILES) <= dumps
    queries = [o for o in void.objects(ds, URIRef(void_meta.DCAT + "distribution")) if str(o).endswith(".rq")]
    assert queries and all((built / str(q)[len(void_meta.RELEASE_BASE):]).is_file() for q in queries)


def test_two_builds_are_byte_identical(built, tmp_path):
    again = tmp_path / "again"
    vitd_kg.dist(again)
    assert (again / release.CHECKSUM_FILE).read_bytes() == (built / release.CHECKSUM_FILE).read_bytes()


def test_non_empty_outdir_is_refused_unless_forced(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["dist", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (out / "keep.txt").exists()
    assert main(["dist", str(out), "--force"]) == 0
    assert not (out / "keep.txt").exists()
    assert (out / release.CHECKSUM_FILE).is_file()


def test_a_failure_while_building_leaves_no_half_written_release(tmp_path, monkeypatch):
    import vitd_kg.publishing.nanopubs

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(vitd_kg.publishing.nanopubs, "write_nanopubs", broken)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        vitd_kg.dist(out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [], "the temporary folder was left behind"


@pytest.mark.parametrize("fmt", sorted(rdf.RDF_FORMATS))
def test_export_writes_each_format_losslessly(fmt, tmp_path, graph, dataset):
    target = tmp_path / f"graph.{fmt}"
    assert main(["export", "--format", fmt, "-o", str(target)]) == 0
    if fmt in ("nquads", "trig"):
        parsed = rdflib_dataset(target, fmt)
        assert set(parsed) == set(dataset.graphs)
        return
    if fmt == "jsonld":
        parsed = as_graph(ox.parse(path=str(target), format=ox.RdfFormat.JSON_LD))
    else:
        parsed = Graph().parse(target, format={"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml"}[fmt])
    assert isomorphic(parsed, graph)


def test_export_api_writes_to_a_stream():
    buffer = io.BytesIO()
    vitd_kg.export("turtle", buffer)
    assert b"claim:cs-symptom-improvement" in buffer.getvalue()


def test_export_from_a_broken_data_folder_names_the_file(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "bad.ttl").write_text("<a> <b> .\n")
    assert main(["export", "--format", "turtle", "-o", str(tmp_path / "out.ttl"), "--data", str(data)]) == 2
    assert "bad.ttl" in capsys.readouterr().err
    assert not (tmp_path / "out.ttl").exists()



def test_public_api_builds_a_release(tmp_path):
    import vitd_kg

    files = vitd_kg.dist(tmp_path / "r")
    assert any(f.path == "vitd-kg.trig" for f in files)
    assert len(vitd_kg.write_nanopubs(tmp_path / "np")) == 30


def test_a_release_folder_opens_as_the_graph_it_was_built_from(built):
    released = vitd_kg.open(built)
    assert len(released) == len(vitd_kg.open())
    assert [c.text for c in released.claims()] == [c.text for c in vitd_kg.claims()]
    assert main(["stats", "--data", str(built)]) == 0


def test_a_release_whose_dump_was_changed_is_refused(built, tmp_path, capsys):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    dump = copy / "vitd-kg.nq"
    dump.write_bytes(dump.read_bytes().replace(b"vitamin", b"vitamine", 1))
    assert main(["claims", "--data", str(copy)]) == 2
    assert "does not match its checksum" in capsys.readouterr().err
