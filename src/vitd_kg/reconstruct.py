"""Claims as typed Python objects, rebuilt from the graph by the queries in ``queries/claims/``.

Every field of a :class:`Claim` comes from a row of one of those queries; nothing is
read from the stored sentence except :attr:`Source.quote`, which is the verbatim
quote kept for comparison. :attr:`Claim.text` is the sentence :mod:`vitd_kg.render`
builds from the other fields.

>>> import vitd_kg
>>> claim = next(c for c in vitd_kg.claims() if c.id == "cs-symptom-improvement")
>>> claim.subject.dose_value, claim.subject.dose_unit, claim.subject.duration_value
(50000, '[iU]', 12)
>>> claim.text.startswith("In the case series")
True
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from .graph import DataDir, load_store
from .namespaces import PREFIXES, claim_id
from .sparql import Iri, Query, Row, read_query, select_light

Number = int | Decimal

#: The files of ``queries/claims/`` that :func:`claims` runs, by the name used below.
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


# --- value objects -----------------------------------------------------------------------


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
    """The kind of evidence behind a claim, ranked from 0 (none cited) to 4."""

    rank: int = 0


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
        from .render import claim_to_dict

        return claim_to_dict(self)


# --- building claims from query rows -------------------------------------------------------


def claims(data_dir: DataDir = None, *, store=None) -> list[Claim]:
    """Rebuild every claim of the graph, in document order, with its rendered sentence.

    ``data_dir`` replaces the bundled data (a folder of Turtle files); ``store`` is an
    already loaded Oxigraph store to use instead.

    >>> import vitd_kg
    >>> len(vitd_kg.claims())
    30
    """
    from .render import render_claim

    store = store if store is not None else load_store(data_dir)
    rows = {name: select_light(store, read_query(f"claims/{name}")) for name in CLAIM_QUERIES}
    built = build_claims(rows)
    by_id = {c.id: c for c in built}
    for claim in built:
        claim.text = render_claim(claim, by_id)
    return built


def claim_queries() -> list[Query]:
    """The queries :func:`claims` runs."""
    return [read_query(f"claims/{name}") for name in CLAIM_QUERIES]


def build_claims(rows: dict[str, list[Row]]) -> list[Claim]:
    """Assemble :class:`Claim` objects from the rows of every query in CLAIM_QUERIES."""
    populations = _populations(rows["population"], rows["criteria"])
    interventions = _interventions(rows["intervention"])
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
    from .errors import InputError

    missing = [what for column, what in _REQUIRED.items() if column not in row]
    if missing:
        raise InputError(
            f"claim {curie(iri)} cannot be rebuilt: it lacks {', '.join(missing)}",
            hint="add the missing statements to the claim in the data (ontology/vitd.ttl defines each property)",
            exit_code=1,
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


def curie(iri: str) -> str:
    """Shorten an IRI with the package's prefixes (the longest namespace that fits)."""
    best = ""
    best_prefix = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, best_prefix = namespace, prefix
    return f"{best_prefix}:{iri[len(best):]}" if best else iri
