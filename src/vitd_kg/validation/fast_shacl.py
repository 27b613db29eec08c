"""SHACL validation compiled to SPARQL and run on the Oxigraph store.

pySHACL walks the data graph in Python, node by node; on large graphs that dominates
validation time. This module reads the shapes graph once and turns each constraint of
SHACL Core that the shapes use into one SPARQL SELECT that returns the violating
(focus node, value) pairs, run by Oxigraph over the whole graph at once. The report has
the same results as pySHACL's (focus node, path, value, source shape, constraint
component, severity, and the shape's own ``sh:message``); pySHACL's generated messages
for shapes that give none are not reproduced.

Supported: node shapes with ``sh:targetClass`` (with ``rdfs:subClassOf*``, as SHACL
instances are defined), ``sh:targetNode``, ``sh:targetSubjectsOf``,
``sh:targetObjectsOf`` and implicit class targets; property shapes whose ``sh:path`` is
any SHACL path; the constraints ``sh:minCount``, ``sh:maxCount``, ``sh:datatype``,
``sh:class``, ``sh:nodeKind``, ``sh:in``, ``sh:hasValue``, ``sh:pattern`` (with
``sh:flags``), ``sh:minLength``, ``sh:maxLength``, ``sh:minInclusive``,
``sh:maxInclusive``, ``sh:minExclusive``, ``sh:maxExclusive``, ``sh:lessThan``,
``sh:lessThanOrEquals``, ``sh:or`` and ``sh:qualifiedValueShape`` (with
``sh:qualifiedMinCount`` / ``sh:qualifiedMaxCount``) whose member shapes use only the
value constraints above (``sh:class``, ``sh:datatype``, ...), and SPARQL-based
constraints (``sh:sparql`` with ``sh:select`` and ``sh:prefixes``, messages filled in
from the solution as pySHACL does); ``sh:severity``, ``sh:message`` and
``sh:deactivated``. :func:`unsupported_features` names anything else a shapes graph
uses (``sh:node``, ``sh:xone``, ...): :func:`validate_store` then refuses, and callers
run pySHACL, the reference, instead.

``sh:lessThan`` / ``sh:lessThanOrEquals`` compare as pySHACL does: IRIs and plain or
language-tagged strings by their text, a string with a non-string never, other literals
with SPARQL's ``<`` / ``<=``, where a pair that cannot be compared is a violation (as in
the SHACL spec; pySHACL falls back to rdflib's ordering of datatypes for literals of two
unrelated datatypes, and stops with an error on blank nodes).

Regular expressions run in Oxigraph's engine (Rust ``regex`` syntax), which differs from
Python's ``re`` for look-around and back-references; the shapes use neither.

>>> import pyoxigraph as ox
>>> from rdflib import Graph
>>> shapes = Graph().parse(format="turtle", data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
...   ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .''')
>>> store = ox.Store()
>>> store.load(b"<http://example.org/a> a <http://example.org/C> .", format=ox.RdfFormat.TURTLE)
>>> report = validate_store(store, shapes)
>>> report.conforms, str(report.results[0].focus_node)
(False, 'http://example.org/a')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from vitd_kg.rdf.terms import RdflibTerm, to_rdflib

#: Parameters that this module compiles; any other sh: parameter on a shape is unsupported.
_VALUE_PARAMETERS = {
    SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.pattern, SH.minLength, SH.maxLength,
    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
}
_COUNT_PARAMETERS = {SH.minCount, SH.maxCount, SH.hasValue}
#: Parameters whose arguments are shapes (or lists of them) that value nodes are checked against.
_SHAPE_PARAMETERS = {SH["or"], SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount}
_PAIR_PARAMETERS = {SH.lessThan, SH.lessThanOrEquals}
#: What a member shape of sh:or or sh:qualifiedValueShape may use: value constraints only.
_MEMBER_PARAMETERS = _VALUE_PARAMETERS | {SH.flags, SH.message, SH.deactivated, SH.name, SH.description}
_OTHER_PARAMETERS = {
    SH.path, SH.property, SH.sparql, SH.severity, SH.message, SH.deactivated, SH.flags,
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
}
_COMPONENT = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
}
_NODE_KIND_TEST = {
    SH.IRI: "isIRI(?v)",
    SH.BlankNode: "isBlank(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))",
    SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
}
#: Datatypes whose lexical forms Oxigraph checks when casting: an ill-typed literal
#: ("abc"^^xsd:integer) fails the cast, as it fails rdflib's ``ill_typed`` test.
#: (rdflib does not check xsd:gYear lexical forms, so neither does this engine.)
_CASTABLE = {
    XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime, XSD.time, XSD.duration,
}
_RANGE_OPERATOR = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}


class UnsupportedShapes(ValueError):
    """The shapes use SHACL features this engine does not compile; use pySHACL."""


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One ``sh:ValidationResult``; terms are rdflib terms, shape nodes those of the shapes graph."""

    focus_node: RdflibTerm
    result_path: RdflibTerm | None
    value: RdflibTerm | None
    source_shape: RdflibTerm
    constraint_component: URIRef
    severity: URIRef
    messages: tuple[str, ...] = ()


