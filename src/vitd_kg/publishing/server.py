"""A local Linked Data server over the graph: SPARQL, IRIs that resolve, the release and the site.

``vitd-kg serve`` answers, on loopback by default, in the URL space of
``https://w3id.org/vitd-kg/`` (so the w3id redirect rules of ``docs/w3id/`` can point
at a host that runs it):

* ``/query`` -- a read-only SPARQL 1.1 endpoint (GET, or POST form-encoded or as
  ``application/sparql-query``) whose default graph is the union of the release's
  named graphs (ontology, data, one per claim), so the bundled queries answer as in
  Python and ``GRAPH`` queries see each claim's graph. Without a query it returns its
  SPARQL 1.1 service description (``sd:Service``), naming the dataset and linking its
  VoID. Every query is checked by :func:`vitd_kg.sparql.safety.check_query` first, the
  one place that decides what may reach the network: ``SERVICE`` (and ``FROM``, and
  updates) are refused with 400, so the server never fetches anything for a client.
  Each query runs in a worker stopped after its time limit (503).
* every IRI the graph mints -- ``/id/<kind>/<name>`` (claims, studies, every kind of
  :data:`vitd_kg.namespaces.ID_KINDS`, the source document), ``/graph/...``,
  ``/np/RA...`` (nanopublications), ``/ontology`` and its version IRI (terms are
  ``/ontology#Term``, in that one document), ``/dataset`` -- answers ``303 See Other``
  to the document that describes it in the media type the client asks for (Turtle,
  N-Triples, JSON-LD with the bundled context, RDF/XML, or the site's HTML page),
  ``406`` when none of those is acceptable and ``404`` for an IRI the graph does not
  hold. A ``/id/`` IRI names a thing (a claim, a study), not a document, so the
  answer is a redirect to a document about it, as Linked Data practice asks ("Cool
  URIs for the Semantic Web", httpRange-14); the documents (``/doc/...``,
  ``/release/<version>/...``, ``/site/...``) answer ``200``.
* ``/release/<version>/...`` -- the release folder (built on first request, or the
  folder ``--data`` names when it is a release), and ``/site/...`` -- the site (the
  home page, claim pages and evidence maps rendered on request; the rest built once).

The server is Python's standard ``http.server`` (threads, one request per connection,
a read timeout per connection); SPARQL runs on the opened graph with pyoxigraph in the
same process, so the port is bound before anything is announced: a port another
program holds is an error (exit 2), never someone else's endpoint printed as ours.
"""

from __future__ import annotations

import errno
import io
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterable, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox

from vitd_kg import __version__
from vitd_kg.errors import EngineFailure, InputError, QueryTimeout, VitdKgError
from vitd_kg.exports.rdf import GRAPH_BASE, MEDIA_TYPES, ReleaseDataset, write_dataset
from vitd_kg.namespaces import BASE
from vitd_kg.rdf.filling import fill

LOOPBACK = {"127.0.0.1", "localhost", "::1"}

#: RDF serializations of a description, in the server's order of preference after HTML.
RDF_FORMATS = ("turtle", "jsonld", "ntriples", "rdfxml")
EXTENSIONS = {"turtle": "ttl", "jsonld": "jsonld", "ntriples": "nt", "rdfxml": "rdf"}
FORMAT_OF_EXTENSION = {ext: fmt for fmt, ext in EXTENSIONS.items()}
HTML = "text/html"
#: SPARQL results of SELECT and ASK queries: media type -> pyoxigraph format.
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
DCTERMS = "http://purl.org/dc/terms/"
NP_BASE = BASE + "np/"

#: Query time limit (seconds) and the largest request body accepted, by default.
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_REQUEST_BYTES = 1 << 20


class Pages(Protocol):
    """The site's files by path under ``/site/`` (:class:`vitd_kg.site.serving.SitePages`)."""

    def get(self, path: str) -> bytes | None: ...


