"""The FHIR R5 export: every resource validates with fhir.resources, and says what the graph says.

The graph side of each check is read with plain rdflib, independently of the export queries.
"""

from __future__ import annotations

import copy
import io
import json
from decimal import Decimal

import pytest
from fhir.resources.bundle import Bundle
from fhir.resources.citation import Citation
from fhir.resources.evidence import Evidence
from pydantic import ValidationError
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

import vitd_kg
from vitd_kg.exports import fhir
from vitd_kg import resources
from vitd_kg.namespaces import BIBO, VITD

MODELS = {"Evidence": Evidence, "Citation": Citation}
VARIABLE_ROLES = {"population", "subpopulation", "exposure", "referenceExposure", "measuredVariable", "confounder"}

BUNDLE = vitd_kg.fhir_bundle()
RESOURCES = [entry["resource"] for entry in BUNDLE["entry"]]
EVIDENCE = {r["url"]: r for r in RESOURCES if r["resourceType"] == "Evidence"}


def effects(graph: Graph) -> list[URIRef]:
    return sorted(graph.subjects(RDF.type, VITD.Effect))


def test_bundle_validates_as_an_r5_collection():
    bundle = Bundle.model_validate(BUNDLE)
    assert bundle.type == "collection"
    assert bundle.entry and len(bundle.entry) == len(RESOURCES)


@pytest.mark.parametrize("resource", RESOURCES, ids=[r["id"] for r in RESOURCES])
def test_every_resource_validates_with_fhir_resources(resource):
    model = MODELS[resource["resourceType"]].model_validate(resource)
    assert model.id == resource["id"]
    assert model.status == "active"


def test_validation_can_fail():
    broken = copy.deepcopy(next(iter(EVIDENCE.values())))
    del broken["variableDefinition"][0]["variableRole"]  # required (1..1) in R5
    with pytest.raises(ValidationError):
        Evidence.model_validate(broken)
    wrong = copy.deepcopy(next(iter(EVIDENCE.values())))
    wrong["statistic"][0]["quantity"] = {"value": "not a number"}
    with pytest.raises(ValidationError):
        Evidence.model_validate(wrong)


def test_one_evidence_per_effect_of_the_graph(graph):
    assert sorted(EVIDENCE) == [str(e) for e in effects(graph)]


def test_non_significant_results_are_exported_as_such(graph):
    not_significant = [e for e in effects(graph) if (e, VITD.significance, VITD.NotSignificant) in graph]
    assert len(not_significant) == 2  # muscle mass and muscle power
    for effect in not_significant:
        statistic = EVIDENCE[str(effect)]["statistic"][0]
        assert statistic["note"] == [{"text": "Reported as not statistically significant."}]
        p_value = statistic["attributeEstimate"][0]
        assert p_value["type"]["coding"][0]["code"] == "C44185"
        assert Decimal(str(p_value["quantity"]["value"])) > Decimal("0.05")


@pytest.mark.parametrize("effect_iri", sorted(EVIDENCE))
def test_statistics_carry_the_graph_numbers_and_nothing_else(graph, effect_iri):
    effect = URIRef(effect_iri)
    statistics = EVIDENCE[effect_iri]["statistic"]
    estimates = sorted(graph.objects(effect, VITD.estimate))
    assert len(statistics) == max(1, len(estimates))
    for estimate, statistic in zip(estimates, statistics):
        assert Decimal(str(statistic["quantity"]["value"])) == Decimal(str(graph.value(estimate, VITD.value)))
        by_code = {a["type"]["coding"][0]["code"]: a for a in statistic.get("attributeEstimate", [])}
        p_value = graph.value(estimate, VITD.pValue)
        assert ("C44185" in by_code) == (p_value is not None)
        if p_value is not None:
            assert Decimal(str(by_code["C44185"]["quantity"]["value"])) == Decimal(str(p_value))
        lower, upper = graph.value(estimate, VITD.ciLower), graph.value(estimate, VITD.ciUpper)
        assert ("C53324" in by_code) == (lower is not None)
        if lower is not None:
            bounds = by_code["C53324"]["range"]
            assert Decimal(str(bounds["low"]["value"])) == Decimal(str(lower))
            assert Decimal(str(bounds["high"]["value"])) == Decimal(str(upper))
            assert by_code["C53324"]["level"] == 0.95  # STATO_0000231, 95% confidence interval
        statistic_type = statistic["statisticType"]["coding"][0]
        assert graph.value(estimate, VITD.statistic) == URIRef("http://purl.obolibrary.org/obo/STATO_0000100")
        assert (statistic_type["system"], statistic_type["code"]) == (fhir.STATISTIC_TYPE, "0000100")
    if not estimates:
        assert "statisticType" not in statistics[0]
        magnitude = graph.value(effect, VITD.magnitudeValue)
        assert ("quantity" in statistics[0]) == (magnitude is not None)