@dataclass
class ValidationReport:
    """``conforms`` is true when there is no result at all (of any severity), as in SHACL."""

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)

    def graph(self) -> Graph:
        """The report as a SHACL validation report graph."""
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
        return graph


def unsupported_features(shapes: Graph) -> list[str]:
    """SHACL parameters used by active shapes that this engine does not compile (sorted)."""
    found: set[str] = set()
    supported = _VALUE_PARAMETERS | _COUNT_PARAMETERS | _OTHER_PARAMETERS | _SHAPE_PARAMETERS | _PAIR_PARAMETERS
    for shape in _shapes(shapes):
        for parameter in set(shapes.predicates(shape)):
            if str(parameter).startswith(str(SH)) and parameter not in supported:
                found.add(shapes.qname(parameter))
        for member in _member_shapes(shapes, shape):
            for parameter in set(shapes.predicates(member)):
                if str(parameter).startswith(str(SH)) and parameter not in _MEMBER_PARAMETERS:
                    found.add(f"{shapes.qname(parameter)} in a member shape of sh:or or sh:qualifiedValueShape")
        for constraint in shapes.objects(shape, SH.sparql):
            if shapes.value(constraint, SH.select) is None:
                found.add("sh:sparql without sh:select")
    return sorted(found)


def validate_store(store: ox.Store, shapes: Graph) -> ValidationReport:
    """Validate the default graph of ``store`` (ontology and data) against ``shapes``.

    Raises :class:`UnsupportedShapes` if the shapes use a feature this engine does not
    compile (see :func:`unsupported_features`).
    """
    missing = unsupported_features(shapes)
    if missing:
        raise UnsupportedShapes("shapes use SHACL features the fast engine lacks: " + ", ".join(missing))
    results: list[ValidationResult] = []
    for shape in _shapes(shapes):
        targets = _target_pattern(shapes, shape)
        if targets is None:
            continue
        severity = shapes.value(shape, SH.severity) or SH.Violation
        messages = tuple(sorted(str(m) for m in shapes.objects(shape, SH.message)))
        is_property = shapes.value(shape, SH.path) is not None
        path = shapes.value(shape, SH.path)
        value_pattern = f"?this {_path_sparql(shapes, path)} ?v ." if is_property else "BIND(?this AS ?v)"
        for parameter, argument, query in _constraint_queries(shapes, shape, targets, value_pattern, is_property):
            component = _COMPONENT[parameter]
            for solution in store.query(query):
                value = solution["v"]
                results.append(
                    ValidationResult(
                        focus_node=to_rdflib(solution["this"]),
                        result_path=path,
                        value=to_rdflib(value) if value is not None else None,
                        source_shape=shape,
                        constraint_component=component,
                        severity=severity,
                        messages=messages,
                    )
                )
        for constraint in shapes.objects(shape, SH.sparql):
            results.extend(_sparql_constraint(store, shapes, shape, constraint, targets, path, severity, messages))
    results.sort(key=_sort_key)
    return ValidationReport(conforms=not results, results=results)


