"""The lines a report gives, found for the named resources only, are the whole-file index's.

:class:`vitd_kg.validation.lines.TurtleLines` looks only where a resource's IRI is written;
:func:`vitd_kg.rdf.turtle_lines.subject_lines` tokenizes the whole file. They must agree
on every subject and every other IRI of every Turtle file in the repository, of a
synthetic corpus, and of texts written to trip the fast way up (strings, comments, long
strings, several statements on a line, directives in odd places).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from vitd_kg.rdf.turtle_lines import subject_lines
from vitd_kg.synth import generate
from vitd_kg.validation.lines import TurtleLines, read_statements

ROOT = Path(__file__).parent.parent
FILES = sorted(
    p for folder in ("ontology", "data", "tests/data") for p in (ROOT / folder).rglob("*")
    if p.suffix in (".ttl", ".nt") and "w3c-shacl" not in p.parts
)

TRICKY = [
    # a subject's IRI in a string, a comment and an object before it is defined
    '@prefix v: <http://e.org/> .\n# v:b v:p 1 .\nv:a v:p "v:b v:q 2 ." ;\n  v:q v:b .\nv:b v:p 1 .\n',
    # two statements on a line, and the same subject in a later block at a line start
    "@prefix v: <http://e.org/> .\nv:a v:p 1 . v:b v:p 2 .\nv:c v:p 3 .\nv:b v:q 4 .\n",
    # a long string holding what looks like statements
    '@prefix v: <http://e.org/> .\nv:a v:p """x .\nv:b v:p 1 .\n""" .\nv:b v:q 2 .\n',
    "@prefix v: <http://e.org/> .\nv:a v:p '''it's .\nv:b v:p 1 .\n''' .\nv:b v:q 2 .\n",
    # SPARQL-style directives, a prefix declared over two lines, a prefix declared twice
    "PREFIX v: <http://e.org/>\nv:a v:p v:b .\nPREFIX w:\n  <http://f.org/>\nw:c v:p v:a .\n",
    "@prefix v: <http://e.org/> .\nv:a v:p 1 .\n@prefix v: <http://f.org/> .\nv:a v:p 2 .\n",
    # names that only start like another, escapes, full IRIs, nested blank nodes, lists
    "@prefix v: <http://e.org/> .\nv:ab v:p 1 .\nv:a.b v:p 2 .\nv:a v:p [ v:q v:c ] .\n"
    "<http://e.org/c> v:p ( v:d ) .\nv:x\\.y v:p 1 .\nv:d v:p 1 .\n",
    # a comment after the dot, a comment that ends in a dot, a base IRI
    "@prefix v: <http://e.org/> .\nv:a v:p 1 . # done\nv:b v:p 2 # not done.\n  ; v:q v:c .\nv:c v:p 3 .\n",
    "@base <http://e.org/> .\n@prefix v: <http://e.org/> .\n<a> v:p 1 .\nv:a v:q 2 .\n",
    # the word prefix inside a string, and an IRI with a colon in an angle-bracket object
    '@prefix v: <http://e.org/> .\nv:a v:p "prefix v: <http://x.org/>" .\nv:b v:p <http://e.org/a> .\nv:a v:q 1 .\n',
    # N-Triples
    "<http://e.org/a> <http://e.org/p> \"1\" .\n<http://e.org/b> <http://e.org/p> <http://e.org/a> .\n",
]


def _readable(path: Path) -> str | None:
    """The file's text, if Oxigraph accepts it (the invalid fixtures include unreadable files)."""
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
        list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))
    except (UnicodeDecodeError, SyntaxError):
        return None
    return text


def _cases():
    for path in FILES:
        text = _readable(path)
        if text is not None:
            yield str(path.relative_to(ROOT)), text
    yield "synthetic", generate(claims=60, seed=3).turtle
    for number, text in enumerate(TRICKY):
        yield f"tricky-{number}", text


CASES = list(_cases())


def _iris(text: str) -> tuple[set[str], set[str]]:
    subjects, others = set(), set()
    for quad in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE):
        if isinstance(quad.subject, ox.NamedNode):
            subjects.add(quad.subject.value)
        for term in (quad.predicate, quad.object):
            if isinstance(term, ox.NamedNode):
                others.add(term.value)
    return subjects, others - subjects


@pytest.mark.parametrize("name, text", CASES, ids=[c[0] for c in CASES])
def test_lines_agree_with_the_whole_file_index(name, text):
    index = subject_lines(text)
    subjects, others = _iris(text)
    lines = TurtleLines(text)
    for iri in sorted(subjects):
        assert lines.subject_line(iri) == index.subjects.get(iri), iri
        assert lines.line_of(iri, is_subject=True) == index.line_of(iri), iri
    for iri in sorted(others | {"http://example.org/nowhere"}):
        assert lines.line_of(iri, is_subject=False) == index.line_of(iri), iri


@pytest.mark.parametrize("name, text", CASES, ids=[c[0] for c in CASES])
def test_the_statement_reader_alone_finds_every_subject(name, text):
    """The whole-file index is a safety net, not what answers: on all these texts the
    statement reader finds every subject on the index's line by itself."""
    assert read_statements(text).subjects == subject_lines(text).subjects