def test_sample_size_is_the_study_total_and_never_claimed_for_a_subgroup(graph):
    for effect_iri, evidence in EVIDENCE.items():
        effect = URIRef(effect_iri)
        size = evidence["statistic"][0].get("sampleSize")
        given = graph.value(effect, VITD.intervention)
        study = next(s for s in graph.subjects(VITD.intervention, given) if (s, RDF.type, VITD.Study) in graph)
        participants = graph.value(study, VITD.participants)
        if (effect, VITD.subgroupOf, None) in graph or participants is None:
            assert size is None
        else:
            assert size["numberOfStudies"] == int(graph.value(study, VITD.includedStudies))
            assert size["numberOfParticipants"] == int(participants)
    assert sum("sampleSize" in e["statistic"][0] for e in EVIDENCE.values()) == 3


def test_variable_definitions_use_r5_variable_roles_and_the_comparator_only_where_there_is_one(graph):
    for effect_iri, evidence in EVIDENCE.items():
        roles = [v["variableRole"]["coding"][0] for v in evidence["variableDefinition"]]
        assert {r["system"] for r in roles} == {fhir.VARIABLE_ROLE}
        codes = [r["code"] for r in roles]
        assert set(codes) <= VARIABLE_ROLES
        has_comparator = (URIRef(effect_iri), VITD.comparator, None) in graph
        assert ("referenceExposure" in codes) == has_comparator
        assert {"population", "exposure", "measuredVariable"} <= set(codes)


def test_exposure_states_dose_route_frequency_and_duration():
    evidence = EVIDENCE["https://w3id.org/vitd-kg/id/effect/cai-2019-spasm-reduction"]
    exposure = next(v for v in evidence["variableDefinition"] if v["variableRole"]["coding"][0]["code"] == "exposure")
    notes = [n["text"] for n in exposure["note"]]
    assert "dose: 50000 [iU] (UCUM)" in notes
    assert "route: oral" in notes
    assert "frequency: weekly (every P7D)" in notes
    assert "duration: 12 wk (P84D)" in notes


def test_study_design_and_synthesis_type_follow_the_study():
    meta = EVIDENCE["https://w3id.org/vitd-kg/id/effect/beaudart-2014-strength"]
    assert meta["synthesisType"]["coding"][0]["code"] == "std-MA"
    assert [d["coding"][0]["code"] for d in meta["studyDesign"]] == ["SEVCO:01003"]
    series = EVIDENCE["https://w3id.org/vitd-kg/id/effect/cai-2019-symptom-improvement"]
    assert "synthesisType" not in series
    assert [d["coding"][0]["code"] for d in series["studyDesign"]] == ["SEVCO:01016", "SEVCO:01052"]


def test_no_certainty_is_invented():
    assert all("certainty" not in evidence for evidence in EVIDENCE.values())


