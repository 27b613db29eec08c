"""Validate the bundled graph or a user's files: input gate, SHACL shapes, OWL consistency.

:func:`validate` is the one entry point; the CLI's ``vitd-kg validate`` is a thin
layer over it. The steps:

1. the input gate (:mod:`vitd_kg.input_gate`) reads and strictly parses every file,
   raising :class:`~vitd_kg.errors.InputError` (exit 2) for what cannot be read, and
   turning faults shapes cannot see into results;
2. a SHACL engine checks the ontology plus the data against ``ontology/shapes.ttl`` and
   ``ontology/shapes-sparql.ttl``: ``fast`` by default (:mod:`vitd_kg.fast_shacl`, the
   shapes compiled to SPARQL and run on Oxigraph), or ``pyshacl``, the reference, whose
   report it matches (tests/test_engines_agree.py);
3. optionally (``reason=True``) HermiT checks that ontology plus data is consistent.

Every result names the file and line where its focus node is defined.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vitd_kg import resources
from vitd_kg.rdf.sources import Source, bundled_data_sources, data_sources, ontology_source
from vitd_kg.validation.gate import (
    DEFAULT_MAX_BYTES,
    ParsedFile,
    check_duplicate_subjects,
    check_imports,
    check_literals,
    check_sizes,
    check_terms,
    literal_properties,
    ontology_terms,
    parse_file,
)
from vitd_kg.validation.report import INFO, VIOLATION, WARNING, ValidationReport, ValidationResult

SHAPES_FILES = ("shapes.ttl", "shapes-sparql.ttl")


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL result as an engine reports it, before file and line are added."""

    focus_node: str
    path: str | None
    value: str | None
    message: str
    severity: str
    source_shape: str


#: A SHACL engine: (data graph, shapes graph) -> its results. Register more in SHACL_ENGINES.
ShaclEngine = Callable[["Graph", "Graph"], list[ShaclResult]]  # noqa: F821


def shapes_graph():
    """The bundled SHACL shapes (hand-written and generated from queries/checks) as one rdflib Graph."""
    from rdflib import Graph

    graph = Graph()
    for name in SHAPES_FILES:
        graph.parse(data=(resources.ontology_dir() / name).read_text(encoding="utf-8"), format="turtle")
    return graph


def _term_text(term) -> str | None:
    """A result term in normalised N-Triples form (full IRIs, ``_:`` blank nodes)."""
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


def _node_text(term) -> str | None:
    from rdflib import BNode

    if term is None:
        return None
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def pyshacl_engine(data_graph, shapes) -> list[ShaclResult]:
    """Validate with pyshacl, the reference engine, and read its results graph."""
    from pyshacl import validate as pyshacl_validate
    from rdflib import BNode, Namespace
    from rdflib.namespace import RDF

    SH = Namespace("http://www.w3.org/ns/shacl#")
    from pyshacl.errors import ReportableRuntimeError

    from vitd_kg.errors import EngineFailure

    try:
        _, results_graph, _ = pyshacl_validate(
            data_graph, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
        )
    except ReportableRuntimeError as error:
        raise EngineFailure(
            f"the SHACL engine (pyshacl) could not check the data: {getattr(error, 'message', error)}",
            hint="this input reaches a case the checks before SHACL should have caught; please report it with the file",
        ) from None
    results = []
    for result in results_graph.subjects(RDF.type, SH.ValidationResult):
        path = results_graph.value(result, SH.resultPath)
        messages = sorted(str(m) for m in results_graph.objects(result, SH.resultMessage))
        severity = results_graph.value(result, SH.resultSeverity)
        shape = results_graph.value(result, SH.sourceShape)
        results.append(
            ShaclResult(
                focus_node=_node_text(results_graph.value(result, SH.focusNode)),
                path=None if path is None or isinstance(path, BNode) else str(path),
                value=_term_text(results_graph.value(result, SH.value)),
                message=messages[0] if messages else "does not conform to its shape",
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else VIOLATION,
                source_shape=_shape_name(shape),
            )
        )
    return results


def fast_engine(data_graph, shapes, store=None) -> list[ShaclResult]:
    """Validate with :mod:`vitd_kg.fast_shacl` (the shapes compiled to SPARQL, run on Oxigraph).

    ``store``, if given, is a ``pyoxigraph.Store`` holding the same triples as
    ``data_graph`` (validate() builds it straight from the parsed triples); otherwise the
    graph is copied into one. Its results are pySHACL's, field for field
    (tests/test_engines_agree.py proves it on the bundled data and every fixture). Shapes
    it cannot compile are refused with an internal error naming the feature: pySHACL stays
    available as ``--engine pyshacl``.
    """
    import pyoxigraph as ox
    from rdflib import BNode

    from vitd_kg.errors import VitdKgError
    from vitd_kg.validation.fast_shacl import UnsupportedShapes, validate_store
    from vitd_kg.rdf.terms import to_oxigraph

    if store is None:
        store = ox.Store()
        store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in data_graph)
    try:
        report = validate_store(store, shapes)
    except UnsupportedShapes as error:
        raise EngineFailure(str(error), hint="use `--engine pyshacl`, the reference engine") from None
    return [
        ShaclResult(
            focus_node=_node_text(result.focus_node),
            path=None if result.result_path is None or isinstance(result.result_path, BNode)
            else str(result.result_path),
            value=_term_text(_as_written(data_graph, result.focus_node, result.result_path, result.value)),
            message=result.messages[0] if result.messages else "does not conform to its shape",
            severity=str(result.severity).rsplit("#", 1)[-1],
            source_shape=_shape_name(result.source_shape),
        )
        for result in report.results
    ]


