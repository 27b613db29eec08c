"""Where queries run: an Oxigraph store (the default) or an rdflib graph, behind one interface.

One source of truth: the CLI, the Python API and the tests all run the files in
``queries/`` through :func:`execute` (or its shorthands :func:`run_query` for rows of
rdflib terms and :func:`select_light` for rows of plain tagged strings). Bindings are
handed to the engine as bindings (Oxigraph's substitutions, rdflib's ``initBindings``),
never pasted into the query text. A query that is not bundled is checked by
:func:`vitd_kg.sparql.safety.prepare_query` before it runs; a time limit runs the check
and the query in a worker process that cannot reach the network
(:mod:`vitd_kg.sparql.time_limit`, :func:`vitd_kg.sparql.safety.deny_network`), so the
limit covers the check too. :meth:`Engine.stream` hands out rows one at a time, for
:func:`vitd_kg.sparql.results.write_results`.

>>> from vitd_kg.rdf.parsing import load_store
>>> from vitd_kg.sparql.queries import read_query
>>> rows = select_light(load_store(), read_query("stats/triple-count"))
>>> int(rows[0]["triples"]) > 1000
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterable, Iterator, Mapping, Protocol, Union

import pyoxigraph as ox

from vitd_kg.errors import InputError
from vitd_kg.namespaces import PREFIXES
from vitd_kg.sparql.bindings import as_terms
from vitd_kg.sparql.queries import Query
from vitd_kg.sparql.rows import LightRow, Row, light_term

if TYPE_CHECKING:
    from rdflib import Graph

#: Names of the engines a user can choose (``--engine``).
ENGINES = ("oxigraph", "rdflib")
#: Seconds a query from the CLI may run before it is stopped.
DEFAULT_TIMEOUT = 30.0
#: Converted terms kept for reuse while rows stream (bounded: rows are not held).
_TERM_CACHE_SIZE = 10_000


@dataclass
class QueryResult:
    """What a query returned: SELECT rows, an ASK boolean, or CONSTRUCT triples as rows."""

    variables: list[str]
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None


@dataclass
class QueryStream:
    """What a query returns, one row at a time: rows of pyoxigraph terms, or an ASK boolean."""

    variables: list[str]
    rows: Iterator[dict[str, Any]] = field(default_factory=lambda: iter(()))
    boolean: bool | None = None


class Engine(Protocol):
    """Something that answers SPARQL queries with bound variables."""

    name: str

    def run(self, query: Query, terms: Mapping[str, Any]) -> QueryResult:
        """Answer a query; rows hold rdflib terms."""

    def select_light(self, query: Query, terms: Mapping[str, Any]) -> list[LightRow]:
        """Answer a SELECT query; rows hold :mod:`vitd_kg.sparql.rows` strings."""

    def stream(self, query: Query, terms: Mapping[str, Any]) -> QueryStream:
        """Answer a query row by row; rows hold pyoxigraph terms."""


@dataclass(frozen=True)
class OxigraphEngine:
    """Queries on a ``pyoxigraph.Store`` (in memory or on disk)."""

    store: ox.Store
    name: str = "oxigraph"

    def run(self, query: Query, terms: Mapping[str, Any]) -> QueryResult:
        from vitd_kg.rdf.terms import to_rdflib

        solutions = self._solutions(query, terms)
        if isinstance(solutions, ox.QueryBoolean):
            return QueryResult(variables=[], boolean=bool(solutions))
        if isinstance(solutions, ox.QueryTriples):
            rows = [
                {"subject": to_rdflib(t.subject), "predicate": to_rdflib(t.predicate), "object": to_rdflib(t.object)}
                for t in solutions
            ]
            return QueryResult(variables=["subject", "predicate", "object"], rows=rows)
        names = [variable.value for variable in solutions.variables]
        return QueryResult(variables=names, rows=_rows(solutions, names, to_rdflib))

    def select_light(self, query: Query, terms: Mapping[str, Any]) -> list[LightRow]:
        solutions = self._solutions(query, terms)
        if not isinstance(solutions, ox.QuerySolutions):
            raise InputError("only SELECT queries return rows", file=query.name)
        return _rows(solutions, [variable.value for variable in solutions.variables], light_term)

    def stream(self, query: Query, terms: Mapping[str, Any]) -> QueryStream:
        solutions = self._solutions(query, terms)
        if isinstance(solutions, ox.QueryBoolean):
            return QueryStream(variables=[], boolean=bool(solutions))
        if isinstance(solutions, ox.QueryTriples):
            triples = ({"subject": t.subject, "predicate": t.predicate, "object": t.object} for t in solutions)
            return QueryStream(variables=["subject", "predicate", "object"], rows=_engine_errors(triples, query))
        names = [variable.value for variable in solutions.variables]
        return QueryStream(variables=names, rows=_engine_errors(_solution_rows(solutions, names), query))

    def _solutions(self, query: Query, terms: Mapping[str, Any]):
        substitutions = None
        if terms:
            from vitd_kg.rdf.terms import to_oxigraph

            substitutions = {ox.Variable(name): to_oxigraph(term) for name, term in terms.items()}
        try:
            return self.store.query(query.text, substitutions=substitutions, prefixes=_prefixes_for(query))
        except OSError as error:  # only a network attempt raises this here: see deny_network
            raise _network_refused(query, error) from None
        except SyntaxError as error:
            line, column = _oxigraph_position(str(error))
            raise InputError(f"SPARQL syntax error: {error}", file=query.name, line=line, column=column) from None
        except RuntimeError as error:
            raise InputError(
                f"the query cannot run with these bindings: {error}",
                file=query.name,
                hint="bind only variables that the query's SELECT clause projects",
            ) from None


def _solution_rows(solutions, names: list[str]) -> Iterator[dict[str, Any]]:
    columns = list(enumerate(names))
    for solution in solutions:
        yield {name: term for index, name in columns if (term := solution[index]) is not None}


def _engine_errors(rows: Iterator[dict[str, Any]], query: Query) -> Iterator[dict[str, Any]]:
    """Rows of a lazily evaluated query, with the engine's errors made the package's."""
    try:
        yield from rows
    except OSError as error:
        raise _network_refused(query, error) from None
    except RuntimeError as error:
        raise InputError(f"the query failed while it ran: {error}", file=query.name) from None


def _cached(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` with a bounded memory of terms already converted (rows repeat terms)."""
    cache: dict[Any, Any] = {}

    def converted(term: Any) -> Any:
        found = cache.get(term)
        if found is None:
            if len(cache) >= _TERM_CACHE_SIZE:
                cache.clear()
            found = cache[term] = convert(term)
        return found

    return converted


