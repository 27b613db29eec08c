"""The site's home page carries the dataset's schema.org ``Dataset`` markup, read back as RDF.

The JSON-LD in the page's ``<head>`` is parsed with pyld (the schema.org context given
by a loader, nothing fetched) into RDF, and checked for what dataset registries and
search engines read: name, description, license, creator, version, dateModified,
distributions with contentUrl and encodingFormat, and the source document it is based on.
"""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

import vitd_kg
from vitd_kg.namespaces import ONTOLOGY_IRI, PROJECT_AGENT
from vitd_kg.publishing import void as void_meta
from vitd_kg.site.build import render_page

SCHEMA = "http://schema.org/"
SOURCE_DOIS = {"10.7812/TPP/18.241", "10.1210/er.2012-1012", "10.1210/jc.2014-1742"}


@pytest.fixture(scope="module")
def index_html() -> str:
    kg = vitd_kg.open()
    inputs = kg.site_inputs()
    return render_page(inputs, "index.html")


def scripts(html: str) -> list[str]:
    return re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)


@pytest.fixture(scope="module")
def markup(index_html) -> Graph:
    from pyld import jsonld

    (text,) = scripts(index_html)
    head = index_html.split("</head>", 1)[0]
    assert text in head, "the markup is in the page's <head>"

    def loader(url, options=None):
        assert url.rstrip("/") == "https://schema.org", f"only schema.org's context may be looked up, not {url}"
        return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"@vocab": SCHEMA}}}

    nquads = jsonld.to_rdf(json.loads(text), {"documentLoader": loader, "format": "application/n-quads"})
    return Graph().parse(data=nquads, format="nt")


def value(graph: Graph, subject, name: str):
    found = list(graph.objects(subject, URIRef(SCHEMA + name)))
    assert len(found) == 1, (name, found)
    return found[0]


def test_the_home_page_describes_the_dataset(markup):
    dataset = URIRef(void_meta.DATASET_IRI)
    assert (dataset, RDF.type, URIRef(SCHEMA + "Dataset")) in markup
    assert str(value(markup, dataset, "name")) == void_meta.DATASET_TITLE
    assert str(value(markup, dataset, "description")) == void_meta.DATASET_DESCRIPTION
    assert str(value(markup, dataset, "version")) == vitd_kg.__version__
    license_ = value(markup, dataset, "license")
    assert license_ == URIRef(void_meta.DATA_LICENSE)
    creator = value(markup, dataset, "creator")
    assert creator == URIRef(PROJECT_AGENT), "the project agent, never a person's name"
    assert (creator, RDF.type, URIRef(SCHEMA + "Organization")) in markup


def test_date_modified_is_the_ontologys(markup):
    kg = vitd_kg.open()
    modified = [t.object.value for t in kg.ontology
                if t.subject.value == ONTOLOGY_IRI and t.predicate.value == "http://purl.org/dc/terms/modified"]
    assert str(value(markup, URIRef(void_meta.DATASET_IRI), "dateModified")) == modified[0]


def test_distributions_have_a_content_url_and_encoding_format(markup):
    dataset = URIRef(void_meta.DATASET_IRI)
    downloads = list(markup.objects(dataset, URIRef(SCHEMA + "distribution")))
    urls = {}
    for download in downloads:
        assert (download, RDF.type, URIRef(SCHEMA + "DataDownload")) in markup
        urls[str(value(markup, download, "contentUrl"))] = str(value(markup, download, "encodingFormat"))
    expected = {void_meta.RELEASE_BASE + name for name in [*void_meta.DUMP_FILES, *void_meta.ONTOLOGY_FILES]}
    assert set(urls) == expected
    assert urls[void_meta.RELEASE_BASE + "vitd-kg.ttl"] == "text/turtle"
    assert urls[void_meta.RELEASE_BASE + "vitd-kg.nq"] == "application/n-quads"


def test_it_is_based_on_the_source_document_and_cites_only_the_sources(markup):
    dataset = URIRef(void_meta.DATASET_IRI)
    document = value(markup, dataset, "isBasedOn")
    assert document == URIRef("https://w3id.org/vitd-kg/id/document/vitamin-d-muscle-spasm")
    assert str(value(markup, document, "name")) == "The Role of Vitamin D in Muscle Spasm Relief"
    cited = set(markup.objects(dataset, URIRef(SCHEMA + "citation")))
    assert cited == {URIRef(f"https://doi.org/{doi}") for doi in SOURCE_DOIS}
    assert not any("doi" in str(o).lower() for o in markup.objects(dataset, URIRef(SCHEMA + "identifier")))


def test_only_the_home_page_carries_it(index_html):
    kg = vitd_kg.open()
    inputs = kg.site_inputs()
    assert len(scripts(index_html)) == 1
    assert scripts(render_page(inputs, "claims/ma-strength.html")) == []


def test_the_built_site_has_it_too(tmp_path):
    """vitd-kg docs writes the same home page, through the same context function."""
    pytest.importorskip("pylode")
    from vitd_kg.cli import main

    assert main(["docs", str(tmp_path / "site")]) == 0
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert len(scripts(html)) == 1
    assert json.loads(scripts(html)[0])["@type"] == "Dataset"
    assert not any(scripts((tmp_path / "site" / page).read_text(encoding="utf-8"))
                   for page in ("claims.html", "dataset.html", "queries.html"))