@dataclass
class Response:
    """An HTTP answer: status, headers and body."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, message: str, **headers: str) -> "Response":
        return cls(status, (message.rstrip("\n") + "\n").encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8", **headers})


class NotAcceptable(InputError):
    """None of the media types the client accepts can be given."""


# --- content negotiation ------------------------------------------------------------------


def _accept_ranges(header: str | None) -> list[tuple[str, float]]:
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        kind = pieces[0].lower()
        if not kind:
            continue
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((kind, quality))
    return ranges


def negotiate(accept: str | None, offered: Iterable[str]) -> str | None:
    """The offered media type the ``Accept`` header prefers (ties: the first offered), or ``None``.

    The most specific range that matches a type gives its quality (RFC 9110, 12.5.1).

    >>> negotiate("text/turtle", ["text/html", "text/turtle"])
    'text/turtle'
    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", ["text/turtle", "text/html"])
    'text/html'
    >>> negotiate("image/png", ["text/turtle"]) is None
    True
    """
    ranges = _accept_ranges(accept)
    best, best_quality = None, 0.0
    for kind in offered:
        main = kind.split("/")[0] + "/*"
        matches = [(3 if r == kind else 2 if r == main else 1, q) for r, q in ranges if r in (kind, main, "*/*")]
        if not matches:
            continue
        quality = max(matches)[1]
        if quality > best_quality:
            best, best_quality = kind, quality
    return best


# --- the application ----------------------------------------------------------------------


class LinkedData:
    """What the server answers, independent of HTTP: ``respond(method, target, headers, body)``.

    ``dataset`` is the release's named graphs; ``release`` gives the release folder
    (called on the first request that needs it); ``pages`` the site's files, or
    ``None`` when the site cannot be rendered (the docs extra is missing: no HTML).
    """

    def __init__(
        self,
        dataset: ReleaseDataset,
        *,
        release: Callable[[], Path],
        pages: Pages | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
        version: str = __version__,
    ) -> None:
        self.store = ox.Store()
        fill(self.store, dataset.quads())
        self.graph_sizes = {name: len(triples) for name, triples in dataset.graphs.items()}
        self.triples = len(dataset.union())
        self.claims = {g.rsplit("/", 1)[-1] for g in dataset.graphs if g.startswith(GRAPH_BASE + "claim/")}
        self.pages = pages
        self.timeout = timeout
        self.max_request_bytes = max_request_bytes
        self.version = version
        self._release_source = release
        self._release: Path | None = None
        self._nanopubs: dict[str, str] | None = None
        self._lock = threading.Lock()

    # -- the release, on first need

    def release_folder(self) -> Path:
        with self._lock:
            if self._release is None:
                self._release = Path(self._release_source())
            return self._release

    def nanopubs(self) -> dict[str, str]:
        """Trusty code (``RA...``) -> claim id, from the release's ``nanopubs/index.tsv``."""
        if self._nanopubs is None:
            index = self.release_folder() / "nanopubs" / "index.tsv"
            found = {}
            if index.is_file():
                for line in index.read_text(encoding="utf-8").splitlines()[1:]:
                    claim, uri, _ = line.split("\t")
                    if uri.startswith(NP_BASE):
                        found[uri[len(NP_BASE):]] = claim.rsplit("/", 1)[-1]
            self._nanopubs = found
        return self._nanopubs

    # -- entry point

    def respond(self, method: str, target: str, headers: dict[str, str], body: bytes = b"", *, base: str = "") -> Response:
        """The answer to one request (``target`` is the request line's path and query)."""
        split = urlsplit(target)
        path = unquote(split.path)
        if path == "/query":
            if method not in ("GET", "HEAD", "POST"):
                return Response.text(405, "the endpoint answers GET and POST", Allow="GET, HEAD, POST")
            return self.sparql(method, split.query, headers, body, base=base)
        if path == "/update":
            return Response.text(403, "this endpoint is read-only: SPARQL updates are refused")
        if method not in ("GET", "HEAD"):
            return Response.text(405, "read-only: only GET and HEAD are answered here", Allow="GET, HEAD")
        if any(part in (".", "..") for part in path.split("/")):
            return Response.text(404, f"no such resource: {path}")
        relative = path[1:]
        if relative.startswith("doc/"):
            return self.document(relative[len("doc/"):])
        if relative.startswith("release/"):
            return self.release_file(relative[len("release/"):])
        if relative.startswith("site/") or relative == "site":
            return self.site_file(relative[len("site/"):])
        variants = self.variants(relative)
        if variants is None:
            return Response.text(404, f"{BASE}{relative} is not an IRI this graph holds")
        if isinstance(variants, Response):
            return variants
        chosen = negotiate(headers.get("accept"), list(variants))
        if chosen is None:
            return Response.text(
                406, f"{BASE}{relative} is available as: {', '.join(variants)}", Vary="Accept"
            )
        return Response(303, f"See {variants[chosen]}\n".encode(), {
            "Location": variants[chosen], "Vary": "Accept", "Content-Type": "text/plain; charset=utf-8",
        })

    # -- IRIs -> documents

    def _rdf_variants(self, document: str) -> dict[str, str]:
        return {MEDIA_TYPES[fmt]: f"/{document}.{EXTENSIONS[fmt]}" for fmt in RDF_FORMATS}

    def _with_html(self, variants: dict[str, str], page: str | None) -> dict[str, str]:
        if page is None or self.pages is None:
            return variants
        return {HTML: f"/site/{page}", **variants}

    def variants(self, relative: str) -> "dict[str, str] | Response | None":
        """Media type -> document path for an IRI ``BASE + relative``; ``None`` if unknown."""
        release = f"/release/{self.version}"
        if relative in ("", "dataset", "software", ".well-known/void"):
            page = "index.html" if relative == "" else "dataset.html"
            return self._with_html(self._rdf_variants("doc/dataset"), page)
        if relative in ("ontology", f"ontology/{self.version}"):
            files = {MEDIA_TYPES[fmt]: f"{release}/ontology/vitd.{EXTENSIONS[fmt]}" for fmt in RDF_FORMATS}
            return self._with_html(files, "ontology.html")
        if relative.startswith("id/"):
            if not self._is_subject(BASE + relative):
                return None
            kind, _, name = relative[len("id/"):].partition("/")
            page = f"claims/{name}.html" if kind == "claim" and name in self.claims else None
            return self._with_html(self._rdf_variants(f"doc/{relative}"), page)
        if relative.startswith("graph/"):
            if BASE + relative not in self.graph_sizes:
                return None
            name = relative.rsplit("/", 1)[-1]
            page = f"claims/{name}.html" if relative.startswith("graph/claim/") and name in self.claims else None
            return self._with_html(self._rdf_variants(f"doc/{relative}"), page)
        if relative.startswith("np/"):
            claim = self.nanopubs().get(relative[len("np/"):])
            if claim is None:
                return None
            return self._with_html({MEDIA_TYPES["trig"]: f"{release}/nanopubs/{claim}.trig"}, f"claims/{claim}.html")
        if relative.startswith("release/latest/"):
            location = f"{release}/{relative[len('release/latest/'):]}"
            return Response(302, f"See {location}\n".encode(), {"Location": location, "Content-Type": "text/plain; charset=utf-8"})
        return None

    def _is_subject(self, iri: str) -> bool:
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return False
        return next(iter(self.store.quads_for_pattern(node, None, None, None)), None) is not None

    def describe(self, iri: str) -> list[ox.Triple]:
        """The Concise Bounded Description of ``iri``: its triples, and those of the blank nodes they reach."""
        seen: set[ox.Triple] = set()
        todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
        visited = set(todo)
        while todo:
            node = todo.pop()
            for quad in self.store.quads_for_pattern(node, None, None, None):
                seen.add(quad.triple)
                if isinstance(quad.object, ox.BlankNode) and quad.object not in visited:
                    visited.add(quad.object)
                    todo.append(quad.object)
        return list(seen)

    def document(self, relative: str) -> Response:
        """``/doc/<path>.<ext>``: the description of ``BASE + <path>`` in the format of ``ext``."""
        stem, _, ext = relative.rpartition(".")
        fmt = FORMAT_OF_EXTENSION.get(ext)
        if not stem or fmt is None:
            return Response.text(404, f"no such document: /doc/{relative}")
        if stem == "dataset":
            triples = self.void_triples()
            if fmt == "turtle":
                return self._file(self.release_folder() / "void.ttl", MEDIA_TYPES["turtle"])
        elif stem.startswith("id/") and self._is_subject(BASE + stem):
            triples = self.describe(BASE + stem)
        elif stem.startswith("graph/") and BASE + stem in self.graph_sizes:
            triples = [q.triple for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(BASE + stem))]
        else:
            return Response.text(404, f"no such document: /doc/{relative}")
        buffer = io.BytesIO()
        write_dataset(ReleaseDataset({"document": triples}), fmt, buffer)
        return Response(200, buffer.getvalue(), {"Content-Type": _with_charset(MEDIA_TYPES[fmt])})

    def void_triples(self) -> list[ox.Triple]:
        """The release's VoID description, read from its ``void.ttl``."""
        return [q.triple for q in ox.parse(path=str(self.release_folder() / "void.ttl"), format=ox.RdfFormat.TURTLE)]

    # -- files

    def release_file(self, relative: str) -> Response:
        version, _, inside = relative.partition("/")
        if version == "latest":
            location = f"/release/{self.version}/{inside}"
            return Response(302, f"See {location}\n".encode(), {"Location": location, "Content-Type": "text/plain; charset=utf-8"})
        if version != self.version or not inside:
            return Response.text(404, f"this server holds release {self.version} only")
        root = self.release_folder().resolve()
        target = (root / inside).resolve()
        if root not in target.parents or not target.is_file():
            return Response.text(404, f"release {self.version} has no file {inside}")
        from vitd_kg.publishing.schema_org import media_type

        return self._file(target, media_type(inside))

    def site_file(self, relative: str) -> Response:
        if self.pages is None:
            return Response.text(404, "the site is not available: pip install 'vitd-kg[docs]' (Jinja2, Graphviz, pyLODE)")
        content = self.pages.get(relative or "index.html")
        if content is None:
            return Response.text(404, f"the site has no page {relative}")
        from vitd_kg.publishing.schema_org import media_type

        return Response(200, content, {"Content-Type": _with_charset(media_type(relative or "index.html"))})

    @staticmethod
    def _file(path: Path, kind: str) -> Response:
        return Response(200, path.read_bytes(), {"Content-Type": _with_charset(kind)})

    # -- SPARQL

    def sparql(self, method: str, query_string: str, headers: dict[str, str], body: bytes, *, base: str) -> Response:
        params = parse_qs(query_string, keep_blank_values=True)
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if method == "POST":
            if content_type == "application/x-www-form-urlencoded":
                try:
                    form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
                except UnicodeDecodeError:
                    return Response.text(400, "the form is not UTF-8")
                for key, values in form.items():
                    params.setdefault(key, []).extend(values)
            elif content_type == "application/sparql-query":
                try:
                    params["query"] = [body.decode("utf-8")]
                except UnicodeDecodeError:
                    return Response.text(400, "the query is not UTF-8")
            elif content_type == "application/sparql-update":
                return Response.text(403, "this endpoint is read-only: SPARQL updates are refused")
            else:
                return Response.text(415, "POST a query as application/x-www-form-urlencoded or application/sparql-query")
        if "update" in params:
            return Response.text(403, "this endpoint is read-only: SPARQL updates are refused")
        queries = params.get("query", [])
        if not queries:
            if method == "POST":
                return Response.text(400, "no query: send it in the `query` parameter")
            return self.service_description(headers.get("accept"), base)
        if len(queries) > 1:
            return Response.text(400, "send one `query` parameter")
        default_graphs = params.get("default-graph-uri", [])
        named_graphs = params.get("named-graph-uri", [])
        store, accept, text = self.store, headers.get("accept"), queries[0]
        from vitd_kg.sparql.time_limit import run_with_time_limit

        try:
            kind, answer = run_with_time_limit(
                lambda: _answer(store, text, accept, default_graphs, named_graphs), self.timeout, name="the query"
            )
        except NotAcceptable as error:
            return Response.text(406, error.message)
        except QueryTimeout as error:
            return Response.text(503, f"{error.message}; this server's limit is set with `vitd-kg serve --timeout SECONDS`")
        except InputError as error:
            return Response.text(400, str(error))
        except EngineFailure as error:
            return Response.text(500, error.message)
        return Response(200, answer, {"Content-Type": _with_charset(kind), "Vary": "Accept"})

    def service_description(self, accept: str | None, base: str) -> Response:
        """The SPARQL 1.1 service description of the endpoint (``sd:Service``)."""
        offered = [MEDIA_TYPES[fmt] for fmt in RDF_FORMATS]
        chosen = negotiate(accept, offered)
        if chosen is None:
            return Response.text(406, f"the service description is available as: {', '.join(offered)}")
        fmt = next(f for f in RDF_FORMATS if MEDIA_TYPES[f] == chosen)
        buffer = io.BytesIO()
        write_dataset(ReleaseDataset({"sd": service_description(self, base)}), fmt, buffer)
        return Response(200, buffer.getvalue(), {"Content-Type": _with_charset(chosen), "Vary": "Accept"})


