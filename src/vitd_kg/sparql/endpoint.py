"""Any SPARQL 1.1 server as the engine: queries over HTTP, and the HTTP rules every request keeps.

:class:`EndpointEngine` answers the bundled queries (and users' queries) by sending them
to a server's query endpoint (SPARQL 1.1 Protocol), so everything the package computes
from a graph (claims, the audit, counts, exports, the site) can be computed by Oxigraph,
Virtuoso, Jena Fuseki, GraphDB, QLever...: ``vitd_kg.open(endpoint=URL)``, or
``vitd-kg --endpoint URL COMMAND``. Bindings are sent as a ``VALUES`` block at the start
of the query's ``WHERE`` group (the protocol has no other way), prefixes a user's query
leaves out are declared, and answers are read from SPARQL JSON results (SELECT, ASK) or
N-Triples (CONSTRUCT, DESCRIBE).

The HTTP rules (:class:`HttpClient`), shared with the uploader
(:mod:`vitd_kg.publishing.sparql_client`):

* credentials never travel in a URL (refused) and the password comes only from the
  ``VITD_KG_PASSWORD`` environment variable; it is never printed;
* every request has a connect timeout and a **deadline**: once the server starts
  answering, the whole answer must arrive within the read timeout (a server that
  trickles one byte a second is cut off, not waited for);
* only idempotent requests (GET, PUT, DELETE) and requests free of side effects (a
  SPARQL *query* sent by POST) are retried, with exponential backoff, on connection
  errors, timeouts and 502/503/504; a SPARQL Update (POST) never is, nor a request
  whose answer missed its deadline;
* queries go by POST, form-encoded, so a long query never hits a URL size limit;
* 401 and 403 stop everything at once; an answer that is not what the protocol says
  (not SPARQL JSON results, a count that is no number) is an error that says so.

>>> with_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": "<urn:x>"})
'SELECT ?s WHERE { VALUES (?s) { (<urn:x>) } ?s ?p ?o }'
>>> endpoint_from("http://127.0.0.1:7878/query").store_url
'http://127.0.0.1:7878/store'
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox

from vitd_kg.errors import (
    AuthenticationRefused,
    EndpointUnreachable,
    InputError,
    RequestRejected,
)
from vitd_kg.namespaces import PREFIXES
from vitd_kg.sparql.engines import QueryResult
from vitd_kg.sparql.queries import Query
from vitd_kg.sparql.rows import LightRow, light_term

PASSWORD_ENV = "VITD_KG_PASSWORD"
RETRYABLE_STATUS = {502, 503, 504}
IDEMPOTENT = {"GET", "PUT", "DELETE", "HEAD"}
XSD = "http://www.w3.org/2001/XMLSchema#"


# --- where a store answers ---------------------------------------------------------------------


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
    """Return ``url`` if it is an http(s) URL that carries no user or password; raise otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"not an http(s) URL: {redact(url)}", hint="give the endpoint as http://host:port/path")
    if parts.username or parts.password:
        raise InputError(
            f"credentials in a URL are refused: {redact(url)}",
            hint=f"pass --user NAME and put the password in the {PASSWORD_ENV} environment variable",
        )
    return url


def redact(url: str) -> str:
    """The URL with any user and password replaced by ``***``."""
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
    guess: bool = True,
) -> Endpoint:
    """An :class:`Endpoint`, with update and Graph Store URLs derived from the query URL.

    ``guess=False`` (reading only) keeps the query URL for the others when they cannot
    be guessed, instead of refusing it.

    >>> endpoint_from("http://localhost:3030/ds/sparql").store_url
    'http://localhost:3030/ds/data'
    """
    refuse_credentials(query_url)
    base, _, last = query_url.rstrip("/").rpartition("/")
    if (update_url is None or store_url is None) and last not in LAYOUTS:
        if guess:
            raise InputError(
                f"cannot guess the update and Graph Store URLs of {query_url}",
                hint="pass --update-url and --store-url (for example .../update and .../data)",
            )
        return Endpoint(query_url, update_url or query_url, store_url or query_url, user=user,
                        graph_param=graph_param, auth_scheme=auth_scheme)
    siblings = LAYOUTS.get(last, ("update", "store"))
    update_url = refuse_credentials(update_url or f"{base}/{siblings[0]}")
    store_url = refuse_credentials(store_url or f"{base}/{siblings[1]}")
    return Endpoint(query_url, update_url, store_url, user=user, graph_param=graph_param, auth_scheme=auth_scheme)


