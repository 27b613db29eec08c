"""Validate the bundled graph or a user's files: input gate, SHACL shapes, OWL consistency.

:func:`validate` is the one entry point; the CLI's ``vitd-kg validate`` is a thin
layer over it. The steps:

1. the input gate (:mod:`vitd_kg.validation.gate`) reads and strictly parses every file,
   raising :class:`~vitd_kg.errors.InputError` (exit 2) for what cannot be read, and
   turning faults shapes cannot see into results; meanwhile a second thread streams the
   files into one Oxigraph store and starts SHACL on it (:mod:`vitd_kg.validation.ahead`);
2. SHACL checks the ontology plus the data against the bundled shapes
   (``ontology/shapes.ttl`` and ``ontology/shapes-sparql.ttl``), or against the user's
   shapes files (``shapes=``; the bundled ones too with ``with_bundled_shapes=True``),
   with :func:`vitd_kg.validation.shacl_engine.validate_graphs`: the compiled engine on
   that store by default (the second thread's report, where it holds for the gate's data),
   pySHACL (the reference) for what it does not compile, and a refusal (:class:`~vitd_kg.validation.shacl_engine.ShaclRefusal`, exit 2) for shapes no
   engine may validate;
3. optionally (``reason=True``) HermiT checks that ontology plus data is consistent.

Every result names the file and line where its focus node is defined. No rdflib graph
of the data is built unless pySHACL or the reasoner needs one, and lines are computed
only for the resources results name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph

from vitd_kg import resources
from vitd_kg.lifetime import retire
from vitd_kg.rdf.filling import fill
from vitd_kg.rdf.sources import Source, SourceFile, bundled_data_sources, data_sources, ontology_source
from vitd_kg.validation.ahead import ShaclAhead
from vitd_kg.validation.fast_shacl import LiteralForms
from vitd_kg.validation.gate import DEFAULT_MAX_BYTES, GateReport, ParsedFile, StoreUnfit, check, check_sizes, parse_file
from vitd_kg.validation.report import INFO, VIOLATION, WARNING, ValidationReport, ValidationResult
from vitd_kg.validation.shacl_engine import ENGINES, ShaclReport, literal_forms, load_shapes, prepare, validate_graphs

SHAPES_FILES = ("shapes.ttl", "shapes-sparql.ttl")
SHAPES_NAMESPACE = "https://w3id.org/vitd-kg/shapes#"
SH_NAMESPACE = "http://www.w3.org/ns/shacl#"
DEFAULT_ENGINE = "auto"
#: Validate on a second thread while the gate parses the files (:mod:`vitd_kg.validation.ahead`);
#: tests switch it off to compare.
SHACL_AHEAD = True
#: Up to this many results, the parse and the store are left to the end of the process
#: (:func:`vitd_kg.lifetime.retire`), which spares the console script about a second at a
#: million triples: such a report is written quickly and in little memory. A larger one is
#: written after they are freed, so that its memory does not add to theirs (a Turtle report
#: of 5,500 results on 1e5 triples peaked 26% higher with them kept).
RETIRE_UP_TO_RESULTS = 1000


def bundled_shapes_files() -> list[Path]:
    """The bundled SHACL shapes: hand-written, and generated from queries/checks."""
    return [resources.ontology_dir() / name for name in SHAPES_FILES]


def shapes_graph(shapes: Sequence[str | Path] | None = None, *, with_bundled_shapes: bool = False):
    """The shapes to validate with, as one rdflib Graph: the bundled ones (``shapes=None``),
    or the given files (and the bundled ones too, with ``with_bundled_shapes``).

    Raises :class:`~vitd_kg.errors.InputError` for a shapes file that cannot be read."""
    from vitd_kg.errors import InputError

    files = shapes_files(shapes, with_bundled_shapes=with_bundled_shapes)
    for path in files:
        if not Path(path).is_file():
            raise InputError("no such shapes file", file=str(path), hint="check the path given with --shapes")
    try:
        return load_shapes(*files)
    except SyntaxError as error:
        raise InputError(
            f"the shapes file cannot be parsed: {getattr(error, 'msg', None) or error}",
            file=str(getattr(error, "filename", None) or _which(files, error)),
            line=getattr(error, "lineno", None),
            hint="fix the shapes file's syntax (any Turtle linter, e.g. `riot --validate`, shows the same error)",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"the shapes file cannot be read: {error}", file=_which(files, error)) from None


def shapes_files(shapes: Sequence[str | Path] | None = None, *, with_bundled_shapes: bool = False) -> list[Path]:
    """The shapes files :func:`shapes_graph` reads."""
    if shapes is None:
        return bundled_shapes_files()
    if isinstance(shapes, (str, Path)):
        shapes = [shapes]
    return [*map(Path, shapes), *(bundled_shapes_files() if with_bundled_shapes else [])]


def _which(files: list[Path], error: Exception) -> str:
    """The shapes file an error is about, when the parser does not say: try each alone."""
    for path in files:
        try:
            load_shapes(path)
        except Exception:  # noqa: BLE001 - this is the one
            return str(path)
    return ", ".join(map(str, files))


def validate(
    source: Source = None,
    *,
    shapes: Sequence[str | Path] | None = None,
    with_bundled_shapes: bool = False,
    reason: bool = False,
    engine: str = DEFAULT_ENGINE,
    with_bundled_data: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ValidationReport:
    """Validate the bundled data (``source=None``) or the given file, folder or list of them, with the ontology.

    ``shapes``: SHACL shapes files to validate against instead of the bundled shapes
    (``with_bundled_shapes=True`` adds the bundled ones); the data graph is the ontology
    plus the data either way. ``engine``: ``auto`` (the compiled engine, pySHACL for what
    it does not compile, said in the report's notes), ``fast`` (the compiled engine only:
    refuses what it does not compile) or ``pyshacl``. ``reason=True`` also runs the OWL
    reasoner (HermiT, needs Java). ``with_bundled_data=True`` validates the paths together
    with the bundled data (to check an extension of the graph).

    Raises :class:`~vitd_kg.errors.InputError` for input that cannot be read or parsed,
    and :class:`~vitd_kg.validation.shacl_engine.ShaclRefusal` (an ``InputError``) for
    shapes that cannot be validated; returns a :class:`ValidationReport` otherwise.

    >>> import vitd_kg
    >>> report = vitd_kg.validate()
    >>> report.conforms, report.results, report.engine
    (True, [], 'fast')
    """
    from vitd_kg.errors import InputError
    from vitd_kg.validation.shacl_engine import ShaclRefusal

    if engine not in ENGINES:
        raise InputError(f"unknown SHACL engine {engine!r}", hint=f"use one of: {', '.join(ENGINES)}")
    shapes_used = shapes_graph(shapes, with_bundled_shapes=with_bundled_shapes)
    given = data_sources(source) if source is not None else []
    check_sizes(given, max_bytes)
    bundled = bundled_data_sources() if source is None or with_bundled_data else []
    files = [ontology_source(), *bundled, *given]
    count = len(shapes_files(shapes, with_bundled_shapes=with_bundled_shapes))
    try:
        # the report is made inside: the thread ahead stops, and Python's collector is back
        # on, once the parsed triples are freed (a pass over them costs seconds at scale)
        with ShaclAhead.started(files, shapes_used, engine) if SHACL_AHEAD and not reason else nullcontext() as ahead:
            report = _validated(files, shapes_used, count, engine, ahead, reason=reason)
            if len(report.results) <= RETIRE_UP_TO_RESULTS:
                retire(ahead)  # its store
            return report
    except ShaclRefusal as refusal:
        if refusal.hint is None:
            refusal.hint = (
                "use --engine auto (the default): pySHACL, the reference engine, validates what the fast "
                "engine does not compile" if engine == "fast" else
                "these shapes cannot be validated correctly: rewrite the shape named without that feature"
            )
        raise


def _validated(
    files: list[SourceFile], shapes_used: Graph, count: int, engine: str, ahead: ShaclAhead | None, *, reason: bool
) -> ValidationReport:
    """:func:`validate`'s report on ``files``, validated against ``shapes_used`` (read from
    ``count`` files)."""
    parsed = [parse_file(file) for file in (ahead.files if ahead is not None else files)]
    # worked out while the thread ahead may still be loading the store
    forms = None if engine == "pyshacl" else literal_forms(set().union(*(f.uses for f in parsed)), shapes_used)
    store, gate, kept, shacl = _checked(parsed, shapes_used, engine, ahead, forms)
    locate = _locator(parsed, store, gate.removed)
    results = list(gate.results)
    for found in shacl.results:
        focus = _node_text(found.focus_node)
        file, line = locate(focus)
        severity = str(found.severity).rsplit("#", 1)[-1]
        shape = _shape_name(shapes_used, found.source_shape)
        results.append(
            ValidationResult(
                file=file,
                line=line,
                focus_node=focus,
                path=_path_text(found.result_path),
                value=_term_text(found.value),
                message=found.messages[0] if found.messages else _default_message(found, shape),
                severity=severity if severity in (VIOLATION, WARNING, INFO) else VIOLATION,
                source=f"shacl:{shape}",
            )
        )
    notes = [f"{len(store)} triples checked against {count} shape file{'' if count == 1 else 's'}", *shacl.notes]
    if reason:
        results_owl, note = _reason(_rdflib_graph(kept), locate)
        results += results_owl
        notes.append(note)
    if len(results) <= RETIRE_UP_TO_RESULTS:
        retire(parsed, store, kept)
    return ValidationReport(
        files=[p.name for p in parsed], results=results, notes=notes, engine=shacl.engine, reasoned=reason,
        shacl=shacl, shapes=shapes_used,
    )


def _checked(
    parsed: list[ParsedFile], shapes: Graph, engine: str, ahead: ShaclAhead | None, forms: LiteralForms | None
) -> tuple[ox.Store, GateReport, list[ox.Quad], ShaclReport]:
    """The gate's store and report, the triples SHACL sees, and SHACL's report: the one
    ``ahead`` made while the files were parsed, when it is the one the gate's data gives.
    ``forms``: how the store keeps the parsed files' literals, if known."""
    store, gate = _gated_store(parsed, ahead)
    kept = [q for file in parsed for q in file.quads]
    if gate.removed:
        kept = [q for q in kept if q not in gate.removed]
        forms = None  # of literals some of which are gone
    with quiet_rdflib():
        prepared = None if engine == "pyshacl" else prepare(kept, shapes, store=store, uses=gate.uses, forms=forms)
        shacl = ahead.report(prepared) if ahead is not None and prepared is not None else None
        if shacl is None:
            shacl = validate_graphs(kept, shapes, engine=engine, store=prepared)
    if ahead is not None and store is ahead.store() and _orphan_blank(shacl, store):
        # a blank node no triple refers to is placed by the file the parse found it in
        ahead.stop()
        return _checked(parsed, shapes, engine, None, forms)
    return store, gate, kept, shacl


def _gated_store(parsed: list[ParsedFile], ahead: ShaclAhead | None) -> tuple[ox.Store, GateReport]:
    """The store SHACL validates, after the gate: ``ahead``'s, if it can serve, or one filled
    with the parsed files' triples."""
    if ahead is not None and (streamed := ahead.store()) is not None:
        try:
            return streamed, check(parsed, streamed, streamed=True)
        except StoreUnfit:
            ahead.stop()
    store = ox.Store()
    for file in parsed:
        fill(store, file.quads)
    return store, check(parsed, store)


def _orphan_blank(shacl: ShaclReport, store: ox.Store) -> bool:
    """Whether a result's focus node is a blank node that no chain of triples in ``store``
    leads to from an IRI (what :func:`_locator` places by file)."""
    return any(
        isinstance(found.focus_node, BNode) and _referrer(store, f"_:{found.focus_node}")[1] is not None
        for found in shacl.results
    )


#: How many blank nodes up a focus node is followed to the resource that refers to it.
MOST_BLANK_STEPS = 11


def _referrer(store: ox.Store, node: str) -> tuple[str | None, ox.BlankNode | None]:
    """Where a chain of triples in ``store`` leads up from ``node`` (an IRI, or ``_:label``):
    (the first IRI, None); or (None, the blank node at the top) when nothing refers to that
    one; or (None, None) after :data:`MOST_BLANK_STEPS` blank nodes."""
    for _ in range(MOST_BLANK_STEPS):
        if not node.startswith("_:"):
            return node, None
        blank = ox.BlankNode(node[2:])
        parent = next(iter(store.quads_for_pattern(None, None, blank)), None)
        if parent is None:
            return None, blank
        node = parent.subject.value if isinstance(parent.subject, ox.NamedNode) else f"_:{parent.subject.value}"
    return None, None