def report_from_pyshacl(results_graph: Graph) -> ValidationReport:
    """Read a pySHACL results graph into a :class:`ValidationReport` (to compare engines)."""
    report = results_graph.value(predicate=RDF.type, object=SH.ValidationReport)
    conforms = bool(results_graph.value(report, SH.conforms).toPython())
    results = [
        ValidationResult(
            focus_node=results_graph.value(node, SH.focusNode),
            result_path=results_graph.value(node, SH.resultPath),
            value=results_graph.value(node, SH.value),
            source_shape=results_graph.value(node, SH.sourceShape),
            constraint_component=results_graph.value(node, SH.sourceConstraintComponent),
            severity=results_graph.value(node, SH.resultSeverity),
            messages=tuple(sorted(str(m) for m in results_graph.objects(node, SH.resultMessage))),
        )
        for node in results_graph.objects(report, SH.result)
    ]
    results.sort(key=_sort_key)
    return ValidationReport(conforms=conforms, results=results)


def _sort_key(result: ValidationResult) -> tuple[str, ...]:
    return tuple("" if t is None else str(t) for t in (
        result.focus_node, result.result_path, result.value, result.source_shape, result.constraint_component
    ))


# --- shapes ------------------------------------------------------------------------------


def _shapes(shapes: Graph) -> Iterator[RdflibTerm]:
    """Active node shapes, then each of their active property shapes."""
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    for parameter in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property):
        node_shapes.update(shapes.subjects(parameter, None))
    for shape in sorted(node_shapes, key=str):
        if _deactivated(shapes, shape):
            continue
        yield shape
        for property_shape in sorted(shapes.objects(shape, SH.property), key=str):
            if not _deactivated(shapes, property_shape):
                yield property_shape


def _deactivated(shapes: Graph, shape: RdflibTerm) -> bool:
    return shapes.value(shape, SH.deactivated) == Literal(True)


def _parents(shapes: Graph, shape: RdflibTerm) -> list[RdflibTerm]:
    return list(shapes.subjects(SH.property, shape))


