"""Rebuilding claims from the graph: the queries in ``queries/claims/``, assembled into objects.

The queries run once each over the whole graph; :func:`build_claims` groups their
rows into :class:`~vitd_kg.evidence.model.Claim` objects and
:mod:`vitd_kg.evidence.render` writes each claim's sentence.

>>> from vitd_kg.rdf.parsing import load_store
>>> claims = reconstruct_claims(load_store())
>>> len(claims), claims[0].id
(30, 'bg-spasm-debilitating')
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from typing import Any, Iterable

from vitd_kg.errors import InvalidDataError
from vitd_kg.evidence.model import (
    Basis,
    Claim,
    Criterion,
    Effect,
    Estimate,
    EvidenceLevel,
    Intervention,
    Modality,
    Number,
    Population,
    Publication,
    Relation,
    Source,
    StatedValue,
    Study,
    Term,
)
from vitd_kg.evidence.render import intervention_phrase, population_phrase, render_claim
from vitd_kg.namespaces import claim_id, curie
from vitd_kg.sparql.engines import Target, select_light
from vitd_kg.sparql.queries import bundled_query
from vitd_kg.sparql.rows import Iri, LightRow as Row

#: The files of ``queries/claims/`` that :func:`reconstruct_claims` runs, by the name used below.
CLAIM_QUERIES = (
    "claim",
    "parts",
    "modality",
    "study",
    "study-parts",
    "population",
    "criteria",
    "intervention",
    "effect",
    "evidence",
    "stated-values",
)

XSD = "http://www.w3.org/2001/XMLSchema#"


def reconstruct_claims(graph: Target) -> list[Claim]:
    """Every claim of a graph (an Oxigraph store or an engine), in document order, with its sentence."""
    rows = {name: select_light(graph, bundled_query(f"claims/{name}")) for name in CLAIM_QUERIES}
    built = build_claims(rows)
    by_id = {c.id: c for c in built}
    for claim in built:
        claim.text = render_claim(claim, by_id)
    return built


def build_claims(rows: dict[str, list[Row]]) -> list[Claim]:
    """Assemble :class:`Claim` objects from the rows of every query in CLAIM_QUERIES."""
    populations = {iri: replace(p, text=population_phrase(p)) for iri, p in _populations(rows["population"], rows["criteria"]).items()}
    interventions = {iri: replace(i, text=intervention_phrase(i)) for iri, i in _interventions(rows["intervention"]).items()}
    studies = _studies(rows["study"], rows["study-parts"])
    effects = _effects(rows["effect"], populations)
    parts = _group(rows["parts"])
    modalities = _group(rows["modality"])
    evidence = _group(rows["evidence"])
    stated = _group(rows["stated-values"])
    intervention_roles = _group(rows["intervention"])

    built: list[Claim] = []
    seen: set[str] = set()
    for row in rows["claim"]:
        iri = str(row["claim"])
        if iri in seen:  # a claim typed with two unrelated kinds gives two rows; keep the first
            continue
        seen.add(iri)
        _require(row, iri)
        claim_parts = parts.get(iri, [])

        def values(part: str) -> list[Row]:
            return [r for r in claim_parts if str(r["part"]) == part]

        def population_for(part: str) -> Population | None:
            found = values(part)
            return populations.get(str(found[0]["value"])) if found else None

        claim = Claim(
            id=claim_id(iri),
            iri=iri,
            kind=_term(row, "kind"),
            label=_text(row, "label"),
            subject=interventions.get(str(row["subject"])) or _subject(row, populations, studies),
            relation=Relation(
                iri=str(row["relation"]),
                label=None,
                present=str(row["verbPresent"]),
                base=str(row["verbBase"]),
                past=str(row["verbPast"]),
            ),
            objects=[populations.get(str(r["value"])) or _term(r, "value") for r in values("object")],
            evidence_level=EvidenceLevel(
                iri=str(row["evidenceLevel"]),
                label=_text(row, "evidenceLevelLabel"),
                rank=int(row["evidenceRank"]),
            ),
            source=Source(
                sentence=str(row["sentence"]),
                quote=str(row["quote"]),
                start=int(row["start"]),
                end=int(row["end"]),
                section=_text(row, "sectionTitle"),
                parent_section=_text(row, "parentSectionTitle"),
            ),
            attributed_to=_term(row, "attributedTo") if "attributedTo" in row else None,
            contrasted_with=[_term(r, "value") for r in values("contrastedWith")],
            for_population=population_for("forPopulation"),
            applies_particularly_to=population_for("appliesParticularlyTo"),
            hedge_cues=[str(r["value"]) for r in values("hedgeCue")],
            strength_wording=[str(r["value"]) for r in values("strengthWording")],
            explains=[claim_id(str(r["value"])) for r in values("explains")],
            publication=Publication(
                iri=str(row["publication"]),
                doi=_text(row, "doi"),
                pmid=_text(row, "pmid"),
                citation=_text(row, "citation"),
            )
            if "publication" in row
            else None,
        )
        for m in modalities.get(iri, []):
            modality = Modality(
                iri=str(m["modality"]),
                label=_text(m, "modalityLabel"),
                kind=str(m["modalKind"]),
                cue=_text(m, "cue"),
                is_hedge=_value(m["isHedge"]) is True,
            )
            target = claim.modalities if str(m["source"]) == "document" else claim.publication_modalities
            target.append(modality)
        reported = {str(r["value"]) for r in values("reportsStudy")}
        claim.studies = [studies[s] for s in sorted(reported) if s in studies]
        claim.interventions = _unique(
            interventions[str(r["intervention"])]
            for r in sorted(intervention_roles.get(iri, []), key=lambda r: _ROLE_ORDER.get(str(r["role"]), 9))
        )
        claim.effects = list(effects.get(iri, []))
        claim.rests_on = [_basis(r) for r in evidence.get(iri, [])]
        claim.states = [
            StatedValue(property=_term(r, "property"), value=_term(r, "value") if _is_iri(r["value"]) else _value(r["value"]))
            for r in stated.get(iri, [])
        ]
        built.append(claim)
    return built


_ROLE_ORDER = {"subject": 0, "effect": 1, "studyIntervention": 2}

#: Columns of claims/claim a claim cannot be rebuilt without, and the property to add.
_REQUIRED = {
    "subject": "vitd:subject",
    "relation": "vitd:relation",
    "verbPresent": "vitd:verbPresent on its relation",
    "verbBase": "vitd:verbBase on its relation",
    "verbPast": "vitd:verbPast on its relation",
    "evidenceLevel": "vitd:evidenceLevel",
    "evidenceRank": "vitd:evidenceRank on its evidence level",
    "quote": "an oa:TextQuoteSelector with oa:exact on its source sentence",
    "start": "an oa:TextPositionSelector with oa:start and oa:end on its source sentence",
}


def _require(row: Row, iri: str) -> None:
    """Raise a clear error for a claim that lacks a part every claim needs."""
    missing = [what for column, what in _REQUIRED.items() if column not in row]
    if missing:
        raise InvalidDataError(
            f"claim {curie(iri)} cannot be rebuilt: it lacks {', '.join(missing)}",
            hint="add the missing statements to the claim in the data (ontology/vitd.ttl defines each property)",
        )


def _group(rows: Iterable[Row], key: str = "claim") -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[str(row[key])].append(row)
    return grouped


def _unique(items: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _populations(rows: list[Row], criteria_rows: list[Row]) -> dict[str, Population]:
    parts: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    labels: dict[str, str | None] = {}
    for row in rows:
        iri = str(row["population"])
        labels[iri] = _text(row, "populationLabel")
        if "part" in row:
            term = _term(row, "value")
            if term not in parts[iri][str(row["part"])]:
                parts[iri][str(row["part"])].append(term)
    criteria: dict[str, list[Criterion]] = defaultdict(list)
    for row in criteria_rows:
        iri = str(row["population"])
        labels.setdefault(iri, None)
        criterion = Criterion(
            iri=str(row["criterion"]),
            measure=_term(row, "measure"),
            operator=_term(row, "operator"),
            symbol=_text(row, "operatorSymbol") or "",
            value=_value(row["value"]),
            unit=_text(row, "unit"),
        )
        if criterion not in criteria[iri]:
            criteria[iri].append(criterion)
    return {
        iri: Population(
            iri=iri,
            label=label,
            conditions=tuple(parts[iri]["condition"]),
            failed_prior_treatments=tuple(parts[iri]["failedPriorTreatment"]),
            criteria=tuple(criteria[iri]),
        )
        for iri, label in labels.items()
    }


def _interventions(rows: list[Row]) -> dict[str, Intervention]:
    found: dict[str, Intervention] = {}
    for row in rows:
        iri = str(row["intervention"])
        if iri in found:
            continue
        found[iri] = Intervention(
            iri=iri,
            label=_text(row, "interventionLabel"),
            substance=_term(row, "substance") if "substance" in row else None,
            dose_value=_number(row, "doseValue"),
            dose_unit=_text(row, "doseUnit"),
            route=_term(row, "route") if "route" in row else None,
            frequency=_term(row, "frequency") if "frequency" in row else None,
            period=_text(row, "period"),
            duration=_text(row, "duration"),
            duration_value=_number(row, "durationValue"),
            duration_unit=_text(row, "durationUnit"),
            corrects=_term(row, "corrects") if "corrects" in row else None,
        )
    return found


def _studies(rows: list[Row], part_rows: list[Row]) -> dict[str, Study]:
    parts: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for row in part_rows:
        term = _term(row, "value")
        bucket = parts[str(row["study"])][str(row["part"])]
        if term not in bucket:
            bucket.append(term)
    found: dict[str, Study] = {}
    for row in rows:
        iri = str(row["study"])
        if iri in found:
            continue
        p = parts[iri]
        found[iri] = Study(
            iri=iri,
            label=_text(row, "studyLabel"),
            design=_term(row, "design") if "design" in row else None,
            is_controlled=_value(row["isControlled"]) if "isControlled" in row else None,
            is_randomized=_value(row["isRandomized"]) if "isRandomized" in row else None,
            included_design=_term(row, "includedDesign") if "includedDesign" in row else None,
            included_studies=_number(row, "includedStudies"),
            participants=_number(row, "participants"),
            reviewed_in=_term(row, "reviewedIn") if "reviewedIn" in row else None,
            doi=_text(row, "doi"),
            pmid=_text(row, "pmid"),
            exposures=tuple(p["exposure"]),
            outcomes=tuple(p["outcome"]),
            interventions=tuple(p["intervention"]),
            populations=tuple(p["population"]),
            comparators=tuple(p["comparator"]),
        )
    return found


def _effects(rows: list[Row], populations: dict[str, Population]) -> dict[str, list[Effect]]:
    estimates: dict[tuple[str, str], list[Estimate]] = defaultdict(list)
    first: dict[tuple[str, str], Row] = {}
    for row in rows:
        key = (str(row["claim"]), str(row["effect"]))
        first.setdefault(key, row)
        if "estimate" in row:
            estimates[key].append(
                Estimate(
                    iri=str(row["estimate"]),
                    statistic=_term(row, "statistic") if "statistic" in row else None,
                    value=_number(row, "value"),
                    p_value=_number(row, "pValue"),
                    interval=_term(row, "confidenceInterval") if "confidenceInterval" in row else None,
                    ci_lower=_number(row, "ciLower"),
                    ci_upper=_number(row, "ciUpper"),
                    doi=_text(row, "estimateDoi"),
                )
            )
    effects: dict[str, list[Effect]] = defaultdict(list)
    for (claim, iri), row in first.items():
        effects[claim].append(
            Effect(
                iri=iri,
                label=_text(row, "effectLabel"),
                role=str(row["role"]),
                population=populations.get(str(row["population"])) if "population" in row else None,
                outcome=_term(row, "outcome") if "outcome" in row else None,
                direction=_term(row, "direction") if "direction" in row else None,
                magnitude_wording=_text(row, "magnitudeWording"),
                operator=_term(row, "operator") if "operator" in row else None,
                magnitude_value=_number(row, "magnitudeValue"),
                magnitude_unit=_text(row, "magnitudeUnit"),
                patient_reported=_value(row["patientReported"]) if "patientReported" in row else None,
                significance=_term(row, "significance") if "significance" in row else None,
                comparator=_term(row, "comparator") if "comparator" in row else None,
                subgroup_of=_text(row, "subgroupOf"),
                larger_than=_text(row, "largerThan"),
                estimates=tuple(estimates[(claim, iri)]),
            )
        )
    return effects


def _basis(row: Row) -> Basis:
    return Basis(
        claim_id=claim_id(str(row["basis"])),
        label=_text(row, "basisLabel"),
        direct=_value(row["direct"]) is True,
        evidence_level=EvidenceLevel(
            iri=str(row["basisEvidenceLevel"]),
            label=_text(row, "basisEvidenceLevelLabel"),
            rank=int(row["basisEvidenceRank"]),
        )
        if "basisEvidenceLevel" in row
        else None,
        study=_term(row, "basisStudy") if "basisStudy" in row else None,
        design=_term(row, "basisDesign") if "basisDesign" in row else None,
        is_controlled=_value(row["basisIsControlled"]) if "basisIsControlled" in row else None,
    )


def _subject(row: Row, populations: dict[str, Population], studies: dict[str, Study]) -> Term:
    iri = str(row["subject"])
    return populations.get(iri) or Term(iri, _text(row, "subjectLabel"))


# --- RDF term helpers ---------------------------------------------------------------------------


def _term(row: Row, name: str) -> Term:
    """The term in column ``name`` with the label in column ``nameLabel`` (or ``valueLabel``)."""
    return Term(str(row[name]), _text(row, f"{name}Label"))


def _text(row: Row, name: str) -> str | None:
    value = row.get(name)
    return None if value is None else str(value)


def _is_iri(term: Any) -> bool:
    return isinstance(term, Iri) or type(term).__name__ == "URIRef"


def _value(term: Any) -> Any:
    """A Python value for a literal: int, Decimal, bool or str (durations stay strings)."""
    datatype = str(getattr(term, "datatype", None) or "")  # rdflib Literal or sparql.Lit
    text = str(term)
    if datatype in (XSD + "integer", XSD + "int", XSD + "long", XSD + "nonNegativeInteger", XSD + "positiveInteger"):
        return int(text)
    if datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
        return Decimal(text)
    if datatype == XSD + "boolean":
        return text in ("true", "1")
    return text


def _number(row: Row, name: str) -> Number | None:
    return _value(row[name]) if name in row else None
