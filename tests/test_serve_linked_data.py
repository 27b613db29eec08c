"""`vitd-kg serve` as a Linked Data server: every IRI the graph mints resolves, by content negotiation.

A real server process on a loopback port, asked with curl and httpx as a client would.
A thing's IRI (``/id/...``) answers 303 to a document about it (Linked Data practice
for non-documents); the document answers 200 in the media type asked for.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import subprocess
import threading
import time

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

import vitd_kg
from serve_process import Served
from servers import free_port
from vitd_kg.exports.rdf import MEDIA_TYPES, claim_graph_iri
from vitd_kg.namespaces import BASE, ID_IRI, ID_KINDS, VITD_IRI
from vitd_kg.publishing.void import DATASET_IRI, VOID
from vitd_kg.rdf.terms import to_rdflib
from vitd_kg.sparql.queries import bundled_query

RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
SD = "http://www.w3.org/ns/sparql-service-description#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture(scope="module")
def served():
    with Served() as server:
        yield server


@pytest.fixture(scope="module")
def kg():
    return vitd_kg.open()


def parse(response, media_type: str) -> Graph:
    """Parse a response body as RDF; JSON-LD needs no network (the context is embedded)."""
    assert response.headers["content-type"].split(";")[0] == media_type, response.headers["content-type"]
    graph = Graph()
    if media_type == "application/ld+json":
        document = json.loads(response.content)
        assert isinstance(document.get("@context"), dict), "the bundled context is embedded, never a URL"
        for quad in ox.parse(response.content, format=ox.RdfFormat.JSON_LD):
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return graph
    return graph.parse(data=response.content, format=RDF_TYPES[media_type])


def as_graph(triples) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def minted(kg, prefix: str) -> list[str]:
    """Every IRI under ``prefix`` that the graph holds as a subject, sorted."""
    return sorted({q.subject.value for q in kg.store if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(prefix)})


# --- the two curl commands ----------------------------------------------------------


def curl(*args: str) -> subprocess.CompletedProcess:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    return subprocess.run(["curl", "-sS", *args], capture_output=True, timeout=120)


def test_curl_turtle_gives_the_claims_triples(served, kg):
    first = curl("-i", "-H", "Accept: text/turtle", f"{served.base}/id/claim/ma-strength")
    head = first.stdout.decode().split("\r\n\r\n")[0]
    assert head.startswith("HTTP/1.0 303"), head
    assert "Location: /doc/id/claim/ma-strength.ttl" in head and "Vary: Accept" in head
    followed = curl("-L", "-H", "Accept: text/turtle", f"{served.base}/id/claim/ma-strength")
    got = Graph().parse(data=followed.stdout, format="turtle")
    claim_graph = as_graph(kg.release_dataset.graphs[claim_graph_iri(ID_IRI + "claim/ma-strength")])
    assert len(got) == len(claim_graph) > 10
    assert isomorphic(got, claim_graph), "the claim's own triples, exactly its named graph"


def test_curl_html_gives_the_claims_page_as_the_site_renders_it(served, kg):
    from vitd_kg.site.build import render_page

    followed = curl("-L", "-H", "Accept: text/html", f"{served.base}/id/claim/ma-strength")
    page = followed.stdout.decode("utf-8")
    inputs = kg.site_inputs()
    assert page == render_page(inputs, "claims/ma-strength.html"), "the site's own claim page, not a second one"
    assert "<!DOCTYPE html>" in page and "ma-strength" in page
    quote = kg.claim("ma-strength").quote
    assert quote.split(",")[0] in page


def test_the_claim_pages_links_resolve_on_the_server(served):
    _, page = served.follow("/id/claim/ma-strength", "text/html")
    assert page.status_code == 200
    for link in ("/site/style.css", "/site/maps/ma-strength.svg", "/site/index.html"):
        response = served.get(link)
        assert response.status_code == 200, link
    assert served.get("/site/maps/ma-strength.svg").headers["content-type"].startswith("image/svg+xml")


# --- every IRI the graph mints ---------------------------------------------------------------


@pytest.mark.parametrize("kind", [*ID_KINDS, "document"])
@pytest.mark.parametrize("media_type", sorted(RDF_TYPES))
def test_a_resource_of_every_kind_resolves_in_every_rdf_format(served, kg, kind, media_type):
    iris = minted(kg, f"{ID_IRI}{kind}/")
    assert iris, f"the graph holds no {kind}"
    iri = iris[0]
    hops, response = served.follow("/" + iri[len(BASE):], media_type)
    assert [h.status_code for h in hops] == [303]
    assert response.status_code == 200
    got = parse(response, media_type)
    expected = {(s, p, o) for s, p, o in as_graph(kg.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)
                                                   ) if True}
    assert expected and {t for t in got if t[0] == URIRef(iri)} == expected


def test_the_subgroup_difference_test_resolves(served, kg):
    (iri,) = minted(kg, f"{ID_IRI}difference/")
    _, response = served.follow("/" + iri[len(BASE):], "text/turtle")
    got = parse(response, "text/turtle")
    assert (URIRef(iri), RDF.type, URIRef(VITD_IRI + "SubgroupDifferenceTest")) in got


def test_every_iri_under_id_resolves_to_a_description_of_it(served, kg):
    iris = minted(kg, ID_IRI)
    assert len(iris) > 100
    for iri in iris:
        hops, response = served.follow("/" + iri[len(BASE):], "application/n-triples")
        assert response.status_code == 200, iri
        assert f"<{iri}> ".encode() in response.content, iri


@pytest.mark.parametrize("media_type", sorted(RDF_TYPES))
def test_the_ontology_and_its_terms_resolve_to_the_ontology_document(served, kg, media_type):
    # a client drops the fragment: /ontology#Claim is a GET of /ontology
    hops, response = served.follow("/ontology", media_type)
    assert [h.status_code for h in hops] == [303]
    assert hops[0].headers["location"].startswith(f"/release/{vitd_kg.__version__}/ontology/vitd.")
    got = parse(response, media_type)
    assert (URIRef(VITD_IRI + "Claim"), RDF.type, OWL.Class) in got
    assert isomorphic(got, as_graph(kg.ontology))
    _, versioned = served.follow(f"/ontology/{vitd_kg.__version__}", media_type)
    assert versioned.content == response.content


def test_a_browser_gets_the_ontology_reference_page(served):
    _, response = served.follow("/ontology", BROWSER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Claim" in response.text


@pytest.mark.parametrize("path", ["/dataset", "/software", "/"])
def test_the_dataset_resolves_to_its_void(served, kg, path):
    _, response = served.follow(path, "text/turtle")
    void = parse(response, "text/turtle")
    assert (URIRef(DATASET_IRI), RDF.type, URIRef(VOID + "Dataset")) in void
    assert int(void.value(URIRef(DATASET_IRI), URIRef(VOID + "triples"))) == len(kg)
    assert response.content == served.get(f"/release/{vitd_kg.__version__}/void.ttl").content


@pytest.mark.parametrize("media_type", sorted(RDF_TYPES))
def test_named_graphs_resolve_to_their_triples(served, kg, media_type):
    for name in (BASE + "graph/ontology", claim_graph_iri(ID_IRI + "claim/cs-design")):
        _, response = served.follow("/" + name[len(BASE):], media_type)
        assert isomorphic(parse(response, media_type), as_graph(kg.release_dataset.graphs[name])), name


def test_release_files_are_served_with_their_checksums(served):
    version = vitd_kg.__version__
    sums = served.get(f"/release/{version}/SHA256SUMS")
    assert sums.status_code == 200
    listed = dict(reversed(line.split("  ", 1)) for line in sums.text.splitlines())
    for name, media_type in [("vitd-kg.nq", "application/n-quads"), ("ontology/shapes.ttl", "text/turtle"),
                             ("ro-crate-metadata.json", "application/json"), ("queries/stats/triple-count.rq", "application/sparql-query")]:
        response = served.get(f"/release/{version}/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].split(";")[0] == media_type, name
        assert hashlib.sha256(response.content).hexdigest() == listed[name], name
    latest = served.get("/release/latest/void.ttl")
    assert latest.status_code == 302 and latest.headers["location"] == f"/release/{version}/void.ttl"
    assert served.get("/release/0.0.1/void.ttl").status_code == 404
    assert served.get(f"/release/{version}/../../etc/passwd").status_code == 404
    assert served.get(f"/release/{version}/%2e%2e/%2e%2e/etc/passwd").status_code == 404


def test_nanopublications_resolve_to_their_trig_file(served):
    index = served.get(f"/release/{vitd_kg.__version__}/nanopubs/index.tsv").text.splitlines()[1:]
    claim, uri, file = index[0].split("\t")
    hops, response = served.follow("/" + uri[len(BASE):], "application/trig")
    assert hops[0].status_code == 303
    assert response.headers["content-type"].startswith("application/trig")
    assert f"<{uri}>".encode() in response.content or b"this:" in response.content
    _, page = served.follow("/" + uri[len(BASE):], "text/html")
    assert page.url.path.endswith(f"/site/claims/{claim.rsplit('/', 1)[-1]}.html")


# --- what cannot be given -----------------------------------------------------------------


def test_406_for_a_type_the_server_cannot_give(served):
    response = served.get("/id/claim/ma-strength", "image/png")
    assert response.status_code == 406
    assert "text/turtle" in response.text and "text/html" in response.text
    study = served.get("/id/study/beaudart-2014-meta-analysis", "text/html")
    assert study.status_code == 406, "the site has no page for a study"
    assert served.get("/id/study/beaudart-2014-meta-analysis", BROWSER).headers["location"].endswith(".ttl")


@pytest.mark.parametrize("path", ["/id/claim/no-such-claim", "/id/nokind/x", "/graph/claim/nope", "/np/RAnope",
                                  "/ontology/0.0.1", "/doc/id/claim/no-such-claim.ttl", "/doc/id/claim/ma-strength.png",
                                  "/elsewhere", "/site/nope.html"])
def test_404_for_an_iri_the_graph_does_not_hold(served, path):
    assert served.get(path, "text/turtle").status_code == 404


def test_no_accept_header_means_anything(served):
    response = served.client.get("/id/claim/ma-strength")
    assert response.status_code == 303


# --- SPARQL ---------------------------------------------------------------------------------


def test_the_default_graph_is_the_union_of_the_named_graphs(served, kg):
    text = bundled_query("stats/triple-count").text
    response = served.client.post("/query", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    assert int(rows[0][next(iter(rows[0]))]["value"]) == len(kg)
    direct = served.client.post("/query", content=text, headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert direct.headers["content-type"].startswith("text/csv")
    assert direct.text.splitlines()[1] == str(len(kg))


def test_construct_answers_in_the_rdf_type_asked_for(served):
    query = f"CONSTRUCT WHERE {{ <{ID_IRI}claim/ma-strength> ?p ?o }}"
    for media_type in RDF_TYPES:
        response = served.client.get("/query", params={"query": query}, headers={"Accept": media_type})
        assert response.status_code == 200, media_type
        assert len(parse(response, media_type)) > 10


def test_the_service_description_names_the_dataset_and_links_its_void(served, kg):
    response = served.get("/query", "text/turtle")
    assert response.status_code == 200
    sd = parse(response, "text/turtle")
    endpoint = URIRef(f"{served.base}/query")
    assert (endpoint, RDF.type, URIRef(SD + "Service")) in sd
    assert (endpoint, URIRef(SD + "endpoint"), endpoint) in sd
    assert (endpoint, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in sd
    assert (endpoint, URIRef(SD + "feature"), URIRef(SD + "UnionDefaultGraph")) in sd
    assert (endpoint, URIRef(SD + "feature"), URIRef(SD + "BasicFederatedQuery")) not in sd
    dataset = sd.value(endpoint, URIRef(SD + "defaultDataset"))
    assert dataset == URIRef(DATASET_IRI)
    names = {sd.value(n, URIRef(SD + "name")) for n in sd.objects(dataset, URIRef(SD + "namedGraph"))}
    assert names == {URIRef(g) for g in kg.release_dataset.graphs}
    void_url = sd.value(dataset, RDFS.seeAlso)
    void = parse(served.get(str(void_url)[len(served.base):]), "text/turtle")
    assert (URIRef(DATASET_IRI), RDF.type, URIRef(VOID + "Dataset")) in void
    for media_type in RDF_TYPES:
        assert served.get("/query", media_type).status_code == 200
    assert served.get("/query", "text/html").status_code == 406


def test_updates_are_refused(served):
    assert served.client.post("/query", data={"update": "CLEAR ALL"}).status_code == 403
    assert served.client.post("/update", data={"update": "CLEAR ALL"}).status_code == 403
    assert served.client.post("/query", content="DROP ALL", headers={"Content-Type": "application/sparql-update"}).status_code == 403
    assert served.client.post("/query", data={"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}).status_code == 400
    assert served.client.put("/id/claim/ma-strength", content=b"x").status_code == 405


def test_a_request_body_over_the_limit_is_refused(served):
    response = served.client.post("/query", data={"query": "SELECT * WHERE { ?s ?p ?o } # " + "x" * (1 << 20)})
    assert response.status_code == 413
    assert "--max-request-bytes" in response.text


class Listener:
    """A loopback TCP port that counts the connections it receives (and answers nothing useful)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


