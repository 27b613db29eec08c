"""SHACL validation of any data against any shapes: the right report, or a clear refusal.

:func:`validate_graphs` is the one entry point for the CLI and the Python API. Engines:

``fast``
    :mod:`vitd_kg.validation.fast_shacl`: the shapes compiled to SPARQL and run on Oxigraph. It
    compiles SHACL Core's targets, paths, counts, value, range, string and pair constraints,
    ``sh:or`` / qualified value shapes over value constraints, nested property shapes and
    SHACL-SPARQL constraints; for anything else it raises :class:`ShaclRefusal`.
``pyshacl``
    pySHACL, the reference engine, run in process.
``auto`` (the default)
    ``fast`` when it compiles the shapes and can keep the data's literals exactly; otherwise
    ``pyshacl``, and the report says so (:attr:`ShaclReport.engine`, :attr:`ShaclReport.notes`).

Whatever the engine, shapes that SHACL itself says must be refused (a SPARQL constraint
with MINUS, VALUES, SERVICE, ``AS $this``, a sub-SELECT that drops ``$this``), or that
pySHACL gets wrong, raise :class:`ShaclRefusal` naming the shape and the feature, so a
report is never silently wrong. The W3C SHACL test suite (tests/w3c-shacl/) runs through
this function in tests/test_w3c_shacl.py.

>>> from rdflib import Graph
>>> shapes = Graph().parse(format="turtle", data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
...   ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:minCount 1 .''')
>>> data = Graph().parse(format="turtle", data="<http://example.org/a> a <http://example.org/C> .")
>>> report = validate_graphs(data, shapes)
>>> report.conforms, report.engine, str(report.results[0].focus_node)
(False, 'fast', 'http://example.org/a')
>>> "sh:ValidationReport" in report_turtle(report, shapes)
True
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH, XSD

from vitd_kg.validation import fast_shacl
from vitd_kg.validation.fast_shacl import UnsupportedShapes
from vitd_kg.validation.shacl_report import ShaclReport, ShaclResult, report_from_graph

ENGINES = ("auto", "fast", "pyshacl")

#: The refusal: an :class:`~vitd_kg.errors.InputError` (exit code 2) and a ``ValueError``,
#: with ``shape`` (the shape node, or None) and ``feature`` (what is not supported) attributes.
ShaclRefusal = UnsupportedShapes


def validate_graphs(data, shapes: Graph, *, engine: str = "auto",
                    store: fast_shacl.StoreData | None = None) -> ShaclReport:
    """Validate ``data`` against ``shapes`` (exactly those shapes) with ``engine``.

    ``data`` is an rdflib Graph, or an iterable of pyoxigraph triples or quads (their
    default graph is meant: what the input gate parses); ``shapes`` an rdflib Graph, or a
    shapes file path, or a list of them (read by :func:`load_shapes`). ``store``: the same
    data already in a store (:func:`prepare`), which the fast engine then uses as it is;
    no rdflib graph is built unless pySHACL runs.
    Raises :class:`ShaclRefusal` (``shape``, ``feature``) when the shapes cannot be
    validated correctly by the chosen engine; ``ValueError`` for an unknown engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}: use one of {', '.join(ENGINES)}")
    if not isinstance(data, (Graph, list, tuple)):
        data = list(data)  # a generator would be spent by the first engine, and a fallback would see nothing
    if not isinstance(shapes, Graph):
        shapes = load_shapes(*(shapes if isinstance(shapes, (list, tuple)) else [shapes]))
    shapes = _normalised(shapes)
    _refuse_for_every_engine(shapes)
    if engine == "pyshacl":
        return _pyshacl(_as_graph(data), shapes)
    missing = fast_shacl.refusals(shapes)
    if engine == "fast":
        fast_shacl.refuse(shapes)
    elif missing:
        shape, feature = missing[0]
        return _fallback(data, shapes, f"{fast_shacl.shape_name(shapes, shape)} uses {feature}")
    if store is None:
        store = prepare(data, shapes)
    try:
        return fast_shacl.validate_store(store, shapes)
    except UnsupportedShapes as error:
        if engine == "fast":
            raise
        return _fallback(data, shapes, error.message)


