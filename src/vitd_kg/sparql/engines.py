"""Where queries run: an Oxigraph store (the default) or an rdflib graph, behind one interface.

One source of truth: the CLI, the Python API and the tests all run the files in
``queries/`` through :func:`execute` (or its shorthands :func:`run_query` for rows of
rdflib terms and :func:`select_light` for rows of plain tagged strings). Bindings are
handed to the engine as bindings (Oxigraph's substitutions, rdflib's ``initBindings``),
never pasted into the query text. A query that is not bundled is checked by
:func:`vitd_kg.sparql.safety.check_query` before it runs; a time limit runs it in a
worker process (:mod:`vitd_kg.sparql.time_limit`).

>>> from vitd_kg.rdf.parsing import load_store
>>> from vitd_kg.sparql.queries import read_query
>>> rows = select_light(load_store(), read_query("stats/triple-count"))
>>> int(rows[0]["triples"]) > 1000
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Union

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


@dataclass
class QueryResult:
    """What a query returned: SELECT rows, an ASK boolean, or CONSTRUCT triples as rows."""

    variables: list[str]
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None


class Engine(Protocol):
    """Something that answers SPARQL queries with bound variables."""

    name: str

    def run(self, query: Query, terms: Mapping[str, Any]) -> QueryResult:
        """Answer a query; rows hold rdflib terms."""

    def select_light(self, query: Query, terms: Mapping[str, Any]) -> list[LightRow]:
        """Answer a SELECT query; rows hold :mod:`vitd_kg.sparql.rows` strings."""


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

    def _solutions(self, query: Query, terms: Mapping[str, Any]):
        substitutions = None
        if terms:
            from vitd_kg.rdf.terms import to_oxigraph

            substitutions = {ox.Variable(name): to_oxigraph(term) for name, term in terms.items()}
        try:
            return self.store.query(query.text, substitutions=substitutions, prefixes=_prefixes_for(query))
        except SyntaxError as error:
            line, column = _oxigraph_position(str(error))
            raise InputError(f"SPARQL syntax error: {error}", file=query.name, line=line, column=column) from None
        except RuntimeError as error:
            raise InputError(
                f"the query cannot run with these bindings: {error}",
                file=query.name,
                hint="bind only variables that the query's SELECT clause projects",
            ) from None


def _rows(solutions, names: list[str], convert: Callable[[Any], Any]) -> list[dict[str, Any]]:
    """Rows of converted terms; a term repeated across rows is converted once."""
    columns = list(enumerate(names))
    converted: dict[Any, Any] = {}
    rows = []
    for solution in solutions:
        row = {}
        for index, name in columns:
            term = solution[index]
            if term is not None:
                value = converted.get(term)
                if value is None:
                    value = converted[term] = convert(term)
                row[name] = value
        rows.append(row)
    return rows


@dataclass(frozen=True)
class RdflibEngine:
    """Queries on an ``rdflib.Graph`` (the second engine the tests compare with)."""

    graph: "Graph"
    name: str = "rdflib"

    def run(self, query: Query, terms: Mapping[str, Any]) -> QueryResult:
        from pyparsing import ParseException

        try:
            result = self.graph.query(query.text, initBindings=dict(terms) or None, initNs=_prefixes_for(query) or {})
        except ParseException as error:
            raise InputError(
                f"SPARQL syntax error: {error.msg}", file=query.name, line=error.lineno, column=error.col
            ) from None
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


#: What the functions below accept as the place to run a query.
Target = Union[Engine, ox.Store, "Graph"]


def as_engine(target: Target) -> Engine:
    """An :class:`Engine` for a store, an rdflib graph or an engine."""
    if isinstance(target, ox.Store):
        return OxigraphEngine(target)
    if type(target).__name__ in ("Graph", "Dataset", "ConjunctiveGraph"):
        return RdflibEngine(target)
    return target  # type: ignore[return-value]


#: Texts of users' queries that passed :func:`check_query`: rdflib's parser is slow,
#: and a query run many times (a benchmark, a loop over bindings) is checked once.
_CHECKED_TEXTS: set[str] = set()


def execute(
    query: Query,
    target: Target,
    *,
    bindings: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> QueryResult:
    """Run a query on a store, an rdflib graph or an engine and return its result.

    ``timeout`` (seconds) runs the query in a worker process that is killed when the
    limit passes (raising :class:`~vitd_kg.errors.QueryTimeout`); ``None`` runs it
    here, unlimited. Queries that are not bundled are checked first.
    """
    engine = as_engine(target)
    _check_once(query)
    terms = as_terms(bindings)
    if timeout is None:
        return engine.run(query, terms)
    from vitd_kg.sparql.time_limit import run_with_time_limit

    return run_with_time_limit(lambda: engine.run(query, terms), timeout, name=query.name)


def run_query(target: Target, query: Query, bindings: Mapping[str, Any] | None = None) -> list[Row]:
    """Run a SELECT query; rows map variable names to rdflib terms (unbound ones left out)."""
    result = execute(query, target, bindings=bindings)
    if result.boolean is not None:
        raise InputError("only SELECT queries return rows", file=query.name)
    return result.rows


def select_light(target: Target, query: Query, bindings: Mapping[str, Any] | None = None) -> list[LightRow]:
    """Run a SELECT query; rows hold :class:`~vitd_kg.sparql.rows.Iri`, ``Lit`` and ``Blank`` strings."""
    _check_once(query)
    return as_engine(target).select_light(query, as_terms(bindings) if bindings else {})


def _check_once(query: Query) -> None:
    if not query.bundled and query.text not in _CHECKED_TEXTS:
        from vitd_kg.sparql.safety import check_query

        check_query(query)  # raises for anything that must not run
        _CHECKED_TEXTS.add(query.text)


def _prefixes_for(query: Query) -> dict[str, str] | None:
    """The package's prefixes, predeclared for a user's query (bundled ones declare their own)."""
    return None if query.bundled else dict(PREFIXES)


def _oxigraph_position(message: str) -> tuple[int | None, int | None]:
    """Line and column from an Oxigraph message such as ``error at 3:2: expected ...``."""
    match = re.search(r"\bat (\d+):(\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)
