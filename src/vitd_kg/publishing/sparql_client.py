"""A small client for a remote SPARQL 1.1 store: Graph Store HTTP Protocol, query and update.

It speaks only the W3C protocols, so it works with Oxigraph, Apache Jena Fuseki,
GraphDB, Virtuoso and others. Rules it keeps:

* credentials never travel in a URL (refused) and the password comes only from the
  ``VITD_KG_PASSWORD`` environment variable; it is never printed;
* every request has connect and read timeouts;
* only idempotent requests (GET, PUT, DELETE) and requests free of side effects (a
  SPARQL *query* sent by POST) are retried, with exponential backoff, on connection
  errors, timeouts and 502/503/504; a SPARQL Update (POST) never is;
* queries go by POST (SPARQL 1.1 Protocol, form-encoded ``query`` and
  ``default-graph-uri``), so a long query or a long list of graphs never hits a
  server's URL or header size limit (Oxigraph refuses headers over 8 kB);
* 401 and 403 stop everything at once.

Failures are typed (:mod:`vitd_kg.errors`: ``EndpointUnreachable``,
``AuthenticationRefused``, ``VerificationFailed``, ``RequestRejected``,
``OutcomeUnknown``); the CLI gives each its exit code.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import urlsplit, urlunsplit

import httpx
from rdflib import BNode, Literal, URIRef

from vitd_kg.errors import (
    AuthenticationRefused,
    EndpointUnreachable,
    InputError,
    OutcomeUnknown,
    RequestRejected,
    VerificationFailed,
    VitdKgError,
)

PASSWORD_ENV = "VITD_KG_PASSWORD"
RETRYABLE_STATUS = {502, 503, 504}
IDEMPOTENT = {"GET", "PUT", "DELETE", "HEAD"}


@dataclass(frozen=True)
class Endpoint:
    """Where a store answers queries, updates and Graph Store requests."""

    query_url: str
    update_url: str
    store_url: str
    user: str | None = None
    #: the Graph Store parameter naming the graph (``graph``; Virtuoso's older one is ``graph-uri``)
    graph_param: str = "graph"
    auth_scheme: str = "basic"


#: Sibling URLs (update, Graph Store) for the usual layouts of a query endpoint URL.
LAYOUTS = {
    "query": ("update", "store"),  # Oxigraph: /query /update /store
    "sparql": ("update", "data"),  # Fuseki: /ds/sparql /ds/update /ds/data
}


def refuse_credentials(url: str) -> str:
    """Return ``url`` if it carries no user or password; raise otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"not an http(s) URL: {_redact(url)}", hint="give the endpoint as http://host:port/path")
    if parts.username or parts.password:
        raise InputError(
            f"credentials in a URL are refused: {_redact(url)}",
            hint=f"pass --user NAME and put the password in the {PASSWORD_ENV} environment variable",
        )
    return url


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        return urlunsplit((parts.scheme, "***@" + host, parts.path, parts.query, parts.fragment))
    return url


def endpoint_from(
    query_url: str,
    *,
    update_url: str | None = None,
    store_url: str | None = None,
    user: str | None = None,
    graph_param: str = "graph",
    auth_scheme: str = "basic",
) -> Endpoint:
    """Build an :class:`Endpoint`, deriving update and Graph Store URLs from the query URL.

    >>> endpoint_from("http://127.0.0.1:7878/query").store_url
    'http://127.0.0.1:7878/store'
    >>> endpoint_from("http://localhost:3030/ds/sparql").store_url
    'http://localhost:3030/ds/data'
    """
    refuse_credentials(query_url)
    base, _, last = query_url.rstrip("/").rpartition("/")
    if (update_url is None or store_url is None) and last not in LAYOUTS:
        raise InputError(
            f"cannot guess the update and Graph Store URLs of {query_url}",
            hint="pass --update-url and --store-url (for example .../update and .../data)",
        )
    siblings = LAYOUTS.get(last, ("update", "store"))
    update_url = refuse_credentials(update_url or f"{base}/{siblings[0]}")
    store_url = refuse_credentials(store_url or f"{base}/{siblings[1]}")
    return Endpoint(query_url, update_url, store_url, user=user, graph_param=graph_param, auth_scheme=auth_scheme)