def _with_charset(kind: str) -> str:
    textual = kind.startswith("text/") or kind.endswith(("+json", "+xml", "/n-triples", "/n-quads", "/trig", "/sparql-query", "/json"))
    return f"{kind}; charset=utf-8" if textual and kind not in ("image/svg+xml",) else kind


def service_description(app: LinkedData, base: str) -> list[ox.Triple]:
    """The ``sd:Service`` at ``base/query``: its dataset (the VoID dataset), graphs, formats and features."""
    from vitd_kg.publishing.void import DATASET_IRI, DATASET_TITLE

    endpoint = ox.NamedNode(f"{base}/query")
    dataset = ox.NamedNode(DATASET_IRI)
    triples: list[ox.Triple] = []

    def add(s, p: str, o) -> None:
        triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def count(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))

    add(endpoint, RDF_TYPE, ox.NamedNode(SD + "Service"))
    add(endpoint, SD + "endpoint", endpoint)
    add(endpoint, SD + "supportedLanguage", ox.NamedNode(SD + "SPARQL11Query"))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        add(endpoint, SD + "resultFormat", ox.NamedNode(FORMATS + name))
    add(endpoint, SD + "feature", ox.NamedNode(SD + "UnionDefaultGraph"))
    add(endpoint, SD + "defaultEntailmentRegime", ox.NamedNode("http://www.w3.org/ns/entailment/Simple"))
    add(endpoint, DCTERMS + "description", ox.Literal(
        "Read-only. The default graph is the union of the named graphs. SERVICE, FROM and updates are "
        "refused: the server never fetches anything for a client.", language="en"))
    add(endpoint, SD + "defaultDataset", dataset)
    add(dataset, RDF_TYPE, ox.NamedNode(SD + "Dataset"))
    add(dataset, RDF_TYPE, ox.NamedNode(VOID + "Dataset"))
    add(dataset, DCTERMS + "title", ox.Literal(DATASET_TITLE, language="en"))
    add(dataset, VOID + "sparqlEndpoint", endpoint)
    add(dataset, RDFS_SEE_ALSO, ox.NamedNode(f"{base}/doc/dataset.ttl"))  # its VoID, served here
    default = ox.BlankNode("default")  # labelled, so the description is the same bytes each time
    add(dataset, SD + "defaultGraph", default)
    add(default, RDF_TYPE, ox.NamedNode(SD + "Graph"))
    add(default, VOID + "triples", count(app.triples))
    for number, (name, size) in enumerate(sorted(app.graph_sizes.items())):
        named, graph = ox.BlankNode(f"named{number}"), ox.BlankNode(f"graph{number}")
        add(dataset, SD + "namedGraph", named)
        add(named, RDF_TYPE, ox.NamedNode(SD + "NamedGraph"))
        add(named, SD + "name", ox.NamedNode(name))
        add(named, SD + "graph", graph)
        add(graph, RDF_TYPE, ox.NamedNode(SD + "Graph"))
        add(graph, VOID + "triples", count(size))
    return triples


