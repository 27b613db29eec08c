"""`vitd_kg.claims()` and `vitd-kg claims`: every claim rebuilt from the graph as a sentence.

The sentence is built from query results only: a test changes numbers in a copy of
the data and sees the sentence change; every claim's sentence carries its verb in the
right tense, its objects, its hedges and its strength wording.
"""

from __future__ import annotations

import json
import re
import sys

import pytest

import vitd_kg
from vitd_kg import resources
from vitd_kg.evidence.model import Claim, Intervention
from vitd_kg.evidence.reconstruct import CLAIM_QUERIES, build_claims
from vitd_kg.cli import main
from vitd_kg import load
from vitd_kg.evidence.render import population_phrase, render_claim, term_phrase
from vitd_kg.sparql.engines import execute
from vitd_kg.sparql.queries import read_query
from data_folders import copy_data

CLAIMS = vitd_kg.claims()
BY_ID = {c.id: c for c in CLAIMS}
VITD = "https://w3id.org/vitd-kg/ontology#"


def test_every_claim_is_rebuilt_once_in_document_order():
    assert len(CLAIMS) == 30 == len(BY_ID)
    starts = [c.source.start for c in CLAIMS]
    assert starts == sorted(starts)
    assert all(isinstance(c, Claim) for c in CLAIMS)


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_sentence_is_a_sentence_and_not_the_quote(claim):
    assert claim.text[0].isupper() and claim.text.endswith(".")
    assert claim.text != claim.quote
    assert "None" not in claim.text and "  " not in claim.text and "https://" not in claim.text


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_sentence_uses_the_relation_verb_in_the_right_tense(claim):
    text = claim.text.lower()
    past = claim.kind.iri in (VITD + "StudyClaim", VITD + "FindingClaim")
    if past:
        assert claim.relation.past in text or f"did not significantly {claim.relation.base}" in text or " included " in text
    else:
        verbs = (claim.relation.present, claim.relation.base)
        assert any(v.split()[0] in text for v in verbs)
        assert claim.relation.past.split()[0] not in text.split() or claim.relation.past == claim.relation.present


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_sentence_names_subject_and_objects(claim):
    text = claim.text.lower()
    if claim.kind.iri != VITD + "StudyClaim" or not claim.states or all(
        s.property.iri not in (VITD + "includedStudies",) for s in claim.states
    ):
        for obj in claim.objects:
            assert term_phrase(obj).lower() in text, term_phrase(obj)
    subject = claim.subject
    assert (term_phrase(subject).lower() in text) or (subject.label or "").lower() in text


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_sentence_keeps_every_hedge_and_strength_word(claim):
    text = claim.text
    for modality in claim.modalities:
        if modality.is_hedge:
            assert re.search(rf"\b{re.escape(modality.cue)}\b", text), modality.cue
    for wording in claim.strength_wording:
        negated = wording.lower().startswith("no ") and "did not significantly" in text
        compared = " more in " in text
        assert wording in text or negated or compared, wording


@pytest.mark.parametrize(
    ("claim_id", "sentence"),
    [
        ("hyp-vitamin-d-muscle-function",
         "Emerging research suggests that vitamin D may play a significant role in muscle function."),
        ("concl-alleviates-muscle-spasm",
         "The evidence suggests that vitamin D can significantly alleviate muscle spasm, particularly in "
         "individuals with vitamin D deficiency."),
        ("mech-animal-deficiency-weakness",
         "Animal models have shown that vitamin D deficiency can result in muscle weakness."),
        ("concl-supplementation-improves-strength", "Vitamin D supplementation has been shown to improve muscle strength."),
        ("ma-size", "The systematic review and meta-analysis of randomized controlled trials of vitamin D and muscle "
                    "(Beaudart 2014) included 30 randomized controlled trials with 5615 participants."),
        ("cs-symptom-improvement",
         "In the case series of vitamin D treatment in chronic neck and back pain (Cai 2019), 50,000 IU of oral "
         "vitamin D weekly for 12 weeks improved symptoms by more than 70% in patients with chronic pain and "
         "vitamin D deficiency who had not responded to nonsteroidal anti-inflammatory drugs or physical therapy "
         "(patient-reported; significance not reported)."),
        ("ma-mass-no-effect",
         "In the systematic review and meta-analysis of randomized controlled trials of vitamin D and muscle "
         "(Beaudart 2014), vitamin D supplementation did not significantly affect muscle mass in participants of "
         "the included randomized controlled trials, compared with placebo or control (standardized mean "
         "difference 0.058, p = 0.52, from the publication)."),
    ],
)
def test_sentences_read_as_expected(claim_id, sentence):
    assert BY_ID[claim_id].text == sentence


