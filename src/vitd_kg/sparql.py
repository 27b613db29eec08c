"""Run the bundled SPARQL files (or a user's) against the graph.

One source of truth: the CLI, the Python API and the tests all run the files in
``queries/`` through :func:`run_query`. Bindings are handed to the engine as
bindings (Oxigraph's substitutions, rdflib's ``initBindings``), never pasted into
the query text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pyoxigraph as ox
from rdflib import Literal, URIRef

from . import resources
from .errors import InputError
from .namespaces import PREFIXES
from .terms import RdflibTerm, to_oxigraph, to_rdflib

Row = dict[str, RdflibTerm]


@dataclass(frozen=True)
class Query:
    """A SPARQL query with the name (or path) it was read from."""

    name: str
    text: str

    @property
    def description(self) -> str:
        """The leading ``#`` comment lines: what the query answers."""
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("#"):
                break
            lines.append(line.lstrip("# ").rstrip())
        return "\n".join(lines).strip()


def read_query(name_or_path: str | Path) -> Query:
    """Read a bundled query by name (``stats/class-counts``) or a ``.rq`` file path."""
    path = Path(name_or_path)
    if path.suffix == ".rq" and path.is_file():
        try:
            return Query(str(path), path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise InputError("query file is not UTF-8 text", file=str(path)) from None
    try:
        entry = resources.query_file(str(name_or_path))
    except FileNotFoundError as error:
        raise InputError(str(error), hint="run `vitd-kg query --list` to see the bundled queries") from None
    return Query(str(name_or_path), entry.read_text(encoding="utf-8"))


def bundled_queries(folder: str | None = None) -> list[Query]:
    """Every bundled query, or those of one folder (``claims``, ``questions``, ...)."""
    names = resources.query_names()
    if folder is not None:
        names = [name for name in names if name.split("/", 1)[0] == folder]
    return [read_query(name) for name in names]


def as_term(value: Any) -> RdflibTerm:
    """Turn a binding value into an RDF term.

    rdflib terms pass through; ``http(s)://`` strings and known CURIEs
    (``claim:ma-strength``) become IRIs; other values become typed literals.

    >>> as_term("claim:ma-strength")
    rdflib.term.URIRef('https://w3id.org/vitd-kg/id/claim/ma-strength')
    >>> as_term(30)
    rdflib.term.Literal('30', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    if isinstance(value, (URIRef, Literal)):
        return value
    if isinstance(value, str):
        if value.startswith(("http://", "https://", "urn:")):
            return URIRef(value)
        prefix, sep, local = value.partition(":")
        if sep and prefix in PREFIXES:
            return URIRef(PREFIXES[prefix] + local)
    return Literal(value)


def run_query(store: ox.Store, query: Query, bindings: Mapping[str, Any] | None = None) -> list[Row]:
    """Run a SELECT query on an Oxigraph store; rows map variable names to rdflib terms.

    Unbound variables are left out of a row.
    """
    substitutions = {ox.Variable(name): to_oxigraph(as_term(value)) for name, value in (bindings or {}).items()}
    try:
        solutions = store.query(query.text, substitutions=substitutions or None)
    except SyntaxError as error:
        raise InputError(f"SPARQL syntax error: {error}", file=query.name) from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise InputError("only SELECT queries return rows", file=query.name)
    names = [variable.value for variable in solutions.variables]
    rows: list[Row] = []
    for solution in solutions:
        row: Row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = to_rdflib(term)
        rows.append(row)
    return rows
