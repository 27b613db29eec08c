"""Claims as typed Python objects: what :func:`vitd_kg.claims` returns.

Every field comes from a row of the queries in ``queries/claims/``
(:mod:`vitd_kg.evidence.reconstruct` fills them in); nothing is read from the stored
sentence except :attr:`Source.quote`, the verbatim quote kept for comparison.
:attr:`Claim.text` is the sentence :mod:`vitd_kg.evidence.render` built from the other
fields.

>>> import vitd_kg
>>> claim = vitd_kg.open().claim("cs-symptom-improvement")
>>> claim.subject.dose_value, claim.subject.dose_unit, claim.subject.duration_value
(50000, '[iU]', 12)
>>> claim.to_dict()["evidence_level"]["rank"]
2
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from vitd_kg.namespaces import curie

Number = int | Decimal


@dataclass(frozen=True)
class Term:
    """A resource of the graph: its IRI and its label (``None`` if it has none)."""

    iri: str
    label: str | None = None

    @property
    def curie(self) -> str:
        """The IRI written with the package's prefixes (``concept:muscle-spasm``)."""
        return curie(self.iri)

    @property
    def name(self) -> str:
        """The label, or the CURIE where there is no label."""
        return self.label or self.curie

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Relation(Term):
    """The verb of a claim with the forms that render it."""

    present: str = ""
    base: str = ""
    past: str = ""


@dataclass(frozen=True)
class Modality(Term):
    """How a claim is put: ``kind`` is "assertion", "evidential" or "modal"."""

    kind: str = "assertion"
    cue: str | None = None
    is_hedge: bool = False


@dataclass(frozen=True)
class EvidenceLevel(Term):
    """The kind of evidence behind a claim, ranked from 0 (none cited) to 4 (``None``: not ranked)."""

    rank: int | None = None


@dataclass(frozen=True)
class Criterion:
    """A numeric bound that defines a population (serum 25(OH)D < 30 nmol/L)."""

    iri: str
    measure: Term
    operator: Term
    symbol: str
    value: Number
    unit: str | None