SERVICE_QUERIES = [
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ OPTIONAL {{ {{ SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }} }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o . SERVICE <http://127.0.0.1:{port}/y> {{ ?s ?p ?o }} "
    "FILTER(?o IN (" + ",".join(str(i) for i in range(20000)) + ")) }}",
    "SELECT * FROM <http://127.0.0.1:{port}/g> WHERE {{ ?s ?p ?o }}",
]


@pytest.fixture(scope="module")
def strict():
    """A server with a 5 s query limit: the safety check runs inside that limit too."""
    with Served("--timeout", "5") as server:
        yield server


@pytest.mark.parametrize("template", SERVICE_QUERIES, ids=["service", "lowercase-silent", "nested", "after-20000-values", "from"])
def test_serve_fetches_nothing_for_a_client(strict, template):
    """Issue 14, item 2: a client's SERVICE (or FROM) never makes the server send a request.

    The check (:func:`vitd_kg.sparql.safety.check_query`) runs before the query, inside
    its time limit: a query too large to check in time is stopped (503), never run.
    """
    listener = Listener()
    try:
        query = template.format(port=listener.port)
        response = strict.client.post("/query", data={"query": query})
        assert response.status_code in (400, 503), response.text
        if response.status_code == 400:
            assert "SERVICE" in response.text or "FROM" in response.text
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()


def test_protocol_graph_parameters_name_local_graphs_only(served, kg):
    listener = Listener()
    try:
        remote = f"http://127.0.0.1:{listener.port}/g"
        response = served.client.get("/query", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                                        "default-graph-uri": remote, "named-graph-uri": remote},
                                     headers={"Accept": "text/csv"})
        assert response.status_code == 200 and response.text.splitlines()[1] == "0"
        local = served.client.get("/query", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                                     "default-graph-uri": BASE + "graph/ontology"}, headers={"Accept": "text/csv"})
        assert int(local.text.splitlines()[1]) == len(kg.ontology)
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()


