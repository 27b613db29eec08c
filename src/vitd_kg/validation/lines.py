r"""The line where a resource is defined in a Turtle file, computed only for files a report names.

:func:`vitd_kg.rdf.turtle_lines.subject_lines` tokenizes a whole file in Python, token by
token: exact, but at a million triples it takes longer than validating them. A report
needs the lines of a few resources, and only in the files it names. :class:`TurtleLines`
reads a file statement by statement instead: one regular expression matches a whole
statement (its strings, IRIs, comments and nested brackets skipped in C), and Python
sees only each statement's first token, its subject. That is about twenty times faster,
and is built once per file, when a line in it is first asked for.

The whole-file index is still the reference: for an IRI that is a subject of the file but
that the statement reader did not see as one (a layout it does not read, which Oxigraph
accepted), and for the first mention of an IRI that is no subject, it is asked, built
once and only then. tests/test_validate_lines.py compares the two on every Turtle file of
the repository, a synthetic corpus, and texts written to trip the reader up.

>>> text = '@prefix v: <http://e.org/> .\nv:a v:p "x. v:b" ;\n  v:q v:b .\n\nv:b v:p 1 .\n'
>>> lines = TurtleLines(text)
>>> lines.subject_line("http://e.org/b"), lines.subject_line("http://e.org/a")
(5, 2)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from vitd_kg.rdf.turtle_lines import LineIndex, subject_lines

_PNAME = r"(?:[^\W\d][\w\-.]*)?:(?:[\w\-:%]|\\[^\s]|\.(?=[\w\-:%\\]))*"
_IRI = r"<[^<>\"{}|^`\\\s]*>"
#: One statement: SPARQL-style PREFIX / BASE (no dot), or a first token and everything up
#: to the dot that ends the statement (strings, IRIs and comments skipped whole; a dot
#: followed by a name character is inside a number or a name). Possessive quantifiers:
#: nothing is tried twice.
_STATEMENT = re.compile(
    rf"""
    (?:\s|\#[^\n]*)*+
    (?:
        (?i:prefix)\s++(?P<prefix>(?:[^\W\d][\w\-.]*)?):\s*+(?P<namespace>{_IRI})
      | (?i:base)\s*+(?P<base>{_IRI})
      | (?P<first>{_IRI}|{_PNAME}|[^\s])
        (?:
            \"\"\"(?:[^"\\]|\\.|"(?!""))*+\"\"\" | \'\'\'(?:[^'\\]|\\.|'(?!''))*+\'\'\'
          | "(?:[^"\\\n]|\\.)*+" | '(?:[^'\\\n]|\\.)*+' | {_IRI} | \#[^\n]*+
          | [^"'<\#.]++ | \.(?=[\w\-:%\\])
        )*+
        \.
    )
    """,
    re.VERBOSE | re.DOTALL,
)
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_DIRECTIVE = re.compile(rf"(?i)@(?:prefix\s+(?P<prefix>(?:[^\W\d][\w\-.]*)?):\s*(?P<namespace>{_IRI})|base\s*(?P<base>{_IRI}))\s*\.$", re.DOTALL)


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def resolve(base: str, iri: str) -> str:
    """``iri`` resolved against ``base`` as Turtle does: an absolute IRI stays as written
    (``urljoin`` would drop an empty fragment, turning ``<http://e.org/x#>`` into
    ``http://e.org/x``, a namespace that prefixed names then miss).

    >>> resolve("http://e.org/a/", "http://f.org/t#"), resolve("http://e.org/a/", "b#")
    ('http://f.org/t#', 'http://e.org/a/b#')
    """
    if not base or _SCHEME.match(iri):
        return iri
    resolved = urljoin(base, iri)
    return resolved + "#" if iri.endswith("#") and not resolved.endswith("#") else resolved


@dataclass
class Statements:
    """What reading a text statement by statement found: the line of each subject's first
    statement, every namespace a prefix was declared for, and whether a base IRI was set."""

    subjects: dict[str, int] = field(default_factory=dict)
    namespaces: set[str] = field(default_factory=set)
    has_base: bool = False


def read_statements(text: str) -> Statements:
    """Read ``text`` statement by statement (see the module docstring)."""
    found = Statements()
    subjects = found.subjects
    prefixes: dict[str, str] = {}
    base = ""
    line, counted = 1, 0
    for match in _STATEMENT.finditer(text):
        first = match.group("first")
        directive = match if first is None else None
        if first is not None and first.startswith("@"):
            directive = _DIRECTIVE.match(text, match.start("first"), match.end())
            if directive is None:
                continue
        if directive is not None:  # @prefix / @base, or PREFIX / BASE
            if directive.group("base"):
                base = resolve(base, directive.group("base")[1:-1])
                found.has_base = True
            else:
                namespace = resolve(base, directive.group("namespace")[1:-1])
                prefixes[directive.group("prefix")] = namespace
                found.namespaces.add(namespace)
            continue
        if first.startswith("<"):
            iri = resolve(base, first[1:-1])
        elif ":" in first and not first.startswith("_:"):
            prefix, _, local = first.partition(":")
            namespace = prefixes.get(prefix)
            if namespace is None:
                continue
            iri = namespace + _LOCAL_ESCAPE.sub(r"\1", local)
        else:
            continue  # a blank node, a list or a keyword
        if iri not in subjects:
            start = match.start("first")
            line += text.count("\n", counted, start)
            counted = start
            subjects[iri] = line
    return found


class TurtleLines:
    """Lines of resources in one Turtle (or N-Triples) text, computed when first asked for."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._statements: Statements | None = None
        self._index: LineIndex | None = None

    def statements(self) -> Statements:
        """The text read statement by statement (:func:`read_statements`), once."""
        if self._statements is None:
            self._statements = read_statements(self.text)
        return self._statements

    def index(self) -> LineIndex:
        """The whole-file index (:func:`~vitd_kg.rdf.turtle_lines.subject_lines`), built once."""
        if self._index is None:
            self._index = subject_lines(self.text)
        return self._index

    def subject_line(self, iri: str) -> int | None:
        """The line of the first statement whose subject is ``iri``.

        The caller knows ``iri`` is a subject of the file (from its triples): an IRI the
        statement reader did not find is looked up in the whole-file index."""
        line = self.statements().subjects.get(iri)
        return line if line is not None else self.index().subjects.get(iri)

    def line_of(self, iri: str, *, is_subject: bool) -> int | None:
        """The line where ``iri`` is defined (``is_subject``: it is a subject of the file),
        else the line where it is first written."""
        if is_subject:
            line = self.subject_line(iri)
            if line is not None:
                return line
        statements = self.statements()
        if not statements.has_base and iri not in self.text and not any(
            iri.startswith(namespace) for namespace in statements.namespaces
        ):
            return None  # written nowhere in this file, in full or with a prefix
        return self.index().line_of(iri)


__all__ = ["Statements", "TurtleLines", "read_statements"]
