"""Reading RDF files strictly and safely: the one place where input bytes become triples.

Every command reads its files through here, so they all accept and refuse the same
input: a UTF-8 byte order mark is allowed; empty and non-UTF-8 files, JSON or XML
under a Turtle name, XML with a DOCTYPE (entity expansion) and JSON-LD with a remote
``@context`` or ``@import`` (never fetched) are refused; syntax errors carry the file,
line and column of Oxigraph's strict parsers.

Two limits keep what is read within what the rest of the package can handle:

* **nesting depth** of blank nodes (``[ ... [ ... ] ]``, nested lists, JSON-LD objects
  inside objects): more than :data:`DEFAULT_MAX_NESTING` levels is refused. The items
  of one RDF list count as one level, however long the list. Raise the limit with
  ``--max-nesting N`` or the environment variable ``VITD_KG_MAX_NESTING=N``;
* **the vocabulary**: a data file may use the ``vitd:`` terms but not say anything
  about them that the bundled ontology does not (a stale copy of the ontology in a
  data folder would give every term two labels, two ranks...); see :func:`load_data`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from vitd_kg.errors import InputError, InvalidDataError
from vitd_kg.namespaces import ONTOLOGY_IRI
from vitd_kg.rdf.filling import fill
from vitd_kg.rdf.sources import SourceFile
from vitd_kg.rdf.turtle_lines import line_starts_of, subject_lines

BOM = b"\xef\xbb\xbf"
#: Formats Oxigraph streams into a store as they are read (the others are read whole and checked first).
STREAMED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)

#: Levels of blank nodes inside blank nodes accepted by default (real data has a few).
DEFAULT_MAX_NESTING = 256
#: The environment variable that changes the nesting limit for every command.
NESTING_VARIABLE = "VITD_KG_MAX_NESTING"
RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"


def nesting_limit(limit: int | None = None) -> int:
    """The nesting limit: ``limit`` if given, else ``$VITD_KG_MAX_NESTING``, else 256.

    >>> nesting_limit(), nesting_limit(10)
    (256, 10)
    """
    if limit is None:
        raw = os.environ.get(NESTING_VARIABLE, "").strip()
        if not raw:
            return DEFAULT_MAX_NESTING
        try:
            limit = int(raw)
        except ValueError:
            raise InputError(
                f"{NESTING_VARIABLE}={raw!r} is not a whole number",
                hint=f"set {NESTING_VARIABLE} to the deepest blank-node nesting to accept, e.g. 1000",
            ) from None
    if limit < 1:
        raise InputError(f"the nesting limit must be at least 1, not {limit}", hint="pass --max-nesting 256")
    return limit


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
    _refuse_deep_json(source, text)
    try:
        document = _json_loads(text)
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
        remote = context if isinstance(context, str) else context.get("@import") if isinstance(context, dict) else None
        if isinstance(remote, str):
            raise InputError(
                f"remote JSON-LD @context {remote!r} is never fetched",
                file=source.name,
                line=line_starts_of(text, remote),
                hint="inline the context as a JSON object (vitd-kg reads nothing from the network)",
            )


def _json_loads(text: str):
    if text.count("{") + text.count("[") < 10_000:
        return json.loads(text)
    from vitd_kg.rdf.recursion import call_deep

    return call_deep(lambda: json.loads(text))


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def _refuse_deep_json(source: SourceFile, text: str) -> None:
    """Refuse JSON nested deeper than the nesting limit allows, before parsing it.

    A JSON-LD node nested in another takes one or two levels of JSON (an object, perhaps
    in an array), so the JSON may be twice as deep as the limit, and a little more.
    """
    limit = nesting_limit()
    allowed = 2 * limit + 16
    if text.count("{") + text.count("[") <= allowed:
        return
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > allowed:
                raise _too_deep(source, f"its JSON nests more than {allowed} levels deep", limit, line=text.count("\n", 0, match.start()) + 1)


def _contexts(document: object) -> Iterable[object]:
    """Every value of an ``@context`` key (strings, objects, or those inside arrays), at any depth."""
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


def _too_deep(source: SourceFile | None, what: str, limit: int, *, line: int | None = None) -> InputError:
    return InputError(
        f"blank nodes nest too deeply: {what} (the limit is {limit})",
        file=source.name if source else None,
        line=line,
        hint=f"give the nested nodes IRIs, or raise the limit with --max-nesting N "
        f"(or the environment variable {NESTING_VARIABLE}=N) if the data is meant to be this deep",
    )


# --------------------------------------------------------------------------- nesting


def blank_nesting(edges: Iterable[tuple[object, str, object]]) -> tuple[int, object | None]:
    """How deep blank nodes nest: the longest chain of blank nodes inside blank nodes.

    ``edges`` are the triples whose subject and object are both blank nodes, as
    (subject, predicate IRI, object). A step along ``rdf:rest`` stays on its level (the
    items of a list are one level); blank nodes in a cycle count one level each.
    Returns the depth and the blank node at the top of the deepest chain.

    >>> blank_nesting([("a", "p", "b"), ("b", "p", "c"), ("c", RDF_REST, "d")])
    (3, 'a')
    >>> blank_nesting([])
    (0, None)
    """
    children: dict[object, dict[object, int]] = {}
    for subject, predicate, obj in edges:
        weight = 0 if predicate == RDF_REST else 1
        targets = children.setdefault(subject, {})
        targets[obj] = max(targets.get(obj, 0), weight)
        children.setdefault(obj, {})
    if not children:
        return 0, None
    components = _strongly_connected(children)
    component_of = {node: index for index, members in enumerate(components) for node in members}
    best: dict[int, int] = {}
    top: dict[int, object] = {}
    # Tarjan's algorithm lists components sinks first: walk them from the last.
    for index in range(len(components)):
        members = components[index]
        cyclic = len(members) > 1 or any(node in children[node] for node in members)
        own = len(members) if cyclic else 1
        deepest, start = 0, members[0]
        for node in members:
            for child, weight in children[node].items():
                target = component_of[child]
                if target == index:
                    continue
                below = best[target] + (weight if not cyclic else 1) - 1
                if below > deepest:
                    deepest, start = below, node
        best[index] = own + deepest
        top[index] = start
    index = max(best, key=lambda i: best[i])
    return best[index], top[index]


def _strongly_connected(children: dict[object, dict[object, int]]) -> list[list[object]]:
    """Tarjan's strongly connected components, without recursion (sinks first)."""
    index_of: dict[object, int] = {}
    low: dict[object, int] = {}
    on_stack: set[object] = set()
    stack: list[object] = []
    components: list[list[object]] = []
    counter = 0
    for root in children:
        if root in index_of:
            continue
        work = [(root, iter(children[root]))]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for child in successors:
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(children[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index_of[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def blank_edges(quads: Iterable[ox.Quad]) -> list[tuple[ox.BlankNode, str, ox.BlankNode]]:
    """The (subject, predicate IRI, object) of the quads that link a blank node to another."""
    return [
        (q.subject, q.predicate.value, q.object)
        for q in quads
        if isinstance(q.subject, ox.BlankNode) and isinstance(q.object, ox.BlankNode)
    ]


def check_nesting(
    source: SourceFile,
    quads: Sequence[ox.Quad],
    text: str,
    limit: int | None = None,
    edges: list[tuple[ox.BlankNode, str, ox.BlankNode]] | None = None,
) -> None:
    """Refuse a file whose blank nodes nest deeper than the limit (:func:`nesting_limit`).

    ``edges``: :func:`blank_edges` of ``quads``, when the caller collected them in a pass of its own.
    """
    limit = nesting_limit(limit)
    if edges is None:
        edges = blank_edges(quads)
    if len(edges) < limit:
        return
    depth, top = blank_nesting(edges)
    if depth <= limit:
        return
    anchor = next((q.subject for q in quads if q.object == top and isinstance(q.subject, ox.NamedNode)), None)
    line = None
    if anchor is not None:
        line = subject_lines(text).line_of(anchor.value) if source.format in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES) else line_starts_of(text, anchor.value)
    where = f" under <{anchor.value}>" if anchor is not None else ""
    raise _too_deep(source, f"{depth} levels{where}", limit, line=line)


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


def parse_source(
    source: SourceFile, *, max_nesting: int | None = None, check_depth: bool = True
) -> tuple[str, list[ox.Quad]]:
    """Read, sniff and strictly parse one file; return its text and its quads.

    Blank nodes nested deeper than ``max_nesting`` (:func:`nesting_limit`) are refused,
    unless ``check_depth`` is false: then the caller must call :func:`check_nesting`
    (with the edges it collects in its own pass over the quads) before using them.
    """
    text = read_text(source)
    sniff(source, text, source.format)
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=source.format))
    except SyntaxError as error:
        raise syntax_error(source, error) from None
    if check_depth:
        check_nesting(source, quads, text, max_nesting)
    return text, quads