@dataclass(frozen=True)
class Population(Term):
    """A group of people with its conditions, failed prior treatments and criteria."""

    conditions: tuple[Term, ...] = ()
    failed_prior_treatments: tuple[Term, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    #: The group in words ("patients with chronic pain who ..."), as the renderer wrote it.
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class Intervention(Term):
    """What was given: substance, dose, route, frequency and duration."""

    substance: Term | None = None
    dose_value: Number | None = None
    dose_unit: str | None = None
    route: Term | None = None
    frequency: Term | None = None
    period: str | None = None
    duration: str | None = None
    duration_value: Number | None = None
    duration_unit: str | None = None
    corrects: Term | None = None
    #: The intervention in words ("50,000 IU of oral vitamin D weekly for 12 weeks").
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class Estimate:
    """An effect-size estimate taken from a publication (not from the document)."""

    iri: str
    statistic: Term | None
    value: Number | None
    p_value: Number | None
    interval: Term | None
    ci_lower: Number | None
    ci_upper: Number | None
    doi: str | None


@dataclass(frozen=True)
class Effect(Term):
    """An effect a claim reports (``role`` "reported") or compares with ("compared")."""

    role: str = "reported"
    population: Population | None = None
    outcome: Term | None = None
    direction: Term | None = None
    magnitude_wording: str | None = None
    operator: Term | None = None
    magnitude_value: Number | None = None
    magnitude_unit: str | None = None
    patient_reported: bool | None = None
    significance: Term | None = None
    comparator: Term | None = None
    subgroup_of: str | None = None
    larger_than: str | None = None
    estimates: tuple[Estimate, ...] = ()


@dataclass(frozen=True)
class Study(Term):
    """A study a claim reports, with its design and parts."""

    design: Term | None = None
    is_controlled: bool | None = None
    is_randomized: bool | None = None
    included_design: Term | None = None
    included_studies: int | None = None
    participants: int | None = None
    reviewed_in: Term | None = None
    doi: str | None = None
    pmid: str | None = None
    exposures: tuple[Term, ...] = ()
    outcomes: tuple[Term, ...] = ()
    interventions: tuple[Term, ...] = ()
    populations: tuple[Term, ...] = ()
    comparators: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Basis:
    """A claim that a synthesis claim rests on (``direct`` or through a chain)."""

    claim_id: str
    label: str | None
    direct: bool
    evidence_level: EvidenceLevel | None
    study: Term | None
    design: Term | None
    is_controlled: bool | None


@dataclass(frozen=True)
class StatedValue:
    """A value of its subject that a study-description claim states."""

    property: Term
    value: Any  # a Term, or a number or text


@dataclass(frozen=True)
class Publication:
    """The publication behind a claim."""

    iri: str
    doi: str | None
    pmid: str | None
    citation: str | None


@dataclass(frozen=True)
class Source:
    """Where a claim comes from: the sentence, its verbatim quote, offsets and section."""

    sentence: str
    quote: str
    start: int
    end: int
    section: str | None
    parent_section: str | None


@dataclass
class Claim:
    """One claim of the source document, rebuilt from the graph."""

    id: str
    iri: str
    kind: Term
    label: str | None
    subject: Term
    relation: Relation
    objects: list[Term]
    evidence_level: EvidenceLevel
    source: Source
    attributed_to: Term | None = None
    contrasted_with: list[Term] = field(default_factory=list)
    for_population: Population | None = None
    applies_particularly_to: Population | None = None
    modalities: list[Modality] = field(default_factory=list)
    publication_modalities: list[Modality] = field(default_factory=list)
    hedge_cues: list[str] = field(default_factory=list)
    strength_wording: list[str] = field(default_factory=list)
    studies: list[Study] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    rests_on: list[Basis] = field(default_factory=list)
    explains: list[str] = field(default_factory=list)
    states: list[StatedValue] = field(default_factory=list)
    publication: Publication | None = None
    text: str = ""

    @property
    def quote(self) -> str:
        """The verbatim source sentence (kept for comparison, never rendered from)."""
        return self.source.quote

    @property
    def reported_effects(self) -> list[Effect]:
        """The effects the claim itself reports (not the subgroups they are compared with)."""
        return [e for e in self.effects if e.role == "reported"]

    def effect(self, iri: str) -> Effect | None:
        """The effect of this claim with the given IRI."""
        return next((e for e in self.effects if e.iri == iri), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: id, text, quote, then the structured fields."""
        return claim_to_dict(self)


# --- JSON ------------------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _term_dict(term: Term | None) -> dict[str, Any] | None:
    if term is None:
        return None
    return {"iri": term.iri, "id": term.curie, "label": term.label}


def _population_dict(population: Population | None) -> dict[str, Any] | None:
    if population is None:
        return None
    return {
        **_term_dict(population),  # type: ignore[dict-item]
        "text": population.text,
        "conditions": [_term_dict(c) for c in population.conditions],
        "failed_prior_treatments": [_term_dict(t) for t in population.failed_prior_treatments],
        "criteria": [
            {
                "measure": _term_dict(c.measure),
                "operator": c.symbol,
                "value": _json_value(c.value),
                "unit": c.unit,
            }
            for c in population.criteria
        ],
    }


def _intervention_dict(intervention: Intervention) -> dict[str, Any]:
    return {
        **_term_dict(intervention),  # type: ignore[dict-item]
        "text": intervention.text,
        "substance": _term_dict(intervention.substance),
        "dose": _json_value(intervention.dose_value),
        "dose_unit": intervention.dose_unit,
        "route": _term_dict(intervention.route),
        "frequency": _term_dict(intervention.frequency),
        "period": intervention.period,
        "duration": intervention.duration,
        "duration_value": _json_value(intervention.duration_value),
        "duration_unit": intervention.duration_unit,
        "corrects": _term_dict(intervention.corrects),
    }


def _effect_dict(effect: Effect) -> dict[str, Any]:
    return {
        **_term_dict(effect),  # type: ignore[dict-item]
        "role": effect.role,
        "population": _population_dict(effect.population),
        "outcome": _term_dict(effect.outcome),
        "direction": _term_dict(effect.direction),
        "magnitude_wording": effect.magnitude_wording,
        "magnitude": {
            "operator": effect.operator.label if effect.operator else None,
            "value": _json_value(effect.magnitude_value),
            "unit": effect.magnitude_unit,
        }
        if effect.magnitude_value is not None
        else None,
        "patient_reported": effect.patient_reported,
        "significance": _term_dict(effect.significance),
        "comparator": _term_dict(effect.comparator),
        "subgroup_of": effect.subgroup_of,
        "larger_than": effect.larger_than,
        "estimates": [
            {
                "iri": e.iri,
                "statistic": _term_dict(e.statistic),
                "value": _json_value(e.value),
                "p_value": _json_value(e.p_value),
                "interval": _term_dict(e.interval),
                "ci_lower": _json_value(e.ci_lower),
                "ci_upper": _json_value(e.ci_upper),
                "source_doi": e.doi,
            }
            for e in effect.estimates
        ],
    }


def _study_dict(study: Study) -> dict[str, Any]:
    return {
        **_term_dict(study),  # type: ignore[dict-item]
        "design": _term_dict(study.design),
        "controlled": study.is_controlled,
        "randomized": study.is_randomized,
        "included_design": _term_dict(study.included_design),
        "included_studies": study.included_studies,
        "participants": study.participants,
        "reviewed_in": _term_dict(study.reviewed_in),
        "doi": study.doi,
        "pmid": study.pmid,
        "exposures": [_term_dict(t) for t in study.exposures],
        "outcomes": [_term_dict(t) for t in study.outcomes],
        "comparators": [_term_dict(t) for t in study.comparators],
    }


def _modality_dict(modality: Modality) -> dict[str, Any]:
    return {
        "iri": modality.iri,
        "label": modality.label,
        "kind": modality.kind,
        "cue": modality.cue,
        "hedge": modality.is_hedge,
    }


def claim_to_dict(claim: Claim) -> dict[str, Any]:
    """A JSON-ready dictionary of a claim: id, text, quote, then the structured fields."""
    return {
        "id": claim.id,
        "iri": claim.iri,
        "text": claim.text,
        "quote": claim.quote,
        "kind": _term_dict(claim.kind),
        "label": claim.label,
        "subject": _intervention_dict(claim.subject) if hasattr(claim.subject, "dose_value") else _term_dict(claim.subject),
        "relation": {"iri": claim.relation.iri, "present": claim.relation.present, "base": claim.relation.base, "past": claim.relation.past},
        "objects": [_population_dict(o) if hasattr(o, "criteria") else _term_dict(o) for o in claim.objects],
        "attributed_to": _term_dict(claim.attributed_to),
        "contrasted_with": [_term_dict(t) for t in claim.contrasted_with],
        "population": _population_dict(claim.for_population),
        "applies_particularly_to": _population_dict(claim.applies_particularly_to),
        "modality": [_modality_dict(m) for m in claim.modalities],
        "publication_modality": [_modality_dict(m) for m in claim.publication_modalities],
        "hedge_cues": claim.hedge_cues,
        "strength_wording": claim.strength_wording,
        "evidence_level": {**_term_dict(claim.evidence_level), "rank": claim.evidence_level.rank},  # type: ignore[dict-item]
        "studies": [_study_dict(s) for s in claim.studies],
        "interventions": [_intervention_dict(i) for i in claim.interventions],
        "effects": [_effect_dict(e) for e in claim.effects],
        "rests_on": [
            {
                "id": b.claim_id,
                "direct": b.direct,
                "label": b.label,
                "evidence_level": b.evidence_level.label if b.evidence_level else None,
                "evidence_rank": b.evidence_level.rank if b.evidence_level else None,
                "study": _term_dict(b.study),
                "design": _term_dict(b.design),
                "controlled": b.is_controlled,
            }
            for b in claim.rests_on
        ],
        "explains": claim.explains,
        "states": [
            {"property": _term_dict(s.property), "value": _term_dict(s.value) if hasattr(s.value, "iri") else _json_value(s.value)}
            for s in claim.states
        ],
        "publication": {
            "iri": claim.publication.iri,
            "doi": claim.publication.doi,
            "pmid": claim.publication.pmid,
            "citation": claim.publication.citation,
        }
        if claim.publication
        else None,
        "section": claim.source.section,
        "parent_section": claim.source.parent_section,
        "sentence": claim.source.sentence,
        "start": claim.source.start,
        "end": claim.source.end,
    }
