"""The evidence audit: the rules in queries/audit/ find the document's over-statements,
cite the claims and studies involved, follow the data, and do not over-flag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vitd_kg
from vitd_kg import audit
from vitd_kg.evidence.audit import Finding
from vitd_kg.cli import main
from vitd_kg.sparql.queries import bundled_queries
from data_folders import copy_data

FINDINGS = audit()
EXPECTED = json.loads((Path(__file__).parent / "expected" / "audit-findings.json").read_text(encoding="utf-8"))


def find(kind: str, claim: str, findings=FINDINGS) -> Finding | None:
    return next((f for f in findings if f.kind == kind and f.claim_id == claim), None)


def test_findings_are_the_expected_ones():
    got = [{k: v for k, v in f.to_dict().items() if k in ("kind", "severity", "claim_ids", "study_ids")} for f in FINDINGS]
    assert got == EXPECTED


def test_every_rule_is_a_query_file_with_a_comment_and_each_finds_something_here():
    rules = {q.name.split("/", 1)[1] for q in bundled_queries("audit")}
    assert rules == {f.kind for f in FINDINGS}
    assert all(f.rule == f"queries/audit/{f.kind}.rq" for f in FINDINGS)


def test_the_spasm_conclusion_rests_on_one_uncontrolled_case_series_while_controlled_evidence_measured_strength():
    finding = find("rests-on-uncontrolled-evidence-only", "concl-alleviates-muscle-spasm")
    assert finding is not None and finding.severity == "high"
    assert finding.claim_ids == ["concl-alleviates-muscle-spasm", "cs-improvement", "cs-spasm-reduction", "cs-symptom-improvement"]
    assert finding.study_ids == ["cai-2019-case-series", "beaudart-2014-meta-analysis"]
    for words in ('worded "significantly"', "1 study, cai-2019-case-series (case series, no comparator)",
                  "significance not reported for 3 of 3", "No controlled study in the graph measured muscle spasm",
                  "beaudart-2014-meta-analysis (systematic review and meta-analysis) measured global muscle strength, "
                  "muscle mass and muscle power"):
        assert words in finding.message


def test_significant_wording_without_a_test_is_reported_for_the_case_series_and_the_conclusion():
    case = find("significance-wording-without-test", "cs-improvement")
    assert case is not None
    assert case.message == ('cs-improvement is worded "significant", but the effect it reports, cai-2019-improvement, '
                            "has no statistical test reported (significance not reported); study: cai-2019-case-series.")
    assert find("significance-wording-without-test", "concl-alleviates-muscle-spasm") is not None
    # "small but significant" has a test; "no significant" reports one
    for claim in ("ma-strength", "ma-mass-no-effect", "ma-power-no-effect"):
        assert not [f for f in FINDINGS if f.claim_id == claim]


def test_crucial_role_rests_on_null_results_and_preclinical_evidence():
    finding = find("strong-wording-over-null-or-preclinical-evidence", "concl-crucial-role-in-muscle-function")
    assert finding is not None
    for words in ('worded "crucial"', "of the 8 claims it rests on",
                  "2 report no statistically significant effect (ma-mass-no-effect on muscle mass, ma-power-no-effect on muscle power)",
                  "2 rest on animal or mechanistic research only (mech-animal-deficiency-weakness, mech-animal-endocrine-weakness)",
                  'ma-strength on global muscle strength, described as "small"'):
        assert words in finding.message


@pytest.mark.parametrize("claim", ["mech-animal-deficiency-weakness", "mech-animal-endocrine-weakness"])
def test_animal_claims_say_can_where_the_review_says_may(claim):
    finding = find("hedge-dropped-from-publication", claim)
    assert finding is not None
    assert '"have shown" ... "can"' in finding.message and 'as "may"' in finding.message
    assert "doi:10.1210/er.2012-1012" in finding.message
    assert finding.study_ids == ["animal-model-studies", "girgis-2013-review"]


def test_cost_effectiveness_rests_on_no_claim_that_measured_cost_or_quality_of_life():
    finding = find("outcome-not-measured-underneath", "concl-cost-effective-strategy")
    assert finding is not None
    assert "reports an effect on quality of life: they report clinical status, muscle spasm and symptoms" in finding.message
    assert "None of them reports a cost" in finding.message


@pytest.mark.parametrize(
    "claim",
    ["concl-research-needed-dosage-duration", "concl-supplementation-improves-strength",
     "hyp-vitamin-d-muscle-function", "hyp-vitamin-d-spasm-alleviation", "bg-vitamin-d-bone-health",
     "ma-subgroup-severe-deficiency", "ma-subgroup-aged-65-or-older"],
)
def test_claims_that_match_their_evidence_are_not_flagged(claim):
    assert not [f for f in FINDINGS if f.claim_id == claim]


def test_package_function_and_module_function_agree():
    from vitd_kg.evidence import audit as evidence_audit

    assert vitd_kg.audit() == evidence_audit.run_audit(vitd_kg.load_store()) == FINDINGS


# --- the rules follow the data ------------------------------------------------------------------


def edit(folder, file_name: str, old: str, new: str, count: int = -1) -> None:
    path = folder / file_name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file_name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_a_tested_significant_effect_clears_the_significance_finding(tmp_path):
    data = copy_data(tmp_path)
    edit(data, "case-series.ttl",
         "vitd:direction vitd:Improvement ;\n    vitd:significance vitd:SignificanceNotReported .",
         "vitd:direction vitd:Improvement ;\n    vitd:significance vitd:Significant .")
    findings = audit(data)
    assert find("significance-wording-without-test", "cs-improvement", findings) is None
    assert find("significance-wording-without-test", "concl-alleviates-muscle-spasm", findings) is None


def test_a_control_group_clears_the_uncontrolled_finding(tmp_path):
    data = copy_data(tmp_path)
    edit(data, "case-series.ttl", "vitd:design vitd:CaseSeries ;", "vitd:design vitd:RandomizedControlledTrial ;")
    assert find("rests-on-uncontrolled-evidence-only", "concl-alleviates-muscle-spasm", audit(data)) is None


def test_without_the_publications_may_there_is_no_dropped_hedge(tmp_path):
    data = copy_data(tmp_path)
    edit(data, "mechanisms.ttl", "    vitd:publicationModality vitd:Possible ;\n", "")
    assert not [f for f in audit(data) if f.kind == "hedge-dropped-from-publication"]


def test_a_claim_that_measured_quality_of_life_clears_the_unmeasured_outcome(tmp_path):
    data = copy_data(tmp_path)
    edit(data, "case-series.ttl", "vitd:outcome concept:symptoms ;", "vitd:outcome concept:quality-of-life ;")
    assert find("outcome-not-measured-underneath", "concl-cost-effective-strategy", audit(data)) is None


def test_an_unhedged_conclusion_on_one_case_series_is_flagged_too(tmp_path):
    """Remove "could" from the cost claim: it now asserts an effect on uncontrolled evidence only."""
    data = copy_data(tmp_path)
    edit(data, "conclusion.ttl", "vitd:modality vitd:Conditional ;\n    vitd:hedgeCue \"could\" ;", "vitd:modality vitd:Asserted ;")
    finding = find("rests-on-uncontrolled-evidence-only", "concl-cost-effective-strategy", audit(data))
    assert finding is not None and "No controlled study in the graph measured quality of life" in finding.message


def test_a_graph_with_nothing_wrong_gives_no_findings(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "one.ttl").write_text(
        "@prefix vitd: <https://w3id.org/vitd-kg/ontology#> .\n<https://example.org/s> a vitd:Study .\n", encoding="utf-8")
    assert audit(data) == []


# --- the command --------------------------------------------------------------------------------


def test_audit_command_prints_findings_and_exits_0(capsys):
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert "[high] rests-on-uncontrolled-evidence-only: concl-alleviates-muscle-spasm" in out
    assert out.rstrip().endswith(f"{len(FINDINGS)} findings")


def test_fail_on_findings_exits_1(capsys):
    assert main(["audit", "--fail-on-findings"]) == 1
    assert f"the audit reported {len(FINDINGS)} findings" in capsys.readouterr().err


def test_audit_json_lists_kind_claims_studies_message_and_severity(capsys):
    assert main(["audit", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [p["kind"] for p in payload] == [f.kind for f in FINDINGS]
    for item in payload:
        assert {"kind", "claim_ids", "study_ids", "message", "severity", "rule"} <= set(item)


def test_no_findings_exit_0_even_with_fail_on_findings(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "one.ttl").write_text("<https://example.org/s> <https://example.org/p> 1 .\n", encoding="utf-8")
    assert main(["audit", "--data", str(data), "--fail-on-findings"]) == 0
    assert "no findings" in capsys.readouterr().out


# --- issue 15: a weakened hedge, a "particularly" without a contrast, plain summaries -------------


@pytest.mark.parametrize("claim", ["mech-animal-deficiency-weakness", "mech-animal-endocrine-weakness"])
def test_can_for_may_is_a_weakened_hedge_not_a_dropped_one(claim):
    finding = find("hedge-dropped-from-publication", claim)
    assert finding.severity == "low"
    assert "a weakened hedge, not a dropped one" in finding.message and "drops" not in finding.message
    assert "\u201ccan\u201d where the publication it draws on says \u201cmay\u201d" in finding.summary


def test_a_claim_that_keeps_no_hedge_drops_it(tmp_path):
    data = copy_data(tmp_path)
    edit(data, "mechanisms.ttl", "vitd:modality vitd:Shown , vitd:Capable ;", "vitd:modality vitd:Shown ;", count=1)
    finding = find("hedge-dropped-from-publication", "mech-animal-deficiency-weakness", audit(data))
    assert finding.severity == "medium" and "the claim drops that hedge" in finding.message


def test_particularly_in_the_deficient_has_no_contrast_underneath():
    finding = find("particular-group-without-contrast", "concl-alleviates-muscle-spasm")
    assert finding is not None and finding.severity == "medium"
    assert finding.claim_ids == ["concl-alleviates-muscle-spasm", "cs-improvement", "cs-spasm-reduction",
                                 "cs-symptom-improvement", "ma-subgroup-severe-deficiency"]
    assert finding.study_ids == ["cai-2019-case-series", "beaudart-2014-meta-analysis"]
    for words in ("particularly in individuals with vitamin D deficiency", "which already belong to that group",
                  "ma-subgroup-severe-deficiency (beaudart-2014-meta-analysis), is on global muscle strength, not muscle spasm"):
        assert words in finding.message
    assert "everyone in the evidence under it already belonged to that group" in finding.summary


def test_without_particularly_there_is_no_contrast_finding(tmp_path):
    data = copy_data(tmp_path)
    edit(data, "conclusion.ttl", "    vitd:appliesParticularlyTo population:vitamin-d-deficient ;\n", "")
    assert find("particular-group-without-contrast", "concl-alleviates-muscle-spasm", audit(data)) is None


def test_a_group_outside_the_condition_underneath_is_not_called_all_in_the_group(tmp_path):
    data = copy_data(tmp_path)
    edit(data, "case-series.ttl", "    vitd:condition concept:chronic-pain , concept:vitamin-d-deficiency ;",
         "    vitd:condition concept:chronic-pain ;")
    finding = find("particular-group-without-contrast", "concl-alleviates-muscle-spasm", audit(data))
    assert finding is not None and "already belong" not in finding.message


def test_summaries_are_plain_words_without_ids():
    ids = {i for f in FINDINGS for i in f.claim_ids + f.study_ids}
    for finding in FINDINGS:
        assert finding.summary and finding.summary[0].isupper() and finding.summary.endswith(".")
        assert not [i for i in ids if i in finding.summary], finding.summary
        assert "vitd:" not in finding.summary and "doi:" not in finding.summary


def test_the_audit_flags_six_claims():
    assert sorted({f.claim_id for f in FINDINGS}) == [
        "concl-alleviates-muscle-spasm", "concl-cost-effective-strategy", "concl-crucial-role-in-muscle-function",
        "cs-improvement", "mech-animal-deficiency-weakness", "mech-animal-endocrine-weakness"]


@pytest.mark.parametrize("controlled", [3, 10, 11, 3323])
def test_a_message_names_at_most_ten_controlled_studies_and_counts_the_rest(controlled):
    """At 27000 synthetic claims one finding's message named 3323 controlled studies (391 KB)."""
    from vitd_kg.evidence.audit import MOST_NAMED, _rests_on_uncontrolled

    rows = [{"part": "basis", "basis": "cs-a", "study": "case-series", "designLabel": "case series",
             "hasComparator": "false", "objectLabel": "muscle strength", "significanceLabel": "significance not reported"}]
    rows += [{"part": "controlledStudy", "study": f"trial-{n}", "designLabel": "randomized controlled trial",
              "outcomeLabel": f"outcome {n}", "studyLabel": f"trial {n}", "objectLabel": "muscle strength"}
             for n in range(controlled)]
    message, claims, studies, summary = _rests_on_uncontrolled("concl-x", rows)
    assert studies == ["case-series", *(f"trial-{n}" for n in range(controlled))]  # all of them, as data
    named = min(controlled, MOST_NAMED)
    for text, name in ((message, "trial-{n} ("), (summary, "the trial {n} measured")):
        assert all(name.format(n=n) in text for n in range(named))
        assert name.format(n=named) not in text
        more = controlled - named
        assert ("other controlled stud" in text) == (more > 0)
    if controlled == 11:
        assert message.endswith("; and one other controlled study.")
    if controlled == 3323:
        assert message.endswith("; and 3313 other controlled studies.") and len(message) < 2000
