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

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph

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
    add = graph.add
    for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph
