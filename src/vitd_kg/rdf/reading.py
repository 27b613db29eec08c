"""Reading RDF files strictly and safely: the one place where input bytes become triples.

Every command reads its files through here, so they all accept and refuse the same
input: a UTF-8 byte order mark is allowed; empty and non-UTF-8 files, JSON or XML
under a Turtle name, XML with a DOCTYPE (entity expansion) and JSON-LD with a remote
``@context`` (never fetched) are refused; syntax errors carry the file, line and
column of Oxigraph's strict parsers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pyoxigraph as ox

from vitd_kg.errors import InputError
from vitd_kg.rdf.sources import SourceFile
from vitd_kg.rdf.turtle_lines import line_starts_of

BOM = b"\xef\xbb\xbf"


def read_text(source: SourceFile) -> str:
    """The file's text, refusing empty and non-UTF-8 files with the place of the first bad byte."""
    try:
        data = source.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror or error}", file=source.name) from None
    data = data.removeprefix(BOM)  # a UTF-8 byte order mark, as some editors write
    if not data.strip():
        raise InputError("file is empty", file=source.name, hint="add RDF statements or leave the file out")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError(
            f"file is not UTF-8 (byte 0x{data[error.start]:02x} cannot be decoded)",
            file=source.name,
            line=line,
            column=column,
            hint="save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
        ) from None


def sniff(source: SourceFile, text: str, rdf_format: ox.RdfFormat) -> None:
    """Refuse content that is plainly another format than the file's name says."""
    comments = re.match(r"(?:[ \t\r]*(?:#[^\n]*)?\n)*", text.lstrip("\ufeff"))
    head = text.lstrip("\ufeff")[comments.end():][:200].lstrip()
    first_line = comments.group().count("\n") + 1
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
        if head.startswith("{") or re.match(r"\[\s*[{\]]", head):
            raise InputError(
                "file is JSON, not Turtle",
                file=source.name,
                line=first_line,
                hint="if it is JSON-LD, name it .jsonld; otherwise convert it to Turtle",
            )
        if head.lower().startswith(("<?xml", "<rdf:rdf", "<!doctype", "<html")):
            raise InputError(
                "file is XML or HTML, not Turtle",
                file=source.name,
                line=first_line,
                hint="if it is RDF/XML, name it .rdf; otherwise convert it to Turtle",
            )
    if rdf_format == ox.RdfFormat.RDF_XML:
        match = re.search(r"<!DOCTYPE", text, re.IGNORECASE)
        if match:
            raise InputError(
                "XML with a DOCTYPE is refused (entity expansion can read files or blow up memory)",
                file=source.name,
                line=text.count("\n", 0, match.start()) + 1,
                hint="remove the DOCTYPE and write entities out in full, or convert the file to Turtle",
            )
    if rdf_format == ox.RdfFormat.JSON_LD:
        _refuse_remote_context(source, text)


def _refuse_remote_context(source: SourceFile, text: str) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"JSON syntax error: {error.msg}", file=source.name, line=error.lineno, column=error.colno
        ) from None
    except RecursionError:
        raise InputError(
            "the JSON nests too deeply to be read",
            file=source.name,
            hint="flatten the document (fewer nested objects and arrays), or convert it to Turtle",
        ) from None
    for context in _contexts(document):
        if isinstance(context, str):
            raise InputError(
                f"remote JSON-LD @context {context!r} is never fetched",
                file=source.name,
                line=line_starts_of(text, context),
                hint="inline the context as a JSON object (vitd-kg reads nothing from the network)",
            )


def _contexts(document: object) -> Iterable[object]:
    """Every value of an ``@context`` key (strings, or strings inside arrays), at any depth."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    yield from (value if isinstance(value, list) else [value])
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


_PLACE = re.compile(
    r"^Parser error (?:at line \d+ (?:column \d+|between columns \d+ and \d+)"
    r"|between line \d+ column \d+ and line \d+ column \d+): "
)


def syntax_error(source: SourceFile, error: SyntaxError) -> InputError:
    message = str(error.msg if getattr(error, "msg", None) else error)
    message = _PLACE.sub("", message)
    hint = "correct the syntax at that place; any Turtle linter (e.g. `riot --validate`) shows the same error"
    if "No scheme found" in message or "relative" in message.lower():
        message = f"relative IRI: {message}"
        hint = "write absolute IRIs (https://...) or use a prefix declared with @prefix; relative IRIs are refused"
    return InputError(
        f"syntax error: {message}",
        file=source.name,
        line=getattr(error, "lineno", None),
        column=getattr(error, "offset", None),
        hint=hint,
    )


def parse_source(source: SourceFile) -> tuple[str, list[ox.Quad]]:
    """Read, sniff and strictly parse one file; return its text and its quads."""
    text = read_text(source)
    sniff(source, text, source.format)
    try:
        return text, list(ox.parse(text.encode("utf-8"), format=source.format))
    except SyntaxError as error:
        raise syntax_error(source, error) from None


def load_source(store: ox.Store, source: SourceFile) -> None:
    """Parse one file into the default graph of ``store``, as strictly as :func:`parse_source`.

    Turtle and N-Triples on disk are streamed by Oxigraph, which opens the file once
    and copies nothing into Python; only when it refuses the file is the file read
    again, to say why in the terms of :func:`parse_source` (a byte order mark is then
    accepted, as everywhere else).
    """
    path = source.path
    if path is not None and source.format in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
        try:
            store.load(path=str(path), format=source.format, to_graph=ox.DefaultGraph())
            return
        except (SyntaxError, OSError):
            pass  # parse_source below reads the file itself and raises the precise error, or accepts a BOM
    _, quads = parse_source(source)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
