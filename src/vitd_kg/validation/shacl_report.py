"""A SHACL validation report as SHACL defines it: :class:`ShaclResult` and :class:`ShaclReport`.

This is the engine level, the same whichever engine produced it: results are rdflib terms
(the focus node and value as the data wrote them, the shape as the shapes graph names it),
with no file or line. The report users read, with files and lines, is
:class:`vitd_kg.validation.report.ValidationReport`, built from this one.

:meth:`ShaclReport.graph` writes a standard ``sh:ValidationReport`` graph (what pySHACL,
Jena and TopBraid print) and :func:`report_from_graph` is the one reader of such a graph,
whoever wrote it (pySHACL's results graph, or a Turtle report read back).

>>> from rdflib import URIRef
>>> from rdflib.namespace import SH
>>> result = ShaclResult(URIRef("http://example.org/a"), URIRef("http://example.org/p"), None,
...                      URIRef("http://example.org/S"), SH.MinCountConstraintComponent, SH.Violation)
>>> report = ShaclReport(conforms=False, results=[result])
>>> report_from_graph(report.graph()) == report
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from vitd_kg.rdf.terms import RdflibTerm


@dataclass(frozen=True, order=True)
class ShaclResult:
    """One ``sh:ValidationResult``: rdflib terms; ``source_shape`` is a node of the shapes graph;
    ``messages`` the ``sh:resultMessage`` values, sorted."""

    focus_node: RdflibTerm
    result_path: RdflibTerm | None
    value: RdflibTerm | None
    source_shape: RdflibTerm
    constraint_component: URIRef
    severity: URIRef
    messages: tuple[str, ...] = ()


@dataclass
class ShaclReport:
    """A SHACL validation report.

    ``conforms`` is SHACL's: true when there is no result at all, of any severity.
    ``results`` are sorted (:func:`sort_key`). ``engine`` is the engine that produced it
    (``fast`` or ``pyshacl``; empty for a report read back from a graph) and ``notes`` say
    why the default engine fell back to pySHACL, if it did; two reports with the same
    verdict and results are equal whatever produced them.
    """

    conforms: bool
    results: list[ShaclResult] = field(default_factory=list)
    engine: str = field(default="fast", compare=False)
    notes: list[str] = field(default_factory=list, compare=False)

    def graph(self, shapes: Graph | None = None) -> Graph:
        """The report as a SHACL validation report graph. With ``shapes``, the blank nodes
        of result paths and source shapes come with their triples, so the graph stands
        alone, and the shapes' prefixes are bound."""
        graph = Graph()
        graph.bind("sh", SH)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for result in self.results:
            node = BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, result.focus_node))
            graph.add((node, SH.sourceShape, result.source_shape))
            graph.add((node, SH.sourceConstraintComponent, result.constraint_component))
            graph.add((node, SH.resultSeverity, result.severity))
            if result.result_path is not None:
                graph.add((node, SH.resultPath, result.result_path))
            if result.value is not None:
                graph.add((node, SH.value, result.value))
            for message in result.messages:
                graph.add((node, SH.resultMessage, Literal(message)))
            if shapes is not None:
                _copy_path(shapes, graph, result.result_path)
                _copy_blank(shapes, graph, result.source_shape)
        if shapes is not None:
            for prefix, namespace in shapes.namespaces():
                if prefix and not prefix.startswith("ns"):
                    graph.bind(prefix, namespace, override=False)
        return graph

    def turtle(self, shapes: Graph | None = None) -> str:
        """The report graph (:meth:`graph`) as Turtle."""
        return self.graph(shapes).serialize(format="turtle")


def sort_key(result: ShaclResult) -> tuple[str, ...]:
    """The order of results in a report: focus node, path, value, shape, component."""
    return tuple("" if t is None else str(t) for t in (
        result.focus_node, result.result_path, result.value, result.source_shape, result.constraint_component
    ))


def report_from_graph(graph: Graph) -> ShaclReport:
    """Read a ``sh:ValidationReport`` graph (pySHACL's results graph, or any engine's report)."""
    report = graph.value(predicate=RDF.type, object=SH.ValidationReport)
    conforms = bool(graph.value(report, SH.conforms).toPython())
    results = [
        ShaclResult(
            focus_node=graph.value(node, SH.focusNode),
            result_path=graph.value(node, SH.resultPath),
            value=graph.value(node, SH.value),
            source_shape=graph.value(node, SH.sourceShape),
            constraint_component=graph.value(node, SH.sourceConstraintComponent),
            severity=graph.value(node, SH.resultSeverity),
            messages=tuple(sorted(str(m) for m in graph.objects(node, SH.resultMessage))),
        )
        for node in graph.objects(report, SH.result)
    ]
    results.sort(key=sort_key)
    return ShaclReport(conforms=conforms, results=results, engine="")


def _copy_path(source: Graph, target: Graph, path) -> None:
    """Copy a SHACL path's structure (a list first, as SHACL reads it) into ``target``."""
    if not isinstance(path, BNode):
        return
    if (path, RDF.first, None) in source:
        node = path
        while node != RDF.nil and node is not None:
            first, rest = source.value(node, RDF.first), source.value(node, RDF.rest)
            target.add((node, RDF.first, first))
            target.add((node, RDF.rest, rest))
            _copy_path(source, target, first)
            node = rest
        return
    for parameter in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath, SH.alternativePath):
        inner = source.value(path, parameter)
        if inner is not None:
            target.add((path, parameter, inner))
            _copy_path(source, target, inner)
            return


def _copy_blank(source: Graph, target: Graph, term, seen: set | None = None) -> None:
    """Copy the triples a blank node starts (recursively) from ``source`` into ``target``."""
    seen = set() if seen is None else seen
    if not isinstance(term, BNode) or term in seen:
        return
    seen.add(term)
    for p, o in source.predicate_objects(term):
        target.add((term, p, o))
        _copy_blank(source, target, o, seen)


__all__ = ["ShaclReport", "ShaclResult", "report_from_graph", "sort_key"]
