"""Provenance as data (issue 15): every claim and every resource holding figures says
where it comes from, with the PROV links its status needs.

The checks loop over the graph read with plain rdflib, so new data gets them too; the
few named resources are the ones shared SOURCES.md singles out (the case series'
figures are the document's report, the complement subgroup is the modeller's).
"""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

import vitd_kg
from vitd_kg.namespaces import ID, PROJECT_AGENT, VITD

GRAPH = vitd_kg.load()
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
PROV_ATTRIBUTED = URIRef("http://www.w3.org/ns/prov#wasAttributedTo")
STATUSES = {VITD.ReportedByDocument, VITD.VerifiedInPublication, VITD.TakenFromPublication, VITD.InferredByModeller}

#: The classes whose members hold figures (design note, section 2 rule 2).
HOLDERS = (VITD.Intervention, VITD.Effect, VITD.EffectEstimate, VITD.Population, VITD.QuantityCriterion,
           VITD.Comparator, VITD.Study, VITD.SubgroupDifferenceTest, VITD.Publication)
CLAIMS = sorted(set(GRAPH.subjects(VITD.sourceSentence, None)))
RESOURCES = sorted({r for cls in HOLDERS for r in GRAPH.subjects(RDF.type, cls)})


def status(resource) -> URIRef | None:
    return GRAPH.value(resource, VITD.provenanceStatus)


def short(iri) -> str:
    return str(iri)[len(str(ID)):]


@pytest.mark.parametrize("resource", CLAIMS + RESOURCES, ids=[short(r) if str(r).startswith(str(ID)) else str(r) for r in CLAIMS + RESOURCES])
def test_every_claim_and_figure_holder_has_exactly_one_status(resource):
    statuses = list(GRAPH.objects(resource, VITD.provenanceStatus))
    assert len(statuses) == 1 and statuses[0] in STATUSES, (resource, statuses)


@pytest.mark.parametrize("resource", RESOURCES, ids=[short(r) if str(r).startswith(str(ID)) else str(r) for r in RESOURCES])
def test_each_status_has_the_prov_links_it_needs(resource):
    given = status(resource)
    derived = list(GRAPH.objects(resource, PROV_DERIVED))
    publication = GRAPH.value(resource, VITD.publication)
    if given == VITD.ReportedByDocument:
        assert derived and all((d, RDF.type, VITD.SourceSentence) in GRAPH for d in derived)
        assert publication is None, "the document's report must not name a paper it was not checked in"
    elif given == VITD.VerifiedInPublication:
        assert publication is not None
        assert derived and all((d, RDF.type, VITD.SourceSentence) in GRAPH for d in derived)
    elif given == VITD.TakenFromPublication:
        assert publication is not None or (resource, RDF.type, VITD.Publication) in GRAPH
        assert not [d for d in derived if (d, RDF.type, VITD.SourceSentence) in GRAPH], "not in the document"
    elif given == VITD.InferredByModeller:
        assert GRAPH.value(resource, PROV_ATTRIBUTED) == URIRef(PROJECT_AGENT)
        assert derived and not [d for d in derived if (d, RDF.type, VITD.SourceSentence) in GRAPH]


def test_the_model_and_the_source_itself_carry_no_status():
    for cls in (VITD.SourceSentence, VITD.SourceDocument, VITD.DocumentSection):
        for node in GRAPH.subjects(RDF.type, cls):
            assert status(node) is None, node
    for concept in GRAPH.subjects(RDFS.label, None):
        if str(concept).startswith(str(ID) + "concept/"):
            assert status(concept) is None, concept


def test_every_effect_says_what_it_compares_and_it_follows_the_design():
    for effect in GRAPH.subjects(RDF.type, VITD.Effect):
        basis = GRAPH.value(effect, VITD.comparisonBasis)
        assert basis in (VITD.BeforeAndAfterUncontrolled, VITD.ControlledComparison), effect
        given = GRAPH.value(effect, VITD.intervention)
        studies = [s for s in GRAPH.subjects(VITD.intervention, given) if (s, RDF.type, VITD.Study) in GRAPH]
        controlled = {GRAPH.value(GRAPH.value(s, VITD.design), VITD.isControlled) for s in studies}
        assert (basis == VITD.BeforeAndAfterUncontrolled) == (controlled == {Literal(False)}), effect


def test_the_case_series_figures_are_the_documents_report():
    """SOURCES.md:15-18: the dose, the failed treatments and ">70%" come from the document only."""
    for prop in (VITD.doseValue, VITD.failedPriorTreatment, VITD.magnitudeValue):
        for holder in GRAPH.subjects(prop, None):
            assert status(holder) == VITD.ReportedByDocument, holder
    for claim in GRAPH.subjects(VITD.reportsStudy, ID["study/cai-2019-case-series"]):
        if (claim, VITD.reportsEffect, None) in GRAPH or (claim, VITD.statesProperty, VITD.population) in GRAPH:
            assert status(claim) == VITD.ReportedByDocument, claim


def test_the_50000_iu_patients_are_part_of_the_case_series_patients():
    recipients = ID["population/cai-2019-weekly-50000-iu-recipients"]
    assert GRAPH.value(recipients, VITD.subpopulationOf) == ID["population/cai-2019-patients"]
    for claim in ("cs-symptom-improvement", "cs-spasm-reduction"):
        assert GRAPH.value(ID[f"claim/{claim}"], VITD.forPopulation) == recipients
        assert GRAPH.value(GRAPH.value(ID[f"claim/{claim}"], VITD.reportsEffect), VITD.effectPopulation) == recipients


def test_the_complement_subgroup_is_the_modellers_inference():
    for kind, local in (("population", "beaudart-2014-25ohd-30-or-more"), ("criterion", "25ohd-at-least-30-nmol-per-l"),
                        ("effect", "beaudart-2014-strength-25ohd-30-or-more")):
        assert status(ID[f"{kind}/{local}"]) == VITD.InferredByModeller


def test_the_significant_subgroup_difference_is_recorded_as_a_test_of_the_difference():
    """SOURCES.md:46: "effect on strength significantly larger with 25(OH)D < 30 nmol/L"."""
    tests = list(GRAPH.subjects(RDF.type, VITD.SubgroupDifferenceTest))
    assert len(tests) == 1
    [test] = tests
    compared = set(GRAPH.objects(test, VITD.comparesSubgroupEffect))
    larger = ID["effect/beaudart-2014-strength-severe-deficiency"]
    assert compared == {larger, GRAPH.value(larger, VITD.largerThan)}
    assert GRAPH.value(test, VITD.differenceSignificance) == VITD.Significant
    assert status(test) == VITD.TakenFromPublication
    # the subgroup's own effect keeps "not reported": the test is about the difference
    assert GRAPH.value(larger, VITD.significance) == VITD.SignificanceNotReported


def test_estimates_and_the_comparator_are_taken_from_the_publication():
    for node in list(GRAPH.subjects(RDF.type, VITD.EffectEstimate)) + list(GRAPH.subjects(RDF.type, VITD.Comparator)):
        assert status(node) == VITD.TakenFromPublication, node