def prepare(data, shapes: Graph, *, store: ox.Store | None = None, uses=None,
            forms: fast_shacl.LiteralForms | None = None) -> fast_shacl.StoreData:
    """The data loaded for the fast engine (:func:`vitd_kg.validation.fast_shacl.load_data`),
    with the literals of ``shapes`` it compares data with. ``store``, ``uses``: a store that
    already holds ``data`` in its default graph, and the data's literal uses, if the caller
    has them; ``forms``: what :func:`literal_forms` made of those uses already."""
    if not isinstance(data, (Graph, list, tuple)):
        data = list(data)
    return fast_shacl.load_data(data, fast_shacl.shape_constants(shapes), store=store, uses=uses, forms=forms)


def literal_forms(uses, shapes: Graph) -> fast_shacl.LiteralForms:
    """How the store keeps the literals of ``uses`` (the data's literal uses) and of
    ``shapes``, for :func:`prepare` (:func:`vitd_kg.validation.fast_shacl.literal_forms`)."""
    return fast_shacl.literal_forms(uses, fast_shacl.shape_constants(shapes))


def fast_engine_shapes(shapes: Graph) -> Graph | None:
    """``shapes`` as the fast engine validates them (:func:`validate_graphs` with engine
    ``auto`` or ``fast``), or None if it would not: they are refused, or need pySHACL."""
    shapes = _normalised(shapes)
    try:
        _refuse_for_every_engine(shapes)
    except ShaclRefusal:
        return None
    return None if fast_shacl.refusals(shapes) else shapes


def _fallback(data, shapes: Graph, why: str) -> ShaclReport:
    report = _pyshacl(_as_graph(data, why=why), shapes)
    report.notes.append(f"validated by pySHACL, the reference engine: the fast engine does not compile this ({why})")
    return report


def _as_graph(data, *, why: str | None = None) -> Graph:
    """``data`` as an rdflib Graph, for pySHACL. Raises :class:`ShaclRefusal` for an RDF 1.2
    triple term, which rdflib cannot hold (``why``: why pySHACL is asked, if not by choice)."""
    if isinstance(data, Graph):
        return data
    from vitd_kg.rdf.terms import to_rdflib

    graph = Graph()
    for triple in data:
        if isinstance(triple.subject, ox.Triple) or isinstance(triple.object, ox.Triple):
            raise ShaclRefusal(
                f"the data holds an RDF 1.2 triple term ({triple}), which pySHACL cannot read"
                + (f", and the fast engine cannot validate these data: {why}" if why else ""),
                feature="RDF 1.2 triple terms",
                hint="pySHACL reads RDF 1.1 only, the fast engine reads triple terms: "
                + ("fix what keeps the fast engine out (above)" if why else "use --engine auto"),
            )
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return graph


#: Boolean parameters that SHACL activates only with the literal true.
_BOOLEAN_PARAMETERS = (SH.uniqueLang, SH.deactivated, SH.closed, SH.qualifiedValueShapesDisjoint)


def load_shapes(*paths) -> Graph:
    """Read shapes files (any RDF syntax Oxigraph reads, chosen by extension) into one Graph.

    They are parsed with Oxigraph, which keeps literals as written: rdflib's own parser
    turns ``"1"^^xsd:boolean`` into ``"true"``, and so would switch on a parameter that
    SHACL leaves off (W3C test core/property/uniqueLang-002). Such triples are dropped here.
    Raises ``SyntaxError`` / ``OSError`` for a file that cannot be read.
    """
    from pathlib import Path

    from vitd_kg.rdf.terms import to_rdflib

    graph = Graph()
    graph.bind("sh", SH)
    for path in paths:
        path = Path(path)
        rdf_format = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
        parser = ox.parse(path=path, format=rdf_format, base_iri=path.resolve().as_uri())
        for quad in parser:
            if quad.predicate.value in _BOOLEAN_IRIS and not (
                isinstance(quad.object, ox.Literal) and quad.object.value == "true"
                and quad.object.datatype.value == str(XSD.boolean)
            ):
                continue
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        for prefix, namespace in (getattr(parser, "prefixes", None) or {}).items():
            graph.bind(prefix, namespace, override=False)
    return graph