def checked_graph_iri(text: str) -> str:
    """``text`` if it is an absolute IRI (safe to write as ``<text>`` in SPARQL); :class:`InputError` otherwise.

    >>> checked_graph_iri("https://example.org/graph")
    'https://example.org/graph'
    """
    try:
        ox.NamedNode(text)
    except (ValueError, TypeError) as error:
        raise InputError(
            f"not an absolute IRI: {text!r} ({error})",
            hint="name the graph by an absolute IRI, e.g. --graph https://example.org/graphs/vitd",
        ) from None
    return text


# --- HTTP ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A server's whole answer to one request."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        import json

        return json.loads(self.content)


class _DeadlineMissed(Exception):
    pass


@dataclass
class HttpClient:
    """HTTP access to one store, with timeouts, a deadline per answer, bounded retries and no secret in logs."""

    endpoint: Endpoint
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    attempts: int = 3
    backoff: float = 0.3
    #: an httpx transport to use instead of the network (tests of the retry policy)
    transport: Any = None
    _http: Any = field(init=False, repr=False, default=None)
    _pid: int = field(init=False, repr=False, default=0)
    #: the ``Server`` header of the last answer (e.g. ``Oxigraph/0.5.13``), if it sent one
    server: str | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self._auth = self._make_auth()  # a missing password fails at once, before any request

    def _make_auth(self):
        import httpx

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

    @property
    def http(self):
        """The connection pool of this process (a forked query worker makes its own)."""
        import httpx

        if self._http is None or self._pid != os.getpid():
            self._http = httpx.Client(
                auth=self._auth,
                timeout=httpx.Timeout(self.read_timeout, connect=self.connect_timeout),
                follow_redirects=False,
                transport=self.transport,
            )
            self._pid = os.getpid()
        return self._http

    def close(self) -> None:
        if self._http is not None and self._pid == os.getpid():
            self._http.close()
        self._http = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def request(self, method: str, url: str, *, safe: bool = False, **kwargs) -> Answer:
        """Send one request and read its whole answer; retry idempotent ones; map failures to typed errors.

        ``safe`` marks a POST without side effects (a SPARQL query), which may be retried too.
        """
        import httpx

        tries = self.attempts if method in IDEMPOTENT or safe else 1
        last_error: Exception | None = None
        sent = True
        for attempt in range(tries):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                answer = self._exchange(method, url, **kwargs)
            except _DeadlineMissed as missed:
                raise EndpointUnreachable(
                    f"{method} {url}: {missed}",
                    hint="the server answers too slowly; raise --read-timeout if it is busy, or check it",
                    timed_out=True,
                ) from None
            except httpx.TransportError as error:  # connect/read errors and timeouts
                last_error = error
                sent = not isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout))
                continue
            self.server = answer.headers.get("server", self.server)
            if answer.status_code in (401, 403):
                raise AuthenticationRefused(
                    f"the server refused the credentials ({answer.status_code}) for {method} {url}",
                    hint=f"check --user and the {PASSWORD_ENV} environment variable, and the account's rights",
                )
            if answer.status_code in RETRYABLE_STATUS and attempt + 1 < tries:
                last_error = RuntimeError(f"HTTP {answer.status_code}")
                continue
            if answer.status_code in RETRYABLE_STATUS and tries == 1:  # a write, sent once
                raise EndpointUnreachable(
                    f"{method} {url} got HTTP {answer.status_code} from the server or a gateway in front of it: "
                    f"{answer.text[:200].strip()}",
                    hint="a gateway may have stopped waiting while the server goes on with the request",
                    timed_out=True,
                )
            if answer.status_code >= 400:
                raise RequestRejected(
                    f"{method} {url} failed with HTTP {answer.status_code}: {answer.text[:300].strip()}",
                    hint="the server's message above says why",
                )
            return answer
        raise EndpointUnreachable(
            f"{method} {url} failed after {tries} attempt(s): {type(last_error).__name__}: {last_error}",
            hint="check that the server runs and the URL is right",
            request_sent=sent,
            timed_out=isinstance(last_error, httpx.TimeoutException),
        )

    def _exchange(self, method: str, url: str, **kwargs) -> Answer:
        """One request; the answer's body must arrive within the read timeout of its first byte."""
        with self.http.stream(method, url, **kwargs) as response:
            deadline = time.monotonic() + self.read_timeout
            chunks = []
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise _DeadlineMissed(
                        f"the answer did not arrive within {self.read_timeout:g} s "
                        f"({sum(map(len, chunks))} bytes had come)"
                    )
            return Answer(response.status_code, response.headers, b"".join(chunks))

    # -- SPARQL protocol (queries) --------------------------------------------------------------

    def select(self, query: str, default_graphs: Iterable[str] = ()) -> tuple[list[str], list[dict]]:
        """Run a SELECT query; return variable names and rows of rdflib terms."""
        from vitd_kg.rdf.terms import to_rdflib

        names, rows = self.select_terms(query, default_graphs)
        return names, [{k: to_rdflib(v) for k, v in row.items()} for row in rows]

    def select_terms(self, query: str, default_graphs: Iterable[str] = ()) -> tuple[list[str], list[dict]]:
        """Run a SELECT query; return variable names and rows of pyoxigraph terms."""
        payload = self._results(query, default_graphs)
        if "boolean" in payload and "results" not in payload:
            raise RequestRejected(f"the query endpoint {self.endpoint.query_url} answered ASK results to a SELECT query")
        return _solutions(payload, self.endpoint.query_url)

    def ask(self, query: str, default_graphs: Iterable[str] = ()) -> bool:
        payload = self._results(query, default_graphs)
        value = payload.get("boolean")
        if not isinstance(value, bool):
            raise _not_results(self.endpoint.query_url, "no boolean in the answer to an ASK query")
        return value

    def construct(self, query: str, default_graphs: Iterable[str] = ()) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query; return its triples (asked for as N-Triples)."""
        answer = self._post_query(query, default_graphs, "application/n-triples, text/turtle;q=0.9")
        content_type = answer.headers.get("content-type", "").split(";")[0].strip().lower()
        fmt = ox.RdfFormat.TURTLE if content_type in ("text/turtle", "application/x-turtle") else ox.RdfFormat.N_TRIPLES
        try:
            return [q.triple for q in ox.parse(answer.content, format=fmt)]
        except SyntaxError as error:
            raise _not_results(self.endpoint.query_url, f"the graph it sent cannot be read ({error})") from None

    def count(self, graph: str) -> int:
        """Number of triples in one named graph (0 if it does not exist)."""
        _, rows = self.select_terms(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{checked_graph_iri(graph)}> {{ ?s ?p ?o }} }}")
        return _count(rows, self.endpoint.query_url)

    def _post_query(self, query: str, default_graphs: Iterable[str], accept: str) -> Answer:
        form = {"query": query, "default-graph-uri": list(default_graphs)}
        return self.request("POST", self.endpoint.query_url, safe=True, data=form, headers={"Accept": accept})

    def _results(self, query: str, default_graphs: Iterable[str]) -> dict:
        answer = self._post_query(query, default_graphs, "application/sparql-results+json")
        try:
            payload = answer.json()
        except ValueError:
            raise _not_results(self.endpoint.query_url, f"not JSON: {answer.text[:200]!r}") from None
        if not isinstance(payload, dict):
            raise _not_results(self.endpoint.query_url, "the JSON is not an object")
        return payload


def _not_results(url: str, why: str) -> RequestRejected:
    return RequestRejected(
        f"the query endpoint {url} did not answer SPARQL results: {why}",
        hint="check that the URL is the server's SPARQL query endpoint (for example .../query or .../sparql)",
    )


def _solutions(payload: dict, url: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Variable names and rows of pyoxigraph terms from SPARQL 1.1 JSON results, checked for shape."""
    head, results = payload.get("head"), payload.get("results")
    names = head.get("vars", []) if isinstance(head, dict) else None
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(names, list) or not isinstance(bindings, list):
        raise _not_results(url, "no head.vars and results.bindings lists in the JSON")
    rows = []
    blanks: dict[str, ox.BlankNode] = {}  # labels are scoped to one answer; some servers' are not valid ids
    for binding in bindings:
        if not isinstance(binding, dict):
            raise _not_results(url, f"a solution is not an object: {str(binding)[:80]}")
        try:
            rows.append({name: json_term(value, blanks) for name, value in binding.items()})
        except (KeyError, TypeError, ValueError) as error:
            raise _not_results(url, f"a value cannot be read ({error}): {str(binding)[:120]}") from None
    return [str(n) for n in names], rows


