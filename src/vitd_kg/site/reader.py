"""What the site tells a reader about a claim, in plain words: how well a conclusion is
supported and why, where each figure comes from, and which audit findings are about it.

Everything here is computed from the rebuilt claims (:mod:`vitd_kg.evidence.reconstruct`)
and the audit's findings (:mod:`vitd_kg.evidence.audit`); nothing is written by hand for a
particular claim, and no code name (an IRI, a CURIE, an id) reaches the words a reader sees.

How well a synthesis claim is supported (:func:`support`) follows the audit, from the most
serious kind of finding on the claim itself (findings that only cite it do not count):

===================================  =============================================================
grade                                when
===================================  =============================================================
``none``: not supported              a finding says nothing it rests on measured what it speaks of
``weak``: weakly supported           any other high-severity finding
``partial``: partly supported        a medium-severity finding
``supported``: supported             no finding, or low ones only, and controlled evidence under it
``limited``: limited support         no finding, but no controlled evidence under it
``call``: a call for research        a research-gap claim (not a finding to support)
===================================  =============================================================

>>> import vitd_kg
>>> kg = vitd_kg.open()
>>> by_id = {c.id: c for c in kg.claims()}
>>> support(by_id["concl-supplementation-improves-strength"], kg.audit(), by_id).label
'Supported'
>>> support(by_id["concl-alleviates-muscle-spasm"], kg.audit(), by_id).label
'Weakly supported'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from vitd_kg.evidence.audit import Finding
from vitd_kg.evidence.model import Claim, Effect, Study, is_checked
from vitd_kg.evidence.render import estimate_phrase, intervention_phrase, number, population_phrase, quantity
from vitd_kg.namespaces import VITD_IRI

V = VITD_IRI
SYNTHESIS_KINDS = (V + "ConclusionClaim", V + "ResearchGapClaim")

#: grade -> (label, CSS class suffix), from the weakest.
GRADES = {
    "none": "Not supported by what it rests on",
    "weak": "Weakly supported",
    "partial": "Partly supported",
    "limited": "Limited support",
    "supported": "Supported",
    "call": "A call for research",
}

#: The provenance statuses in a reader's words, and the badge class of each.
PROVENANCE_WORDS = {
    V + "ReportedByDocument": ("the source document's report", "document"),
    V + "VerifiedInPublication": ("verified in the paper", "verified"),
    V + "TakenFromPublication": ("from the paper only", "paper"),
    V + "InferredByModeller": ("inferred by this graph's modellers", "inferred"),
}

_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def count(n: int, one: str, many: str | None = None) -> str:
    """``one finding``, ``three findings``."""
    return f"{_NUMBER_WORDS.get(n, str(n))} {one if n == 1 else (many or one + 's')}"


def doi_url(doi: str | None) -> str | None:
    return f"https://doi.org/{doi}" if doi else None


@dataclass
class Support:
    """How well a claim is supported: a grade, its label, one short reason and all the reasons."""

    grade: str
    label: str
    short: str
    evidence: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def findings_about(claim: Claim, findings: Iterable[Finding]) -> list[Finding]:
    """The findings that flag this claim (not those that only cite it)."""
    return [f for f in findings if f.claim_id == claim.id]


def findings_citing(claim: Claim, findings: Iterable[Finding]) -> list[Finding]:
    """The findings on other claims that cite this one as evidence."""
    return [f for f in findings if f.claim_id != claim.id and claim.id in f.claim_ids]


def study_words(study: Study, claims: Sequence[Claim]) -> str:
    """``a systematic review and meta-analysis of 30 randomized controlled trials with 5615
    participants (Beaudart 2014)``; ``a case series without a control group, as the source
    document reports it (the paper identified for it, Cai 2019, was not checked)``."""
    design = study.design.name if study.design is not None else "study"
    words = f"{'an' if design[:1] in 'aeiou' else 'a'} {design}"
    if study.included_studies is not None:
        kind = f"{study.included_design.name}s" if study.included_design is not None else "studies"
        words += f" of {number(study.included_studies)} {kind}"
    if study.participants is not None:
        words += f" with {number(study.participants)} participants"
    if study.is_controlled is False and study.interventions:
        words += " without a control group"
    checked = [c for c in claims if c.publication is not None and c.publication.checked]
    unchecked = [c for c in claims if c.publication is not None and not c.publication.checked]
    reference = study.reference
    if unchecked and not checked:
        words += ", as the source document reports it"
        if reference:
            words += f" (the paper identified for it, {reference}, was not checked)"
    elif reference:
        words += f" (reviewed in {reference})" if study.reviewed_in is not None else f" ({reference})"
    return words


def evidence_under(claim: Claim, by_id: dict[str, Claim]) -> list[str]:
    """What a synthesis claim rests on, study by study, in plain words (the claims at the
    bottom of its chain; the document's own synthesis is not a study)."""
    bottom = [by_id[b.claim_id] for b in claim.rests_on if b.claim_id in by_id and not by_id[b.claim_id].rests_on]
    groups: dict[str, tuple[Study | None, list[Claim]]] = {}
    for basis in bottom:
        studies = [s for s in basis.studies if not (s.design and s.design.iri == V + "NarrativeSynthesis")]
        key = studies[0].iri if studies else ""
        groups.setdefault(key, (studies[0] if studies else None, []))[1].append(basis)
    lines = []
    for study, claims in sorted(groups.values(), key=lambda g: -(g[1][0].evidence_level.rank or 0)):
        what = count(len(claims), "finding")
        if study is None:
            lines.append(f"{what} the document gives without citing a study")
        else:
            lines.append(f"{what} from {study_words(study, claims)}")
    return lines


def support(claim: Claim, findings: Iterable[Finding], by_id: dict[str, Claim]) -> Support:
    """How well a (synthesis) claim is supported, and why, in plain words."""
    own = findings_about(claim, findings)
    evidence = evidence_under(claim, by_id)
    problems = [f.summary for f in own]
    kinds = {f.kind for f in own}
    severities = {f.severity for f in own}
    bottom = [by_id[b.claim_id] for b in claim.rests_on if b.claim_id in by_id and not by_id[b.claim_id].rests_on]
    controlled = any(s.is_controlled for c in bottom for s in c.studies)
    if claim.kind.iri == V + "ResearchGapClaim":
        grade = "call"
        short = "A call for more research, not a finding: there is nothing for evidence to support."
    elif "outcome-not-measured-underneath" in kinds:
        grade = "none"
    elif "high" in severities:
        grade = "weak"
    elif "medium" in severities:
        grade = "partial"
    elif controlled:
        grade = "supported"
    else:
        grade = "limited"
    if grade != "call":
        first = sorted(own, key=lambda f: {"high": 0, "medium": 1, "low": 2}.get(f.severity, 3))
        if first:
            short = first[0].summary.split(": ")[0].split(". ")[0].rstrip(".") + "."
        elif evidence:
            short = "It rests on " + evidence[0] + "."
        else:
            short = "Nothing in the document stands under it."
    return Support(grade, GRADES[grade], short, evidence, problems)


# --- figures with their provenance ----------------------------------------------------------


@dataclass
class Figure:
    """One figure of a claim for the page: what it is, its value, and where it comes from."""

    what: str
    value: str
    source: str
    badge: str
    doi: str | None = None


def provenance_words(term) -> tuple[str, str]:
    if term is None:
        return ("not stated", "unknown")
    return PROVENANCE_WORDS.get(term.iri, (term.name, "unknown"))


def _figure(what: str, value: str, holder, doi: str | None) -> Figure:
    words, badge = provenance_words(getattr(holder, "provenance", None))
    checked = is_checked(getattr(holder, "provenance", None))
    return Figure(what, value, words, badge, doi if checked else None)


def figures(claim: Claim) -> list[Figure]:
    """The numbers and facts a claim carries, each with where it comes from."""
    doi = claim.publication.doi if claim.publication else None
    out: list[Figure] = []
    for study in claim.studies:
        if study.design is not None and study.design.iri == V + "NarrativeSynthesis":
            continue
        if study.design is not None:
            out.append(_figure("study design", study.design.name, study, study.doi))
        if study.included_studies is not None:
            out.append(_figure("trials pooled (whole study)", number(study.included_studies), study, study.doi))
        if study.participants is not None:
            out.append(_figure("participants (whole study)", number(study.participants), study, study.doi))
    for intervention in claim.interventions:
        if intervention.dose_value is not None:
            out.append(_figure("intervention", intervention_phrase(intervention), intervention, doi))
    population = claim.for_population
    if population is not None:
        out.append(_figure("population", population_phrase(population), population, doi))
        out.extend(_criterion_figures(population, "", doi))
        if population.part_of is not None:
            out.append(_figure("part of", population_phrase(population.part_of), population.part_of, doi))
    for effect in claim.effects:
        out.extend(_effect_figures(claim, effect, doi))
    return out


def _criterion_figures(population, prefix: str, doi: str | None) -> list[Figure]:
    """The bounds that define a population, each with its own provenance (the bound may be
    verified in the paper where the group's name is the document's word)."""
    return [
        _figure(f"{prefix}bound", f"{c.measure.name} {c.symbol} {quantity(c.value, c.unit)}", c, doi)
        for c in population.criteria
    ]


def _effect_figures(claim: Claim, effect: Effect, doi: str | None) -> list[Figure]:
    out = []
    prefix = "" if effect.role == "reported" else "compared group: "
    if effect.role != "reported" and effect.population is not None:
        out.append(_figure(f"{prefix}population", population_phrase(effect.population), effect.population, doi))
        out.extend(_criterion_figures(effect.population, prefix, doi))
    if effect.role == "reported":
        change = []
        if effect.direction is not None:
            change.append(effect.direction.name)
        if effect.magnitude_value is not None:
            operator = f"{effect.operator.name} " if effect.operator is not None else ""
            change.append(f"{operator}{quantity(effect.magnitude_value, effect.magnitude_unit)}")
        if effect.magnitude_wording:
            change.append(f"\u201c{effect.magnitude_wording}\u201d")
        outcome = effect.outcome.name if effect.outcome is not None else "outcome"
        if change:
            out.append(_figure(f"change in {outcome}", ", ".join(change) + (" (patient-reported)" if effect.patient_reported else ""), effect, doi))
        if effect.comparison_basis is not None:
            out.append(_figure("compared", effect.comparison_basis.name, effect, doi))
        if effect.comparator is not None:
            out.append(_figure("compared with", effect.comparator.name, effect.comparator, doi))
        if effect.significance is not None and not (effect.larger_than and effect.difference_tests):
            out.append(_figure("statistical significance", effect.significance.name, effect, doi))
    for estimate in effect.estimates:
        out.append(_figure(f"{prefix}estimate", estimate_phrase(estimate), estimate, estimate.doi))
    if effect.role == "reported" and effect.larger_than:
        test = effect.difference_test(effect.larger_than)
        if test is None:
            out.append(Figure("difference between the groups", "no test of the difference reported", "not in the document or the paper", "unknown"))
        else:
            words, badge = provenance_words(test.provenance)
            out.append(Figure("difference between the groups", test.significance.name if test.significance else "tested",
                              words, badge, test.doi if is_checked(test.provenance) else None))
    return out


def provenance_sentence(claim: Claim) -> str:
    """Where the claim comes from, for a reader."""
    status = claim.provenance.iri if claim.provenance else None
    publication = claim.publication
    reference = publication.short_reference if publication and publication.short_reference else "the paper"
    if status == V + "VerifiedInPublication":
        return f"The source document states this, and it was verified in the paper it reports ({reference})."
    if status == V + "TakenFromPublication":
        return f"The source document does not state this; it is taken from the paper ({reference})."
    if status == V + "InferredByModeller":
        return "Neither the source document nor the paper states this: the graph's modellers inferred it."
    if status == V + "ReportedByDocument" and publication is not None:
        return (f"The source document reports this. The paper identified for this part of the document "
                f"({reference}) was not checked for these figures, so they are the document's report only.")
    if status == V + "ReportedByDocument":
        return "The source document says this itself; it cites no paper for it."
    return "The graph does not say where this comes from."