_BOOLEAN_IRIS = {str(p) for p in _BOOLEAN_PARAMETERS}


def _normalised(shapes: Graph) -> Graph:
    """The shapes as SHACL reads them: a boolean parameter (sh:uniqueLang, sh:deactivated,
    sh:closed) is active only when it is ``true``; pySHACL also takes ``"1"^^xsd:boolean``
    (W3C test core/property/uniqueLang-002), so such triples are dropped from a copy. A
    Graph that rdflib parsed has already lost the difference: :func:`load_shapes` keeps it."""
    odd = [
        (s, p, o)
        for p in _BOOLEAN_PARAMETERS
        for s, o in shapes.subject_objects(p)
        if o != Literal(True) and not (isinstance(o, Literal) and o.datatype == XSD.boolean and str(o) == "true")
    ]
    if not odd:
        return shapes
    copy = Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace, override=True)
    for triple in shapes:
        copy.add(triple)
    for triple in odd:
        copy.remove(triple)
    return copy


def _refuse_for_every_engine(shapes: Graph) -> None:
    """Shapes that SHACL says an engine must refuse, or that pySHACL would get wrong."""
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = shapes.value(constraint, SH.select)
        if select is None:
            continue
        problem = fast_shacl.sparql_refusal(str(select))
        if problem:
            raise ShaclRefusal(f"{fast_shacl.shape_name(shapes, shape)} uses {problem}", shape=shape, feature=problem)
    for component in shapes.subjects(RDF.type, SH.ConstraintComponent):
        for validator in [*shapes.objects(component, SH.validator), *shapes.objects(component, SH.nodeValidator),
                          *shapes.objects(component, SH.propertyValidator)]:
            select = shapes.value(validator, SH.select) or shapes.value(validator, SH.ask)
            parameters = [str(shapes.value(p, SH.path)).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                          for p in shapes.objects(component, SH.parameter)]
            problem = fast_shacl.sparql_refusal(str(select), ["value", *parameters]) if select is not None else None
            if problem:
                raise ShaclRefusal(f"the constraint component {fast_shacl.shape_name(shapes, component)} uses {problem}",
                                   shape=component, feature=problem)


def _pyshacl(data: Graph, shapes: Graph) -> ShaclReport:
    """pySHACL, the reference: its results graph read back into a ShaclReport."""
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        _, results_graph, _ = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False
        )
    except (ReportableRuntimeError, NotImplementedError) as error:
        raise ShaclRefusal(f"pySHACL, the reference engine, cannot validate these shapes: "
                           f"{getattr(error, 'message', error)}", feature="refused by pySHACL") from None
    finally:
        logger.setLevel(level)
    if not isinstance(results_graph, Graph):  # pySHACL returns its ValidationFailure instead of a report
        raise ShaclRefusal(f"pySHACL, the reference engine, refused these shapes: "
                           f"{getattr(results_graph, 'message', results_graph)}", feature="refused by pySHACL")
    report = report_from_graph(results_graph)
    # SHACL: the data conforms when there is no result at all, whatever its severity
    report.conforms, report.engine = not report.results, "pyshacl"
    return report


def report_graph(report: ShaclReport, shapes: Graph | None = None) -> Graph:
    """A standard ``sh:ValidationReport`` graph of ``report`` (blank-node paths and shapes
    copied from ``shapes``, so the graph stands alone): :meth:`ShaclReport.graph`."""
    return report.graph(shapes)


def report_turtle(report: ShaclReport, shapes: Graph | None = None) -> str:
    """The report as Turtle, readable by pySHACL, Jena and TopBraid."""
    return report.turtle(shapes)


def read_report(turtle: str) -> ShaclReport:
    """Read a ``sh:ValidationReport`` in Turtle (written by any engine) into a ShaclReport."""
    return report_from_graph(Graph().parse(data=turtle, format="turtle"))


__all__ = ["ENGINES", "ShaclRefusal", "ShaclReport", "ShaclResult", "load_shapes", "prepare", "read_report",
           "report_graph", "report_turtle", "validate_graphs"]