def _answer(store: ox.Store, text: str, accept: str | None, default_graphs: list[str], named_graphs: list[str]) -> tuple[str, bytes]:
    """Check, run and serialize one client query (in a worker with a time limit)."""
    from vitd_kg.sparql.queries import Query
    from vitd_kg.sparql.safety import check_query

    form = check_query(Query("the query", text, bundled=False))  # refuses SERVICE, FROM, updates
    offered = list(RESULT_TYPES) if form in ("SELECT", "ASK") else [MEDIA_TYPES[f] for f in RDF_FORMATS]
    chosen = negotiate(accept, offered)
    if chosen is None:
        raise NotAcceptable(f"a {form} query's answer is available as: {', '.join(offered)}")
    options: dict = {}
    try:
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    except ValueError as error:
        raise InputError(f"a graph IRI is not an absolute IRI: {error}") from None
    try:
        result = store.query(text, **options)
    except SyntaxError as error:
        raise InputError(f"SPARQL syntax error: {error}") from None
    if form in ("SELECT", "ASK"):
        return chosen, result.serialize(format=RESULT_TYPES[chosen])
    fmt = next(f for f in RDF_FORMATS if MEDIA_TYPES[f] == chosen)
    buffer = io.BytesIO()
    write_dataset(ReleaseDataset({"result": list(result)}), fmt, buffer)
    return chosen, buffer.getvalue()


