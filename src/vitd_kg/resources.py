"""Where the bundled ontology, data, queries and page templates live.

This is the only module that knows the layout of the package's resources. The
top-level ``ontology/``, ``data/`` and ``queries/`` folders are copied into the wheel
as ``vitd_kg/ontology`` ... by the build backend (``force-include`` in
``pyproject.toml``) and read through :mod:`importlib.resources`, so they are found the
same way in a wheel or a zip. In a source checkout (an editable install, or ``src/``
on the path) the package holds no copies, and the folders are read from the
checkout's top level instead.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

ONTOLOGY_FILE = "vitd.ttl"
SHAPES_FILE = "shapes.ttl"
CONTEXT_FILE = "context.jsonld"
SOURCE_TEXT = "source/vitamin-d-muscle-spasm.txt"


def package_root() -> Traversable:
    """The installed ``vitd_kg`` package directory."""
    return resources.files("vitd_kg")


def _bundled(folder: str) -> Traversable:
    """A bundled folder: inside the installed package, else at a source checkout's top level."""
    inside = package_root() / folder
    if inside.is_dir():
        return inside
    checkout = Path(__file__).resolve().parents[2] / folder
    if checkout.is_dir() and (checkout.parent / "pyproject.toml").is_file():
        return checkout
    raise FileNotFoundError(f"the bundled {folder}/ folder is missing from this installation of vitd-kg")


def templates_dir() -> Traversable:
    """The site's Jinja2 templates, stylesheet and icon."""
    return package_root() / "site" / "templates"


def ontology_dir() -> Traversable:
    """The bundled ``ontology/`` folder (OWL ontology, SHACL shapes, JSON-LD context)."""
    return _bundled("ontology")


def ontology_file() -> Traversable:
    """The OWL ontology in Turtle."""
    return ontology_dir() / ONTOLOGY_FILE


def shapes_file() -> Traversable:
    """The SHACL shapes in Turtle."""
    return ontology_dir() / SHAPES_FILE


@lru_cache(maxsize=None)
def ontology_folder_bytes(name: str) -> bytes:
    """A small file of the bundled ``ontology/`` folder (shapes, context), read once per process."""
    return (ontology_dir() / name).read_bytes()


def shape_file_names() -> list[str]:
    """The bundled SHACL files (``ontology/shapes*.ttl``), sorted."""
    return sorted(
        entry.name
        for entry in ontology_dir().iterdir()
        if entry.name.startswith("shapes") and entry.name.endswith(".ttl") and entry.is_file()
    )


def context_file() -> Traversable:
    """The JSON-LD ``@context`` that the JSON-LD dump embeds (no remote context)."""
    return ontology_dir() / CONTEXT_FILE


def data_dir() -> Traversable:
    """The bundled ``data/`` folder: one Turtle file per section, and the source text."""
    return _bundled("data")


def queries_dir() -> Traversable:
    """The bundled ``queries/`` folder of SPARQL files."""
    return _bundled("queries")


def source_text(data: Traversable | Path | None = None) -> str:
    """The verbatim source document that the claims quote."""
    base = data if data is not None else data_dir()
    return (base / SOURCE_TEXT).read_text(encoding="utf-8")


def data_files(data: Traversable | Path | None = None) -> list[Traversable]:
    """The Turtle files of a data folder (the bundled one by default), sorted by name."""
    base = data if data is not None else data_dir()
    return sorted(
        (entry for entry in base.iterdir() if entry.name.endswith(".ttl") and entry.is_file()),
        key=lambda entry: entry.name,
    )


def query_file(name: str) -> Traversable:
    """A bundled query by name: ``questions/spasm-claims`` or ``claims/claim``.

    Raises :class:`FileNotFoundError` naming the available queries if there is none.
    """
    relative = name if name.endswith(".rq") else f"{name}.rq"
    entry = queries_dir().joinpath(*relative.split("/"))
    if not entry.is_file():
        available = ", ".join(query_names())
        raise FileNotFoundError(f"no bundled query {name!r}; available: {available}")
    return entry


def query_names() -> list[str]:
    """Names of every bundled query (``folder/name`` without ``.rq``), sorted."""
    names: list[str] = []
    for folder in queries_dir().iterdir():
        if folder.is_dir():
            names.extend(
                f"{folder.name}/{entry.name[:-3]}"
                for entry in folder.iterdir()
                if entry.name.endswith(".rq")
            )
    return sorted(names)
