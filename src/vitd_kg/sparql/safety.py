"""Checking a user's query before it runs: the one place that decides what may reach the network.

A query from a file or from inline text is parsed with rdflib's SPARQL 1.1 parser and
refused when it is an update (``INSERT``, ``LOAD``...), calls a ``SERVICE`` or names
a dataset (``FROM``, ``FROM NAMED``: some engines fetch those IRIs). Bundled queries
are reviewed files and skip the check.
"""

from __future__ import annotations

from typing import Any

from vitd_kg.errors import InputError
from vitd_kg.sparql.queries import Query


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
    except RecursionError:
        raise InputError(
            "the query nests too deeply (groups, sub-queries or brackets) to be checked",
            file=query.name,
            hint="flatten the query: fewer nested { } groups or brackets",
        ) from None
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
    while stack:  # no cap: a check that gives up part-way would let SERVICE through
        current = stack.pop()
        yield current
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)) or type(current).__name__ == "ParseResults":
            stack.extend(list(current))