def _target_pattern(shapes: Graph, shape: RdflibTerm) -> str | None:
    """A SPARQL group binding ``?this`` to the focus nodes of a shape (a property shape's
    focus nodes are those of the node shapes that hold it); None if it has none."""
    if shapes.value(shape, SH.path) is not None:
        parents = [p for p in (_target_pattern(shapes, n) for n in _parents(shapes, shape)) if p]
        return " UNION ".join(parents) if parents else None
    groups = []
    classes = set(shapes.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in shapes or any(shapes.triples((shape, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))):
        classes.add(shape)
    for cls in sorted(classes, key=str):
        groups.append(f"{{ ?this a/<{RDFS.subClassOf}>* {_term(cls)} . }}")
    nodes = sorted(shapes.objects(shape, SH.targetNode), key=str)
    if nodes:
        groups.append("{ VALUES ?this { " + " ".join(_term(n) for n in nodes) + " } }")
    for prop in sorted(shapes.objects(shape, SH.targetSubjectsOf), key=str):
        groups.append(f"{{ ?this {_term(prop)} [] . }}")
    for prop in sorted(shapes.objects(shape, SH.targetObjectsOf), key=str):
        groups.append(f"{{ [] {_term(prop)} ?this . }}")
    if not groups:
        return None
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(groups) + " } }"


def _path_sparql(shapes: Graph, path: RdflibTerm) -> str:
    """A SHACL path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return _term(path)
    if (path, RDF.first, None) in shapes:
        return "(" + "/".join(_path_sparql(shapes, p) for p in Collection(shapes, path)) + ")"
    for parameter, template in (
        (SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?"),
    ):
        inner = shapes.value(path, parameter)
        if inner is not None:
            return "(" + template.format(_path_sparql(shapes, inner)) + ")"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_sparql(shapes, p) for p in Collection(shapes, alternatives)) + ")"
    raise UnsupportedShapes(f"cannot read the SHACL path {path}")


def _term(term: RdflibTerm) -> str:
    """A term in SPARQL syntax (IRIs and literals; shapes name no blank nodes in data)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise UnsupportedShapes(f"a blank node {term} cannot be named in a query")


# --- constraints ---------------------------------------------------------------------------


def _constraint_queries(
    shapes: Graph, shape: RdflibTerm, targets: str, value_pattern: str, is_property: bool
) -> Iterator[tuple[URIRef, RdflibTerm, str]]:
    """(parameter, argument, query) for each core constraint of one shape. Every query
    selects ``?this`` and, where the result names a value, ``?v``."""
    for parameter, argument in sorted(shapes.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
        if parameter in _VALUE_PARAMETERS:
            test = _value_test(shapes, shape, parameter, argument)
            yield parameter, argument, f"SELECT DISTINCT ?this ?v WHERE {{ {targets} {value_pattern} FILTER({test}) }}"
        elif parameter == SH.minCount and is_property:
            count = int(argument)
            if count == 1:  # OPTIONAL, not FILTER NOT EXISTS: Oxigraph re-runs the latter per row
                query = (
                    f"SELECT DISTINCT ?this ?v WHERE {{ {targets} "
                    f"OPTIONAL {{ {value_pattern.replace('?v', '?v0')} }} FILTER(!BOUND(?v0)) }}"
                )
            else:
                query = (
                    f"SELECT ?this ?v WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?v0) AS ?n) WHERE {{ {targets} "
                    f"OPTIONAL {{ {value_pattern.replace('?v', '?v0')} }} }} GROUP BY ?this }} FILTER(?n < {count}) }}"
                )
            yield parameter, argument, query
        elif parameter == SH.maxCount and is_property:
            query = (
                f"SELECT ?this ?v WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?v0) AS ?n) WHERE {{ {targets} "
                f"{value_pattern.replace('?v', '?v0')} }} GROUP BY ?this }} FILTER(?n > {int(argument)}) }}"
            )
            yield parameter, argument, query
        elif parameter == SH["or"]:
            members = list(Collection(shapes, argument))
            test = " && ".join(f"({_violates(shapes, member)})" for member in members) or "true"
            yield parameter, argument, f"SELECT DISTINCT ?this ?v WHERE {{ {targets} {value_pattern} FILTER({test}) }}"
        elif parameter in _PAIR_PARAMETERS:
            test = _not_less(parameter == SH.lessThanOrEquals)
            # one result per pair of value and compared value, as pySHACL reports them
            yield parameter, argument, (
                f"SELECT DISTINCT ?this ?v ?w WHERE {{ {targets} {value_pattern} ?this {_term(argument)} ?w . "
                f"FILTER({test}) }}"
            )
        elif parameter in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
            operator = "<" if parameter == SH.qualifiedMinCount else ">"
            for member in sorted(shapes.objects(shape, SH.qualifiedValueShape), key=str):
                conforming = value_pattern.replace("?v", "?q") + f" FILTER(!({_violates(shapes, member, '?q')}))"
                yield parameter, argument, (
                    f"SELECT ?this ?v WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?q) AS ?n) WHERE {{ {targets} "
                    f"OPTIONAL {{ {conforming} }} }} GROUP BY ?this }} FILTER(?n {operator} {int(argument)}) }}"
                )
        elif parameter == SH.hasValue:
            query = (
                f"SELECT DISTINCT ?this ?v WHERE {{ {targets} OPTIONAL {{ {value_pattern.replace('?v', '?v0')} "
                f"FILTER(sameTerm(?v0, {_term(argument)})) }} FILTER(!BOUND(?v0)) }}"
            )
            yield parameter, argument, query


def _member_shapes(shapes: Graph, shape: RdflibTerm) -> list[RdflibTerm]:
    """The shapes that the value nodes of ``shape`` are checked against by sh:or and sh:qualifiedValueShape."""
    members = list(shapes.objects(shape, SH.qualifiedValueShape))
    for members_list in shapes.objects(shape, SH["or"]):
        members.extend(Collection(shapes, members_list))
    return members


def _violates(shapes: Graph, member: RdflibTerm, var: str = "?v") -> str:
    """A SPARQL expression true when the node ``var`` does not conform to a member shape
    (one that has only value constraints: see :func:`unsupported_features`)."""
    if _deactivated(shapes, member):
        return "false"
    tests = [
        _value_test(shapes, member, parameter, argument)
        for parameter, argument in sorted(shapes.predicate_objects(member), key=lambda po: (str(po[0]), str(po[1])))
        if parameter in _VALUE_PARAMETERS
    ]
    if not tests:
        return "false"
    return " || ".join(f"({test})" for test in tests).replace("?v", var)


def _not_less(or_equal: bool) -> str:
    """A SPARQL expression true when value ``?v`` is not less than (or equal to) ``?w``,
    comparing as pySHACL does (see the module docstring)."""
    operator = "<=" if or_equal else "<"

    def is_string(var: str) -> str:
        return f'(isIRI({var}) || (isLiteral({var}) && (DATATYPE({var}) = <{XSD.string}> || LANG({var}) != "")))'

    return (
        f"IF({is_string('?v')} && {is_string('?w')}, !(STR(?v) {operator} STR(?w)), "
        f"IF({is_string('?v')} || {is_string('?w')}, true, !COALESCE(?v {operator} ?w, false)))"
    )


def _value_test(shapes: Graph, shape: RdflibTerm, parameter: URIRef, argument: RdflibTerm) -> str:
    """A SPARQL expression true for a value node ``?v`` that violates the constraint."""
    if parameter == SH["class"]:
        return f"NOT EXISTS {{ ?v a/<{RDFS.subClassOf}>* {_term(argument)} }}"
    if parameter == SH.datatype:
        return "!(" + _datatype_ok(argument) + ")"
    if parameter == SH.nodeKind:
        return "!" + _NODE_KIND_TEST[argument]
    if parameter == SH["in"]:
        allowed = list(Collection(shapes, argument))
        if not allowed:
            return "true"
        return "!(" + " || ".join(f"sameTerm(?v, {_term(a)})" for a in allowed) + ")"
    if parameter == SH.pattern:
        flags = shapes.value(shape, SH.flags)
        flag_arg = f", {Literal(str(flags)).n3()}" if flags is not None else ""
        return f"isBlank(?v) || !regex(STR(?v), {Literal(str(argument)).n3()}{flag_arg})"
    if parameter in (SH.minLength, SH.maxLength):
        operator = "<" if parameter == SH.minLength else ">"
        return f"isBlank(?v) || STRLEN(STR(?v)) {operator} {int(argument)}"
    operator = _RANGE_OPERATOR[parameter]
    return f"!COALESCE(?v {operator} {_term(argument)}, false)"


def _datatype_ok(datatype: RdflibTerm) -> str:
    if datatype == RDF.langString:
        return 'isLiteral(?v) && LANG(?v) != ""'
    if datatype == RDFS.Literal:
        return "isLiteral(?v)"
    test = f"isLiteral(?v) && DATATYPE(?v) = {_term(datatype)}"
    if datatype == XSD.string:
        test += ' && LANG(?v) = ""'
    if datatype in _CASTABLE:
        test += f" && COALESCE(isLiteral({_term(datatype)}(STR(?v))), false)"
    return test


def _sparql_constraint(
    store: ox.Store,
    shapes: Graph,
    shape: RdflibTerm,
    constraint: RdflibTerm,
    targets: str,
    path: RdflibTerm | None,
    severity: URIRef,
    messages: tuple[str, ...],
) -> Iterator[ValidationResult]:
    """A SPARQL-based constraint, run once for all focus nodes.

    SHACL pre-binds ``$this`` to each focus node, and forbids in such queries the
    constructs where pre-binding and a join differ (MINUS, VALUES, sub-SELECTs, SERVICE,
    ``AS $this``). So the target pattern is joined in, first, in the query's top group:
    one query over the graph instead of one per focus node.
    """
    if _deactivated(shapes, constraint):
        return
    select = str(shapes.value(constraint, SH.select))
    if path is not None:
        select = select.replace("$PATH", _path_sparql(shapes, path))
    opening = _top_group_start(select)
    select = select[: opening + 1] + f" {targets} " + select[opening + 1 :]
    select = _with_prefixes(shapes, constraint, select)
    templates = sorted({str(m) for m in shapes.objects(constraint, SH.message)} | set(messages))
    solutions = store.query(select)
    names = [variable.value for variable in solutions.variables]
    seen: set[tuple] = set()
    for solution in solutions:
        bound = {name: solution[name] for name in names if solution[name] is not None}
        if _is_true(bound.pop("failure", None)):
            continue
        focus, result_path, value = bound.pop("this", None), bound.pop("path", None), bound.pop("value", None)
        key = (focus, result_path, value, tuple(sorted((k, str(v)) for k, v in bound.items())))
        if key in seen:  # pySHACL reports each distinct solution once
            continue
        seen.add(key)
        focus_node = to_rdflib(focus)
        result_value = to_rdflib(value) if value is not None else (focus_node if path is None else None)
        variables = {name: to_rdflib(term) for name, term in bound.items()}
        variables.update(this=focus_node, value=result_value)
        if result_path is not None:
            variables["path"] = to_rdflib(result_path)
        yield ValidationResult(
            focus_node=focus_node,
            result_path=to_rdflib(result_path) if result_path is not None else path,
            value=result_value,
            source_shape=shape,
            constraint_component=SH.SPARQLConstraintComponent,
            severity=severity,
            messages=tuple(sorted({_fill_template(m, variables) for m in templates})),
        )


def _fill_template(message: str, variables: dict[str, RdflibTerm | None]) -> str:
    """A SPARQL constraint's message with ``{$var}`` / ``{?var}`` replaced by the solution's
    values, exactly as pySHACL fills them (``str`` of the rdflib term)."""
    import re

    for name, term in variables.items():
        if term is not None:
            message = re.sub("{{[?$]{}}}".format(name), str(term), message)
    return message


def _top_group_start(select: str) -> int:
    """Index of the ``{`` that opens the WHERE group of a SELECT query."""
    import re

    match = re.search(r"\bWHERE\s*\{", select, flags=re.IGNORECASE) or re.search(r"\bSELECT\b[^{]*\{", select, flags=re.IGNORECASE)
    if match is None:
        raise UnsupportedShapes(f"cannot find the WHERE group of the SPARQL constraint: {select[:80]!r}")
    return match.end() - 1


def _is_true(term: ox.Literal | None) -> bool:
    return term is not None and isinstance(term, ox.Literal) and term.value == "true"


def _with_prefixes(shapes: Graph, constraint: RdflibTerm, query: str) -> str:
    declarations = []
    for ontology in shapes.objects(constraint, SH.prefixes):
        for declare in shapes.objects(ontology, SH.declare):
            prefix = shapes.value(declare, SH.prefix)
            namespace = shapes.value(declare, SH.namespace)
            declarations.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(declarations)) + [query])

