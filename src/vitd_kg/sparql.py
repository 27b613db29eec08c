"""Run the bundled SPARQL files (or a user's) against the graph, on Oxigraph or rdflib.

One source of truth: the CLI, the Python API and the tests all run the files in
``queries/`` through :func:`execute` (or its SELECT-only shorthand :func:`run_query`).
Bindings are handed to the engine as bindings (Oxigraph's substitutions, rdflib's
``initBindings``), never pasted into the query text.

A query read from a user's file is checked before it runs (:func:`check_query`):
updates, ``LOAD``, ``SERVICE`` and ``FROM`` are refused, and a syntax error is
reported with its line and column. A time limit is enforced by running the query in
a forked worker process that is killed when the limit passes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Mapping

from . import resources
from .errors import InputError, VitdKgError
from .namespaces import PREFIXES

ENGINES = ("oxigraph", "rdflib")
#: Seconds a query from the CLI may run before it is stopped.
DEFAULT_TIMEOUT = 30.0
#: Exit code of a query that ran out of time (see the README's exit codes).
TIMEOUT_EXIT_CODE = 4

Row = dict[str, Any]  # variable name -> rdflib term


@dataclass(frozen=True)
class Query:
    """A SPARQL query with the name (or path) it was read from."""

    name: str
    text: str
    bundled: bool = True

    @property
    def description(self) -> str:
        """The leading ``#`` comment lines: what the query answers."""
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("#"):
                break
            lines.append(line.lstrip("#").strip())
        return "\n".join(lines).strip()

    @property
    def summary(self) -> str:
        """The first sentence of the description (up to its first "?" or ". ")."""
        import re

        text = " ".join(self.description.split())
        match = re.search(r"[?.](\s|$)", text)
        return text[: match.end()].strip() if match else text


@dataclass
class QueryResult:
    """What a query returned: SELECT rows, an ASK boolean, or CONSTRUCT triples as rows."""

    variables: list[str]
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None


class QueryTimeout(VitdKgError):
    """A query ran longer than its time limit and was stopped."""


def read_query(name_or_path: str | Path) -> Query:
    """Read a bundled query by name (``stats/class-counts``) or a ``.rq`` file path.

    A path to an existing file wins over a bundled name; a user's file is marked
    ``bundled=False`` so that :func:`execute` checks it before running it.
    """
    path = Path(name_or_path)
    if path.is_file():
        try:
            return Query(str(path), path.read_text(encoding="utf-8"), bundled=False)
        except UnicodeDecodeError:
            raise InputError("query file is not UTF-8 text", file=str(path)) from None
        except OSError as error:
            raise InputError(f"cannot read query file: {error}", file=str(path)) from None
    try:
        entry = resources.query_file(str(name_or_path))
    except FileNotFoundError as error:
        if path.suffix == ".rq":
            raise InputError(
                f"{path}: no such query file, and no bundled query of that name",
                hint="give the path of a .rq file, or a bundled name from `vitd-kg query --list`",
            ) from None
        raise InputError(str(error), hint="run `vitd-kg query --list` to see the bundled queries") from None
    return Query(str(name_or_path).removesuffix(".rq"), entry.read_text(encoding="utf-8"))


def bundled_queries(folder: str | None = None) -> list[Query]:
    """Every bundled query, or those of one folder (``claims``, ``questions``, ...)."""
    names = resources.query_names()
    if folder is not None:
        names = [name for name in names if name.split("/", 1)[0] == folder]
    return [read_query(name) for name in names]


# --- checking a user's query -------------------------------------------------------