# --- HTTP ---------------------------------------------------------------------------------


def _handler(app: LinkedData) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = f"vitd-kg/{__version__}"
        timeout = 30  # seconds a connection may sit idle before it is dropped

        def _answer(self) -> None:
            headers = {key.lower(): value for key, value in self.headers.items()}
            body = b""
            if self.command == "POST":
                length = headers.get("content-length")
                if length is None or not length.isdigit():
                    self._send(Response.text(411, "a POST needs a Content-Length"))
                    return
                if int(length) > app.max_request_bytes:
                    self._send(Response.text(
                        413, f"the request body is over {app.max_request_bytes} bytes; "
                             "raise the limit with `vitd-kg serve --max-request-bytes N`"))
                    return
                body = self.rfile.read(int(length))
            host = headers.get("host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
            try:
                response = app.respond(self.command, self.path, headers, body, base=f"http://{host}")
            except VitdKgError as error:
                response = Response.text(500, str(error))
            except Exception as error:  # noqa: BLE001 - one bad request must not stop the server
                response = Response.text(500, f"internal error ({type(error).__name__}); this is a bug in vitd-kg")
            self._send(response)

        def _send(self, response: Response) -> None:
            self.send_response(response.status)
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # SO_REUSEADDR only lets a port in TIME_WAIT be bound again: a port another program
    # listens on still fails to bind (EADDRINUSE), which is what `serve` must see.
    allow_reuse_address = True


def bind(host: str, port: int, app: LinkedData) -> ThreadingHTTPServer:
    """Bind ``host:port`` for ``app``; a port in use or an address not on this machine raises :class:`InputError`."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as error:
        raise InputError(f"cannot resolve the host {host!r}: {error.strerror}", hint="pass --host 127.0.0.1") from None
    server_class = type("Server", (_Server,), {"address_family": family})
    try:
        return server_class((host, port), _handler(app))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise InputError(
                f"port {port} on {host} is already in use by another program; nothing was started",
                hint="pass a free port with --port N",
            ) from None
        raise InputError(
            f"cannot listen on {host}:{port}: {error.strerror}",
            hint="pass --host 127.0.0.1 and a port above 1023 with --port N",
        ) from None


def serve(
    host: str,
    port: int,
    *,
    app: LinkedData,
    on_ready: Callable[[str], None] = print,
) -> int:
    """Serve ``app`` on ``host:port`` until interrupted; return 0.

    The port is bound first: ``on_ready`` is called with the endpoint's URL only once
    this process holds it.
    """
    server = bind(host, port, app)
    try:
        url_host = f"[{host}]" if ":" in host else host
        on_ready(f"http://{url_host}:{server.server_address[1]}/query")
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


class LazyRelease:
    """A release folder built on first use into a temporary folder, removed by :meth:`close`."""

    def __init__(self, build: Callable[[Path], object]) -> None:
        self._build = build
        self._folder: Path | None = None

    def __call__(self) -> Path:
        if self._folder is None:
            workdir = Path(tempfile.mkdtemp(prefix="vitd-kg-serve-"))
            self._workdir = workdir
            self._build(workdir / "release")
            self._folder = workdir / "release"
        return self._folder

    def close(self) -> None:
        if getattr(self, "_workdir", None) is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)

