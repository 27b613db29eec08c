"""OWL consistency of the ontology plus data, with owlready2's bundled HermiT (needs Java).

HermiT supports only the OWL 2 datatype map. The data uses ``xsd:duration``
(intervention durations), ``xsd:gYear`` (publication years) and the ontology
``xsd:date`` (its creation date), which are outside it; those literals are left out
of the reasoner's input, and :class:`ReasoningOutcome` says how many were. They say
nothing about classes, so leaving them out cannot hide an inconsistency in the
class axioms; SHACL checks their datatypes.

When HermiT finds the graph inconsistent, the resources typed with two classes the
ontology declares disjoint are named (found with SPARQL over the class hierarchy),
so the message points at a node rather than at the whole graph.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from vitd_kg.errors import EngineFailure, MissingExtraError

XSD = "http://www.w3.org/2001/XMLSchema#"
#: Datatypes of the OWL 2 datatype map that HermiT accepts (rdf:langString too).
OWL2_DATATYPES = frozenset(
    [f"{XSD}{name}" for name in (
        "string normalizedString token language Name NCName NMTOKEN decimal integer long int short byte "
        "nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger unsignedLong unsignedInt "
        "unsignedShort unsignedByte double float boolean hexBinary base64Binary anyURI dateTime dateTimeStamp"
    ).split()]
    + [
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
        "http://www.w3.org/2000/01/rdf-schema#Literal",
        "http://www.w3.org/2002/07/owl#real",
        "http://www.w3.org/2002/07/owl#rational",
    ]
)


@dataclass
class ReasoningOutcome:
    """What HermiT said about the graph."""

    consistent: bool
    left_out: Counter = field(default_factory=Counter)
    disjoint_clashes: list[tuple[str, str, str]] = field(default_factory=list)
    range_clashes: list[tuple[str, str, Literal, str]] = field(default_factory=list)

    def note(self) -> str:
        """One line for the report: what was reasoned over and what was left out."""
        verdict = "consistent" if self.consistent else "INCONSISTENT"
        text = f"OWL reasoning (HermiT via owlready2): ontology + data are {verdict}"
        if self.left_out:
            kinds = ", ".join(f"{dt.replace(XSD, 'xsd:')} ({n})" for dt, n in sorted(self.left_out.items()))
            text += f"; left out literals HermiT does not support: {kinds}"
        return text


def reasoner_input(graph: Graph) -> tuple[Graph, Counter]:
    """The graph without the literals HermiT cannot read, and a count of those left out.

    Values of annotation properties are kept whatever their datatype (HermiT does not
    interpret annotations; the ontology puts dates and ISO durations there), so the
    bundled ontology and data go to HermiT whole. A user's data property with a value
    outside the OWL 2 datatype map (``xsd:duration``...) is left out and counted.
    """
    annotation = set(graph.subjects(RDF.type, OWL.AnnotationProperty))
    kept = Graph()
    left_out: Counter = Counter()
    for triple in graph:
        obj = triple[2]
        if isinstance(obj, Literal) and obj.datatype is not None and triple[1] not in annotation and (
            str(obj.datatype) not in OWL2_DATATYPES or _special_float(obj)
        ):
            left_out[str(obj.datatype)] += 1
            continue
        kept.add(triple)
    return kept, left_out


def _special_float(literal: Literal) -> bool:
    """NaN and infinities, which rdflib writes in a lexical form HermiT rejects ("inf")."""
    is_float = str(literal.datatype) in (f"{XSD}double", f"{XSD}float")
    return is_float and str(literal).strip("+-").lower() in ("inf", "nan")


def _java_message(error: Exception) -> str:
    """The Java exception line of an owlready2 Java error, without its stack trace."""
    lines = [line.strip() for line in str(error).splitlines() if "Exception" in line or "Error:" in line]
    text = lines[0] if lines else str(error).strip().splitlines()[0]
    return text.split(": ", 1)[-1] if "Exception" in text.split(": ", 1)[0] else text


def check_consistency(graph: Graph) -> ReasoningOutcome:
    """Run HermiT on ``graph`` (ontology + data) and report whether it is consistent.

    Raises :class:`MissingExtraError` when Java or owlready2 is not installed.
    """
    if shutil.which("java") is None:
        raise MissingExtraError(
            "OWL reasoning needs Java, which is not installed",
            hint="install a Java runtime (Debian: apt-get install default-jre-headless) or leave out --reason",
        )
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            import owlready2
    except ImportError:
        raise MissingExtraError(
            "OWL reasoning needs owlready2, which is not installed",
            hint="pip install 'vitd-kg[reason]' (owlready2 bundles the HermiT reasoner), or leave out --reason",
        ) from None

    kept, left_out = reasoner_input(graph)
    world = owlready2.World()
    data = kept.serialize(format="nt", encoding="utf-8")
    ontology = world.get_ontology("https://w3id.org/vitd-kg/validation-input")
    ontology.load(fileobj=io.BytesIO(data), format="ntriples")
    consistent = True
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        consistent = False
    except owlready2.OwlReadyJavaError as error:
        raise EngineFailure(
            f"the OWL reasoner failed: {_java_message(error)}",
            hint="the input may use OWL constructs HermiT cannot read; run without --reason to see SHACL results",
        ) from None
    finally:
        world.close()
    clashes = [] if consistent else disjoint_clashes(graph)
    ranges = [] if consistent else datatype_range_clashes(graph)
    return ReasoningOutcome(
        consistent=consistent, left_out=left_out, disjoint_clashes=clashes, range_clashes=ranges
    )


def disjoint_clashes(graph: Graph) -> list[tuple[str, str, str]]:
    """(resource, class A, class B) for each resource in two classes declared disjoint.

    A resource's classes are its rdf:types and those that the rdfs:domain and
    rdfs:range of the properties it is used with give it, with their superclasses.
    """
    pairs: set[tuple[URIRef, URIRef]] = set()
    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = graph.value(group, OWL.members)
        if members is not None:
            pairs.update(combinations(sorted(graph.items(members)), 2))
    for a, b in graph.subject_objects(OWL.disjointWith):
        pairs.add((a, b))
    if not pairs:
        return []
    direct: dict = {}
    for node, cls in graph.subject_objects(RDF.type):
        direct.setdefault(node, set()).add(cls)
    for prop, cls in graph.subject_objects(RDFS.domain):
        for node in graph.subjects(prop, None):
            direct.setdefault(node, set()).add(cls)
    for prop, cls in graph.subject_objects(RDFS.range):
        for node in graph.objects(None, prop):
            if not isinstance(node, Literal):
                direct.setdefault(node, set()).add(cls)
    supers: dict = {}
    clashes: list[tuple[str, str, str]] = []
    for node, classes in direct.items():
        closed = set()
        for cls in classes:
            if cls not in supers:
                supers[cls] = set(graph.transitive_objects(cls, RDFS.subClassOf))
            closed |= supers[cls]
        clashes.extend((str(node), str(a), str(b)) for a, b in sorted(pairs) if a in closed and b in closed)
    return sorted(clashes)


_INTEGERS = {f"{XSD}{n}" for n in "integer long int short byte nonNegativeInteger positiveInteger".split()}


def datatype_range_clashes(graph: Graph) -> list[tuple[str, str, Literal, str]]:
    """(resource, property, literal, range) where a literal's datatype is outside the property's range."""
    clashes = []
    for prop, range_ in graph.subject_objects(RDFS.range):
        expected = str(range_)
        if not expected.startswith(XSD):
            continue
        for node, value in graph.subject_objects(prop):
            if not isinstance(value, Literal):
                continue
            actual = str(value.datatype) if value.datatype else f"{XSD}string"
            if value.language:
                actual = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
            fits = actual == expected or (expected == f"{XSD}decimal" and actual in _INTEGERS) or (
                expected == f"{XSD}integer" and actual in _INTEGERS
            )
            if not fits:
                clashes.append((str(node), str(prop), value, expected))
    return sorted(clashes, key=lambda c: (c[0], c[1], str(c[2])))
