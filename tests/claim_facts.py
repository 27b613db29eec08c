"""Plain-rdflib helpers the tests use to look at claims independently of the package's queries."""

from __future__ import annotations

from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from vitd_kg.namespaces import OA, VITD

#: Properties a claim's own statement runs through; numbers on these nodes are what the
#: claim says. Nodes whose vitd:provenanceStatus says the document does not state them
#: (taken from a publication, or inferred by the modeller) are not followed; a node
#: without a status is not followed when it carries vitd:publication.
CONTENT_PROPERTIES = (
    VITD.object,
    VITD.forPopulation,
    VITD.appliesParticularlyTo,
    VITD.reportsEffect,
    VITD.intervention,
    VITD.effectPopulation,
    VITD.criterion,
    VITD.largerThan,
)
NOT_IN_THE_DOCUMENT = {VITD.TakenFromPublication, VITD.InferredByModeller}
NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.nonNegativeInteger, XSD.positiveInteger}


def claims(graph: Graph) -> list[URIRef]:
    """Every claim (anything with a source sentence), sorted."""
    return sorted(set(graph.subjects(VITD.sourceSentence, None)))


def quote_of(graph: Graph, claim: URIRef) -> tuple[str, int, int]:
    """The exact quote and its (start, end) offsets of a claim's sentence."""
    sentence = graph.value(claim, VITD.sourceSentence)
    exact = start = end = None
    for selector in graph.objects(sentence, OA.hasSelector):
        if (selector, RDF.type, OA.TextQuoteSelector) in graph:
            exact = str(graph.value(selector, OA.exact))
        if (selector, RDF.type, OA.TextPositionSelector) in graph:
            start = int(graph.value(selector, OA.start))
            end = int(graph.value(selector, OA.end))
    assert exact is not None and start is not None and end is not None, f"{claim} lacks selectors"
    return exact, start, end


def numbers_stated(graph: Graph, claim: URIRef) -> set[Decimal]:
    """Numeric literals that a claim's statement carries (see CONTENT_PROPERTIES)."""
    found: set[Decimal] = set()
    seen: set[URIRef] = set()

    def collect(node: URIRef) -> None:
        if node in seen or str(node).startswith(str(VITD)):
            return
        seen.add(node)
        status = graph.value(node, VITD.provenanceStatus)
        if status in NOT_IN_THE_DOCUMENT or (status is None and graph.value(node, VITD.publication) is not None):
            return
        for _, value in graph.predicate_objects(node):
            if isinstance(value, Literal) and value.datatype in NUMERIC:
                found.add(Decimal(str(value)))
        for prop in CONTENT_PROPERTIES:
            for target in graph.objects(node, prop):
                if isinstance(target, URIRef):
                    collect(target)

    for prop in CONTENT_PROPERTIES:
        for target in graph.objects(claim, prop):
            collect(target)
    subject = graph.value(claim, VITD.subject)
    for prop in graph.objects(claim, VITD.statesProperty):
        for value in graph.objects(subject, prop):
            if isinstance(value, Literal) and value.datatype in NUMERIC:
                found.add(Decimal(str(value)))
    # the claim's subject (an intervention) carries dose and duration
    if subject is not None and (subject, RDF.type, VITD.Intervention) in graph:
        for _, value in graph.predicate_objects(subject):
            if isinstance(value, Literal) and value.datatype in NUMERIC:
                found.add(Decimal(str(value)))
    return found


def spellings(number: Decimal) -> set[str]:
    """Ways a number may be written in English prose: 50000, 50,000; 0.5, .5."""
    plain = format(number.normalize(), "f")
    forms = {plain}
    if number == number.to_integral_value():
        forms.add(f"{int(number):,}")
    if plain.startswith("0."):
        forms.add(plain[1:])
    return forms