def test_the_source_quote_is_the_assertion(graph):
    from claim_facts import quote_of

    for effect_iri, evidence in EVIDENCE.items():
        claims = sorted(graph.subjects(VITD.reportsEffect, URIRef(effect_iri)))
        if claims:
            assert evidence["assertion"] == quote_of(graph, claims[0])[0]
        else:
            assert "assertion" not in evidence


def test_one_citation_per_publication_with_verified_identifiers_only(graph):
    citations = [r for r in RESOURCES if r["resourceType"] == "Citation"]
    publications = sorted(graph.subjects(RDF.type, VITD.Publication))
    assert len(citations) == len(publications) == 3
    for publication, resource in zip(publications, citations):
        identifiers = {i["system"]: i["value"] for i in resource["citedArtifact"]["identifier"]}
        assert identifiers[fhir.DOI_SYSTEM] == str(graph.value(publication, BIBO.doi))
        pmid = graph.value(publication, BIBO.pmid)
        assert identifiers.get(fhir.PUBMED_SYSTEM) == (str(pmid) if pmid is not None else None)
    assert sum(fhir.PUBMED_SYSTEM in json.dumps(c) for c in citations) == 1  # only the meta-analysis


def test_ids_are_unique_deterministic_and_references_resolve():
    assert vitd_kg.fhir_bundle() == BUNDLE
    ids = [r["id"] for r in RESOURCES]
    assert len(set(ids)) == len(ids)
    full_urls = {entry["fullUrl"] for entry in BUNDLE["entry"]}
    references = [
        artifact["resourceReference"]["reference"]
        for r in RESOURCES
        for artifact in r.get("relatedArtifact", [])
    ]
    assert references and set(references) <= full_urls
    assert EVIDENCE["https://w3id.org/vitd-kg/id/effect/beaudart-2014-strength"]["id"] == "effect-beaudart-2014-strength"


def test_long_or_colliding_iris_get_uuid_ids():
    ids = fhir.ResourceIds()
    assert ids("https://w3id.org/vitd-kg/id/effect/a") == "effect-a"
    assert ids("https://example.org/effect/a") == "example.org-effect-a"
    assert ids("https://example.org/effect-a") != "example.org-effect-a"  # would collide
    assert len(ids("https://example.org/" + "x" * 80)) == 36


def test_write_fhir_writes_the_bundle_as_utf8_json():
    buffer = io.BytesIO()
    fhir.write_fhir(vitd_kg.load_store(), buffer)
    assert json.loads(buffer.getvalue().decode("utf-8")) == BUNDLE


def test_export_follows_a_changed_graph(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for entry in resources.data_files():
        (data / entry.name).write_bytes(entry.read_bytes())
    meta = data / "meta-analysis.ttl"
    meta.write_text(meta.read_text(encoding="utf-8").replace("vitd:value 0.058 ;", "vitd:value 0.061 ;"), encoding="utf-8")
    (data / "case-series.ttl").unlink()
    bundle = vitd_kg.fhir_bundle(data)
    evidence = {e["resource"]["url"]: e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Evidence"}
    assert len(evidence) == len(EVIDENCE) - 3
    assert evidence["https://w3id.org/vitd-kg/id/effect/beaudart-2014-mass"]["statistic"][0]["quantity"]["value"] == 0.061



def test_the_readme_snippet_shows_the_exported_meta_analysis_evidence():
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "guide" / "evidence-standards.md").read_text(encoding="utf-8")
    shown = json.loads(text.split("```json\n", 1)[1].split("\n```", 1)[0])
    assert shown == EVIDENCE["https://w3id.org/vitd-kg/id/effect/beaudart-2014-strength"]
    assert str([r["id"] for r in RESOURCES][:4]) in text


def test_writing_to_a_file_as_the_export_command_does(tmp_path):
    # the `vitd-kg export --format fhir -o FILE` path
    target = tmp_path / "evidence.json"
    with target.open("wb") as out:
        fhir.write_fhir(vitd_kg.load_store(), out)
    assert Bundle.model_validate_json(target.read_bytes()).type == "collection"
