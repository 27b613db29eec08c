"""Which files make up a graph: the bundled ontology, then the bundled data or the user's.

One rule for every command (``--data DIR``, ``validate PATH...``) and the Python API
(``source=``): a *source* is ``None`` (the bundled data), a file, a folder, or a list of
them. A folder is searched recursively for the RDF formats in :data:`FORMATS`,
skipping names that start with a dot *inside* it (``.git``, editors' back-ups; the
folder itself may sit anywhere, ``../data`` included), and refusing links that lead out
of it.

>>> [f.name for f in data_sources(None)][:2]
['data/case-series.ttl', 'data/concepts.ttl']
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Sequence, Union

import pyoxigraph as ox

from vitd_kg import resources
from vitd_kg.errors import InputError

#: File name endings read as RDF, and the Oxigraph parser for each.
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}

#: What the API and the CLI accept as the data to use.
PathLike = Union[str, "os.PathLike[str]"]
Source = Union[None, PathLike, Sequence[PathLike]]


@dataclass(frozen=True)
class SourceFile:
    """One RDF file that goes into the graph, with the name to show in messages."""

    name: str
    entry: Traversable | Path

    @property
    def format(self) -> ox.RdfFormat:
        """The parser for the file, from its name (Turtle when the name says nothing)."""
        suffix = "." + self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""
        return FORMATS.get(suffix, ox.RdfFormat.TURTLE)

    @property
    def path(self) -> Path | None:
        """The file on disk, or ``None`` for a resource inside a zip."""
        return self.entry if isinstance(self.entry, Path) else None

    def read_bytes(self) -> bytes:
        return self.entry.read_bytes()


def ontology_source() -> SourceFile:
    """The bundled OWL ontology, which every graph starts with."""
    return SourceFile(f"ontology/{resources.ONTOLOGY_FILE}", resources.ontology_file())


def bundled_data_sources() -> list[SourceFile]:
    """The bundled data files, sorted by name."""
    return [SourceFile(f"data/{entry.name}", entry) for entry in resources.data_files()]


def data_sources(source: Source) -> list[SourceFile]:
    """The data files of a source: the bundled data for ``None``, else the given files and folders.

    Raises :class:`InputError` naming the path for a missing path, an unknown file
    type, a folder without RDF files, or a link that leads out of its folder.
    """
    if source is None:
        return bundled_data_sources()
    if isinstance(source, (str, os.PathLike)):
        source = [source]
    files: list[SourceFile] = []
    for raw in source:
        files += _files_of(Path(raw))
    return files


def _files_of(path: Path) -> list[SourceFile]:
    if path.is_symlink() and not path.exists():
        raise InputError("the link points to nothing", file=str(path), hint="fix or remove the link")
    if path.is_dir():
        found = _rdf_files_in(path)
        if not found:
            raise InputError(
                "folder holds no RDF files",
                file=str(path),
                hint=f"put RDF files ({', '.join(FORMATS)}) in it, or name the files themselves",
            )
        return [SourceFile(str(p), p) for p in found]
    if path.is_file():
        if path.suffix.lower() not in FORMATS:
            raise InputError(
                f"unknown file type {path.suffix or '(no extension)'!r}",
                file=str(path),
                hint=f"name the file for its format: {', '.join(FORMATS)} (Turtle is .ttl)",
            )
        return [SourceFile(str(path), path)]
    if path.exists():
        raise InputError("not a regular file or folder", file=str(path), hint="name RDF files or folders of them")
    raise InputError("no such file or folder", file=str(path), hint="check the path")


def _rdf_files_in(folder: Path) -> list[Path]:
    """RDF files under ``folder``, sorted; hidden names inside it skipped, outward links refused."""
    root = folder.resolve()
    found = []
    for current, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for directory in dirs:
            _refuse_outward_link(Path(current) / directory, root)
        for name in names:
            path = Path(current) / name
            if name.startswith(".") or path.suffix.lower() not in FORMATS:
                continue
            _refuse_outward_link(path, root)
            if path.is_file():
                found.append(path)
    return sorted(found)


def _refuse_outward_link(path: Path, root: Path) -> None:
    if path.is_symlink():
        target = path.resolve()
        if target != root and root not in target.parents:
            raise InputError(
                "a link in the data folder leads out of it; it is not followed",
                file=str(path),
                hint="copy the file into the folder, or name it on the command line",
            )