def _count(rows: list[dict], url: str) -> int:
    if not rows:
        return 0
    value = rows[0].get("n")
    try:
        return int(value.value)  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        raise _not_results(url, f"a triple count that is not a number: {value!r}") from None


def json_term(value: dict, blanks: dict[str, ox.BlankNode] | None = None) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A pyoxigraph term from one SPARQL JSON results value.

    Virtuoso writes stored booleans as ``1``/``0``; they are read as ``true``/``false``.
    Blank nodes get one new node per label in ``blanks`` (labels such as Virtuoso's
    ``nodeID://b1`` are not valid ids). The engine reads more values as the query
    computed them (:func:`_as_computed`); this is what the server wrote.

    >>> json_term({"type": "literal", "value": "1", "datatype": XSD + "boolean"}).value
    'true'
    """
    kind, text = value["type"], value["value"]
    if not isinstance(text, str):
        raise TypeError("the value is not a string")
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        if blanks is None:
            return ox.BlankNode()
        found = blanks.get(text)
        if found is None:
            found = blanks[text] = ox.BlankNode()
        return found
    if kind not in ("literal", "typed-literal"):
        raise ValueError(f"unknown term type {kind!r}")
    if "xml:lang" in value:
        return ox.Literal(text, language=value["xml:lang"])
    datatype = value.get("datatype")
    if datatype in (None, XSD + "string"):
        return ox.Literal(text)
    if datatype == XSD + "boolean" and text in ("1", "0"):
        text = "true" if text == "1" else "false"
    return ox.Literal(text, datatype=ox.NamedNode(datatype))


def _seconds_as_duration(text: str) -> str:
    """``"604800.0"`` (seconds, as Virtuoso writes a duration) as the canonical ``"P7D"``.

    >>> _seconds_as_duration("7.2576e+06"), _seconds_as_duration("5400")
    ('P84D', 'PT1H30M')
    """
    from decimal import Decimal, InvalidOperation

    try:
        seconds = Decimal(text)
    except InvalidOperation:
        return text
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    time_part = "".join(f"{int(n)}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    if rest:
        time_part += f"{rest.normalize():f}S"
    out = f"{sign}P" + (f"{int(days)}D" if days else "") + (f"T{time_part}" if time_part else "")
    return out if out not in ("P", "-P") else "PT0S"


# --- queries with bindings and prefixes -----------------------------------------------------------


_SKIP = re.compile(
    r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>'
)


def _groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level ``{ ... }`` group of a query, skipping comments, strings and IRIs."""
    groups, depth, start, position = [], 0, 0, 0
    while position < len(text):
        match = _SKIP.match(text, position)
        if match and match.end() > position:
            position = match.end()
            continue
        char = text[position]
        if char == "{":
            if depth == 0:
                start = position
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                groups.append((start, position))
        position += 1
    return groups


def with_values(text: str, values: Mapping[str, str]) -> str:
    """The query with a ``VALUES`` block binding ``values`` (variable -> SPARQL term) at the
    start of its ``WHERE`` group: the join a binding means, in standard SPARQL."""
    if not values:
        return text
    groups = _groups(text)
    if not groups:
        raise InputError("cannot bind variables of a query with no WHERE group")
    head = text[:groups[0][0]]
    where = groups[0]
    if re.search(r"\bCONSTRUCT\b", head, re.IGNORECASE) and len(groups) > 1 \
            and re.search(r"\bWHERE\s*$", text[groups[0][1] + 1:groups[1][0]], re.IGNORECASE):
        where = groups[1]  # CONSTRUCT { template } WHERE { ... }
    names = " ".join(f"?{name}" for name in values)
    block = f" VALUES ({names}) {{ ({' '.join(values.values())}) }}"
    return text[:where[0] + 1] + block + text[where[0] + 1:]


def bound_text(text: str, values: Mapping[str, str]) -> str:
    """The query with ``values`` (variable -> SPARQL term) bound as Oxigraph's substitutions
    bind them in process: each IRI written in place of its variable in the WHERE group and
    ``BIND(term AS ?var)`` at its end, so that a server answers at index speed. A VALUES
    block joined to the query (:func:`with_values`) gives the same rows, but Oxigraph's
    planner evaluates OPTIONALs and sub-SELECTs for every value before that join
    (claims/claim with ``?claim`` bound: 78 ms at 1e5 triples, 1.5 ms substituted).

    A sub-SELECT that projects the variable, groups by it if it aggregates and has no
    LIMIT or OFFSET gets a VALUES block inside instead, and gives the variable its value.
    Anything else (a literal, the variable inside another sub-SELECT, a MINUS, a VALUES or
    an ``AS ?var`` of the query) falls back to :func:`with_values`.

    >>> bound_text("SELECT ?s ?o WHERE { ?s ?p ?o OPTIONAL { ?s ?q ?r } }", {"s": "<urn:x>"})
    'SELECT ?s ?o WHERE { <urn:x> ?p ?o OPTIONAL { <urn:x> ?q ?r }  BIND(<urn:x> AS ?s) }'
    >>> bound_text("SELECT ?s WHERE { ?s ?p ?o MINUS { ?s ?p 1 } }", {"s": "<urn:x>"})
    'SELECT ?s WHERE { VALUES (?s) { (<urn:x>) } ?s ?p ?o MINUS { ?s ?p 1 } }'
    """
    groups = _groups(text)
    if not values or not groups or re.search(r"\bCONSTRUCT\b", text[:groups[0][0]], re.IGNORECASE) \
            or not all(term.startswith("<") for term in values.values()):
        return with_values(text, values)
    masked = _masked(text)
    start, end = groups[0]
    where = masked[start:end + 1]
    if re.search(r"\b(?:MINUS|VALUES|SERVICE)\b", where, re.IGNORECASE):
        return with_values(text, values)
    selects = [(brace, _closing(masked, brace), where) for brace, where in _sub_selects(masked)]
    every_select = [(found.start(), _closing(masked, found.start()))
                    for found in re.finditer(r"\{\s*SELECT\b", masked[:end + 1], re.IGNORECASE)]
    edits: list[tuple[int, int, str]] = []
    for name, term in values.items():
        variable = _variable(name)
        if re.search(rf"\bAS\s+{variable.pattern}", where, re.IGNORECASE) or _hidden(text, variable, start, end):
            return with_values(text, values)
        given = False
        for first, last, where_brace in selects:
            if variable.search(masked, first, last + 1):
                if not _keeps_rows_by(masked, first, where_brace, name):
                    return with_values(text, values)
                edits.append((where_brace + 1, where_brace + 1, f" VALUES ?{name} {{ {term} }}"))
                given = True
        for found in variable.finditer(masked, start, end + 1):
            if any(first <= found.start() <= last for first, last, _ in selects):
                continue  # the sub-SELECT's own VALUES binds it there
            if any(first <= found.start() <= last for first, last in every_select):
                return with_values(text, values)  # in a sub-SELECT that cannot be bound (inside EXISTS)
            if not _certain_in_each_group(masked, start, found.start(), variable):
                return with_values(text, values)
            edits.append((found.start(), found.end(), term))
        if not given:
            edits.append((end, end, f" BIND({term} AS ?{name}) "))
    for first, last, replacement in sorted(edits, key=lambda edit: edit[0], reverse=True):
        text = text[:first] + replacement + text[last:]
    return text


def _variable(name: str) -> re.Pattern[str]:
    """``?name`` or ``$name``, and not the start of a longer name (SPARQL's VARNAME goes on
    with letters, digits, ``_``, U+00B7, U+0300-036F and U+203F-2040)."""
    return re.compile(rf"[?$]{re.escape(name)}(?![\w\u00B7\u0300-\u036F\u203F\u2040])")


def _hidden(text: str, variable: re.Pattern[str], start: int, end: int) -> bool:
    """Whether ``variable`` is inside what the masking took for an IRI between ``start``
    and ``end`` (``FILTER(?z<5&&?s>0)`` reads as one), where it would be left unbound."""
    return any(
        found.group().startswith("<") and variable.search(found.group())
        for found in _SKIP.finditer(text, start, end + 1)
    )


def _certain_in_each_group(masked: str, outer: int, position: int, variable: re.Pattern[str]) -> bool:
    """Whether ``variable`` is in a triple pattern of each group from the outer WHERE group
    (opening at ``outer``) down to the one holding ``position``: then every solution of
    each group binds it, and writing the bound term in its place gives the rows a VALUES
    join gives (with it only in a nested OPTIONAL, or under BOUND, it would not)."""
    if re.search(rf"\bBOUND\s*\(\s*{variable.pattern}", masked, re.IGNORECASE):
        return False
    chain = []
    for index in range(outer, position):
        if masked[index] == "{":
            chain.append(index)
        elif masked[index] == "}":
            chain.pop()
    for brace in chain:
        own, depth, parens = [], 0, 0
        for char in masked[brace + 1:_closing(masked, brace)]:
            depth += {"{": 1, "}": -1}.get(char, 0)
            parens += {"(": 1, ")": -1}.get(char, 0)
            own.append(char if depth == 0 and parens == 0 and char not in "{}()" else " ")
        if not variable.search("".join(own)):
            return False
    return True


def _closing(masked: str, brace: int) -> int:
    """The offset of the ``}`` that closes the group opening at ``brace`` (the end of the
    text if none does)."""
    depth = 0
    for position in range(brace, len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[position], 0)
        if depth == 0:
            return position
    return len(masked) - 1


_AGGREGATE = re.compile(r"\b(?:COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", re.IGNORECASE)


def _masked(text: str) -> str:
    """``text`` with comments, strings and IRIs blanked, offsets unchanged."""
    return _SKIP.sub(lambda match: " " * len(match.group()), text)


def _sub_selects(masked: str) -> list[tuple[int, int]]:
    """(its ``{``, its WHERE group's ``{``) of each sub-SELECT that stands directly in the
    outer query's WHERE group (not in an OPTIONAL, a UNION, an EXISTS or another
    sub-SELECT), in the query with comments, strings and IRIs blanked."""
    opened: list[tuple[int, str]] = []  # (offset, what the group is: select, exists, group)
    found = []
    for position, char in enumerate(masked):
        if char == "{":
            before = masked[:position].rstrip()
            inside_select = re.match(r"\s*SELECT\b", masked[position + 1:], re.IGNORECASE) is not None
            kind = "select" if inside_select else "exists" if re.search(r"\b(?:EXISTS|MINUS)$", before, re.IGNORECASE) \
                else "group"
            if kind == "select" and not _plain_element(masked, position, before):
                kind = "select in an OPTIONAL, UNION, GRAPH or the like"
            if kind == "group" and [k for _, k in opened] == ["group", "select"] \
                    and masked.index("{", opened[-1][0] + 1) == position:
                found.append((opened[-1][0], position))  # directly in the outer WHERE group: a join every row passes
            opened.append((position, kind))
        elif char == "}" and opened:
            opened.pop()
    return found


def _plain_element(masked: str, brace: int, before: str) -> bool:
    """Whether the group opening at ``brace`` is joined to its group as it is: not the
    pattern of an OPTIONAL, GRAPH, SERVICE, MINUS or EXISTS, nor a branch of a UNION."""
    if re.search(r"(?:\b(?:OPTIONAL|UNION|MINUS|EXISTS)|\bGRAPH\s+\S+|\bSERVICE(?:\s+SILENT)?\s+\S+)$", before,
                 re.IGNORECASE):
        return False
    return re.match(r"\s*UNION\b", masked[_closing(masked, brace) + 1:], re.IGNORECASE) is None


def _keeps_rows_by(masked: str, start: int, where: int, name: str) -> bool:
    """Whether restricting the sub-SELECT opening at ``start`` (its WHERE group at
    ``where``) to one value of ``?name`` leaves its rows for that value as they are: it
    projects the variable plainly (not in an expression, not by ``*``), groups by it if it
    aggregates, and has no LIMIT or OFFSET."""
    projection = masked[start + 1:where]
    modifiers = masked[_closing(masked, where) + 1:_closing(masked, start)]
    if re.search(r"\b(?:LIMIT|OFFSET)\b", modifiers, re.IGNORECASE) or re.search(r"\bEXISTS\b", projection, re.IGNORECASE):
        return False
    group_by = re.search(r"\bGROUP\s+BY\b(.*?)(?:\bHAVING\b|\bORDER\b|$)", modifiers, re.IGNORECASE | re.DOTALL)
    if group_by is None and (_AGGREGATE.search(projection) or re.search(r"\bHAVING\b", modifiers, re.IGNORECASE)):
        return False
    variable = _variable(name).pattern
    # a plain variable of the projection (not in an expression; SELECT * is left alone)
    projected = re.search(variable, _top_level(projection)) and not re.search(
        rf"\bAS\s+{variable}", projection, re.IGNORECASE)
    return bool(projected) and (group_by is None or re.search(variable, group_by.group(1)) is not None)


def sparql_term(term: Any) -> str:
    """A bound value (rdflib or pyoxigraph term) in SPARQL syntax; blank nodes cannot be sent."""
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)
    if type(term).__name__ == "BNode" or isinstance(term, ox.BlankNode):
        raise InputError("a blank node cannot be bound in a query sent to an endpoint", hint="bind an IRI or a literal")
    if hasattr(term, "n3"):
        return term.n3()
    raise InputError(f"cannot bind {term!r}", hint="bind an IRI, a CURIE or a literal")