def _default_message(found, shape: str) -> str:
    """The message of a result whose shape gives no ``sh:message``: the shape and the
    constraint it fails (the compiled engine does not word messages of its own).

    >>> from rdflib import URIRef
    >>> from rdflib.namespace import SH
    >>> from vitd_kg.validation.shacl_report import ShaclResult
    >>> found = ShaclResult(URIRef("http://e.org/a"), None, None, URIRef("http://e.org/S"),
    ...                     SH.MinCountConstraintComponent, SH.Violation)
    >>> _default_message(found, "ex:S")
    'does not conform to ex:S (sh:minCount)'
    """
    component = str(found.constraint_component)
    name = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    if component.startswith(SH_NAMESPACE) and name:
        return f"does not conform to {shape} (sh:{name[0].lower()}{name[1:]})"
    return f"does not conform to {shape} ({component})"


def _node_text(term) -> str | None:
    """A focus node as results give it: the IRI, or ``_:label`` for a blank node."""
    from rdflib import BNode

    if term is None:
        return None
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _path_text(term) -> str | None:
    """A result path as results give it: the IRI of a predicate path (None for other paths)."""
    from rdflib import URIRef

    return str(term) if isinstance(term, URIRef) else None


def _term_text(term) -> str | None:
    """A value in N-Triples form (full IRIs, ``_:`` blank nodes), as the data wrote it."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return term.n3()
    return str(term)


def _shape_name(shapes, shape) -> str:
    """A bundled shape by its local name; a user's by its CURIE or IRI, or described if blank."""
    from vitd_kg.validation.fast_shacl import shape_name

    text = str(shape)
    if text.startswith(SHAPES_NAMESPACE):
        return text[len(SHAPES_NAMESPACE):]
    return shape_name(shapes, shape)


