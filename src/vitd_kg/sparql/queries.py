"""SPARQL queries as values: the bundled ones by name, a user's file, or inline text.

One rule tells the three apart (:func:`read_query`):

* a **bundled name** is ``folder/name`` in lower-case letters, digits and hyphens
  (``claims/claim``, ``questions/null-outcomes.rq``), and must be one of
  :func:`vitd_kg.resources.query_names`: it can never reach outside ``queries/``;
* a **file** is any other text naming an existing file; it is the user's query;
* anything else that contains white space or a brace is **inline SPARQL**, the user's too.

Only bundled queries skip :func:`vitd_kg.sparql.safety.check_query`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from vitd_kg import resources
from vitd_kg.errors import InputError

#: What a bundled query's name looks like: one folder, one file, nothing else.
BUNDLED_NAME = re.compile(r"[a-z0-9-]+/[a-z0-9-]+")


@dataclass(frozen=True)
class Query:
    """A SPARQL query with the name (or path) it was read from.

    >>> Query("q", "# Who?\\n# More.\\nSELECT * WHERE { ?s ?p ?o }").summary
    'Who?'
    """

    name: str
    text: str
    #: True only for the reviewed files in ``queries/`` (made by :func:`bundled_query`):
    #: a query built by hand is a user's query and is checked before it runs.
    bundled: bool = False

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
        text = " ".join(self.description.split())
        match = re.search(r"[?.](\s|$)", text)
        return text[: match.end()].strip() if match else text


def is_bundled_name(text: str) -> bool:
    """True if ``text`` has the form of a bundled query's name (``folder/name`` or with ``.rq``).

    >>> is_bundled_name("claims/claim"), is_bundled_name("../../etc/x"), is_bundled_name("/tmp/q.rq")
    (True, False, False)
    """
    return BUNDLED_NAME.fullmatch(text.removesuffix(".rq")) is not None


def bundled_query(name: str) -> Query:
    """A bundled query by its name; :class:`InputError` naming the choices if there is none."""
    stem = name.removesuffix(".rq")
    text = _bundled_text(stem) if is_bundled_name(stem) else None
    if text is None:
        raise InputError(
            f"no bundled query {name!r}",
            hint="run `vitd-kg query --list` to see the bundled queries, or give the path of a .rq file",
        )
    return Query(stem, text, bundled=True)


@functools.lru_cache(maxsize=None)
def _bundled_text(stem: str) -> str | None:
    """A bundled query's text, read once per process (a site build asks for each thousands of times)."""
    if stem not in _bundled_names():
        return None
    return resources.query_file(stem).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _bundled_names() -> frozenset[str]:
    return frozenset(resources.query_names())


def read_query(name_or_path: "str | Path | Query") -> Query:
    """Read a bundled query by name (``stats/class-counts``), a ``.rq`` file, or inline SPARQL.

    >>> read_query("stats/triple-count").bundled
    True
    >>> read_query("SELECT * WHERE { ?s ?p ?o }").name
    '<inline query>'
    """
    if isinstance(name_or_path, Query):
        return name_or_path
    if isinstance(name_or_path, Path):
        return query_file(name_or_path)
    text = str(name_or_path)
    if is_bundled_name(text) and text.removesuffix(".rq") in resources.query_names():
        return bundled_query(text)
    if any(ch.isspace() for ch in text) or "{" in text:
        if "\n" not in text and len(text) < 4096 and Path(text).is_file():
            return query_file(Path(text))
        return Query("<inline query>", text, bundled=False)
    path = Path(text)
    if path.is_file():
        return query_file(path)
    if text.endswith(".rq") or "/" in text:
        raise InputError(
            f"{text}: no such query file, and no bundled query of that name",
            hint="give the path of a .rq file, or a bundled name from `vitd-kg query --list`",
        )
    raise InputError(
        f"{text!r} is neither a bundled query, a file nor SPARQL",
        hint="run `vitd-kg query --list` to see the bundled queries",
    )


def query_file(path: Path) -> Query:
    """A user's query read from a UTF-8 file."""
    try:
        return Query(str(path), path.read_text(encoding="utf-8"), bundled=False)
    except UnicodeDecodeError:
        raise InputError("query file is not UTF-8 text", file=str(path)) from None
    except OSError as error:
        raise InputError(f"cannot read query file: {error.strerror or error}", file=str(path)) from None


def bundled_queries(folder: str | None = None) -> list[Query]:
    """Every bundled query, or those of one folder (``claims``, ``questions``, ...).

    >>> [q.name for q in bundled_queries("stats")]
    ['stats/class-counts', 'stats/triple-count']
    """
    names = resources.query_names()
    if folder is not None:
        names = [name for name in names if name.split("/", 1)[0] == folder]
    return [bundled_query(name) for name in names]