_BOOLEAN_START = re.compile(
    r"\s*(?:NOT\s+EXISTS|EXISTS|true|false|!(?!=)|BOUND|sameTerm|isIRI|isURI|isBlank|isLiteral|isNumeric|REGEX"
    r"|CONTAINS|STRSTARTS|STRENDS|LANGMATCHES)\b|\s*!(?!=)",
    re.IGNORECASE,
)
_AS_VARIABLE = re.compile(r"\bAS\s+[?$](\w+)\s*$", re.IGNORECASE)
#: An operator whose value is a boolean, found outside any parentheses of an expression.
_BOOLEAN_OPERATOR = re.compile(r"&&|\|\||!=|<=|>=|=|<|>|\bNOT\s+IN\b|\bIN\b", re.IGNORECASE)


def _top_level(text: str) -> str:
    """``text`` with strings, IRIs, comments and everything inside parentheses blanked out."""
    out, depth, position = [], 0, 0
    while position < len(text):
        skipped = _SKIP.match(text, position)
        if skipped and skipped.end() > position:
            out.append(" ")
            position = skipped.end()
            continue
        char = text[position]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            out.append(char)
        position += 1
    return "".join(out)


def boolean_variables(text: str) -> set[str]:
    """Variables a query computes as booleans: ``BIND(EXISTS {...} AS ?v)``, ``BIND(true AS ?v)``,
    ``(SUM(?n) > 0 AS ?v)`` (an expression whose outermost operator is a comparison or a
    logical one, or a boolean function).

    Some servers (Virtuoso 7) answer such a value as the integer 1 or 0; the engine
    reads it back as the boolean the query computed.

    >>> sorted(boolean_variables("SELECT * WHERE { ?a ?b ?c BIND(EXISTS { ?a ?b 1 } AS ?one) BIND(2 AS ?two) }"))
    ['one']
    >>> sorted(boolean_variables("SELECT ?a (SUM(IF(?x, 1, 0)) > 0 AS ?any) (COUNT(?b) AS ?n) WHERE { ?a ?b ?x }"))
    ['any']
    """
    found, opened, position = set(), [], 0
    while position < len(text):
        skipped = _SKIP.match(text, position)
        if skipped and skipped.end() > position:
            position = skipped.end()
            continue
        char = text[position]
        if char == "(":
            opened.append(position)
        elif char == ")" and opened:
            body = text[opened.pop() + 1:position]
            named = _AS_VARIABLE.search(body)
            if named:
                expression = body[:named.start()]
                if _BOOLEAN_START.match(expression) or _BOOLEAN_OPERATOR.search(_top_level(expression)):
                    found.add(named.group(1))
        position += 1
    return found