def _rdflib_graph(triples):
    """An rdflib Graph of Oxigraph triples as written (rdflib's literal-conversion warnings silenced)."""
    from rdflib import Graph

    from vitd_kg.namespaces import PREFIXES
    from vitd_kg.rdf.terms import to_rdflib

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    with quiet_rdflib():
        for triple in triples:
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return graph


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Silence rdflib's literal-conversion warnings (a traceback on stderr for each ill-typed
    literal, e.g. ``"abc"^^xsd:int``, which SHACL reports as a result instead)."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _locator(
    parsed: list[ParsedFile], store: ox.Store, removed: set[ox.Quad]
) -> Callable[[str | None], tuple[str | None, int | None]]:
    """A function from a focus node to the (file, line) where it is defined.

    A blank node is located at the resource that refers to it (found in ``store``, which
    holds the triples SHACL saw), or, if none does, at the last file it is written in.
    Not a recursive closure: that would be a reference cycle, and keep every parsed triple
    alive until the garbage collector's next full pass.
    """

    def locate(node: str | None) -> tuple[str | None, int | None]:
        if node is None:
            return None, None
        node, orphan = _referrer(store, node)
        if orphan is not None:
            for file in reversed(parsed):
                if orphan in file.subjects or any(q.object == orphan and q in file.quads for q in removed):
                    return file.name, None
            return None, None
        if node is None:
            return None, None
        for file in parsed:
            line = file.subject_line(node)
            if line is not None:
                return file.name, line
        for file in parsed:
            line = file.line_of(node)
            if line is not None:
                return file.name, line
        return None, None

    return locate


def _reason(graph, locate) -> tuple[list[ValidationResult], str]:
    from vitd_kg.validation.reasoning import check_consistency

    outcome = check_consistency(graph)
    results = []

    def clash(node, path: str, value: str, message: str) -> ValidationResult:
        file, line = locate(node)
        return ValidationResult(
            file=file, line=line, focus_node=node, path=path, value=value, message=message, source="owl:consistency"
        )

    for node, class_a, class_b in outcome.disjoint_clashes:
        results.append(clash(
            node,
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
            f"<{class_b}>",
            f"the resource is both a {_local(class_a)} and a {_local(class_b)}, which the ontology "
            "declares disjoint (by its rdf:type, or by the domain or range of a property it is used with): "
            "give it one type, or use it only with properties of that type",
        ))
    for node, prop, value, expected in outcome.range_clashes:
        results.append(clash(
            node,
            prop,
            value.n3(),
            f"{_local(prop)} has the range {_local(expected)}, which this value is not "
            "(OWL finds the graph inconsistent): write the value with that datatype",
        ))
    if not outcome.consistent and not results:
        results.append(
            ValidationResult(
                file=None,
                line=None,
                focus_node=None,
                path=None,
                value=None,
                message="the ontology plus data is inconsistent under OWL (HermiT) for a reason other than "
                "disjoint classes: check functional properties, domains and ranges of the added statements",
                source="owl:consistency",
            )
        )
    return results, outcome.note()


def _local(iri: str) -> str:
    from vitd_kg.validation.report import compact

    return compact(iri)
