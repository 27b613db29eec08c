"""SHACL shapes in words, for the documentation site.

Every node shape becomes a :class:`ShapeDoc` with its targets, its description and
one line per constraint ("vitd:sourceSentence: exactly 1, each a vitd:SourceSentence").
Constraint parameters this module has no phrase for are still listed, as
``sh:parameter value``, so the page never hides a rule.

>>> from rdflib import Graph
>>> g = Graph().parse(data='''
... @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix vitd: <https://w3id.org/vitd-kg/ontology#> .
... <urn:s> a sh:NodeShape ; sh:targetClass vitd:Claim ;
...   sh:property [ sh:path vitd:modality ; sh:minCount 1 ; sh:class vitd:Modality ] .
... ''', format="turtle")
>>> [c.text for c in describe_shapes(g)[0].constraints]
['vitd:modality: at least 1, each a vitd:Modality']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from vitd_kg import namespaces
from vitd_kg.namespaces import PREFIXES

SH = Namespace("http://www.w3.org/ns/shacl#")

#: Parameters shown as part of another phrase or as the shape's own fields.
_HANDLED = {
    SH.path, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH["in"],
    SH.minInclusive, SH.minExclusive, SH.maxInclusive, SH.maxExclusive, SH.minLength,
    SH.maxLength, SH.pattern, SH.flags, SH.hasValue, SH["or"], SH["and"], SH["not"], SH.xone,
    SH.lessThan, SH.lessThanOrEquals, SH.equals, SH.disjoint, SH.qualifiedValueShape,
    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.message, SH.severity, SH.name,
    SH.description, SH.node, SH.languageIn, RDF.type, RDFS.comment, RDFS.label,
    SH.property, SH.sparql, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
    SH.targetObjectsOf, SH.deactivated, SH.order, SH.group, SH.closed, SH.ignoredProperties,
    SH.prefixes, SH.declare,
}


@dataclass
class ConstraintDoc:
    """One rule of a shape, in words, with the message a violation prints."""

    text: str
    message: str = ""
    severity: str = ""
    sparql: str = ""


@dataclass
class ShapeDoc:
    """One node shape: its name, targets, description and rules."""

    name: str
    targets: list[str]
    description: str
    constraints: list[ConstraintDoc] = field(default_factory=list)


_WITH_SHACL = {**PREFIXES, "sh": str(SH)}


def term_text(term) -> str:
    """A CURIE for IRIs in a known namespace (plus sh:), the lexical form for literals."""
    if isinstance(term, Literal):
        return str(term)
    if not isinstance(term, URIRef):
        return "[]"
    return namespaces.curie(str(term), brackets=True, prefixes=_WITH_SHACL)


def path_text(graph: Graph, path) -> str:
    """A SHACL property path in SPARQL syntax (``^vitd:restsOn``, ``a/b``, ``(a|b)*``)."""
    if isinstance(path, URIRef):
        return term_text(path)
    if (path, RDF.first, None) in graph:
        return "/".join(path_text(graph, p) for p in Collection(graph, path))
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(path_text(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    return "?"


def _count(low, high) -> str | None:
    if low is None and high is None:
        return None
    if low is not None and high is not None:
        return f"exactly {low}" if int(low) == int(high) else f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def rule_phrases(graph: Graph, node) -> list[str]:
    """The constraints on ``node`` (a shape) as short phrases, in a stable order."""
    value = lambda p: graph.value(node, p)  # noqa: E731 - a local shorthand
    phrases: list[str] = []
    count = _count(value(SH.minCount), value(SH.maxCount))
    if count:
        phrases.append(count)
    for cls in sorted(graph.objects(node, SH["class"])):
        phrases.append(f"each a {term_text(cls)}")
    if value(SH.datatype) is not None:
        phrases.append(f"of type {term_text(value(SH.datatype))}")
    if value(SH.nodeKind) is not None:
        phrases.append({"sh:IRI": "an IRI", "sh:Literal": "a literal", "sh:BlankNode": "a blank node"}.get(
            term_text(value(SH.nodeKind)), f"node kind {term_text(value(SH.nodeKind))}"))
    if value(SH["in"]) is not None:
        phrases.append("one of " + ", ".join(f"“{term_text(v)}”" if isinstance(v, Literal) else term_text(v)
                                             for v in Collection(graph, value(SH["in"]))))
    for predicate, symbol in ((SH.minInclusive, "≥"), (SH.minExclusive, ">"), (SH.maxInclusive, "≤"), (SH.maxExclusive, "<")):
        if value(predicate) is not None:
            phrases.append(f"{symbol} {value(predicate)}")
    if value(SH.minLength) is not None:
        low = int(value(SH.minLength))
        phrases.append("non-empty" if low == 1 else f"at least {low} characters")
    if value(SH.maxLength) is not None:
        phrases.append(f"at most {value(SH.maxLength)} characters")
    if value(SH.pattern) is not None:
        phrases.append(f"matches /{value(SH.pattern)}/{value(SH.flags) or ''}")
    if value(SH.languageIn) is not None:
        phrases.append("language one of " + ", ".join(str(v) for v in Collection(graph, value(SH.languageIn))))
    if value(SH.hasValue) is not None:
        phrases.append(f"includes {term_text(value(SH.hasValue))}")
    for predicate, words in ((SH.lessThan, "less than"), (SH.lessThanOrEquals, "at most"),
                             (SH.equals, "equal to"), (SH.disjoint, "none of")):
        for other in sorted(graph.objects(node, predicate)):
            phrases.append(f"{words} the values of {term_text(other)}")
    for shape in sorted(graph.objects(node, SH.node)):
        phrases.append(f"conforms to {term_text(shape)}")
    for predicate, words in ((SH["or"], "either"), (SH.xone, "exactly one of"), (SH["and"], "all of")):
        for members in graph.objects(node, predicate):
            options = [", ".join(rule_phrases(graph, m)) or term_text(m) for m in Collection(graph, members)]
            phrases.append(f"{words}: " + " | ".join(f"({o})" for o in options))
    for inner in graph.objects(node, SH["not"]):
        phrases.append("not (" + ", ".join(rule_phrases(graph, inner)) + ")")
    qualified = value(SH.qualifiedValueShape)
    if qualified is not None:
        count = _count(value(SH.qualifiedMinCount), value(SH.qualifiedMaxCount)) or "any number"
        phrases.append(f"{count} values that are " + ", ".join(rule_phrases(graph, qualified)))
    if value(SH.closed) is not None and str(value(SH.closed)).lower() == "true":
        phrases.append("closed: no other properties")
    for predicate, obj in sorted(graph.predicate_objects(node)):
        if predicate not in _HANDLED and str(predicate).startswith(str(SH)):
            phrases.append(f"{term_text(predicate)} {term_text(obj)}")
    return phrases


def _text(graph: Graph, node, *predicates) -> str:
    for predicate in predicates:
        found = graph.value(node, predicate)
        if found is not None:
            return str(found)
    return ""


def describe_shapes(graph: Graph) -> list[ShapeDoc]:
    """Every node shape of ``graph`` in words, sorted by name."""
    shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(SH.targetClass, None))
    docs: list[ShapeDoc] = []
    for shape in sorted(shapes, key=term_text):
        targets = [
            f"{kind} {term_text(t)}"
            for predicate, kind in (
                (SH.targetClass, "every"),
                (SH.targetNode, "the node"),
                (SH.targetSubjectsOf, "every subject of"),
                (SH.targetObjectsOf, "every object of"),
            )
            for t in sorted(graph.objects(shape, predicate))
        ]
        name = graph.namespace_manager.normalizeUri(shape) if isinstance(shape, URIRef) else term_text(shape)
        doc = ShapeDoc(name.strip("<>"), targets, _text(graph, shape, SH.description, RDFS.comment))
        own = rule_phrases(graph, shape)
        if own:
            doc.constraints.append(ConstraintDoc("the node itself: " + ", ".join(own),
                                                 _text(graph, shape, SH.message)))
        properties = list(graph.objects(shape, SH.property))
        for prop in sorted(properties, key=lambda p: (path_text(graph, graph.value(p, SH.path)), rule_phrases(graph, p))):
            phrases = rule_phrases(graph, prop)
            doc.constraints.append(ConstraintDoc(
                f"{path_text(graph, graph.value(prop, SH.path))}: " + (", ".join(phrases) or "no constraint"),
                _text(graph, prop, SH.message),
                term_text(graph.value(prop, SH.severity)) if graph.value(prop, SH.severity) is not None else "",
            ))
        for constraint in sorted(graph.objects(shape, SH.sparql), key=lambda c: _text(graph, c, SH.message)):
            doc.constraints.append(ConstraintDoc(
                "SPARQL check" + (f": {_text(graph, constraint, RDFS.comment)}" if _text(graph, constraint, RDFS.comment) else ""),
                _text(graph, constraint, SH.message),
                term_text(graph.value(constraint, SH.severity)) if graph.value(constraint, SH.severity) is not None else "",
                _text(graph, constraint, SH.select, SH.ask),
            ))
        docs.append(doc)
    return docs