def _as_computed(rows: list[dict[str, Any]], names: set[str]) -> list[dict[str, Any]]:
    """Rows with Virtuoso's ways of writing values read as what they stand for: integer 1/0
    in the given (computed boolean) variables as true/false, and an ``xsd:duration``
    written as its number of seconds as that duration."""
    boolean, duration = ox.NamedNode(XSD + "boolean"), XSD + "duration"
    for row in rows:
        for name, term in row.items():
            if not isinstance(term, ox.Literal):
                continue
            kind = term.datatype.value
            if name in names and kind == XSD + "integer" and term.value in ("0", "1"):
                row[name] = ox.Literal("true" if term.value == "1" else "false", datatype=boolean)
            elif kind == duration and not term.value.lstrip("-").startswith("P"):
                row[name] = ox.Literal(_seconds_as_duration(term.value), datatype=term.datatype)
    return rows


def with_prefixes(text: str) -> str:
    """The package's prefixes declared before a user's query (its own declarations come after and win)."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items()) + text


# --- the engine -------------------------------------------------------------------------------


@dataclass
class EndpointEngine:
    """An :class:`~vitd_kg.sparql.engines.Engine` that sends each query to a SPARQL endpoint.

    ``default_graphs`` are sent as ``default-graph-uri`` (the graphs to query as the
    default graph; by default the server's own default graph, which is the union of
    every graph for Virtuoso and for ``oxigraph serve --union-default-graph``).
    """

    client: HttpClient
    default_graphs: tuple[str, ...] = ()
    name: str = "endpoint"

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        user: str | None = None,
        auth_scheme: str = "basic",
        default_graphs: Iterable[str] = (),
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        transport: Any = None,
    ) -> "EndpointEngine":
        """An engine for the query endpoint at ``url`` (the password for ``user`` comes from ``VITD_KG_PASSWORD``)."""
        from vitd_kg.sparql.bindings import checked_iri

        endpoint = endpoint_from(url, user=user, auth_scheme=auth_scheme, guess=False)
        graphs = tuple(str(checked_iri(g)) for g in default_graphs)
        client = HttpClient(endpoint, connect_timeout=connect_timeout, read_timeout=read_timeout, transport=transport)
        return cls(client, graphs)

    @property
    def url(self) -> str:
        return self.client.endpoint.query_url

    def _text(self, query: Query, terms: Mapping[str, Any]) -> str:
        text = query.text if query.bundled else with_prefixes(query.text)
        return bound_text(text, {name: sparql_term(term) for name, term in terms.items()})

    def run(self, query: Query, terms: Mapping[str, Any]) -> QueryResult:
        from vitd_kg.rdf.terms import to_rdflib

        text = self._text(query, terms)
        form = _query_form(text)
        if form == "ASK":
            return QueryResult(variables=[], boolean=self.client.ask(text, self.default_graphs))
        if form in ("CONSTRUCT", "DESCRIBE"):
            rows = [
                {"subject": to_rdflib(t.subject), "predicate": to_rdflib(t.predicate), "object": to_rdflib(t.object)}
                for t in self.client.construct(text, self.default_graphs)
            ]
            return QueryResult(variables=["subject", "predicate", "object"], rows=rows)
        names, rows = self.client.select_terms(text, self.default_graphs)
        rows = _as_computed(rows, boolean_variables(text))
        return QueryResult(variables=names, rows=[{k: to_rdflib(v) for k, v in row.items()} for row in rows])

    def select_light(self, query: Query, terms: Mapping[str, Any]) -> list[LightRow]:
        text = self._text(query, terms)
        if _query_form(text) != "SELECT":
            raise InputError("only SELECT queries return rows", file=query.name)
        _, rows = self.client.select_terms(text, self.default_graphs)
        rows = _as_computed(rows, boolean_variables(text))
        return [{k: light_term(v) for k, v in row.items()} for row in rows]

    def fetch_quads(self) -> list[ox.Quad]:
        """Every triple the endpoint holds, with its named graph (one SELECT, so blank nodes keep
        one label throughout); triples of the default graph alone come in the default graph.

        For what needs the raw triples (release dumps, nanopublications, RDF exports): the
        server still holds the data; this copies it. With ``default_graphs``, only those graphs;
        without, every graph but those the server keeps about itself (:func:`_server_graphs`).
        """
        if self.default_graphs:
            values = " ".join(f"<{g}>" for g in self.default_graphs)
            text = f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        else:
            text = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        _, rows = self.client.select_terms(text)
        if not rows and not self.default_graphs:  # everything is in the default graph
            _, rows = self.client.select_terms("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
        rows = _as_computed(rows, set())
        try:
            quads = [ox.Quad(r["s"], r["p"], r["o"], r.get("g", ox.DefaultGraph())) for r in rows]
        except (KeyError, TypeError) as error:
            raise _not_results(self.url, f"a triple is missing a part ({error})") from None
        if self.default_graphs:
            return quads
        own = _server_graphs(quads)
        return [q for q in quads if q.graph_name not in own] if own else quads

    def close(self) -> None:
        self.client.close()


#: Graphs a server keeps about itself (Virtuoso 7: its RDF views and Linked Data Platform
#: vocabulary), never a dataset's.
SERVER_GRAPH_PREFIXES = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#",
                         "urn:activitystreams-owl:map")
_SERVICE = ox.NamedNode("http://www.w3.org/ns/sparql-service-description#Service")
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _server_graphs(quads: list[ox.Quad]) -> set[ox.NamedNode]:
    """The graphs of ``quads`` that a server keeps about itself: those of
    :data:`SERVER_GRAPH_PREFIXES`, and a graph named after a service it describes (Virtuoso
    names its service description graph after its endpoint).

    >>> sd = ox.NamedNode("http://localhost:8890/sparql")
    >>> [g.value for g in _server_graphs([ox.Quad(sd, _TYPE, _SERVICE, sd)])]
    ['http://localhost:8890/sparql']
    """
    graphs = {q.graph_name for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    own = {g for g in graphs if g.value.startswith(SERVER_GRAPH_PREFIXES)}
    own |= {q.graph_name for q in quads if q.predicate == _TYPE and q.object == _SERVICE and q.subject == q.graph_name}
    return own


def _query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of these keywords outside comments, strings and IRIs."""
    stripped = _SKIP.sub(" ", text)
    match = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", stripped, re.IGNORECASE)
    return match.group(1).upper() if match else "SELECT"