def load_source(store: ox.Store, source: SourceFile) -> None:
    """Parse one file into the default graph of ``store``, as strictly as :func:`parse_source`.

    Turtle and N-Triples on disk are streamed by Oxigraph, which opens the file once
    and copies nothing into Python; only when it refuses the file is the file read
    again, to say why in the terms of :func:`parse_source` (a byte order mark is then
    accepted, as everywhere else). The nesting limit of a streamed file is checked by
    :func:`load_data`, for all the files at once.
    """
    path = source.path
    if path is not None and source.format in STREAMED_FORMATS:
        try:
            store.load(path=str(path), format=source.format, to_graph=ox.DefaultGraph())
            return
        except (SyntaxError, OSError):
            pass  # parse_source below reads the file itself and raises the precise error, or accepts a BOM
    _, quads = parse_source(source)
    fill(store, (ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads))


def load_data(store: ox.Store, files: Sequence[SourceFile], *, ontology: Iterable[ox.Triple] = ()) -> None:
    """Load data files into ``store`` (which holds the ``ontology`` already), then check them all.

    Raises :class:`InputError` for blank nodes nested deeper than :func:`nesting_limit`
    (naming the file), and :class:`~vitd_kg.errors.InvalidDataError` for a data file
    that says something about a ``vitd:`` term (or the ontology itself) that the
    bundled ontology does not say: the data uses the vocabulary, the ontology defines
    it. Statements the ontology makes too are harmless (the graph is a set) and pass.
    """
    for file in files:
        load_source(store, file)
    check_loaded_data(store, files, ontology=ontology)