@dataclass
class SparqlClient:
    """HTTP access to one store, with timeouts, bounded retries and no secret in logs."""

    endpoint: Endpoint
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    attempts: int = 3
    backoff: float = 0.3
    #: an httpx transport to use instead of the network (tests of the retry policy)
    transport: httpx.BaseTransport | None = None
    _http: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._http = httpx.Client(
            auth=self._auth(),
            timeout=httpx.Timeout(self.read_timeout, connect=self.connect_timeout),
            follow_redirects=False,
            transport=self.transport,
        )

    def _auth(self) -> httpx.Auth | None:
        if self.endpoint.user is None:
            return None
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            raise InputError(
                f"--user {self.endpoint.user} given but {PASSWORD_ENV} is not set",
                hint=f"export {PASSWORD_ENV}=... (the password is read only from the environment)",
            )
        if self.endpoint.auth_scheme == "digest":
            return httpx.DigestAuth(self.endpoint.user, password)
        return httpx.BasicAuth(self.endpoint.user, password)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "SparqlClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------

    def request(self, method: str, url: str, *, safe: bool = False, **kwargs) -> httpx.Response:
        """Send one request; retry idempotent ones; map failures to exit-coded errors.

        ``safe`` marks a POST without side effects (a SPARQL query), which may be retried too.
        """
        tries = self.attempts if method in IDEMPOTENT or safe else 1
        last_error: Exception | None = None
        sent = True
        for attempt in range(tries):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self._http.request(method, url, **kwargs)
            except httpx.TransportError as error:  # connect/read errors and timeouts
                last_error = error
                sent = not isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout))
                continue
            if response.status_code in (401, 403):
                raise AuthenticationRefused(
                    f"the server refused the credentials ({response.status_code}) for {method} {url}",
                    hint=f"check --user and the {PASSWORD_ENV} environment variable, and the account's write rights",
                )
            if response.status_code in RETRYABLE_STATUS and attempt + 1 < tries:
                last_error = RuntimeError(f"HTTP {response.status_code}")
                continue
            if response.status_code >= 400:
                raise RequestRejected(
                    f"{method} {url} failed with HTTP {response.status_code}: {response.text[:300].strip()}",
                    hint="the server's message above says why",
                )
            return response
        raise EndpointUnreachable(
            f"{method} {url} failed after {tries} attempt(s): {type(last_error).__name__}: {last_error}",
            hint="check that the server runs and the URL is right",
            request_sent=sent,
        )

    # -- SPARQL protocol ------------------------------------------------------------

    def select(self, query: str, default_graphs: Iterable[str] = ()) -> tuple[list[str], list[dict]]:
        """Run a SELECT query; return variable names and rows of rdflib terms.

        The query is sent by POST, form-encoded (SPARQL 1.1 Protocol "query via URL-encoded
        POST"), whatever its length: a query has no side effects, so it is retried like GET.
        """
        form = {"query": query, "default-graph-uri": list(default_graphs)}
        response = self.request(
            "POST", self.endpoint.query_url, safe=True, data=form,
            headers={"Accept": "application/sparql-results+json"},
        )
        try:
            payload = response.json()
        except ValueError:
            raise RequestRejected(f"the query endpoint did not answer SPARQL JSON results: {response.text[:200]}") from None
        names = payload["head"].get("vars", [])
        rows = [{k: json_term(v) for k, v in binding.items()} for binding in payload["results"]["bindings"]]
        return names, rows

    def count(self, graph: str) -> int:
        """Number of triples in one named graph (0 if it does not exist)."""
        _, rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"]) if rows else 0

    def graphs_with_prefix(self, prefix: str) -> list[str]:
        """Named graphs whose IRI starts with ``prefix``."""
        _, rows = self.select(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}'
        )
        return sorted(str(row["g"]) for row in rows)

    def update(self, text: str) -> None:
        """Run a SPARQL Update (POST; never retried)."""
        self.request(
            "POST", self.endpoint.update_url, content=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
        )

    # -- Graph Store HTTP Protocol -------------------------------------------------

    def put_graph(self, graph: str, body: bytes, content_type: str = "text/turtle") -> None:
        """Replace one named graph with ``body`` (PUT is idempotent, so it is retried)."""
        self.request(
            "PUT", self.endpoint.store_url, params={self.endpoint.graph_param: graph},
            content=body, headers={"Content-Type": content_type},
        )

    def delete_graph(self, graph: str) -> None:
        """Delete one named graph; a graph that is already gone is fine."""
        try:
            self.request("DELETE", self.endpoint.store_url, params={self.endpoint.graph_param: graph})
        except RequestRejected as error:
            if "HTTP 404" not in error.message:
                raise


def json_term(value: dict) -> URIRef | BNode | Literal:
    """An rdflib term from one SPARQL JSON results binding."""
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], lang=value["xml:lang"])
    datatype = value.get("datatype")
    if datatype in (None, "http://www.w3.org/2001/XMLSchema#string"):
        return Literal(value["value"])
    return Literal(value["value"], datatype=URIRef(datatype))
