"""A small client for writing to a remote SPARQL 1.1 store: Graph Store HTTP Protocol, query and update.

It speaks only the W3C protocols, so it works with Oxigraph, Apache Jena Fuseki,
GraphDB, Virtuoso and others. The HTTP rules (credentials never in a URL, the password
only from ``VITD_KG_PASSWORD``, timeouts and a deadline per answer, retries only for
requests without side effects, 401/403 stop at once, answers checked for shape) are
those of :class:`vitd_kg.sparql.endpoint.HttpClient`, which this client extends with
the requests that write: SPARQL Update (never retried), Graph Store ``PUT``/``DELETE``
of one graph, and a dataset ``POST`` of many graphs at once (N-Quads or TriG, for the
stores that accept it).

Every graph IRI is checked to be an absolute IRI before it is written into a request.

Failures are typed (:mod:`vitd_kg.errors`: ``EndpointUnreachable``,
``AuthenticationRefused``, ``VerificationFailed``, ``RequestRejected``,
``OutcomeUnknown``); the CLI gives each its exit code.

>>> endpoint_from("http://127.0.0.1:7878/query").update_url
'http://127.0.0.1:7878/update'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from pyoxigraph import NamedNode

from vitd_kg.errors import (  # noqa: F401 - re-exported for the callers of this module
    AuthenticationRefused,
    EndpointUnreachable,
    InputError,
    OutcomeUnknown,
    RequestRejected,
    VerificationFailed,
    VitdKgError,
)
from vitd_kg.sparql.endpoint import (  # noqa: F401 - re-exported
    IDEMPOTENT,
    LAYOUTS,
    PASSWORD_ENV,
    RETRYABLE_STATUS,
    Endpoint,
    HttpClient,
    checked_graph_iri,
    endpoint_from,
    json_term,
    redact,
    refuse_credentials,
)

#: Graphs named in one counting query.
GRAPHS_PER_QUERY = 500
#: Content types of a whole dataset (many named graphs) in one request body.
DATASET_TYPES = {"nquads": "application/n-quads", "trig": "application/trig"}


@dataclass
class SparqlClient(HttpClient):
    """HTTP access to one store for reading and writing (see :class:`HttpClient` for the rules)."""

    def graphs_with_prefix(self, prefix: str) -> list[str]:
        """Named graphs whose IRI starts with ``prefix``."""
        import json

        _, rows = self.select_terms(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {json.dumps(prefix)})) }}"
        )
        return sorted(row["g"].value for row in rows if "g" in row)

    def counts(self, graphs: Iterable[str]) -> dict[str, int]:
        """Triples in each named graph (0 for one that does not exist), many graphs per query."""
        from vitd_kg.sparql.endpoint import _count

        graphs = list(dict.fromkeys(graphs))
        found: dict[str, int] = {}
        for start in range(0, len(graphs), GRAPHS_PER_QUERY):
            chunk = graphs[start:start + GRAPHS_PER_QUERY]
            if len(chunk) == 1:
                found[chunk[0]] = self.count(chunk[0])
                continue
            values = " ".join(f"<{checked_graph_iri(g)}>" for g in chunk)
            _, rows = self.select_terms(
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
            )
            for row in rows:
                if not isinstance(row.get("g"), NamedNode):
                    from vitd_kg.sparql.endpoint import _not_results

                    raise _not_results(self.endpoint.query_url, f"a count of no graph: {row!r}"[:200])
                found[row["g"].value] = _count([row], self.endpoint.query_url)
        return {graph: found.get(graph, 0) for graph in graphs}

    def select_tsv(self, query: str) -> bytes:
        """Run a SELECT query and return its answer as SPARQL TSV results, unparsed (for
        reading many rows: the caller hands them to a parser written in Rust)."""
        from vitd_kg.sparql.endpoint import _not_results

        answer = self._post_query(query, (), "text/tab-separated-values")
        if answer.headers.get("content-type", "").split(";")[0].strip().lower() != "text/tab-separated-values":
            raise _not_results(self.endpoint.query_url, f"not TSV results: {answer.text[:200]!r}")
        return answer.content

    def update(self, text: str | bytes) -> None:
        """Run a SPARQL Update (POST; never retried)."""
        self.request(
            "POST", self.endpoint.update_url, content=text.encode("utf-8") if isinstance(text, str) else text,
            headers={"Content-Type": "application/sparql-update"},
        )

    # -- Graph Store HTTP Protocol -------------------------------------------------

    def put_graph(self, graph: str, body: bytes, content_type: str = "text/turtle") -> None:
        """Replace one named graph with ``body`` (PUT is idempotent, so it is retried)."""
        self.request(
            "PUT", self.endpoint.store_url, params={self.endpoint.graph_param: checked_graph_iri(graph)},
            content=body, headers={"Content-Type": content_type},
        )

    def post_dataset(self, body: bytes | Iterable[bytes], content_type: str = DATASET_TYPES["nquads"], *,
                     bulk: bool = False, length: int | None = None) -> None:
        """Add the quads of ``body`` (N-Quads or TriG; bytes, or an iterable of them sent as it comes,
        whose total ``length`` in bytes is given) to the store: one request for many graphs.

        The Graph Store Protocol's POST to the service URL with no graph named adds a
        dataset where the store supports it (Oxigraph does). Not retried: a POST adds.
        ``bulk`` asks an Oxigraph server for its bulk loader (``?no_transaction``: faster,
        not atomic), only for graphs nobody reads yet, such as staging graphs.
        """
        url = self.endpoint.store_url
        if bulk:
            url += ("&" if "?" in url else "?") + "no_transaction"
        headers = {"Content-Type": content_type}
        if length is not None:
            headers["Content-Length"] = str(length)
        self.request("POST", url, content=body, headers=headers)

    @property
    def is_oxigraph(self) -> bool:
        """Whether the last answer came from an Oxigraph server (its ``Server`` header says so)."""
        return (self.server or "").startswith("Oxigraph/")

    def delete_graph(self, graph: str) -> None:
        """Delete one named graph; a graph that is already gone is fine."""
        try:
            self.request("DELETE", self.endpoint.store_url, params={self.endpoint.graph_param: checked_graph_iri(graph)})
        except RequestRejected as error:
            if "HTTP 404" not in error.message:
                raise