def test_a_query_past_the_time_limit_is_stopped_and_the_server_goes_on():
    with Served("--timeout", "1") as server:
        started = time.monotonic()
        response = server.client.post("/query", data={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"})
        assert response.status_code == 503
        assert "--timeout" in response.text
        assert time.monotonic() - started < 20
        assert server.client.post("/query", data={"query": "ASK { ?s ?p ?o }"}).status_code == 200


# --- the port ---------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["127.0.0.1", "0.0.0.0"])
def test_a_port_held_by_another_server_fails_with_exit_2_and_announces_nothing(address):
    """Issue 14, item 3: another (here: answering) server on the port is never announced as ours."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Other(BaseHTTPRequestHandler):
        requests = 0

        def do_GET(self):
            Other.requests += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b'{"head":{},"boolean":true}')

        do_POST = do_GET

        def log_message(self, *args):
            pass

    other = ThreadingHTTPServer((address, free_port()), Other)
    port = other.server_address[1]
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    try:
        import sys

        result = subprocess.run([sys.executable, "-m", "vitd_kg", "serve", "--port", str(port)],
                                capture_output=True, text=True, timeout=120)
    finally:
        other.shutdown()
        other.server_close()
    assert result.returncode == 2
    assert "SPARQL endpoint" not in result.stdout, "someone else's endpoint announced as ours"
    assert f"port {port}" in result.stderr and "already in use" in result.stderr and "--port" in result.stderr
    assert Other.requests == 0