def _network_refused(query: Query, error: OSError) -> InputError:
    return InputError(
        f"the query tried to reach the network and was stopped ({error})",
        file=query.name,
        hint="vitd-kg queries only the local graph: remove SERVICE, FROM and anything else that names a remote endpoint",
    )


def _rows(solutions, names: list[str], convert: Callable[[Any], Any]) -> list[dict[str, Any]]:
    """Rows of converted terms; a term repeated across rows is converted once."""
    return list(_converted_rows(solutions, names, convert))


def _converted_rows(
    solutions, names: list[str], convert: Callable[[Any], Any], *, remember: int | None = None
) -> Iterator[dict[str, Any]]:
    """Rows of converted terms, one at a time; a term repeated across rows is converted once
    (among the last ``remember`` distinct terms, or all of them)."""
    columns = list(enumerate(names))
    converted: dict[Any, Any] = {}
    for solution in solutions:
        if remember is not None and len(converted) > remember:
            converted.clear()
        row = {}
        for index, name in columns:
            term = solution[index]
            if term is not None:
                value = converted.get(term)
                if value is None:
                    value = converted[term] = convert(term)
                row[name] = value
        yield row


@dataclass(frozen=True)
class RdflibEngine:
    """Queries on an ``rdflib.Graph`` (the second engine the tests compare with)."""

    graph: "Graph"
    name: str = "rdflib"

    def run(self, query: Query, terms: Mapping[str, Any]) -> QueryResult:
        result = self._result(query, terms)
        if result.type == "ASK":
            return QueryResult(variables=[], boolean=bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            rows = [{"subject": s, "predicate": p, "object": o} for s, p, o in result.graph]
            return QueryResult(variables=["subject", "predicate", "object"], rows=rows)
        names = [str(v) for v in result.vars]
        return QueryResult(
            variables=names,
            rows=[{name: value for name, value in zip(names, solution) if value is not None} for solution in result],
        )

    def select_light(self, query: Query, terms: Mapping[str, Any]) -> list[LightRow]:
        from vitd_kg.rdf.terms import to_oxigraph

        return [
            {name: light_term(to_oxigraph(term)) for name, term in row.items()}
            for row in self.run(query, terms).rows
        ]

    def stream(self, query: Query, terms: Mapping[str, Any]) -> QueryStream:
        from vitd_kg.rdf.terms import to_oxigraph

        result = self._result(query, terms)
        if result.type == "ASK":
            return QueryStream(variables=[], boolean=bool(result.askAnswer))
        convert = _cached(to_oxigraph)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            rows = ({"subject": convert(s), "predicate": convert(p), "object": convert(o)} for s, p, o in result.graph)
            return QueryStream(variables=["subject", "predicate", "object"], rows=rows)
        variables = list(result.vars or [])
        names = [str(v) for v in variables]
        # rdflib's Result keeps every row it hands out; its generator of bindings does not.
        generated = getattr(result, "_genbindings", None)
        solutions = generated if generated is not None else result.bindings
        rows = (
            {name: convert(value) for name, variable in zip(names, variables) if (value := solution.get(variable)) is not None}
            for solution in solutions
            if solution  # rdflib leaves out empty solutions: so does run()
        )
        return QueryStream(variables=names, rows=_engine_errors(rows, query))

    def _result(self, query: Query, terms: Mapping[str, Any]):
        from pyparsing import ParseException

        try:
            return self.graph.query(query.text, initBindings=dict(terms) or None, initNs=_prefixes_for(query) or {})
        except ParseException as error:
            raise InputError(
                f"SPARQL syntax error: {error.msg}", file=query.name, line=error.lineno, column=error.col
            ) from None


#: What the functions below accept as the place to run a query.
Target = Union[Engine, ox.Store, "Graph"]


def as_engine(target: Target) -> Engine:
    """An :class:`Engine` for a store, an rdflib graph or an engine."""
    if isinstance(target, ox.Store):
        return OxigraphEngine(target)
    if type(target).__name__ in ("Graph", "Dataset", "ConjunctiveGraph"):
        return RdflibEngine(target)
    return target  # type: ignore[return-value]


#: Users' queries that passed the check, by their text, as they run (escapes expanded):
#: rdflib's parser is slow, and a query run many times (a benchmark, a loop over
#: bindings) is checked once.
_CHECKED: dict[str, Query] = {}
_CHECKED_KEPT = 256


def execute(
    query: Query,
    target: Target,
    *,
    bindings: Mapping[str, Any] | None = None,
    timeout: float | None = None,
    max_query_bytes: int | None = None,
) -> QueryResult:
    """Run a query on a store, an rdflib graph or an engine and return its result.

    ``timeout`` (seconds) runs the check and the query in a worker process that cannot
    reach the network and is killed when the limit passes (raising
    :class:`~vitd_kg.errors.QueryTimeout`); ``None`` runs them here, unlimited.
    Queries that are not bundled are checked first (:mod:`vitd_kg.sparql.safety`);
    ``max_query_bytes`` is the size limit of that check.
    """
    engine = as_engine(target)
    terms = as_terms(bindings)
    if timeout is None:
        prepared = prepared_query(query, max_query_bytes)
        if prepared.bundled:
            return engine.run(prepared, terms)
        from vitd_kg.rdf.recursion import call_deep

        return call_deep(lambda: engine.run(prepared, terms))
    from vitd_kg.sparql.time_limit import run_with_time_limit

    def in_worker() -> tuple[Query, QueryResult]:
        deny_network()
        prepared = prepared_query(query, max_query_bytes)
        return prepared, engine.run(prepared, terms)

    prepared, result = run_with_time_limit(in_worker, timeout, name=query.name)
    if not query.bundled:
        _remember(query.text, prepared)
    return result


def run_query(target: Target, query: Query, bindings: Mapping[str, Any] | None = None) -> list[Row]:
    """Run a SELECT query; rows map variable names to rdflib terms (unbound ones left out)."""
    result = execute(query, target, bindings=bindings)
    if result.boolean is not None:
        raise InputError("only SELECT queries return rows", file=query.name)
    return result.rows


def select_light(target: Target, query: Query, bindings: Mapping[str, Any] | None = None) -> list[LightRow]:
    """Run a SELECT query; rows hold :class:`~vitd_kg.sparql.rows.Iri`, ``Lit`` and ``Blank`` strings."""
    return as_engine(target).select_light(prepared_query(query, None), as_terms(bindings) if bindings else {})


def iter_select_light(target: Target, query: Query) -> Iterator[LightRow]:
    """The rows of a bundled SELECT one at a time, as :func:`select_light` gives them.

    On an Oxigraph store the rows are read as the engine makes them (the engine itself
    holds what an ORDER BY sorts); other engines answer in one piece.
    """
    engine = as_engine(target)
    if not isinstance(engine, OxigraphEngine):
        yield from select_light(target, query)
        return
    solutions = engine._solutions(prepared_query(query, None), {})
    if not isinstance(solutions, ox.QuerySolutions):
        raise InputError("only SELECT queries return rows", file=query.name)
    names = [variable.value for variable in solutions.variables]
    yield from _converted_rows(solutions, names, light_term, remember=20_000)


def with_values(query: Query, variable: str, iris: Iterable[str]) -> Query:
    """The query restricted to these IRIs for ``?variable`` by a trailing VALUES clause
    (SPARQL 1.1, section 10.2: joined to the whole WHERE before the solution modifiers apply)."""
    terms = " ".join(str(ox.NamedNode(iri)) for iri in iris)  # NamedNode refuses what is not an IRI
    return replace(query, text=f"{query.text.rstrip()}\nVALUES ?{variable} {{ {terms} }}\n")


def prepared_query(query: Query, max_query_bytes: int | None = None) -> Query:
    """The query as it runs: bundled ones as they are, users' ones checked (once per text)."""
    if query.bundled:
        return query
    from vitd_kg.sparql.safety import DEFAULT_MAX_QUERY_BYTES, prepare_query

    limit = DEFAULT_MAX_QUERY_BYTES if max_query_bytes is None else max_query_bytes
    found = _CHECKED.get(query.text)
    if found is not None and len(query.text.encode("utf-8")) <= limit:
        return found
    prepared = prepare_query(query, max_bytes=limit)  # raises for anything that must not run
    _remember(query.text, prepared)
    return prepared


def _remember(text: str, prepared: Query) -> None:
    if len(_CHECKED) >= _CHECKED_KEPT:
        del _CHECKED[next(iter(_CHECKED))]
    _CHECKED[text] = prepared


def deny_network() -> None:
    """Forbid this (worker) process to open network sockets: :func:`vitd_kg.sparql.safety.deny_network`."""
    from vitd_kg.sparql import safety

    safety.deny_network()


def _prefixes_for(query: Query) -> dict[str, str] | None:
    """The package's prefixes, predeclared for a user's query (bundled ones declare their own)."""
    return None if query.bundled else dict(PREFIXES)


def _oxigraph_position(message: str) -> tuple[int | None, int | None]:
    """Line and column from an Oxigraph message such as ``error at 3:2: expected ...``."""
    match = re.search(r"\bat (\d+):(\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)
