"""Every claim is traceable to its sentence and says no more than the sentence does.

These tests loop over every claim in the bundled data, so new data gets the same checks.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

import vitd_kg
from vitd_kg import resources
from vitd_kg.namespaces import BIBO, OBO, VITD

from claim_facts import claims, numbers_stated, quote_of, spellings

GRAPH = vitd_kg.load()
SOURCE = resources.source_text()
CLAIMS = claims(GRAPH)
CLAIM_IDS = [str(c).rsplit("/", 1)[-1] for c in CLAIMS]


def test_the_graph_holds_a_claim_for_every_part_of_the_document():
    assert len(CLAIMS) == 30


@pytest.mark.parametrize("claim", CLAIMS, ids=CLAIM_IDS)
def test_quote_is_verbatim_at_its_offsets(claim):
    exact, start, end = quote_of(GRAPH, claim)
    assert SOURCE[start:end] == exact


@pytest.mark.parametrize("claim", CLAIMS, ids=CLAIM_IDS)
def test_claim_has_section_modality_and_evidence_level(claim):
    sentence = GRAPH.value(claim, VITD.sourceSentence)
    section = GRAPH.value(sentence, VITD.inSection)
    assert (section, RDF.type, VITD.DocumentSection) in GRAPH
    assert GRAPH.value(section, VITD.sectionOf) is not None or GRAPH.value(section, VITD.subsectionOf) is not None
    modalities = list(GRAPH.objects(claim, VITD.modality))
    assert modalities and all((m, RDF.type, VITD.Modality) in GRAPH for m in modalities)
    assert (GRAPH.value(claim, VITD.evidenceLevel), RDF.type, VITD.EvidenceLevel) in GRAPH


@pytest.mark.parametrize("claim", CLAIMS, ids=CLAIM_IDS)
def test_hedge_and_strength_words_are_in_the_quote(claim):
    exact, _, _ = quote_of(GRAPH, claim)
    for prop in (VITD.hedgeCue, VITD.strengthWording):
        for words in GRAPH.objects(claim, prop):
            assert str(words) in exact, f"{prop} {words!r} is not in the quote"


@pytest.mark.parametrize("claim", CLAIMS, ids=CLAIM_IDS)
def test_every_hedge_modality_has_its_cue_in_the_quote(claim):
    """A claim typed "suggested" must say "suggests"; one typed "may" must say "may"."""
    exact, _, _ = quote_of(GRAPH, claim)
    cues = {str(c) for c in GRAPH.objects(claim, VITD.hedgeCue)}
    for modality in GRAPH.objects(claim, VITD.modality):
        if GRAPH.value(modality, VITD.isHedge) == Literal(True):
            assert cues, f"hedged claim {claim} records no hedge cue"
            word = str(GRAPH.value(modality, VITD.cue))
            assert re.search(rf"\b{re.escape(word)}\b", exact), f"{word!r} not in the quote"


@pytest.mark.parametrize("claim", CLAIMS, ids=CLAIM_IDS)
def test_every_number_in_a_claim_appears_in_its_quote(claim):
    exact, _, _ = quote_of(GRAPH, claim)
    for number in numbers_stated(GRAPH, claim):
        assert any(form in exact for form in spellings(number)), f"{number} is not in: {exact}"


@pytest.mark.parametrize("claim", CLAIMS, ids=CLAIM_IDS)
def test_synthesis_claims_rest_on_other_claims(claim):
    if (claim, RDF.type, VITD.ConclusionClaim) in GRAPH or (claim, RDF.type, VITD.ResearchGapClaim) in GRAPH:
        supports = set(GRAPH.objects(claim, VITD.restsOn))
        assert supports and claim not in supports
        assert all(GRAPH.value(s, VITD.sourceSentence) is not None for s in supports)


def _fact_sentences(text: str) -> list[tuple[int, int]]:
    """Sentences of the source that state something: lines ending in a full stop,
    split at full stops; headings (no final full stop) and the search service's own
    header and trailer lines are not statements about the world."""
    spans = []
    offset = 0
    for line in text.split("\n"):
        if line.rstrip().endswith("."):
            for match in re.finditer(r"\S.*?\.(?=\s|$)", line):
                spans.append((offset + match.start(), offset + match.end()))
        offset += len(line) + 1
    return spans


def test_every_fact_sentence_of_the_source_is_covered_by_a_claim():
    covered = {quote_of(GRAPH, c)[1:] for c in CLAIMS}
    missing = [SOURCE[s:e] for s, e in _fact_sentences(SOURCE) if (s, e) not in covered]
    assert not missing, f"sentences without a claim: {missing}"
    assert len(_fact_sentences(SOURCE)) == 16


def test_every_source_sentence_node_is_used_by_a_claim():
    sentences = set(GRAPH.subjects(RDF.type, VITD.SourceSentence))
    used = set(GRAPH.objects(None, VITD.sourceSentence))
    assert sentences == used


def test_claims_name_only_verified_publications():
    """Publications are the three of shared/SOURCES.md, with the DOIs it verifies."""
    verified = {
        "https://doi.org/10.7812/TPP/18.241",
        "https://doi.org/10.1210/er.2012-1012",
        "https://doi.org/10.1210/jc.2014-1742",
    }
    named = {str(p) for p in GRAPH.objects(None, VITD.publication)}
    assert named == verified
    for doi in verified:
        assert doi == "https://doi.org/" + str(GRAPH.value(URIRef(doi), BIBO.doi))


def test_only_the_meta_analysis_has_a_pmid():
    pmids = {(str(s), str(o)) for s, o in GRAPH.subject_objects(BIBO.pmid)}
    assert pmids == {("https://doi.org/10.1210/jc.2014-1742", "25033068")}


def test_muscle_spasm_is_never_an_exact_match_for_muscle_cramps():
    from rdflib.namespace import SKOS

    cramps = OBO.HP_0003394
    assert not list(GRAPH.subjects(SKOS.exactMatch, cramps))


def test_numbers_are_typed_and_durations_are_xsd_durations():
    from rdflib.namespace import XSD

    for value in GRAPH.objects(None, VITD.duration):
        assert value.datatype == XSD.duration
    for prop in (VITD.doseValue, VITD.value, VITD.magnitudeValue, VITD.participants, VITD.includedStudies):
        for value in GRAPH.objects(None, prop):
            assert isinstance(value, Literal) and value.datatype in (XSD.integer, XSD.decimal)


def test_every_claim_has_a_readable_label():
    for claim in CLAIMS:
        assert GRAPH.value(claim, RDFS.label) is not None