def _as_written(graph, focus, path, value):
    """The literal as the data writes it: Oxigraph stores numbers, dates, ... by value and
    returns them in canonical form ("100.0"^^xsd:decimal comes back as "100")."""
    from rdflib import Literal, URIRef

    if not isinstance(value, Literal) or value.datatype is None or not isinstance(path, URIRef):
        return value
    if (focus, path, value) in graph:
        return value
    written = sorted(
        (o for o in graph.objects(focus, path)
         if isinstance(o, Literal) and o.datatype == value.datatype and o.eq(value)),
        key=str,
    )
    return written[0] if written else value


def _shape_name(shape) -> str:
    text = str(shape)
    return text.rsplit("#", 1)[-1] if text.startswith("https://w3id.org/vitd-kg/shapes#") else "(property shape)"


SHACL_ENGINES: dict[str, ShaclEngine] = {"pyshacl": pyshacl_engine, "fast": fast_engine}
#: Engines that also take the data as a pyoxigraph Store (``store=``, built from the parsed triples).
STORE_ENGINES = {"fast"}
DEFAULT_ENGINE = "fast"


def validate(
    source: Source = None,
    *,
    reason: bool = False,
    engine: str = DEFAULT_ENGINE,
    with_bundled_data: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ValidationReport:
    """Validate the bundled data (``source=None``) or the given file, folder or list of them, with the ontology.

    Raises :class:`~vitd_kg.errors.InputError` for input that cannot be read or parsed;
    returns a :class:`ValidationReport` otherwise. ``reason=True`` also runs the OWL
    reasoner (HermiT, needs Java). ``with_bundled_data=True`` validates the paths
    together with the bundled data (to check an extension of the graph).

    >>> import vitd_kg
    >>> report = vitd_kg.validate()
    >>> report.conforms, report.results
    (True, [])
    """
    from vitd_kg.errors import InputError

    if engine not in SHACL_ENGINES:
        raise InputError(f"unknown SHACL engine {engine!r}", hint=f"use one of: {', '.join(sorted(SHACL_ENGINES))}")
    given = data_sources(source) if source is not None else []
    check_sizes(given, max_bytes)
    bundled = bundled_data_sources() if source is None or with_bundled_data else []
    sources = [ontology_source(), *bundled, *given]
    parsed = [parse_file(source) for source in sources]

    results: list[ValidationResult] = []
    defined = ontology_terms(parsed[0])
    literal_only = literal_properties(parsed[0])
    kept_triples = []
    for file in parsed:
        kept, literal_faults = check_literals(file, literal_only)
        kept_triples.extend(kept)
        results += literal_faults
        if file is not parsed[0]:
            results += check_terms(file, defined)
        results += check_imports(file)
    results += check_duplicate_subjects(parsed)

    data_graph = _rdflib_graph(kept_triples)
    locate = _locator(parsed, data_graph)

    store = {"store": _oxigraph_store(kept_triples)} if engine in STORE_ENGINES else {}
    for found in SHACL_ENGINES[engine](data_graph, shapes_graph(), **store):
        file, line = locate(found.focus_node)
        results.append(
            ValidationResult(
                file=file,
                line=line,
                focus_node=found.focus_node,
                path=found.path,
                value=found.value,
                message=found.message,
                severity=found.severity if found.severity in (VIOLATION, WARNING, INFO) else VIOLATION,
                source=f"shacl:{found.source_shape}",
            )
        )
    notes = [f"{len(data_graph)} triples checked against {len(SHAPES_FILES)} shape files"]
    if reason:
        results_owl, note = _reason(data_graph, locate)
        results += results_owl
        notes.append(note)
    return ValidationReport(
        files=[p.name for p in parsed], results=results, notes=notes, engine=engine, reasoned=reason
    )


def _rdflib_graph(triples):
    """An rdflib Graph of Oxigraph triples (rdflib's literal-conversion warnings silenced)."""
    from rdflib import Graph

    from vitd_kg.namespaces import PREFIXES
    from vitd_kg.rdf.terms import to_rdflib

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        for s, p, o in triples:
            graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    finally:
        logger.setLevel(level)
    return graph


def _oxigraph_store(triples):
    """A pyoxigraph Store holding the triples (already Oxigraph terms) in its default graph."""
    import pyoxigraph as ox

    store = ox.Store()
    store.extend(ox.Quad(s, p, o) for s, p, o in triples)
    return store


def _locator(parsed: list[ParsedFile], graph) -> Callable[[str | None], tuple[str | None, int | None]]:
    """A function from a focus node to the (file, line) where it is defined.

    A blank node is located at the resource that refers to it.
    """
    import pyoxigraph as ox
    from rdflib import BNode

    blank_node_files = {
        term.value: file.name
        for file in parsed
        for triple in file.triples
        for term in (triple[0], triple[2])
        if isinstance(term, ox.BlankNode)
    }

    def locate(node: str | None, depth: int = 0) -> tuple[str | None, int | None]:
        if node is None or depth > 10:
            return None, None
        if node.startswith("_:"):
            for parent in graph.subjects(None, BNode(node[2:])):
                return locate(_node_text(parent), depth + 1)
            return blank_node_files.get(node[2:]), None
        for file in parsed:
            line = file.lines.subjects.get(node) if file.is_turtle else None
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
