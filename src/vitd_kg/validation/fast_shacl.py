"""SHACL validation compiled to SPARQL and run on the Oxigraph store.

pySHACL walks the data graph in Python, node by node; on large graphs that dominates
validation time. This module reads the shapes graph once and turns each constraint of
SHACL Core that the shapes use into one SPARQL SELECT that returns the violating
(focus node, value) pairs, run by Oxigraph over the whole graph at once. The report has
the same results as pySHACL's (focus node, path, value, source shape, constraint
component, severity, and the shape's own ``sh:message``); pySHACL's generated messages
for shapes that give none are not reproduced.

Supported: targets (``sh:targetClass`` with ``rdfs:subClassOf*``, as SHACL instances are
defined, ``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, implicit class
targets) on node shapes and on property shapes; property shapes nested at any depth (the
inner one is checked on the outer one's value nodes, once per way a shape is reached, as
SHACL validates it); any SHACL path; ``sh:minCount``, ``sh:maxCount``, ``sh:datatype``,
``sh:class``, ``sh:nodeKind``, ``sh:in``, ``sh:hasValue``, ``sh:pattern`` (with
``sh:flags``), ``sh:minLength``, ``sh:maxLength``, ``sh:minInclusive``,
``sh:maxInclusive``, ``sh:minExclusive``, ``sh:maxExclusive``, ``sh:lessThan``,
``sh:lessThanOrEquals``, ``sh:or`` and ``sh:qualifiedValueShape`` (with
``sh:qualifiedMinCount`` / ``sh:qualifiedMaxCount``) whose member shapes use only value
constraints, and SPARQL-based constraints (``sh:select``, ``sh:prefixes`` with
``owl:imports``; ``$this`` pre-bound by substitution where it occurs in a nested group;
messages filled in as pySHACL does); ``sh:severity``, ``sh:message``, ``sh:deactivated``.
:func:`refusals` names, shape by shape, anything else a shapes graph uses (``sh:node``,
``sh:xone``, custom components, SPARQL that SHACL forbids ...): :func:`validate_store`
then raises :class:`UnsupportedShapes`, and :func:`vitd_kg.validation.shacl_engine.validate_graphs`
runs pySHACL, the reference, instead.

What a SPARQL store would get wrong is done otherwise: ``sh:pattern`` runs in Python's
``re`` (as pySHACL; Oxigraph's Rust regex cannot compile look-around or back-references);
``sh:datatype`` checks lexical forms with rdflib, as pySHACL does; and literals the store
rewrites (``"1.0"^^xsd:decimal`` stored as ``"1"``, ``"5"^^xsd:int`` as an
``xsd:integer``) are noted by :func:`load_data` and checked as written (see
:class:`StoreData`), or refused when the store would merge two of them.

``sh:lessThan`` / ``sh:lessThanOrEquals`` compare as pySHACL does: IRIs and plain or
language-tagged strings by their text, a string with a non-string never, other literals
with SPARQL's ``<`` / ``<=``, where a pair that cannot be compared is a violation (as in
the SHACL spec; pySHACL falls back to rdflib's ordering of datatypes for literals of two
unrelated datatypes, and stops with an error on blank nodes).

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

import functools
import os
import re
import threading
import traceback
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from vitd_kg.errors import InputError
from vitd_kg.rdf.filling import fill
from vitd_kg.rdf.terms import RdflibTerm, to_oxigraph, to_rdflib
from vitd_kg.validation.collector import collector_paused
from vitd_kg.validation.shacl_report import ShaclReport, ShaclResult, sort_key

#: Parameters that this module compiles; any other sh: parameter on a shape is unsupported.
_VALUE_PARAMETERS = {
    SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.pattern, SH.minLength, SH.maxLength,
    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.languageIn,
}
_COUNT_PARAMETERS = {SH.minCount, SH.maxCount, SH.hasValue}
#: Parameters whose arguments are shapes (or lists of them) that value nodes are checked against.
_SHAPE_PARAMETERS = {SH["or"], SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount}
_PAIR_PARAMETERS = {SH.lessThan, SH.lessThanOrEquals, SH.equals, SH.disjoint}
#: What a member shape of sh:or or sh:qualifiedValueShape may use: value constraints only.
_MEMBER_PARAMETERS = _VALUE_PARAMETERS | {SH.flags, SH.message, SH.deactivated, SH.name, SH.description}
_TARGET_PARAMETERS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_OTHER_PARAMETERS = {
    SH.path, SH.property, SH.sparql, SH.severity, SH.message, SH.deactivated, SH.flags,
    *_TARGET_PARAMETERS, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
}
_SUPPORTED = _VALUE_PARAMETERS | _COUNT_PARAMETERS | _OTHER_PARAMETERS | _SHAPE_PARAMETERS | _PAIR_PARAMETERS
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
    SH.equals: SH.EqualsConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
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
_NODE_KIND_PY = {
    SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,), SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal),
}
#: Datatypes whose lexical forms Oxigraph checks when casting. A literal of one of these
#: that Oxigraph keeps as written (so: in canonical form) and casts is well-typed; any other
#: literal of the datatype is checked in Python, with rdflib, as pySHACL checks it.
_CASTABLE = {
    XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime, XSD.time, XSD.duration,
}
_RANGE_OPERATOR = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}


class Stopped(Exception):
    """A validation ended early, by the ``stop`` event of :func:`validate_store`."""


class UnsupportedShapes(InputError, ValueError):
    """The shapes use something this engine does not compile (or the data holds literals it
    cannot keep exactly): it refuses rather than guess. ``shape`` and ``feature`` say what.

    It is an :class:`~vitd_kg.errors.InputError` (shapes that cannot be validated are input
    the command cannot use: exit code 2) and a ``ValueError``."""

    def __init__(self, message: str, *, shape: RdflibTerm | None = None, feature: str | None = None,
                 hint: str | None = None) -> None:
        InputError.__init__(self, message, hint=hint)
        self.shape = shape
        self.feature = feature

    def __reduce__(self):
        return (_refusal, (self.message, self.shape, self.feature, self.hint))


def _refusal(message: str, shape, feature, hint) -> UnsupportedShapes:
    return UnsupportedShapes(message, shape=shape, feature=feature, hint=hint)


# --- which shapes, and what the engine refuses -------------------------------------------


def shape_name(shapes: Graph, term: RdflibTerm) -> str:
    """A shape (or other term of the shapes graph) for people: ``ex:Shape`` with the shapes'
    prefixes, ``<iri>``, or for a blank node ``a blank node shape (sh:path ex:p, in ex:Parent)``."""
    return _name(shapes, term)


def _name(shapes: Graph, term: RdflibTerm) -> str:
    if isinstance(term, URIRef):
        try:
            prefix, _, local = shapes.namespace_manager.compute_qname(term, generate=False)
            return f"{prefix}:{local}" if prefix else f"<{term}>"
        except Exception:  # noqa: BLE001 - no prefix bound: the full IRI
            return f"<{term}>"
    return f"a blank node shape ({_brief(shapes, term)})"


def _brief(shapes: Graph, node: RdflibTerm) -> str:
    path = shapes.value(node, SH.path)
    parent = shapes.value(predicate=SH.property, object=node)
    bits = []
    if path is not None:
        bits.append(f"sh:path {_name(shapes, path) if isinstance(path, URIRef) else '[...]'}")
    if parent is not None and isinstance(parent, URIRef):
        bits.append(f"in {_name(shapes, parent)}")
    return ", ".join(bits) or str(node)


def _deactivated(shapes: Graph, shape: RdflibTerm) -> bool:
    return shapes.value(shape, SH.deactivated) == Literal(True)


def _is_property_shape(shapes: Graph, shape: RdflibTerm) -> bool:
    return shapes.value(shape, SH.path) is not None


def _is_class(shapes: Graph, shape: RdflibTerm) -> bool:
    return (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes


def _shapes(shapes: Graph) -> list[RdflibTerm]:
    """Every active shape that gets focus nodes: shapes with targets (node or property
    shapes), and the active property shapes reached from them through sh:property, at any depth."""
    roots = {s for p in _TARGET_PARAMETERS for s in shapes.subjects(p, None)}
    roots.update(s for s in shapes.subjects(RDF.type, SH.NodeShape) if _is_class(shapes, s))
    roots.update(s for s in shapes.subjects(RDF.type, SH.PropertyShape) if _is_class(shapes, s))
    found: list[RdflibTerm] = []
    seen: set[RdflibTerm] = set()
    todo = sorted(roots, key=str)
    while todo:
        shape = todo.pop(0)
        if shape in seen or _deactivated(shapes, shape):
            continue
        seen.add(shape)
        found.append(shape)
        todo.extend(sorted(shapes.objects(shape, SH.property), key=str))
    return found


def _member_shapes(shapes: Graph, shape: RdflibTerm) -> list[RdflibTerm]:
    """The shapes that the value nodes of ``shape`` are checked against by sh:or and sh:qualifiedValueShape."""
    members = list(shapes.objects(shape, SH.qualifiedValueShape))
    for members_list in shapes.objects(shape, SH["or"]):
        members.extend(Collection(shapes, members_list))
    return members


def _custom_parameters(shapes: Graph) -> dict[URIRef, RdflibTerm]:
    """Parameters of SHACL-SPARQL custom constraint components declared in the shapes graph."""
    found = {}
    for component in set(shapes.subjects(SH.parameter, None)):
        for parameter in shapes.objects(component, SH.parameter):
            path = shapes.value(parameter, SH.path)
            if isinstance(path, URIRef):
                found[path] = component
    return found


def refusals(shapes: Graph) -> list[tuple[RdflibTerm, str]]:
    """(shape, feature) for everything in ``shapes`` this engine does not compile."""
    found: list[tuple[RdflibTerm, str]] = []
    custom = _custom_parameters(shapes)
    for shape in _shapes(shapes):
        for parameter in sorted(set(shapes.predicates(shape)), key=str):
            if parameter in custom:
                found.append((shape, f"the custom constraint component {_name(shapes, custom[parameter])}"))
            elif parameter in (SH.select, SH.prefixes) and (None, SH.sparql, shape) in shapes:
                continue  # the shape is also its own SPARQL constraint
            elif str(parameter).startswith(str(SH)) and parameter not in _SUPPORTED:
                found.append((shape, _name(shapes, parameter)))
        if _is_property_shape(shapes, shape) is False and shapes.value(shape, SH.qualifiedValueShape) is not None:
            found.append((shape, "sh:qualifiedValueShape on a node shape"))
        for member in _member_shapes(shapes, shape):
            for parameter in sorted(set(shapes.predicates(member)), key=str):
                if (str(parameter).startswith(str(SH)) and parameter not in _MEMBER_PARAMETERS) or parameter in custom:
                    found.append((shape, f"{_name(shapes, parameter)} in a member shape of sh:or or sh:qualifiedValueShape"))
        for parameter in (SH.minCount, SH.maxCount, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.minLength,
                          SH.maxLength):
            for argument in shapes.objects(shape, parameter):
                if not (isinstance(argument, Literal) and isinstance(argument.value, int)):
                    found.append((shape, f"{_name(shapes, parameter)} {argument.n3()} (not an integer)"))
        for parameter in (SH.nodeKind,):
            for argument in shapes.objects(shape, parameter):
                if argument not in _NODE_KIND_TEST:
                    found.append((shape, f"sh:nodeKind {argument.n3()}"))
        for path in shapes.objects(shape, SH.path):
            try:
                _path_sparql(shapes, path)
            except UnsupportedShapes as error:
                found.append((shape, error.feature or str(error)))
        for constraint in shapes.objects(shape, SH.sparql):
            if _deactivated(shapes, constraint):
                continue
            select = shapes.value(constraint, SH.select)
            if select is None:
                found.append((shape, "sh:sparql without sh:select"))
                continue
            problem = sparql_refusal(str(select))
            if problem:
                found.append((shape, problem))
    return found


def unsupported_features(shapes: Graph) -> list[str]:
    """SHACL features used by active shapes that this engine does not compile (sorted)."""
    return sorted({feature for _, feature in refusals(shapes)})


def refuse(shapes: Graph) -> None:
    """Raise :class:`UnsupportedShapes` naming the first shape and feature this engine lacks."""
    found = refusals(shapes)
    if found:
        shape, feature = found[0]
        others = sorted({f for _, f in found} - {feature})
        more = f" (also: {', '.join(others)})" if others else ""
        raise UnsupportedShapes(
            f"{_name(shapes, shape)} uses {feature}, which the fast SHACL engine does not compile{more}",
            shape=shape, feature=feature,
        )


#: What SHACL-SPARQL forbids in a constraint's query (pre-binding could not be applied).
_FORBIDDEN = [
    (re.compile(r"\bMINUS\s*\{", re.I), "MINUS"),
    (re.compile(r"\bVALUES\b", re.I), "VALUES"),
    (re.compile(r"\bSERVICE\b", re.I), "SERVICE"),
    (re.compile(r"\bAS\s*[?$](this|shapesGraph|currentShape)\b", re.I), "AS $this (re-binding a pre-bound variable)"),
]


def sparql_refusal(select: str, prebound: Iterable[str] = ()) -> str | None:
    """Why SHACL-SPARQL forbids (or this engine cannot run) a constraint's query, or None.
    ``prebound``: variables pre-bound besides $this (a validator's $value and parameters)."""
    text = _strip_strings(select)
    for pattern, name in _FORBIDDEN:
        if pattern.search(text):
            return f"{name} in a SPARQL constraint (not allowed by SHACL-SPARQL)"
    for name in prebound:
        if re.search(rf"\bAS\s*[?$]{re.escape(name)}\b", text, re.I):
            return f"AS ${name} (re-binding a pre-bound variable) in a SPARQL validator (not allowed by SHACL-SPARQL)"
    for projection, body in _subselect_parts(text):
        if "*" in projection:
            if not re.search(r"[?$]this\b", _without_filters(body)):
                return "a sub-SELECT * in which $this occurs only in a FILTER (not allowed by SHACL-SPARQL)"
        elif not re.search(r"[?$]this\b", projection):
            return "a sub-SELECT that does not return $this (not allowed by SHACL-SPARQL)"
    if re.search(r"\$(shapesGraph|currentShape)\b", text):
        return "$shapesGraph or $currentShape in a SPARQL constraint"
    return None


def _strip_strings(query: str) -> str:
    """The query with string literals, IRIs and comments blanked (so keywords in them do not count)."""
    return re.sub(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*',
                  ' "" ', query)


def _subselects(text: str) -> list[str]:
    """The text from each nested SELECT keyword (after the first) up to its WHERE group."""
    positions = [m.start() for m in re.finditer(r"\bSELECT\b", text, re.I)]
    return [text[p: p + 400] for p in positions[1:]]


def _subselect_parts(text: str) -> list[tuple[str, str]]:
    """(projection, WHERE group) of each nested SELECT."""
    parts = []
    for match in list(re.finditer(r"\bSELECT\b", text, re.I))[1:]:
        opening = text.find("{", match.end())
        if opening < 0:
            continue
        closing = _matching_brace(text, opening)
        parts.append((re.split(r"\bWHERE\b", text[match.end():opening], flags=re.I)[0], text[opening:closing + 1]))
    return parts


def _matching_brace(text: str, opening: int) -> int:
    depth = 0
    for index in range(opening, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return len(text) - 1


def _without_filters(text: str) -> str:
    """The text with each FILTER's expression (and FILTER [NOT] EXISTS group) taken out."""
    out, index = [], 0
    for match in re.finditer(r"\bFILTER\b", text, re.I):
        if match.start() < index:
            continue
        out.append(text[index:match.start()])
        rest = match.end()
        while rest < len(text) and text[rest] not in "({":
            rest += 1
        if rest >= len(text):
            index = len(text)
            break
        pair = {"(": ")", "{": "}"}[text[rest]]
        depth, end = 0, rest
        for end in range(rest, len(text)):
            if text[end] == text[rest]:
                depth += 1
            elif text[end] == pair:
                depth -= 1
                if depth == 0:
                    break
        index = end + 1
    out.append(text[index:])
    return "".join(out)


_PREBIND_TOKENS = re.compile(
    r'("""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s"{}|^`]*>|#[^\n]*)'
    r"|(\bbound\s*\(\s*[?$]this\s*\))|([?$]this\b)",
    re.I,
)


def _prebind(query: str, term: str) -> str:
    """SHACL pre-binding of ``$this`` by substitution: every ``$this`` after the top WHERE
    group opens becomes ``term`` (``bound($this)`` becomes true); strings, IRIs and comments
    are left alone."""
    opening = _top_group_start(query)
    projections = [
        (m.end(), query.find("{", m.end())) for m in list(re.finditer(r"\bSELECT\b", query, re.I))[1:]
    ]

    def replace(match: re.Match) -> str:
        if match.group(1) or match.start() < opening:
            return match.group(0)
        if match.group(2):
            return "(true)"
        if any(start <= match.start() < end for start, end in projections):
            return f"({term} AS ?this)"  # a sub-SELECT returns $this: the pre-bound value
        return term

    return _PREBIND_TOKENS.sub(replace, query)


# --- the data in the store -----------------------------------------------------------------


@dataclass
class LiteralForms:
    """How the literals of some data differ from what an Oxigraph store keeps of them.

    Oxigraph keeps numbers, booleans and dates by value: ``"1.0"^^xsd:decimal`` is stored
    as ``"1"``, ``"5"^^xsd:int`` as ``"5"^^xsd:integer``. ``originals`` maps each such
    stored literal back to the one the data wrote; the engine checks those literals'
    lexical forms and datatypes in Python, on the original. ``predicates`` are the
    predicates such literals are objects of. When two distinct literals of the data (or a
    literal of the data and one of the shapes) would be stored as one, the store cannot tell
    them apart: ``merged`` names an example, and the engine refuses. Worked out from the
    literals alone (:func:`literal_forms`), so a caller can have it ready while another
    thread loads the store.
    """

    originals: dict[ox.Literal, ox.Literal] = field(default_factory=dict)
    predicates: set[ox.NamedNode] = field(default_factory=set)
    merged: tuple[ox.Literal, ox.Literal] | None = None
    ill_typed_originals: list[ox.Literal] = field(default_factory=list)


@dataclass(kw_only=True)
class StoreData(LiteralForms):
    """An Oxigraph store holding the data, and how its literals differ from the data's
    (:class:`LiteralForms`)."""

    store: ox.Store


def stored_forms(literals: Iterable[ox.Literal]) -> dict[ox.Literal, ox.Literal]:
    """Each literal -> the literal Oxigraph stores for it."""
    literals = list(literals)
    scratch = ox.Store()
    predicate = ox.NamedNode("urn:vitd-kg:stored-form")
    scratch.extend(ox.Quad(ox.NamedNode(f"urn:vitd-kg:literal:{i}"), predicate, lit) for i, lit in enumerate(literals))
    forms = {}
    for quad in scratch.quads_for_pattern(None, predicate, None):
        forms[literals[int(quad.subject.value.rsplit(":", 1)[1])]] = quad.object
    return forms


#: Datatypes whose literals Oxigraph always stores as written (language tags are lower-cased
#: by the parser already, before a literal reaches Python).
_STORED_AS_WRITTEN = frozenset({str(XSD.string), str(RDF.langString)})
_XSD_INTEGER = str(XSD.integer)
#: xsd:integer in its canonical form, and small enough for the 64 bits Oxigraph keeps it in
#: (``tests/test_fast_shacl.py`` checks these against the store, at the limits too).
_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,17}")


def _stored_as_written(literal: ox.Literal) -> bool:
    """Whether Oxigraph surely stores ``literal`` as written (:func:`stored_forms` says for
    the others): a string, or an integer written canonically (the most common typed literal:
    telling it here spares the store a round trip for each)."""
    datatype = literal.datatype.value
    if datatype in _STORED_AS_WRITTEN:
        return True
    return datatype == _XSD_INTEGER and _CANONICAL_INTEGER.fullmatch(literal.value) is not None


def literal_uses(triples: Iterable) -> set[tuple[ox.NamedNode, ox.Literal]]:
    """The (predicate, literal) pairs of pyoxigraph triples or quads: the literals as written,
    and the predicates they are objects of."""
    literal_type = ox.Literal
    uses = set()
    for triple in triples:
        value = triple.object
        if type(value) is literal_type:
            uses.add((triple.predicate, value))
    return uses


def literal_forms(uses: set[tuple[ox.NamedNode, ox.Literal]], constants: Iterable[ox.Literal] = ()) -> LiteralForms:
    """The literals of ``uses`` that Oxigraph stores in another form, and whether two
    literals (or one and a shapes' constant) would be stored as one."""
    literals = {literal for _, literal in uses}
    forms_of = LiteralForms()
    constants = set(constants)
    candidates = [lit for lit in literals if not _stored_as_written(lit)]
    forms = stored_forms(candidates + sorted(constants - literals, key=str))
    changed = [lit for lit in candidates if forms[lit] != lit]

    def kept(literal: ox.Literal) -> bool:  # a literal of the data or shapes, stored as written
        return (literal in literals or literal in constants) and forms.get(literal, literal) == literal

    for original in changed:
        image = forms[original]
        if kept(image) or image in forms_of.originals:
            other = forms_of.originals.get(image, image)
            forms_of.merged = (original, other)
            break
        forms_of.originals[image] = original
    if forms_of.originals:
        rewritten = set(forms_of.originals.values())
        forms_of.predicates = {predicate for predicate, literal in uses if literal in rewritten}
    if forms_of.merged is None:
        for constant in constants:
            image = forms.get(constant, constant)
            if image != constant and (kept(image) or forms_of.originals.get(image, constant) != constant):
                forms_of.merged = (constant, forms_of.originals.get(image, image))
                break
    forms_of.ill_typed_originals = [lit for lit in forms_of.originals.values() if to_rdflib(lit).ill_typed]
    return forms_of


def load_data(triples: Iterable, constants: Iterable[ox.Literal] = (), *, store: ox.Store | None = None,
              uses: set[tuple[ox.NamedNode, ox.Literal]] | None = None, forms: LiteralForms | None = None) -> StoreData:
    """Put ``triples`` (pyoxigraph triples or quads, or rdflib triples) into a new store,
    noting the literals that Oxigraph would not keep as written (see :class:`StoreData`).

    A caller that has already loaded the pyoxigraph ``triples`` into the default graph of a
    store passes it as ``store`` (it is used, not copied), and may pass their
    :func:`literal_uses` as ``uses``, or what :func:`literal_forms` made of them and
    ``constants`` as ``forms``."""
    ill_typed: list[Literal] = []
    triples = triples if isinstance(triples, list) else list(triples)
    if triples and not isinstance(triples[0], (ox.Triple, ox.Quad)):
        converted = []
        for triple in triples:
            if isinstance(triple, (ox.Triple, ox.Quad)):
                converted.append(triple)
                continue
            if isinstance(triple[2], Literal) and triple[2].ill_typed:
                ill_typed.append(triple[2])
            converted.append(ox.Triple(*(to_oxigraph(t) for t in triple)))
        triples = converted
    if store is None:
        store = ox.Store()
        if triples and isinstance(triples[0], ox.Quad):
            fill(store, triples)
        if not triples or not isinstance(triples[0], ox.Quad) or next(iter(store.named_graphs()), None) is not None:
            store.clear()  # triples, or quads in named graphs: their default graph is meant
            fill(store, (ox.Quad(t.subject, t.predicate, t.object) for t in triples))
    if forms is None:
        forms = literal_forms(literal_uses(triples) if uses is None else uses, constants)
    data = StoreData(store=store, originals=forms.originals, predicates=forms.predicates, merged=forms.merged,
                     ill_typed_originals=list(forms.ill_typed_originals))  # a list of its own: extended below
    # rdflib may already have rewritten an ill-typed literal's lexical form ("none"^^xsd:boolean
    # is kept as "false", flagged ill-typed): the form the data wrote is lost.
    data.ill_typed_originals += [
        to_oxigraph(lit) for lit in ill_typed if not Literal(str(lit), datatype=lit.datatype).ill_typed
    ]
    return data


def shape_constants(shapes: Graph) -> list[ox.Literal]:
    """Literals of the shapes that queries compare data terms with (sh:in, sh:hasValue)."""
    found = []
    for members in shapes.objects(None, SH["in"]):
        found.extend(m for m in Collection(shapes, members) if isinstance(m, Literal))
    found.extend(v for v in shapes.objects(None, SH.hasValue) if isinstance(v, Literal))
    return [to_oxigraph(lit) for lit in found]


# --- validation ----------------------------------------------------------------------------


def validate_store(store: ox.Store | StoreData, shapes: Graph, *, stop: threading.Event | None = None,
                   shape_runs: list[ShapeRun] | None = None, workers: int | None = None) -> ShaclReport:
    """Validate the default graph of ``store`` (ontology and data) against ``shapes``.

    Given a :class:`StoreData` (from :func:`load_data`), literals that Oxigraph stores in
    another form are checked as the data wrote them; given a bare store, as stored.
    Raises :class:`UnsupportedShapes` if the shapes use a feature this engine does not
    compile (see :func:`unsupported_features`), or if the data holds two literals the store
    cannot tell apart. ``stop``: set from another thread, it ends the run between two shapes
    (raising :class:`Stopped`). ``shape_runs``: a list that receives each shape's
    :class:`ShapeRun`, to be checked against the data's :class:`StoreData` later
    (:func:`revalidate`), when the run took every literal as written. ``workers``: how many
    threads validate shapes side by side (:class:`ShapeWork`; by default one per core, at
    most :data:`MOST_WORKERS`); the report is the same for any number.
    """
    data = store if isinstance(store, StoreData) else StoreData(store=store)
    work = ShapeWork(data, shapes, stop=stop, record=shape_runs is not None)
    work.run(default_workers() if workers is None else workers)
    return work.report(shape_runs)


#: the most threads :func:`validate_store` starts by itself: each holds one query's
#: intermediate results (on two cores, two threads take the step at 1e6 from 10.4 s to 5.4-6.5 s).
MOST_WORKERS = 4


def default_workers() -> int:
    """One worker per core this process may run on, at most :data:`MOST_WORKERS`."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MOST_WORKERS))


class ShapeWork:
    """The shapes of one validation, handed out one at a time to every thread that calls
    :meth:`work`. Oxigraph evaluates a query without holding Python's GIL, so threads on one
    store validate shapes side by side; any thread may join at any time (the thread that
    validates ahead of the input gate is joined by the gate's once it is done,
    :mod:`vitd_kg.validation.ahead`).

    The report is the one a single thread gives: each shape's results are kept apart and put
    together in the shapes' order, and where shapes raise, the error of the first of them in
    that order is raised (every shape before it has been handed out, and is finished).
    """

    def __init__(self, data: StoreData, shapes: Graph, *, stop: threading.Event | None = None,
                 record: bool = False) -> None:
        _check_data(data, shapes)
        self.data = data
        self.shapes = shapes
        self._stop = stop
        #: whether each shape's ShapeRun is kept (only a run that took every literal as written)
        self._record = record and not data.originals
        self._order = _shapes(shapes)
        self._lock = threading.Lock()
        self._next = 0
        #: no shape from here on is handed out: lowered by an error
        self._end = len(self._order)
        self._done: list[ShapeRun | None] = [None] * len(self._order)
        self._errors: dict[int, BaseException] = {}

    def run(self, workers: int) -> None:
        """Work on this thread and ``workers - 1`` more until every shape is done."""
        if workers <= 1:
            self.work()
            return
        if self.data.originals:
            # checked with rdflib's parser (check_lexical_safety): parsed here, as its garbage
            # holds query results a worker made, which must not be freed on another thread
            parse_sparql_constraints(self.shapes)
        with collector_paused():
            helpers = [threading.Thread(target=self.work, name=f"vitd-kg-shacl-{number}", daemon=True)
                       for number in range(1, workers)]
            try:
                for helper in helpers:
                    helper.start()
                self.work()
            finally:
                self._halt(0)
                for helper in helpers:
                    if helper.ident is not None:
                        helper.join()

    def work(self) -> None:
        """Validate shapes until none is left to hand out; an error is kept for :meth:`report`."""
        run = _Run(self.data, self.shapes)
        while (index := self._take()) is not None:
            shape = self._order[index]
            run.results = []
            run.recording = ShapeRun(shape) if self._record else None
            try:
                if self._stop is not None and self._stop.is_set():
                    raise Stopped("the validation was stopped")
                run.shape(shape)
            except BaseException as error:  # noqa: BLE001 - raised by report(), on whichever thread asks
                # frames that hold this thread's query results are freed here, not where it is raised
                traceback.clear_frames(error.__traceback__)
                with self._lock:
                    self._errors[index] = error
                self._halt(index)
                return
            done = run.recording or ShapeRun(shape)
            done.results = run.results
            self._done[index] = done

    def report(self, shape_runs: list[ShapeRun] | None = None) -> ShaclReport:
        """The report, once every :meth:`work` has returned; ``shape_runs`` receives each
        shape's :class:`ShapeRun` if the run recorded them. Raises the first shape's error."""
        if self._errors:
            interrupts = [e for e in self._errors.values() if not isinstance(e, Exception)]
            raise interrupts[0] if interrupts else self._errors[min(self._errors)]
        if any(done is None for done in self._done):
            raise Stopped("the validation was stopped")
        if shape_runs is not None and self._record:
            shape_runs.extend(self._done)
        results = sorted((result for done in self._done for result in done.results), key=sort_key)
        return ShaclReport(conforms=not results, results=results, engine="fast")

    def _take(self) -> int | None:
        with self._lock:
            if self._next >= self._end:
                return None
            self._next += 1
            return self._next - 1

    def _halt(self, index: int) -> None:
        """Hand out no shape from ``index`` on."""
        with self._lock:
            self._end = min(self._end, index)


def revalidate(shape_runs: list[ShapeRun], data: StoreData, shapes: Graph) -> ShaclReport:
    """The report :func:`validate_store` gives on ``data``, from the :class:`ShapeRun` of a
    run on the same store that took every literal as written: each shape's results are kept
    where they hold for ``data`` (:meth:`ShapeRun.holds`), and the shape is validated again
    where they may not. Raises what :func:`validate_store` raises."""
    _check_data(data, shapes)
    run = _Run(data, shapes)
    kept: list[ShaclResult] = []
    for shape_run in shape_runs:
        if shape_run.holds(run):
            kept += shape_run.results
        else:
            run.shape(shape_run.shape)
    results = sorted([*kept, *run.results], key=sort_key)
    return ShaclReport(conforms=not results, results=results, engine="fast")


def _check_data(data: StoreData, shapes: Graph) -> None:
    """Refuse shapes the engine does not compile, and data whose literals the store cannot keep apart."""
    refuse(shapes)
    if data.merged is not None:
        a, b = (to_rdflib(t).n3() for t in data.merged)
        raise UnsupportedShapes(
            f"the data holds {a} and {b}, two RDF terms that the fast engine's store keeps as one",
            feature="literals the store merges",
        )
    if data.ill_typed_originals:
        raise UnsupportedShapes(
            f"the data holds the ill-typed literal {to_rdflib(data.ill_typed_originals[0]).n3()}, which the fast "
            "engine's store rewrites", feature="ill-typed literals the store rewrites",
        )


@dataclass
class ShapeRun:
    """One shape's part of a run that took every literal as written: its results, and what
    they rest on. Where the store rewrote a literal (:attr:`StoreData.originals`), the
    results still hold unless the run read that literal, evaluated a lexical test on values
    that may include one, or ran a SPARQL constraint without checking its lexical functions."""

    shape: RdflibTerm
    results: list[ShaclResult] = field(default_factory=list)
    #: the literals the run read as written (values tested in Python, results' terms)
    literals: set[ox.Literal] = field(default_factory=set)
    #: the value patterns of lexical tests, taken to reach no rewritten literal
    patterns: set[str] = field(default_factory=set)
    #: (shape, select, prefixes) of the SPARQL constraints whose lexical functions were not checked
    constraints: list[tuple[RdflibTerm, str, str]] = field(default_factory=list)

    def holds(self, run: _Run) -> bool:
        """Whether these results are the ones ``run`` (on the data's StoreData) would give."""
        originals = run.data.originals
        if not originals:
            return True
        if any(literal in originals for literal in self.literals):
            return False
        if any(run.may_reach_rewritten(pattern) for pattern in self.patterns):
            return False
        for shape, select, prefixes in self.constraints:
            try:
                run.check_lexical_safety(shape, select, prefixes)
            except UnsupportedShapes:
                return False
        return True


class _Targets(str):
    """A SPARQL group binding ``?this`` to focus nodes; ``extra``: the other variables it
    binds that tell focus nodes reached through different outer focus nodes apart."""

    extra: str

    def __new__(cls, group: str, extra: str = "") -> _Targets:
        made = super().__new__(cls, group)
        made.extra = extra
        return made


@dataclass
class _Test:
    """A value-node test: ``sparql`` (an expression over ``?v``) and ``python`` (a function
    of the rdflib term) are true when the value violates it. ``mode``: ``sparql`` (the
    expression is exact), ``verify`` (it may flag too much: Python confirms each value it
    flags) or ``python`` (every value is checked in Python). ``lexical``: it depends on the
    literal's lexical form or datatype, so values the store rewrote are checked in Python."""

    sparql: str
    python: Callable[[RdflibTerm], bool]
    mode: str = "sparql"
    lexical: bool = False


_MODES = ["sparql", "verify", "python"]


def _any(tests: list[_Test]) -> _Test:
    if not tests:
        return _Test("false", lambda v: False)
    return _Test(
        " || ".join(f"({t.sparql})" for t in tests),
        lambda v, ts=tuple(tests): any(t.python(v) for t in ts),
        max((t.mode for t in tests), key=_MODES.index),
        any(t.lexical for t in tests),
    )


def _all(tests: list[_Test]) -> _Test:
    if not tests:
        return _Test("true", lambda v: True)
    return _Test(
        " && ".join(f"({t.sparql})" for t in tests),
        lambda v, ts=tuple(tests): all(t.python(v) for t in ts),
        max((t.mode for t in tests), key=_MODES.index),
        any(t.lexical for t in tests),
    )


class _Run:
    """One validation: the store, the shapes, and the results so far."""

    def __init__(self, data: StoreData, shapes: Graph) -> None:
        self.data = data
        self.store = data.store
        self.shapes = shapes
        self.results: list[ShaclResult] = []
        self._class_cache: dict[tuple, bool] = {}
        #: what the shape being validated rests on, when the run records it (validate_store's shape_runs)
        self.recording: ShapeRun | None = None

    # -- terms ----------------------------------------------------------------------------

    def original(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> RdflibTerm:
        """The rdflib term as the data wrote it."""
        if not isinstance(term, ox.Literal):
            return to_rdflib(term)
        if self.recording is not None:
            self.recording.literals.add(term)
        return to_rdflib(self.data.originals.get(term, term))

    def query(self, text: str, **kwargs):
        try:
            return self.store.query(text, **kwargs)
        except SyntaxError as error:
            raise UnsupportedShapes(f"the fast engine built a query Oxigraph cannot parse ({error}): {text[:200]}",
                                    feature="a query the engine cannot build") from None

    # -- focus nodes ------------------------------------------------------------------------

    def routes(self, shape: RdflibTerm, var: str = "?this", depth: int = 0,
               seen: frozenset = frozenset()) -> list[_Targets]:
        """SPARQL groups binding ``var`` to the focus nodes of ``shape``, one per way the
        shape is reached (SHACL validates a shape once per way): its own targets, the focus
        nodes of each node shape that holds it with sh:property, and the value nodes of each
        property shape that holds it, kept apart per focus node of that shape (the outer
        variables are :attr:`_Targets.extra`)."""
        if shape in seen:
            return []
        seen = seen | {shape}
        shapes = self.shapes
        groups = []
        classes = set(shapes.objects(shape, SH.targetClass))
        if _is_class(shapes, shape):
            classes.add(shape)
        for cls in sorted(classes, key=str):
            groups.append(f"{{ {var} a/<{RDFS.subClassOf}>* {_term(cls)} . }}")
        nodes = sorted(shapes.objects(shape, SH.targetNode), key=str)
        if nodes:
            groups.append("{ VALUES " + var + " { " + " ".join(_term(n) for n in nodes) + " } }")
        for prop in sorted(shapes.objects(shape, SH.targetSubjectsOf), key=str):
            groups.append(f"{{ {var} {_term(prop)} [] . }}")
        for prop in sorted(shapes.objects(shape, SH.targetObjectsOf), key=str):
            groups.append(f"{{ [] {_term(prop)} {var} . }}")
        found = []
        if groups:
            found.append(_Targets(f"{{ SELECT DISTINCT {var} WHERE {{ " + " UNION ".join(groups) + " } }"))
        for parent in sorted(shapes.subjects(SH.property, shape), key=str):
            if _deactivated(shapes, parent):
                continue
            if _is_property_shape(shapes, parent):
                outer = f"?vitdkgFocus{depth}"
                path = _path_sparql(shapes, shapes.value(parent, SH.path))
                for route in self.routes(parent, outer, depth + 1, seen):
                    extra = f"{route.extra} {outer}"
                    found.append(_Targets(
                        f"{{ SELECT DISTINCT {extra} {var} WHERE {{ {route} {outer} {path} {var} . }} }}", extra))
            else:
                found.extend(self.routes(parent, var, depth + 1, seen))
        return found

    # -- one shape ---------------------------------------------------------------------------

    def shape(self, shape: RdflibTerm) -> None:
        for targets in self.routes(shape):
            self.shape_route(shape, targets)

    def shape_route(self, shape: RdflibTerm, targets: _Targets) -> None:
        """The constraints of one shape, on the focus nodes it gets one way."""
        shapes = self.shapes
        x = targets.extra
        severity = shapes.value(shape, SH.severity) or SH.Violation
        messages = tuple(sorted(str(m) for m in shapes.objects(shape, SH.message)))
        path = shapes.value(shape, SH.path)
        is_property = path is not None
        values = f"?this {_path_sparql(shapes, path)} ?v ." if is_property else "BIND(?this AS ?v)"

        def emit(component: URIRef, rows: Iterable[tuple], with_value: bool = True) -> None:
            for this, value in rows:
                self.results.append(ShaclResult(
                    focus_node=self.original(this),
                    result_path=path,
                    value=self.original(value) if (value is not None and with_value) else None,
                    source_shape=shape,
                    constraint_component=component,
                    severity=severity,
                    messages=messages,
                ))

        for parameter, argument in sorted(shapes.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
            if parameter in _VALUE_PARAMETERS:
                test = self.value_test(shape, parameter, argument)
                emit(_COMPONENT[parameter], self.violations(targets, values, test))
            elif parameter == SH["or"]:
                test = _all([self.member_test(m) for m in Collection(shapes, argument)])
                emit(_COMPONENT[parameter], self.violations(targets, values, test))
            elif parameter == SH.minCount and is_property:
                emit(_COMPONENT[parameter], self.count_rows(targets, values, "<", int(argument)), with_value=False)
            elif parameter == SH.maxCount and is_property:
                emit(_COMPONENT[parameter], self.count_rows(targets, values, ">", int(argument)), with_value=False)
            elif parameter == SH.hasValue:
                if is_property:
                    query = (
                        f"SELECT DISTINCT ?this {x} WHERE {{ {targets} OPTIONAL {{ {values.replace('?v', '?v0')} "
                        f"FILTER(sameTerm(?v0, {_term(argument)})) }} FILTER(!BOUND(?v0)) }}"
                    )
                else:
                    query = f"SELECT DISTINCT ?this {x} WHERE {{ {targets} FILTER(!sameTerm(?this, {_term(argument)})) }}"
                emit(_COMPONENT[parameter], ((s["this"], None) for s in self.query(query)))
            elif parameter == SH.equals:
                other = f"?this {_term(argument)} ?v ."
                missing = (f"FILTER NOT EXISTS {{ {values.replace('?v', '?v0')} FILTER(sameTerm(?v0, ?v)) }}"
                           if is_property else "FILTER(!sameTerm(?v, ?this))")
                for query in (
                    f"SELECT DISTINCT ?this ?v {x} WHERE {{ {targets} {values} "
                    f"FILTER NOT EXISTS {{ ?this {_term(argument)} ?v0 FILTER(sameTerm(?v0, ?v)) }} }}",
                    f"SELECT DISTINCT ?this ?v {x} WHERE {{ {targets} {other} {missing} }}",
                ):
                    emit(_COMPONENT[parameter], ((s["this"], s["v"]) for s in self.query(query)))
            elif parameter == SH.disjoint:
                query = (f"SELECT DISTINCT ?this ?v {x} WHERE {{ {targets} {values} ?this {_term(argument)} ?v0 . "
                         f"FILTER(sameTerm(?v0, ?v)) }}")
                emit(_COMPONENT[parameter], ((s["this"], s["v"]) for s in self.query(query)))
            elif parameter in _PAIR_PARAMETERS:
                test = _not_less(parameter == SH.lessThanOrEquals)
                # one result per pair of value and compared value, as pySHACL reports them
                query = (f"SELECT DISTINCT ?this ?v ?w {x} WHERE {{ {targets} {values} ?this {_term(argument)} ?w . "
                         f"FILTER({test}) }}")
                emit(_COMPONENT[parameter], ((s["this"], s["v"]) for s in self.query(query)))
            elif parameter in (SH.qualifiedMinCount, SH.qualifiedMaxCount) and is_property:
                operator = "<" if parameter == SH.qualifiedMinCount else ">"
                for member in sorted(shapes.objects(shape, SH.qualifiedValueShape), key=str):
                    emit(_COMPONENT[parameter],
                         self.qualified_rows(targets, values, self.member_test(member), operator, int(argument)),
                         with_value=False)
        for constraint in sorted(shapes.objects(shape, SH.sparql), key=str):
            self.results.extend(self.sparql_constraint(shape, constraint, targets, path, severity, messages))

    # -- value tests -------------------------------------------------------------------------

    def violations(self, targets: str, values: str, test: _Test) -> list[tuple]:
        """(focus node, value) pairs whose value violates ``test``."""
        if test.mode == "python":
            rows = self.query(f"SELECT DISTINCT ?this ?v {targets.extra} WHERE {{ {targets} {values} }}")
            return [(s["this"], s["v"]) for s in rows if test.python(self.original(s["v"]))]
        rows = [(s["this"], s["v"]) for s in self.query(
            f"SELECT DISTINCT ?this ?v {targets.extra} WHERE {{ {targets} {values} FILTER({test.sparql}) }}")]
        if test.mode == "verify":
            rows = [(this, v) for this, v in rows if test.python(self.original(v))]
        if test.lexical and self.may_reach_rewritten(values):
            rows = [(this, v) for this, v in rows if v not in self.data.originals]
            rows += [(this, v) for this, v in self.rewritten(targets, values) if test.python(self.original(v))]
        return rows

    def may_reach_rewritten(self, values: str) -> bool:
        """False when no literal the store rewrote can be a value: there is none, or the
        path is one predicate that none of them is an object of."""
        if not self.data.originals:
            if self.recording is not None:
                self.recording.patterns.add(values)
            return False
        match = re.fullmatch(r"\?this <([^<>]+)> \?v \.", values)
        return match is None or ox.NamedNode(match.group(1)) in self.data.predicates

    def rewritten(self, targets: str, values: str) -> list[tuple]:
        """(focus node, value) pairs whose value is a literal the store rewrote."""
        found = []
        images = list(self.data.originals)
        for start in range(0, len(images), 500):
            chunk = " ".join(_ox_term(t) for t in images[start:start + 500])
            found += [(s["this"], s["v"]) for s in self.query(
                f"SELECT DISTINCT ?this ?v {targets.extra} WHERE {{ {targets} {values} VALUES ?v {{ {chunk} }} }}")]
        return found

    def count_rows(self, targets: str, values: str, operator: str, count: int) -> Iterator[tuple]:
        if operator == "<" and count == 1:  # OPTIONAL, not FILTER NOT EXISTS: Oxigraph re-runs the latter per row
            query = (f"SELECT DISTINCT ?this {targets.extra} WHERE {{ {targets} "
                     f"OPTIONAL {{ {values.replace('?v', '?v0')} }} FILTER(!BOUND(?v0)) }}")
        else:
            optional = "OPTIONAL" if operator == "<" else ""
            query = (f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?v0) AS ?n) WHERE {{ {targets} "
                     f"{optional} {{ {values.replace('?v', '?v0')} }} }} GROUP BY ?this {targets.extra} }} "
                     f"FILTER(?n {operator} {count}) }}")
        return ((s["this"], None) for s in self.query(query))

    def qualified_rows(self, targets: str, values: str, test: _Test, operator: str, count: int) -> list[tuple]:
        if test.mode == "sparql" and not (test.lexical and self.may_reach_rewritten(values)):
            conforming = values.replace("?v", "?q") + f" FILTER(!({test.sparql.replace('?v', '?q')}))"
            query = (f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?q) AS ?n) WHERE {{ {targets} "
                     f"OPTIONAL {{ {conforming} }} }} GROUP BY ?this {targets.extra} }} FILTER(?n {operator} {count}) }}")
            return [(s["this"], None) for s in self.query(query)]
        counts: dict = {}
        names = ["this", *(v.lstrip("?") for v in targets.extra.split())]
        for s in self.query(f"SELECT DISTINCT ?this ?v {targets.extra} WHERE {{ {targets} OPTIONAL {{ {values} }} }}"):
            key = tuple(s[n] for n in names)
            counts.setdefault(key, 0)
            if s["v"] is not None and not test.python(self.original(s["v"])):
                counts[key] += 1
        return [(key[0], None) for key, n in counts.items() if (n < count if operator == "<" else n > count)]

    def member_test(self, member: RdflibTerm) -> _Test:
        """True when a value does not conform to a member shape (one with value constraints only)."""
        if _deactivated(self.shapes, member):
            return _Test("false", lambda v: False)
        return _any([
            self.value_test(member, parameter, argument)
            for parameter, argument in sorted(self.shapes.predicate_objects(member), key=lambda po: (str(po[0]), str(po[1])))
            if parameter in _VALUE_PARAMETERS
        ])

    def is_instance(self, value: RdflibTerm, cls: RdflibTerm) -> bool:
        if isinstance(value, Literal):
            return False
        key = (value, cls)
        if key not in self._class_cache:
            self._class_cache[key] = bool(self.store.query(
                f"ASK {{ ?x a/<{RDFS.subClassOf}>* {_term(cls)} }}", substitutions={ox.Variable("x"): to_oxigraph(value)}))
        return self._class_cache[key]

    def value_test(self, shape: RdflibTerm, parameter: URIRef, argument: RdflibTerm) -> _Test:
        shapes = self.shapes
        if parameter == SH["class"]:
            return _Test(f"NOT EXISTS {{ ?v a/<{RDFS.subClassOf}>* {_term(argument)} }}",
                         lambda v: not self.is_instance(v, argument))
        if parameter == SH.datatype:
            return _datatype_test(argument)
        if parameter == SH.nodeKind:
            return _Test("!" + _NODE_KIND_TEST[argument], lambda v: not isinstance(v, _NODE_KIND_PY[argument]))
        if parameter == SH["in"]:
            allowed = list(Collection(shapes, argument))
            if not allowed:
                return _Test("true", lambda v: True)
            return _Test("!(" + " || ".join(f"sameTerm(?v, {_term(a)})" for a in allowed) + ")",
                         lambda v: not any(_same_term(v, a) for a in allowed))
        if parameter == SH.languageIn:
            ranges = [str(r) for r in Collection(shapes, argument)]
            sparql = " || ".join(f"langMatches(LANG(?v), {Literal(r).n3()})" for r in ranges) or "false"
            return _Test(f"!(isLiteral(?v) && ({sparql}))",
                         lambda v: not (isinstance(v, Literal) and any(_lang_matches(v.language or "", r) for r in ranges)))
        if parameter == SH.pattern:
            flags = shapes.value(shape, SH.flags)
            compiled = _python_regex(shapes, shape, str(argument), str(flags) if flags is not None else "")
            return _Test("true", lambda v: isinstance(v, BNode) or not compiled.search(str(v)), mode="python",
                         lexical=True)
        if parameter in (SH.minLength, SH.maxLength):
            operator = "<" if parameter == SH.minLength else ">"
            bound = int(argument)
            return _Test(f"isBlank(?v) || STRLEN(STR(?v)) {operator} {bound}",
                         lambda v: isinstance(v, BNode) or (len(str(v)) < bound if operator == "<" else len(str(v)) > bound),
                         lexical=True)
        operator = _RANGE_OPERATOR[parameter]
        return _Test(f"!COALESCE(?v {operator} {_term(argument)}, false)",
                     lambda v: not _compare(v, operator, argument), lexical=False)

    # -- SHACL-SPARQL ------------------------------------------------------------------------

    def sparql_constraint(self, shape, constraint, targets, path, severity, messages) -> Iterator[ShaclResult]:
        """A SPARQL-based constraint.

        SHACL pre-binds ``$this`` to each focus node. Where ``$this`` occurs only in the
        top group of the query (and in FILTER [NOT] EXISTS inside it), joining the target
        pattern into that group gives the same solutions: one query for all focus nodes.
        Anywhere else (a nested group, OPTIONAL, UNION, a sub-SELECT), the query runs once
        per focus node with ``$this`` substituted (Oxigraph's pre-binding, SEP-0007).
        """
        shapes = self.shapes
        if _deactivated(shapes, constraint):
            return
        original = str(shapes.value(constraint, SH.select))
        select = original
        if path is not None:
            select = select.replace("$PATH", _path_sparql(shapes, path))
        prefixes = _prefixes(shapes, constraint)
        if self.data.originals:
            self.check_lexical_safety(shape, select, prefixes)
        elif self.recording is not None:
            self.recording.constraints.append((shape, select, prefixes))
        templates = sorted({str(m) for m in shapes.objects(constraint, SH.message)} | set(messages))
        query = prefixes + select
        self.parse(shape, query)
        if _this_only_on_top(select):
            opening = _top_group_start(query)
            joined = query[: opening + 1] + f" {targets} " + query[opening + 1:]
            batches = [(self.store.query(joined), None)]
        else:
            focus_nodes = [s["this"] for s in self.query(f"SELECT ?this {targets.extra} WHERE {{ {targets} }}")]
            if any(isinstance(node, ox.BlankNode) for node in focus_nodes):
                raise UnsupportedShapes(
                    f"the SPARQL constraint of {_name(shapes, shape)} uses $this inside a nested group, and a focus "
                    "node is a blank node, which cannot be substituted into the query",
                    shape=shape, feature="$this in a nested group with blank-node focus nodes")
            batches = []
            for node in focus_nodes:
                bound_query = _prebind(query, str(node))
                self.parse(shape, bound_query)
                batches.append((self.store.query(bound_query), node))
        for solutions, focus_fixed in batches:
            names = [variable.value for variable in solutions.variables]
            seen: set[tuple] = set()
            for solution in solutions:
                bound = {name: solution[name] for name in names if solution[name] is not None}
                if _is_true(bound.pop("failure", None)):
                    raise UnsupportedShapes(f"the SPARQL constraint of {_name(shapes, shape)} reported a failure",
                                            shape=shape, feature="?failure")
                focus = bound.pop("this", None) or focus_fixed
                result_path, value = bound.pop("path", None), bound.pop("value", None)
                key = (focus, result_path, value, tuple(sorted((k, str(v)) for k, v in bound.items())))
                if key in seen:  # pySHACL reports each distinct solution once
                    continue
                seen.add(key)
                focus_node = self.original(focus)
                result_value = self.original(value) if value is not None else (focus_node if path is None else None)
                variables = {name: self.original(term) for name, term in bound.items()}
                variables.update(this=focus_node, value=result_value)
                if result_path is not None:
                    variables["path"] = to_rdflib(result_path)
                yield ShaclResult(
                    focus_node=focus_node,
                    result_path=to_rdflib(result_path) if result_path is not None else path,
                    value=result_value,
                    source_shape=shape,
                    constraint_component=SH.SPARQLConstraintComponent,
                    severity=severity,
                    messages=tuple(sorted({_fill_template(m, variables) for m in templates})),
                )

    def parse(self, shape, query: str) -> None:
        """Check that a constraint's query parses (on an empty store: nothing is evaluated)."""
        try:
            ox.Store().query(query)
        except SyntaxError as error:
            raise UnsupportedShapes(
                f"the SPARQL constraint of {_name(self.shapes, shape)} cannot be parsed: {error}"
                " (are its prefixes declared with sh:prefixes / sh:declare?)",
                shape=shape, feature="a SPARQL query that does not parse",
            ) from None

    def check_lexical_safety(self, shape, select: str, prefixes: str) -> None:
        """Refuse a SPARQL constraint that could hand a literal the store rewrote to a
        function that sees lexical forms or datatypes (STR, DATATYPE, REGEX, a cast ...).

        Such literals are objects of a few predicates (:attr:`StoreData.predicates`): a
        variable is tainted if it is the object of one of them (or of a variable predicate,
        or a path through one), or is bound by BIND from a tainted one. The query is safe if
        no lexical function takes a tainted variable. Values, joins and comparisons (=, <)
        see literals by value and identity, which the store keeps."""
        names = {name.split("_", 1)[-1] for name in _LEXICAL_BUILTINS} - {"Function", "GroupConcat", "Sample"}
        words = set(re.findall(r"[A-Za-z_]+(?=\s*\()", _strip_strings(select)))
        if not {w.upper() for w in words} & {n.upper() for n in names | {"GROUP_CONCAT", "SAMPLE"}} \
                and not re.search(r"\w:\w*\s*\(|>\s*\(", _strip_strings(select)):
            return  # no lexical function, cast or other function call at all
        algebra = _algebra(prefixes + select)
        rewritten = {URIRef(p.value) for p in self.data.predicates}
        if algebra is None or _lexically_tainted(algebra, rewritten):
            example = to_rdflib(next(iter(self.data.originals.values()))).n3()
            raise UnsupportedShapes(
                f"the SPARQL constraint of {_name(self.shapes, shape)} applies lexical functions to values that may "
                f"include literals the fast engine's store rewrites (such as {example})",
                shape=shape, feature="lexical functions on literals the store rewrites",
            )


_parser_lock = threading.Lock()


@functools.lru_cache(maxsize=512)
def _algebra(query: str):
    """rdflib's algebra of a SPARQL query, or None if rdflib cannot read it: parsed once per
    process. rdflib's parser (pyparsing) leaves reference cycles of exceptions and frames, and
    a frame holds its callers' frames: parsed under a caller that holds a million parsed
    triples, they would stay alive until the collector's next full pass (see
    :func:`parse_sparql_constraints`)."""
    from rdflib.plugins.sparql import prepareQuery

    with _parser_lock:  # rdflib's parser is not known to be safe on two threads at once (ShapeWork)
        try:
            return prepareQuery(query).algebra
        except Exception:  # noqa: BLE001 - rdflib cannot read it: assume the worst
            return None


def parse_sparql_constraints(shapes: Graph) -> None:
    """Parse the SPARQL constraints of ``shapes`` with rdflib now, as
    :meth:`_Run.check_lexical_safety` would later (:func:`_algebra`): called before the data
    is read, the parser's garbage holds nothing large."""
    for shape in _shapes(shapes):
        path = shapes.value(shape, SH.path)
        for constraint in shapes.objects(shape, SH.sparql):
            select = shapes.value(constraint, SH.select)
            if select is None:
                continue
            select = str(select)
            if path is not None:
                select = select.replace("$PATH", _path_sparql(shapes, path))
            _algebra(_prefixes(shapes, constraint) + select)


#: rdflib algebra names of functions that see a literal's lexical form or datatype.
_LEXICAL_BUILTINS = {
    f"Builtin_{name}" for name in (
        "STR", "DATATYPE", "sameTerm", "REGEX", "STRLEN", "SUBSTR", "UCASE", "LCASE", "STRSTARTS", "STRENDS",
        "CONTAINS", "STRBEFORE", "STRAFTER", "ENCODE_FOR_URI", "CONCAT", "REPLACE", "MD5", "SHA1", "SHA256",
        "SHA384", "SHA512", "isNUMERIC", "IRI", "URI", "STRDT", "STRLANG",
    )
} | {"Function", "Aggregate_GroupConcat", "Aggregate_Sample"}


def _lexically_tainted(algebra, rewritten: set) -> bool:
    """True if some lexical function of the query may take a literal from ``rewritten`` predicates."""
    from rdflib.paths import Path as RdflibPath
    from rdflib.term import Variable

    tainted: set = set()
    binds: list[tuple] = []
    lexical: list[set] = []

    def variables(node) -> set:
        found = set()
        if isinstance(node, Variable):
            found.add(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key != "_vars":
                    found |= variables(value)
        elif isinstance(node, (list, tuple)):
            for item in node:
                found |= variables(item)
        return found

    def restrictions(expr) -> dict:
        """Variable -> IRIs it must be one of, from the top-level conjuncts of a FILTER."""
        found: dict = {}
        conjuncts = [expr]
        if getattr(expr, "name", "") == "ConditionalAndExpression":
            conjuncts = [expr["expr"], *expr["other"]]
        for conjunct in conjuncts:
            if getattr(conjunct, "name", "") == "RelationalExpression" and isinstance(conjunct["expr"], Variable):
                other = conjunct["other"]
                if conjunct["op"] == "IN" and all(isinstance(o, URIRef) for o in other):
                    found[conjunct["expr"]] = set(other)
                elif conjunct["op"] == "=" and isinstance(other, URIRef):
                    found[conjunct["expr"]] = {other}
        return found

    def matches_rewritten(predicate, known: dict) -> bool:
        if isinstance(predicate, Variable):
            return predicate not in known or bool(known[predicate] & rewritten)
        if isinstance(predicate, RdflibPath):
            iris = _path_iris(predicate)
            return not iris or bool(iris & rewritten)
        return predicate in rewritten

    def walk(node, known: dict) -> None:
        if isinstance(node, dict):
            name = getattr(node, "name", "")
            if name in _LEXICAL_BUILTINS:
                lexical.append(variables(node))
            if name == "Extend":
                binds.append((node["var"], variables(node["expr"])))
            if name == "Filter":  # rows that survive it have these variables among these IRIs
                known = {**known, **restrictions(node["expr"])}
            for key, value in node.items():
                if key == "triples" and isinstance(value, list):
                    for subject, predicate, obj in value:
                        if matches_rewritten(predicate, known):
                            tainted.update(t for t in (subject, obj) if isinstance(t, Variable))
                elif key != "_vars":
                    walk(value, known)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item, known)

    walk(algebra, {})
    changed = True
    while changed:
        changed = False
        for var, uses in binds:
            if var not in tainted and uses & tainted:
                tainted.add(var)
                changed = True
    return any(uses & tainted for uses in lexical)


def _path_iris(path) -> set:
    """The IRIs in an rdflib property path (empty for a negated path: it matches any predicate)."""
    from rdflib.paths import NegatedPath

    if isinstance(path, URIRef):
        return {path}
    if isinstance(path, NegatedPath):
        return set()
    found = set()
    for attribute in ("arg", "args", "path"):
        inner = getattr(path, attribute, None)
        for item in inner if isinstance(inner, (list, tuple)) else [inner]:
            if item is not None:
                inner_iris = _path_iris(item)
                if not inner_iris:
                    return set()
                found |= inner_iris
    return found


def _this_only_on_top(select: str) -> bool:
    """True if every ``$this`` of the query is in its top group, or inside a FILTER [NOT]
    EXISTS there, and no sub-SELECT mentions it: then joining the focus nodes into the top
    group gives the solutions that pre-binding gives."""
    text = _strip_strings(select)
    if any(re.search(r"[?$]this\b", sub) for sub in _subselects(text)):
        return False
    opening = _top_group_start(text)
    stack: list[str] = []
    for token in re.finditer(r"[{}]|[?$]this\b", text[opening:]):
        item = token.group(0)
        if item == "{":
            before = text[: opening + token.start()].rstrip()
            if not stack:
                stack.append("top")
            elif re.search(r"\bEXISTS$", before, re.I) or stack[-1] == "exists":
                stack.append("exists")
            else:
                stack.append("group")
        elif item == "}":
            if stack:
                stack.pop()
            if not stack:
                break
        elif not stack or "group" in stack:
            return False
    return True


def _prefixes(shapes: Graph, constraint: RdflibTerm) -> str:
    """PREFIX declarations of a SPARQL constraint: sh:declare of its sh:prefixes, and of the
    ontologies those owl:imports (transitively), found in the shapes graph."""
    declarations = set()
    todo = list(shapes.objects(constraint, SH.prefixes))
    seen = set()
    while todo:
        ontology = todo.pop()
        if ontology in seen:
            continue
        seen.add(ontology)
        for declare in shapes.objects(ontology, SH.declare):
            prefix = shapes.value(declare, SH.prefix)
            namespace = shapes.value(declare, SH.namespace)
            if prefix is not None and namespace is not None:
                declarations.add(f"PREFIX {prefix}: <{namespace}>")
        todo.extend(shapes.objects(ontology, OWL.imports))
    return "\n".join(sorted(declarations)) + "\n"


def _path_sparql(shapes: Graph, path: RdflibTerm) -> str:
    """A SHACL path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return _term(path)
    if (path, RDF.first, None) in shapes:
        members = list(Collection(shapes, path))
        if len(members) < 2:
            raise UnsupportedShapes(f"a sequence path with {len(members)} member(s)", feature="a malformed SHACL path")
        return "(" + "/".join(_path_sparql(shapes, p) for p in members) + ")"
    for parameter, template in (
        (SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?"),
    ):
        inner = shapes.value(path, parameter)
        if inner is not None:
            return "(" + template.format(_path_sparql(shapes, inner)) + ")"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_sparql(shapes, p) for p in Collection(shapes, alternatives)) + ")"
    raise UnsupportedShapes(f"cannot read the SHACL path {path}", feature="a malformed SHACL path")


def _term(term: RdflibTerm) -> str:
    """A term in SPARQL syntax (IRIs and literals; shapes name no blank nodes in data)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise UnsupportedShapes(f"a blank node {term} cannot be named in a query", feature="a blank node as a constant")


def _ox_term(term) -> str:
    if isinstance(term, ox.BlankNode):
        raise UnsupportedShapes("a blank node cannot be named in a query", feature="a blank node as a constant")
    return str(term)


def _same_term(value: RdflibTerm, other: RdflibTerm) -> bool:
    if isinstance(value, Literal) and isinstance(other, Literal):
        return (str(value), value.datatype, value.language) == (str(other), other.datatype, other.language)
    return type(value) is type(other) and value == other


def _lang_matches(tag: str, language_range: str) -> bool:
    """SPARQL's langMatches (basic filtering, RFC 4647)."""
    tag, language_range = tag.lower(), language_range.lower()
    if language_range == "*":
        return tag != ""
    return tag == language_range or tag.startswith(language_range + "-")


def _compare(value: RdflibTerm, operator: str, bound: RdflibTerm) -> bool:
    """``value operator bound`` by value, False where they cannot be compared."""
    if not isinstance(value, Literal) or not isinstance(bound, Literal) or value.ill_typed:
        return False
    try:
        a, b = value.toPython(), bound.toPython()
        if isinstance(a, str) != isinstance(b, str) or a is None or b is None:
            return False
        return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b}[operator]
    except TypeError:
        return False


def _python_regex(shapes: Graph, shape: RdflibTerm, pattern: str, flags: str) -> re.Pattern:
    """sh:pattern as pySHACL (the reference) runs it: Python's ``re``, flags i and m."""
    re_flags = (re.I if "i" in flags.lower() else 0) | (re.M if "m" in flags.lower() else 0)
    try:
        return re.compile(pattern, re_flags)
    except re.error as error:
        raise UnsupportedShapes(f"{_name(shapes, shape)} has a sh:pattern that is not a valid regular expression: "
                                f"{pattern!r} ({error})", shape=shape, feature="an invalid sh:pattern") from None


def _datatype_test(datatype: RdflibTerm) -> _Test:
    """sh:datatype: the SPARQL test flags literals of another datatype (exact) and those of
    this datatype whose lexical form Oxigraph does not certify; Python (rdflib, as pySHACL)
    decides on the latter."""

    def python(value: RdflibTerm) -> bool:
        return not _datatype_ok(value, datatype)

    if datatype == RDF.langString:
        return _Test('!(isLiteral(?v) && LANG(?v) != "")', python, lexical=True)
    if datatype == RDFS.Literal:
        return _Test("!isLiteral(?v)", python)
    kind = f"isLiteral(?v) && DATATYPE(?v) = {_term(datatype)}"
    if datatype == XSD.string:
        return _Test(f'!({kind} && LANG(?v) = "")', python, lexical=True)
    if datatype in _CASTABLE:
        return _Test(f"!({kind} && COALESCE(isLiteral({_term(datatype)}(STR(?v))), false))", python,
                     mode="verify", lexical=True)
    if not _rdflib_checks(datatype):  # neither rdflib nor pySHACL check this datatype's lexical forms
        return _Test(f"!({kind})", python, lexical=True)
    # Oxigraph does not check this datatype's lexical forms: flag every literal of it, Python decides.
    return _Test(f"!({kind}) || isLiteral(?v)", python, mode="verify", lexical=True)


def _rdflib_checks(datatype: RdflibTerm) -> bool:
    """True if rdflib finds some lexical form ill-typed for ``datatype``."""
    import logging

    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return any(Literal(text, datatype=datatype).ill_typed for text in ("?", "x y", "-", "1.5.5", ""))
    finally:
        logger.setLevel(level)


def _datatype_ok(value: RdflibTerm, datatype: RdflibTerm) -> bool:
    """pySHACL's datatype check (DatatypeConstraintComponent), on one rdflib term."""
    import datetime
    from decimal import Decimal

    if not isinstance(value, Literal):
        return False
    if datatype == RDFS.Literal:
        return True
    if value.datatype == datatype or (value.datatype is None and value.language is None and datatype == XSD.string) \
            or (datatype == RDF.langString and value.language):
        if value.datatype == datatype and value.ill_typed is True:
            return False
        python = value.value
        expected = {
            XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
            XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: datetime.date, XSD.time: datetime.time,
            XSD.dateTime: datetime.datetime,
        }.get(datatype)
        return expected is None or isinstance(python, expected)
    return False


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


def _fill_template(message: str, variables: dict[str, RdflibTerm | None]) -> str:
    """A SPARQL constraint's message with ``{$var}`` / ``{?var}`` replaced by the solution's
    values, exactly as pySHACL fills them (``str`` of the rdflib term)."""
    for name, term in variables.items():
        if term is not None:
            message = re.sub("{{[?$]{}}}".format(name), str(term).replace("\\", "\\\\"), message)
    return message


def _top_group_start(select: str) -> int:
    """Index of the ``{`` that opens the WHERE group of a SELECT query."""
    match = re.search(r"\bWHERE\s*\{", select, flags=re.IGNORECASE) or re.search(r"\bSELECT\b[^{]*\{", select, flags=re.IGNORECASE)
    if match is None:
        raise UnsupportedShapes(f"cannot find the WHERE group of the SPARQL constraint: {select[:80]!r}",
                                feature="a SPARQL query without a WHERE group")
    return match.end() - 1


def _is_true(term: ox.Literal | None) -> bool:
    return term is not None and isinstance(term, ox.Literal) and term.value == "true"