def test_subgroup_findings_compare_the_subgroups_with_their_numbers():
    text = BY_ID["ma-subgroup-aged-65-or-older"].text
    assert "more in individuals aged 65 years or older than in individuals younger than 65 years" in text
    assert "0.25, 95% confidence interval 0.01 to 0.48, versus 0.03, 95% confidence interval -0.08 to 0.14" in text
    severe = BY_ID["ma-subgroup-severe-deficiency"].text
    assert "(serum 25-hydroxyvitamin D below 30 nmol/L) than in individuals with serum 25-hydroxyvitamin D of at least 30 nmol/L" in severe


def test_typed_fields_carry_the_structure():
    claim = BY_ID["cs-symptom-improvement"]
    assert isinstance(claim.subject, Intervention)
    assert (claim.subject.dose_value, claim.subject.dose_unit, claim.subject.route.label) == (50000, "[iU]", "oral")
    [effect] = claim.reported_effects
    assert (effect.operator.label, effect.magnitude_value, effect.magnitude_unit) == ("more than", 70, "%")
    assert effect.significance.iri == VITD + "SignificanceNotReported"
    assert claim.studies[0].is_controlled is False and claim.studies[0].comparators == ()
    conclusion = BY_ID["concl-alleviates-muscle-spasm"]
    assert {b.claim_id for b in conclusion.rests_on} == {"cs-improvement", "cs-symptom-improvement", "cs-spasm-reduction"}
    assert [m.cue for m in conclusion.modalities] == ["suggests", "can"]
    assert population_phrase(conclusion.applies_particularly_to) == "individuals with vitamin D deficiency"


def test_claims_built_from_rdflib_rows_render_the_same():
    graph = load()
    rows = {name: execute(read_query(f"claims/{name}"), graph).rows for name in CLAIM_QUERIES}
    rebuilt = build_claims(rows)
    by_id = {c.id: c for c in rebuilt}
    assert [render_claim(c, by_id) for c in rebuilt] == [c.text for c in CLAIMS]


# --- the sentence follows the data --------------------------------------------------------------


def edit(folder, file_name: str, old: str, new: str) -> None:
    path = folder / file_name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file_name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    ("file_name", "old", "new", "claim_id", "before", "after"),
    [
        ("case-series.ttl", "vitd:doseValue 50000 ;", "vitd:doseValue 40000 ;", "cs-symptom-improvement",
         "50,000 IU", "40,000 IU"),
        ("case-series.ttl", "vitd:durationValue 12 ;", "vitd:durationValue 8 ;", "cs-spasm-reduction",
         "for 12 weeks", "for 8 weeks"),
        ("case-series.ttl", "vitd:magnitudeValue 70 ;", "vitd:magnitudeValue 60 ;", "cs-symptom-improvement",
         "more than 70%", "more than 60%"),
        ("meta-analysis.ttl", "vitd:participants 5615 ;", "vitd:participants 5000 ;", "ma-size",
         "with 5615 participants", "with 5000 participants"),
        ("meta-analysis.ttl", "vitd:value 30 ;\n    vitd:unit \"nmol/L\" .\n\npopulation:beaudart-2014-25ohd",
         "vitd:value 25 ;\n    vitd:unit \"nmol/L\" .\n\npopulation:beaudart-2014-25ohd", "ma-subgroup-severe-deficiency",
         "below 30 nmol/L", "below 25 nmol/L"),
        ("meta-analysis.ttl", "vitd:pValue 0.52 ;", "vitd:pValue 0.61 ;", "ma-mass-no-effect", "p = 0.52", "p = 0.61"),
    ],
    ids=["dose", "duration", "magnitude", "participants", "criterion", "p-value"],
)
def test_changing_a_number_in_the_data_changes_the_sentence(tmp_path, file_name, old, new, claim_id, before, after):
    data = copy_data(tmp_path)
    edit(data, file_name, old, new)
    original = BY_ID[claim_id].text
    changed = next(c for c in vitd_kg.claims(data) if c.id == claim_id).text
    assert before in original and before not in changed
    assert after in changed
    assert changed.replace(after, before) == original