def check_loaded_data(store: ox.Store, files: Sequence[SourceFile], *, ontology: Iterable[ox.Triple] = ()) -> None:
    """The checks of :func:`load_data` on a store the files were loaded into some other way
    (streamed, bulk-loaded on disk): blank nodes nested too deep, and data that restates the
    vocabulary. Both look only at what the store's indexes give them (linear in the data)."""
    _check_store_nesting(store, files)
    _check_vocabulary(store, files, ontology)


#: The triples that link a blank node to another. Checked in the store: Oxigraph streams
#: Turtle files straight into it, so no Python code sees their triples (this check, like
#: the SHACL compiler's, is not a question about the data: it has no place in queries/).
_BLANK_EDGES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isBlank(?o) && isBlank(?s)) }"


def _check_store_nesting(store: ox.Store, files: Sequence[SourceFile]) -> None:
    limit = nesting_limit()
    edges = [(row[0], row[1].value, row[2]) for row in store.query(_BLANK_EDGES)]
    if len(edges) < limit or blank_nesting(edges)[0] <= limit:
        return
    for file in files:  # only now, to name the file: its own check raises
        parse_source(file, max_nesting=limit)
    depth, _ = blank_nesting(edges)
    raise _too_deep(None, f"{depth} levels", limit)


def _vocabulary_subject(iri: str) -> bool:
    return iri == ONTOLOGY_IRI or iri.startswith((ONTOLOGY_IRI + "#", ONTOLOGY_IRI + "/"))


def _check_vocabulary(store: ox.Store, files: Sequence[SourceFile], ontology: Iterable[ox.Triple]) -> None:
    """Refuse data that says more about a term of the ontology than the ontology does.

    Each term the ontology describes is looked up in the store's index: any statement
    about it that is not the ontology's own came from a data file.
    """
    own: dict[ox.NamedNode, set[ox.Triple]] = {}
    blank_objects: set[tuple[ox.NamedNode, ox.NamedNode]] = set()  # a re-read copy has new blank nodes
    for triple in ontology:
        if isinstance(triple.subject, ox.NamedNode) and _vocabulary_subject(triple.subject.value):
            own.setdefault(triple.subject, set()).add(triple)
            if isinstance(triple.object, ox.BlankNode):
                blank_objects.add((triple.subject, triple.predicate))
    default = ox.DefaultGraph()
    for subject, triples in own.items():
        for quad in store.quads_for_pattern(subject, None, None, default):
            triple = quad.triple
            if triple in triples or (isinstance(triple.object, ox.BlankNode) and (subject, triple.predicate) in blank_objects):
                continue
            _refuse_restatement(files, triple)


def _refuse_restatement(files: Sequence[SourceFile], extra: ox.Triple) -> None:
    from vitd_kg.namespaces import curie

    file, line = _file_stating(files, extra)
    raise InvalidDataError(
        f"the data says something about {curie(extra.subject.value)} that the bundled ontology does not "
        f"({curie(extra.predicate.value)} {_short(extra.object)}): a data file may use the vitd: terms, not redefine them",
        file=file,
        line=line,
        hint="remove the copy of the ontology (or these statements) from the data folder: the bundled ontology is "
        "always read; to change a term, change ontology/vitd.ttl. `vitd-kg validate --data DIR` lists every such statement",
    )


def _short(term: object) -> str:
    from vitd_kg.namespaces import curie

    if isinstance(term, ox.NamedNode):
        return curie(term.value)
    text = str(term)
    return text if len(text) <= 80 else text[:79] + "\u2026"


def _file_stating(files: Sequence[SourceFile], triple: ox.Triple) -> tuple[str | None, int | None]:
    """The data file (and line) that holds ``triple``: read again, only to say where."""
    for file in files:
        try:
            text, quads = parse_source(file)
        except InputError:
            continue
        if any(q.triple == triple for q in quads):
            if file.format in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
                return file.name, subject_lines(text).line_of(triple.subject.value)
            return file.name, line_starts_of(text, triple.subject.value)
    return None, None
