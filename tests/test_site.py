"""`vitd-kg docs OUTDIR` builds a complete site, atomically, and refuses to clobber."""

from __future__ import annotations

import markupsafe

import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from vitd_kg import resources
from vitd_kg.cli import main
from vitd_kg.namespaces import VITD, claim_id
from vitd_kg import build_site
from vitd_kg.site.build import PAGES
from vitd_kg.sparql.queries import bundled_queries

ONTOLOGY = Graph().parse(data=resources.ontology_file().read_text(encoding="utf-8"), format="turtle")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("docs") / "site").folder


def text(site, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def test_every_page_of_the_navigation_is_built(site):
    for name, title in PAGES:
        page = text(site, name)
        assert "<html" in page and "site-nav" in page, name
    assert (site / "model.svg").is_file() and (site / "model.png").is_file()


TERMS = sorted(
    s
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    for s in ONTOLOGY.subjects(RDF.type, kind)
    if isinstance(s, URIRef) and str(s).startswith(str(VITD))
)


def test_the_ontology_reference_has_every_class_and_property_with_label_definition_and_mappings(site):
    page = text(site, "ontology.html")
    for term in TERMS:
        assert str(term) in page, term
        assert str(ONTOLOGY.value(term, RDFS.label)) in page
        definition = str(ONTOLOGY.value(term, SKOS.definition))
        assert definition.replace('"', "&quot;")[:40] in page or definition[:40] in page, term
    for term, target in ONTOLOGY.subject_objects(SKOS.exactMatch | SKOS.closeMatch | SKOS.broadMatch):
        if (term, RDF.type, OWL.NamedIndividual) not in ONTOLOGY:
            assert str(target) in page, (term, target)
    assert "Exact Match" in page and "Close Match" in page


def test_the_vocabularies_page_lists_every_individual_and_mapping(site, graph):
    page = text(site, "vocabularies.html")
    for individual in ONTOLOGY.subjects(RDF.type, OWL.NamedIndividual):
        assert "vitd:" + str(individual)[len(str(VITD)):] in page
    for term, target in graph.subject_objects(SKOS.exactMatch | SKOS.closeMatch | SKOS.broadMatch):
        assert str(target) in page


def test_every_bundled_query_is_listed_with_what_it_answers(site):
    page = text(site, "queries.html")
    for query in bundled_queries():
        assert f"<code>{query.name}</code>" in page
        first_line = query.description.splitlines()[0]
        assert markupsafe.escape(first_line) in page, query.name  # Jinja2's own escaping
        assert (site / "files" / "queries" / f"{query.name}.rq").read_text(encoding="utf-8") == query.text


def test_shapes_page_renders_the_bundled_shapes_or_says_there_are_none(site):
    page = text(site, "shapes.html")
    shape_files = [e for e in resources.ontology_dir().iterdir() if e.name.startswith("shapes") and e.name.endswith(".ttl")]
    if not shape_files:
        assert "bundles no SHACL shapes" in page
        return
    from vitd_kg.site.shapes_doc import describe_shapes

    for entry in shape_files:
        shapes = describe_shapes(Graph().parse(data=entry.read_text(encoding="utf-8"), format="turtle"))
        for shape in shapes:
            assert shape.name in page


def test_dataset_page_carries_a_void_description(site, graph):
    page = text(site, "dataset.html")
    assert "void:Dataset" in page or "void#Dataset" in page
    import vitd_kg

    assert str(vitd_kg.stats().triples) in page


def test_one_evidence_map_page_per_claim(site, graph):
    claims = sorted(set(graph.subjects(VITD.sourceSentence, None)))
    listing = text(site, "claims.html")
    for claim in claims:
        short = claim_id(str(claim))
        assert (site / "maps" / f"{short}.svg").is_file()
        page = text(site, f"claims/{short}.html")
        assert f'src="../maps/{short}.svg"' in page
        assert f'href="claims/{short}.html"' in listing
    assert len(list((site / "maps").glob("*.svg"))) == len(claims)


def test_no_page_links_to_a_missing_local_file(site):
    """The browser test checks this over HTTP; this is the quick check on disk."""
    missing = []
    for page in site.rglob("*.html"):
        for target in re.findall(r'(?:href|src)="([^"#:]+)(?:#[^"]*)?"', page.read_text(encoding="utf-8")):
            if not (page.parent / target).resolve().exists():
                missing.append(f"{page.relative_to(site)} -> {target}")
    assert not missing, missing


def test_a_non_empty_outdir_is_refused_without_force_and_replaced_with_it(tmp_path, capsys):
    out = tmp_path / "site"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["docs", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "mine"
    assert main(["docs", str(out), "--force"]) == 0
    assert (out / "index.html").is_file() and not (out / "keep.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"], "no staging folder is left behind"


def test_a_failed_build_leaves_the_old_site_and_no_staging_folder(tmp_path, monkeypatch):
    import vitd_kg.site.build as site_module

    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("old site")

    def broken(folder, inputs):
        (folder / "half.html").write_text("half")
        raise RuntimeError("boom")

    monkeypatch.setattr(site_module, "write_site", broken)
    with pytest.raises(RuntimeError):
        build_site(out, force=True)
    assert (out / "index.html").read_text() == "old site"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_outdir_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["docs", str(target)]) == 2