def test_changing_a_hedge_changes_the_sentence(tmp_path):
    data = copy_data(tmp_path)
    edit(data, "introduction.ttl", "vitd:modality vitd:Suggested , vitd:Possible ;\n    vitd:hedgeCue \"suggests\" , \"may\" ;\n    vitd:strengthWording \"significant\" ;\n    vitd:evidenceLevel vitd:NoCitedEvidence .\n\n# \"... and the",
         "vitd:modality vitd:Suggested , vitd:Conditional ;\n    vitd:hedgeCue \"suggests\" , \"may\" ;\n    vitd:strengthWording \"significant\" ;\n    vitd:evidenceLevel vitd:NoCitedEvidence .\n\n# \"... and the")
    changed = next(c for c in vitd_kg.claims(data) if c.id == "hyp-vitamin-d-muscle-function").text
    assert changed == "Emerging research suggests that vitamin D could play a significant role in muscle function."


def test_a_claim_without_a_relation_is_named_in_the_error(tmp_path, capsys):
    data = copy_data(tmp_path)
    edit(data, "conclusion.ttl", "    vitd:relation vitd:isCostEffectiveStrategyToImprove ;\n", "")
    assert main(["claims", "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "claim:concl-cost-effective-strategy cannot be rebuilt: it lacks vitd:relation" in err


# --- the command -------------------------------------------------------------------------------------


def test_json_has_id_text_quote_and_structured_fields(capsys):
    assert main(["claims", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    source = resources.source_text()
    assert [c["id"] for c in payload] == [c.id for c in CLAIMS]
    for item in payload:
        for key in ("id", "text", "quote", "modality", "evidence_level", "studies", "population", "interventions",
                    "effects", "publication", "section", "start", "end", "rests_on", "subject", "objects"):
            assert key in item, key
        assert source[item["start"]:item["end"]] == item["quote"]
    concl = next(c for c in payload if c["id"] == "concl-alleviates-muscle-spasm")
    assert [b["id"] for b in concl["rests_on"]] == ["cs-improvement", "cs-spasm-reduction", "cs-symptom-improvement"]
    assert concl["evidence_level"]["label"] == "synthesis of the document's claims"
    strength = next(c for c in payload if c["id"] == "ma-strength")
    [estimate] = strength["effects"][0]["estimates"]
    assert (estimate["value"], estimate["p_value"], estimate["source_doi"]) == (0.17, 0.02, "10.1210/jc.2014-1742")
    assert strength["publication"]["pmid"] == "25033068"


def test_markdown_has_a_section_per_claim_with_its_quote(capsys):
    assert main(["claims", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    for claim in CLAIMS:
        assert f"## {claim.id}\n" in out
        assert f"> {claim.quote}" in out
    assert "| evidence | uncontrolled clinical observation (rank 2)" in out


def test_text_with_id_shows_one_claim(capsys):
    assert main(["claims", "--id", "ma-strength"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ma-strength: In the systematic review")
    assert "doi:10.1210/jc.2014-1742, PMID 25033068" in out and out.count("\n\n") == 0


def test_an_unknown_id_exits_2(capsys):
    assert main(["claims", "--id", "no-such-claim"]) == 2
    assert "no claim with id no-such-claim" in capsys.readouterr().err


def test_map_needs_exactly_one_id(tmp_path, capsys):
    assert main(["claims", "--map", str(tmp_path / "m.svg")]) == 2
    assert "--map needs exactly one --id" in capsys.readouterr().err


def test_map_calls_the_evidence_map_writer(tmp_path, capsys, monkeypatch):
    from vitd_kg.knowledge_graph import KnowledgeGraph

    calls = []
    monkeypatch.setattr(KnowledgeGraph, "write_evidence_map", lambda self, claim_id, path: calls.append((claim_id, path)))
    target = tmp_path / "m.svg"
    assert main(["claims", "--id", "claim:ma-strength", "--map", str(target)]) == 0
    assert calls == [("ma-strength", target)]


def test_wording_that_fits_no_slot_is_kept_in_parentheses_and_attribution_without_evidential_verb():
    from dataclasses import replace

    from vitd_kg.evidence.model import Term

    base = BY_ID["concl-supplementation-improves-strength"]
    worded = replace(base, strength_wording=["more pronounced"], modalities=[])
    assert render_claim(worded) == 'Vitamin D supplementation improves muscle strength (described as "more pronounced").'
    attributed = replace(base, modalities=[], attributed_to=Term("https://example.org/x", "the authors"))
    assert render_claim(attributed) == "According to the authors, vitamin D supplementation improves muscle strength."


def test_the_claims_command_does_not_import_rdflib():
    """Cold start: `vitd-kg claims` needs only pyoxigraph and click."""
    import subprocess

    code = ("import sys, io, contextlib; from vitd_kg.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['claims', '--format', 'json'])\n"
            "print('rdflib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr
