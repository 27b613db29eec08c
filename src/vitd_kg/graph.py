"""Load the ontology and data into a graph.

Files are parsed once, strictly, by Oxigraph (which reports syntax errors with a line
and column and accepts no invalid Turtle); :func:`load` hands the result out as an
``rdflib.Graph`` for users, :func:`load_store` as a ``pyoxigraph.Store`` for the
package's own fast queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import resources
from .errors import InputError
from .namespaces import PREFIXES

if TYPE_CHECKING:  # rdflib is imported only where an rdflib graph is made: it is slow to import
    from rdflib import Graph

    from .terms import RdflibTerm

DataDir = Path | str | None


@dataclass(frozen=True)
class SourceFile:
    """One RDF file that goes into the graph, with the name to show in messages."""

    name: str
    entry: Traversable | Path

    def read_bytes(self) -> bytes:
        return self.entry.read_bytes()


def source_files(data_dir: DataDir = None) -> list[SourceFile]:
    """The ontology file followed by every Turtle file of the data folder.

    ``data_dir`` replaces the bundled ``data/`` folder; it must hold Turtle files.
    """
    files = [SourceFile(f"ontology/{resources.ONTOLOGY_FILE}", resources.ontology_file())]
    if data_dir is None:
        files += [SourceFile(f"data/{e.name}", e) for e in resources.data_files()]
        return files
    folder = Path(data_dir)
    if not folder.is_dir():
        raise InputError(
            f"data folder {folder} does not exist or is not a folder",
            hint="pass --data a folder of Turtle (.ttl) files laid out like the bundled data/",
        )
    entries = resources.data_files(folder)
    if not entries:
        raise InputError(
            f"data folder {folder} holds no .ttl files",
            file=str(folder),
            hint="put the graph's Turtle files directly in the folder",
        )
    return files + [SourceFile(str(Path(folder) / e.name), e) for e in entries]


def parse_into(store: ox.Store, source: SourceFile) -> None:
    """Parse one Turtle file into ``store``, raising :class:`InputError` with its place."""
    try:
        if isinstance(source.entry, Path):  # let Oxigraph stream the file: no copy in Python
            store.load(path=str(source.entry), format=ox.RdfFormat.TURTLE)
        else:
            store.load(source.read_bytes(), format=ox.RdfFormat.TURTLE)
    except SyntaxError as error:
        line, column = _position(error)
        raise InputError(
            f"Turtle syntax error: {error.msg if hasattr(error, 'msg') else error}",
            file=source.name,
            line=line,
            column=column,
            hint="correct the Turtle at that place; `rapper -i turtle FILE` or any Turtle linter shows the same error",
        ) from None
    except OSError as error:
        raise InputError(f"cannot read file: {error}", file=source.name) from None


def _position(error: SyntaxError) -> tuple[int | None, int | None]:
    """Line and column (1-based) of an Oxigraph syntax error, where it gives them."""
    line = getattr(error, "lineno", None)
    column = getattr(error, "offset", None)
    return line, column


def load_store(data_dir: DataDir = None) -> ox.Store:
    """Return an in-memory Oxigraph store holding the ontology and the data.

    >>> store = load_store()
    >>> len(store) > 1000
    True
    """
    store = ox.Store()
    for source in source_files(data_dir):
        parse_into(store, source)
    return store


def load(data_dir: DataDir = None) -> Graph:
    """Return the ontology plus the data as an ``rdflib.Graph``.

    ``data_dir`` (a folder of Turtle files laid out like the bundled ``data/``)
    replaces the bundled data; the ontology is always included.

    >>> import vitd_kg
    >>> graph = vitd_kg.load()
    >>> from vitd_kg.namespaces import VITD
    >>> len(set(graph.subjects(VITD.sourceSentence, None)))
    30
    """
    return store_to_graph(load_store(data_dir))


def store_to_graph(store: ox.Store) -> Graph:
    """Copy the default graph of an Oxigraph store into a new ``rdflib.Graph``."""
    from rdflib import Graph

    from .terms import to_rdflib

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    # Predicates, classes and shared objects recur: convert each distinct term once.
    converted: dict[ox.NamedNode | ox.BlankNode | ox.Literal, RdflibTerm] = {}

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal) -> RdflibTerm:
        found = converted.get(node)
        if found is None:
            found = converted[node] = to_rdflib(node)
        return found

    graph.addN(
        (term(quad.subject), term(quad.predicate), term(quad.object), graph)
        for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    )
    return graph


#: Formats :func:`serialize` writes, by the names users give them.
SERIALIZATIONS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}


def serialize(store: ox.Store, rdf_format: str = "turtle") -> bytes:
    """The default graph of a store as Turtle (with the package's prefixes), N-Triples,
    RDF/XML..., written by Oxigraph.

    >>> text = serialize(load_store(), "turtle").decode()
    >>> text.startswith("@prefix")
    True
    """
    try:
        target = SERIALIZATIONS[rdf_format]
    except KeyError:
        raise InputError(f"unknown RDF format {rdf_format!r}", hint="use one of: " + ", ".join(SERIALIZATIONS)) from None
    if target in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        return store.dump(format=target)
    prefixes = PREFIXES if target in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return store.dump(format=target, from_graph=ox.DefaultGraph(), prefixes=prefixes)