def check_query(query: Query) -> str:
    """Parse a query with rdflib's SPARQL parser and refuse what must not run.

    Returns the query form (``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``).
    Raises :class:`InputError` for a syntax error (with line and column), an update
    (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``...), a ``SERVICE`` call or a
    ``FROM`` / ``FROM NAMED`` clause (the graph has one default graph, and some
    engines fetch ``FROM`` IRIs over the network).

    >>> check_query(Query("q", "SELECT * WHERE { ?s ?p ?o }"))
    'SELECT'
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(query.text)
    except ParseException as error:
        try:
            parseUpdate(query.text)
        except ParseException:
            raise InputError(
                f"SPARQL syntax error: {error.msg}",
                file=query.name,
                line=error.lineno,
                column=error.col,
                hint="correct the query at that place (SPARQL 1.1 query syntax)",
            ) from None
        raise InputError(
            "SPARQL updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...) are refused: "
            "vitd-kg only reads the graph",
            file=query.name,
            hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query",
        ) from None
    body = parsed[1]
    for node in _walk(body):
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            raise InputError(
                "SERVICE is refused: vitd-kg does not query remote endpoints",
                file=query.name,
                hint="remove the SERVICE block; the bundled graph is queried locally",
            )
        if name == "DatasetClause":
            raise InputError(
                "FROM and FROM NAMED are refused: the graph is the default graph, and "
                "some engines would fetch the named IRI over the network",
                file=query.name,
                hint="remove the FROM clause",
            )
    return {
        "SelectQuery": "SELECT",
        "AskQuery": "ASK",
        "ConstructQuery": "CONSTRUCT",
        "DescribeQuery": "DESCRIBE",
    }.get(body.name, body.name)


def _walk(node: Any):
    """Every node of a pyparsing/rdflib parse tree, depth first."""
    stack = [node]
    seen = 0
    while stack and seen < 100_000:
        seen += 1
        current = stack.pop()
        yield current
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)) or type(current).__name__ == "ParseResults":
            stack.extend(list(current))


# --- binding values ------------------------------------------------------------------


def as_term(value: Any):
    """Turn a binding value into an RDF term.

    rdflib terms pass through; ``http(s)://`` strings and known CURIEs
    (``claim:ma-strength``) become IRIs; other values become typed literals.

    >>> as_term("claim:ma-strength")
    rdflib.term.URIRef('https://w3id.org/vitd-kg/id/claim/ma-strength')
    >>> as_term(30)
    rdflib.term.Literal('30', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    from rdflib import Literal, URIRef

    if isinstance(value, (URIRef, Literal)):
        return value
    if isinstance(value, str):
        if value.startswith(("http://", "https://", "urn:")):
            return URIRef(value)
        prefix, sep, local = value.partition(":")
        if sep and prefix in PREFIXES:
            return URIRef(PREFIXES[prefix] + local)
    return Literal(value)


def parse_binding(text: str) -> tuple[str, Any]:
    """Parse a command-line binding ``VAR=VALUE`` into a name and an RDF term.

    VALUE is ``<iri>``, a CURIE with a known prefix (``claim:ma-strength``), an
    integer, a decimal, ``true``/``false``, or text (quotes optional).

    >>> parse_binding("claim=claim:ma-strength")[1]
    rdflib.term.URIRef('https://w3id.org/vitd-kg/id/claim/ma-strength')
    >>> parse_binding("n=12")[1]
    rdflib.term.Literal('12', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not name or not name.replace("_", "a").isalnum():
        raise InputError(
            f"cannot read binding {text!r}",
            hint="write --bind VAR=VALUE, for example --bind claim=claim:ma-strength",
        )
    if value.startswith("<") and value.endswith(">"):
        return name, URIRef(value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return name, Literal(value[1:-1])
    if value in ("true", "false"):
        return name, Literal(value, datatype=XSD.boolean)
    if value.lstrip("+-").isdigit():
        return name, Literal(value, datatype=XSD.integer)
    try:
        Decimal(value)
        if any(ch.isdigit() for ch in value) and "." in value:
            return name, Literal(value, datatype=XSD.decimal)
    except InvalidOperation:
        pass
    return name, as_term(value)


# --- rows without rdflib ---------------------------------------------------------------------


class Iri(str):
    """An IRI in a light row: the string is the IRI."""

    __slots__ = ()


class Lit(str):
    """A literal in a light row: the string is its lexical form."""

    datatype: str | None
    language: str | None

    def __new__(cls, value: str, datatype: str | None = None, language: str | None = None) -> "Lit":
        literal = super().__new__(cls, value)
        literal.datatype = datatype
        literal.language = language
        return literal


class Blank(str):
    """A blank node in a light row: the string is its label."""

    __slots__ = ()


def select_light(store, query: Query) -> list[dict[str, str]]:
    """Run a bundled SELECT query on an Oxigraph store and return rows of :class:`Iri`,
    :class:`Lit` and :class:`Blank` strings, without importing rdflib (for fast commands)."""
    import pyoxigraph as ox

    solutions = store.query(query.text)
    names = [variable.value for variable in solutions.variables]
    rows = []
    for solution in solutions:
        row: dict[str, str] = {}
        for name in names:
            term = solution[name]
            if term is None:
                continue
            if isinstance(term, ox.NamedNode):
                row[name] = Iri(term.value)
            elif isinstance(term, ox.Literal):
                row[name] = Lit(term.value, term.datatype.value if not term.language else None, term.language)
            else:
                row[name] = Blank(term.value)
        rows.append(row)
    return rows


# --- the Python API ----------------------------------------------------------------------


def query(
    name: str | Path,
    *,
    data_dir: Any = None,
    engine: str = "oxigraph",
    timeout: float | None = None,
    **bindings: Any,
) -> list[Row]:
    """Run a bundled query (``questions/null-outcomes``) or a ``.rq`` file; return its rows.

    Keyword arguments other than the options bind query variables, as bindings:
    ``query("claims/claim", claim="claim:ma-strength")``. Values are rdflib terms,
    CURIEs or IRIs (which become IRIs), or Python values (which become literals).
    Rows map variable names to rdflib terms; an ASK query gives one row
    ``{"boolean": Literal(True or False)}``.

    >>> rows = query("claims/claim", claim="claim:ma-strength")
    >>> int(rows[0]["start"]), int(rows[0]["end"])
    (1807, 1951)
    """
    result = _execute_named(name, data_dir=data_dir, engine=engine, timeout=timeout, bindings=bindings)
    if result.boolean is not None:
        from rdflib import Literal

        return [{"boolean": Literal(result.boolean)}]
    return result.rows


def query_frame(name: str | Path, *, data_dir: Any = None, engine: str = "oxigraph", **bindings: Any):
    """Like :func:`query`, but return a ``pandas.DataFrame`` of Python values.

    IRIs become strings; numbers, booleans and text become Python values; unbound
    cells are ``None``. Needs pandas (``pip install 'vitd-kg[pandas]'``).
    """
    try:
        import pandas
    except ImportError:
        raise InputError(
            "pandas is not installed",
            hint="install the optional extra: pip install 'vitd-kg[pandas]'",
        ) from None
    result = _execute_named(name, data_dir=data_dir, engine=engine, timeout=None, bindings=bindings)
    columns = result.variables or ["boolean"]
    if result.boolean is not None:
        return pandas.DataFrame({"boolean": [result.boolean]})
    records = [{c: python_value(row.get(c)) for c in columns} for row in result.rows]
    return pandas.DataFrame.from_records(records, columns=columns)


def python_value(term: Any) -> Any:
    """An rdflib term as a plain Python value (IRIs as strings, numbers as numbers)."""
    if term is None:
        return None
    if type(term).__name__ == "Literal":
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        return value if isinstance(value, (int, float, bool, str)) else str(term)
    return str(term)


def _execute_named(name, *, data_dir, engine: str, timeout: float | None, bindings: Mapping[str, Any]) -> QueryResult:
    from .graph import load, load_store

    parsed = read_query(name)
    if engine == "rdflib":
        return execute(parsed, graph=load(data_dir), engine="rdflib", bindings=bindings, timeout=timeout)
    return execute(parsed, store=load_store(data_dir), engine=engine, bindings=bindings, timeout=timeout)


# --- running ---------------------------------------------------------------------------


#: Texts of users' queries that passed :func:`check_query`: rdflib's parser is slow,
#: and a query run many times (a benchmark, a loop over bindings) is checked once.
_CHECKED_TEXTS: set[str] = set()


def execute(
    query: Query,
    *,
    store=None,
    graph=None,
    engine: str = "oxigraph",
    bindings: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> QueryResult:
    """Run a query on an Oxigraph ``store`` or an rdflib ``graph`` and return its result.

    ``timeout`` (seconds) runs the query in a worker process that is killed when the
    limit passes (raising :class:`QueryTimeout`); ``None`` runs it here, unlimited.
    Queries that are not bundled are checked with :func:`check_query` first.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", hint=f"use one of: {', '.join(ENGINES)}")
    if not query.bundled and query.text not in _CHECKED_TEXTS:
        check_query(query)  # raises for anything that must not run
        _CHECKED_TEXTS.add(query.text)
    terms = {name: as_term(value) for name, value in (bindings or {}).items()}
    if engine == "oxigraph":
        if store is None:
            raise ValueError("the oxigraph engine needs a store")
        run: Callable[[], QueryResult] = lambda: _run_oxigraph(store, query, terms)  # noqa: E731
    else:
        if graph is None:
            raise ValueError("the rdflib engine needs a graph")
        run = lambda: _run_rdflib(graph, query, terms)  # noqa: E731
    if timeout is None:
        return run()
    return _run_with_time_limit(run, timeout, query)


def run_query(store, query: Query, bindings: Mapping[str, Any] | None = None) -> list[Row]:
    """Run a SELECT query on an Oxigraph store; rows map variable names to rdflib terms.

    Unbound variables are left out of a row.
    """
    result = execute(query, store=store, bindings=bindings)
    if result.boolean is not None:
        raise InputError("only SELECT queries return rows", file=query.name)
    return result.rows


def _run_oxigraph(store, query: Query, terms: Mapping[str, Any]) -> QueryResult:
    import pyoxigraph as ox

    from .terms import to_oxigraph, to_rdflib

    substitutions = {ox.Variable(name): to_oxigraph(term) for name, term in terms.items()}
    try:
        solutions = store.query(query.text, substitutions=substitutions or None)
    except SyntaxError as error:
        line, column = _oxigraph_position(str(error))
        raise InputError(f"SPARQL syntax error: {error}", file=query.name, line=line, column=column) from None
    except RuntimeError as error:
        raise InputError(
            f"the query cannot run with these bindings: {error}",
            file=query.name,
            hint="bind only variables that the query's SELECT clause projects",
        ) from None
    if isinstance(solutions, ox.QueryBoolean):
        return QueryResult(variables=[], boolean=bool(solutions))
    if isinstance(solutions, ox.QueryTriples):
        rows = [
            {"subject": to_rdflib(t.subject), "predicate": to_rdflib(t.predicate), "object": to_rdflib(t.object)}
            for t in solutions
        ]
        return QueryResult(variables=["subject", "predicate", "object"], rows=rows)
    names = [variable.value for variable in solutions.variables]
    columns = list(enumerate(names))
    # Rows repeat terms (classes, modalities, a claim once per modality): convert each once.
    converted: dict[Any, Any] = {}
    rows: list[Row] = []
    for solution in solutions:
        row: Row = {}
        for index, name in columns:
            term = solution[index]
            if term is not None:
                value = converted.get(term)
                if value is None:
                    value = converted[term] = to_rdflib(term)
                row[name] = value
        rows.append(row)
    return QueryResult(variables=names, rows=rows)


def _run_rdflib(graph, query: Query, terms: Mapping[str, Any]) -> QueryResult:
    from pyparsing import ParseException

    try:
        result = graph.query(query.text, initBindings=dict(terms) or None)
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
    rows = []
    for solution in result:
        rows.append({name: value for name, value in zip(names, solution) if value is not None})
    return QueryResult(variables=names, rows=rows)


def _oxigraph_position(message: str) -> tuple[int | None, int | None]:
    """Line and column from an Oxigraph message such as ``error at 3:2: expected ...``."""
    import re

    match = re.search(r"\bat (\d+):(\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)


def _run_with_time_limit(run: Callable[[], QueryResult], timeout: float, query: Query) -> QueryResult:
    """Run ``run()`` in a forked worker process; kill it when ``timeout`` seconds pass."""
    import multiprocessing

    if timeout <= 0:
        raise InputError("the time limit must be a positive number of seconds", hint="pass --timeout 30")
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return _run_in_thread(run, timeout, query)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(run, sender), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise _timeout_error(timeout, query)
        try:
            status, payload = receiver.recv()
        except EOFError:
            raise VitdKgError(f"the query worker stopped without an answer (exit code {worker.exitcode})",
                              file=query.name, exit_code=3) from None
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join(5)
    if status == "ok":
        return payload
    if status == "vitd-error":
        error_type, fields = payload
        raise error_type(*fields)
    raise VitdKgError(f"the query failed: {payload}", file=query.name, exit_code=3)


def _worker(run: Callable[[], QueryResult], sender) -> None:  # pragma: no cover - runs in the child
    try:
        sender.send(("ok", run()))
    except VitdKgError as error:
        # dataclass exceptions do not pickle: send the fields, rebuild in the parent
        fields = (error.message, error.file, error.line, error.column, error.hint, error.exit_code)
        sender.send(("vitd-error", (type(error), fields)))
    except Exception as error:  # noqa: BLE001 - reported to the parent as text
        sender.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        sender.close()
        sys.stdout.flush()


def _run_in_thread(run: Callable[[], QueryResult], timeout: float, query: Query) -> QueryResult:  # pragma: no cover
    """Where processes cannot fork, wait for a thread; a late query is abandoned, not stopped."""
    import threading

    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = run()
        except BaseException as error:  # noqa: BLE001
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise _timeout_error(timeout, query)
    if "error" in box:
        raise box["error"]
    return box["result"]


def _timeout_error(timeout: float, query: Query) -> QueryTimeout:
    return QueryTimeout(
        f"the query ran longer than its time limit of {timeout:g} s and was stopped",
        file=query.name,
        hint="make the query more selective, or raise the limit with --timeout SECONDS",
        exit_code=TIMEOUT_EXIT_CODE,
    )
