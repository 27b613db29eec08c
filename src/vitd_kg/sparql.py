"""Run the bundled SPARQL files (or a user's) against the graph.

One source of truth: the CLI, the Python API and the tests all run the files in
``queries/`` through :func:`run_query`. Bindings are handed to the engine as
bindings (Oxigraph's substitutions, rdflib's ``initBindings``), never pasted into
the query text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import pyoxigraph as ox

from . import resources
from .errors import InputError
from .namespaces import PREFIXES

if TYPE_CHECKING:  # rdflib is imported where rows are made: commands that only count skip it
    from .terms import RdflibTerm

Row = dict[str, "RdflibTerm"]


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


def _solutions(store: ox.Store, query: Query, bindings: Mapping[str, Any] | None) -> ox.QuerySolutions:
    """Run a SELECT query, with bindings handed to Oxigraph as substitutions."""
    substitutions = None
    if bindings:
        from .terms import to_oxigraph

        substitutions = {ox.Variable(name): to_oxigraph(as_term(value)) for name, value in bindings.items()}
    try:
        solutions = store.query(query.text, substitutions=substitutions)
    except SyntaxError as error:
        raise InputError(f"SPARQL syntax error: {error}", file=query.name) from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise InputError("only SELECT queries return rows", file=query.name)
    return solutions


def run_query(store: ox.Store, query: Query, bindings: Mapping[str, Any] | None = None) -> list[Row]:
    """Run a SELECT query on an Oxigraph store; rows map variable names to rdflib terms.

    Unbound variables are left out of a row.
    """
    from .terms import to_rdflib

    solutions = _solutions(store, query, bindings)
    columns = list(enumerate(variable.value for variable in solutions.variables))
    # Rows repeat terms (classes, modalities, a claim once per modality): convert each once.
    converted: dict[ox.NamedNode | ox.BlankNode | ox.Literal, RdflibTerm] = {}
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
    return rows


def run_query_values(store: ox.Store, query: Query, bindings: Mapping[str, Any] | None = None) -> list[dict[str, str]]:
    """Like :func:`run_query`, but each value is the term's lexical form or IRI as a
    string: for callers that only count or print (no rdflib terms are made).

    >>> from vitd_kg.graph import load_store
    >>> run_query_values(load_store(), read_query("stats/triple-count"))[0]["triples"].isdigit()
    True
    """
    solutions = _solutions(store, query, bindings)
    columns = list(enumerate(variable.value for variable in solutions.variables))
    return [
        {name: term.value for index, name in columns if (term := solution[index]) is not None}
        for solution in solutions
    ]
