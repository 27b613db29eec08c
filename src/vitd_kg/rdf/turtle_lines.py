"""Where each subject of a Turtle file is defined: IRI -> line of its first block.

Oxigraph parses strictly but does not say where a triple came from, so this module
re-reads a file that Oxigraph has already accepted with a small Turtle tokenizer
(strings, IRIs, prefixed names, numbers, comments, brackets) and records the line of
the first statement whose subject is each IRI, and the first line on which each IRI
appears at all (for nodes that are only ever objects). N-Triples is a subset of
Turtle, so it works for ``.nt`` files too.

>>> index = subject_lines('@prefix v: <http://e.org/> .\\n\\nv:a v:p "x" .\\nv:b v:p v:a .\\n')
>>> index.subjects["http://e.org/a"], index.subjects["http://e.org/b"]
(3, 4)
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from urllib.parse import urljoin

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<number>[+-]?(?:\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+|\d*\.\d+|\d+))
  | (?P<directive>@prefix\b|@base\b)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<datatype>\^\^)
  | (?P<bnode>_:[^\s;,.()\[\]]*(?:\.[^\s;,.()\[\]]+)*)
  | (?P<pname>(?:[^\W\d][\w\-.]*)?:(?:[\w\-:%]|\\[^\s]|\.(?=[\w\-:%\\]))*)
  | (?P<word>[A-Za-z]+)
  | (?P<punct>[.;,\[\]()])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_LOCAL_ESCAPE = re.compile(r"\\(.)")


@dataclass
class LineIndex:
    """First line of each IRI as a subject, and as any term, in one file."""

    subjects: dict[str, int] = field(default_factory=dict)
    mentions: dict[str, int] = field(default_factory=dict)

    def line_of(self, iri: str) -> int | None:
        """The line where ``iri`` is defined (first subject block), else first mentioned."""
        return self.subjects.get(iri) or self.mentions.get(iri)


def subject_lines(text: str) -> LineIndex:
    """Index the subjects of a Turtle (or N-Triples) document by line."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    index = LineIndex()
    prefixes: dict[str, str] = {}
    base = ""
    depth = 0
    at_statement_start = True
    pending: list[str] = []  # a directive being read: ["@prefix", "p:", "<iri>"]

    def line(offset: int) -> int:
        return bisect_right(line_starts, offset)

    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        token = match.group()
        if kind in ("ws", "comment"):
            continue
        if pending:
            pending.append(token)
            if kind == "iri" and len(pending) >= 2:
                iri = _join(base, token[1:-1])
                if pending[0].lower() in ("@prefix", "prefix") and len(pending) == 3:
                    prefixes[pending[1][:-1]] = iri
                elif pending[0].lower() in ("@base", "base"):
                    base = iri
                at_statement_start = not pending[0].startswith("@")
                pending = []
            continue
        if at_statement_start and depth == 0 and (
            kind == "directive" or (kind == "word" and token.upper() in ("PREFIX", "BASE"))
        ):
            pending = [token]
            continue
        if kind == "punct":
            if token in "[(":
                depth += 1
            elif token in "])":
                depth -= 1
            elif token == "." and depth == 0:
                at_statement_start = True
                continue
            if at_statement_start and token in "[(":
                at_statement_start = False
            continue
        iri = _resolve(kind, token, prefixes, base)
        where = line(match.start())
        if iri is not None:
            index.mentions.setdefault(iri, where)
            if at_statement_start and depth == 0:
                index.subjects.setdefault(iri, where)
        at_statement_start = False
    return index


def _join(base: str, iri: str) -> str:
    """``iri`` against ``base`` as Turtle resolves it: urljoin drops an empty fragment
    (``<http://e.org/t#>`` would become ``http://e.org/t``), so absolute IRIs stay as written.

    >>> _join("http://e.org/base/", "http://e.org/t#"), _join("http://e.org/base/", "t#")
    ('http://e.org/t#', 'http://e.org/base/t#')
    """
    if not base or re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri):
        return iri
    joined = urljoin(base, iri)
    return joined + "#" if iri.endswith("#") and not joined.endswith("#") else joined


def _resolve(kind: str | None, token: str, prefixes: dict[str, str], base: str) -> str | None:
    """The IRI a token stands for, or None for literals, keywords and punctuation."""
    if kind == "iri":
        return _join(base, token[1:-1])
    if kind == "pname":
        prefix, _, local = token.partition(":")
        namespace = prefixes.get(prefix)
        if namespace is None:
            return None
        return namespace + _LOCAL_ESCAPE.sub(r"\1", local)
    return None


def line_starts_of(text: str, needle: str) -> int | None:
    """The 1-based line of the first occurrence of ``needle`` in ``text`` (for non-Turtle files)."""
    offset = text.find(needle)
    if offset < 0:
        return None
    return text.count("\n", 0, offset) + 1
