"""English sentences, JSON and Markdown for claims, built only from query results.

A sentence is assembled from labels, the relation's verb forms, modality cues,
strength wording and numbers, all of which :func:`vitd_kg.evidence.reconstruct.reconstruct_claims` read from
the graph; the stored quote is never used to build it, so changing a number in the
data changes the sentence.

Tense follows the kind of claim: what a study did or found is told in the past
("In the systematic review and meta-analysis ... (Beaudart 2014), vitamin D
supplementation improved global muscle strength ..."); background, hypotheses,
mechanisms and conclusions in the present, with their hedges ("Emerging research
suggests that vitamin D may play a significant role in muscle function.").

Provenance decides the rest (``vitd:provenanceStatus``, ``vitd:comparisonBasis``):

* an effect seen in the same patients before and after, with no control group, is
  told as what was reported (or shown) after what, never with the relation's causal
  verb: "patients who received 50,000 IU ... reported more than 70% improvement in
  their symptoms";
* a claim the source document reports but that was not checked against the paper
  identified for it says so ("As the source document reports, ... the case series is
  identified as Cai 2019, whose figures were not checked"), and only a checked claim
  names its paper as "(Beaudart 2014)";
* what comes from the publication only (estimates, the comparator, a comparison
  group, a test of a subgroup difference) goes in one "from the publication: ..."
  part, and a group the modeller inferred is marked as such.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import chain
from typing import TYPE_CHECKING, Any, Iterable, TextIO

from vitd_kg.namespaces import VITD_IRI

if TYPE_CHECKING:  # pragma: no cover
    from vitd_kg.evidence.model import Claim, Effect, Estimate, Intervention, Modality, Population, Study, Term

V = VITD_IRI
PAST_TENSE_KINDS = {V + "StudyClaim", V + "FindingClaim"}
REPORTED_BY_DOCUMENT = V + "ReportedByDocument"
TAKEN_FROM_PUBLICATION = V + "TakenFromPublication"
VERIFIED_IN_PUBLICATION = V + "VerifiedInPublication"
INFERRED_BY_MODELLER = V + "InferredByModeller"

#: How UCUM unit codes read in prose: (singular, plural).
UCUM_WORDS = {
    "[iU]": ("IU", "IU"),
    "wk": ("week", "weeks"),
    "d": ("day", "days"),
    "mo": ("month", "months"),
    "a": ("year", "years"),
    "h": ("hour", "hours"),
}

#: How comparison operators read before a value.
OPERATOR_WORDS = {
    V + "LessThan": "below",
    V + "AtMost": "of at most",
    V + "MoreThan": "above",
    V + "AtLeast": "of at least",
}
#: ... and before an age in years.
AGE_WORDS = {
    V + "LessThan": ("younger than", ""),
    V + "AtMost": ("aged", " or younger"),
    V + "MoreThan": ("older than", ""),
    V + "AtLeast": ("aged", " or older"),
}


# --- small pieces --------------------------------------------------------------------------


def join(items: Iterable[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = [w for w in items if w]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def number(value: Any) -> str:
    """A number as prose writes it: 50,000; 5615; 0.17; -0.08."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def quantity(value: Any, unit: str | None) -> str:
    """``50,000 IU``, ``12 weeks``, ``70%``, ``30 nmol/L``."""
    if unit is None:
        return number(value)
    if unit == "%":
        return f"{number(value)}%"
    singular, plural = UCUM_WORDS.get(unit, (unit, unit))
    return f"{number(value)} {singular if value == 1 else plural}"


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def intervention_phrase(intervention: "Intervention | Term") -> str:
    """``50,000 IU of oral vitamin D weekly for 12 weeks``, or the label where no dose is given."""
    dose = getattr(intervention, "dose_value", None)
    if dose is None:
        return intervention.name
    words = [quantity(dose, intervention.dose_unit), "of"]
    if intervention.route is not None:
        words.append(intervention.route.name)
    words.append(intervention.substance.name if intervention.substance else "the substance")
    if intervention.frequency is not None:
        words.append(intervention.frequency.name)
    if intervention.duration_value is not None:
        words.append("for " + quantity(intervention.duration_value, intervention.duration_unit))
    elif intervention.duration:
        words.append(f"for {intervention.duration}")
    return " ".join(words)


def criterion_phrase(criterion, *, inline: bool) -> str:
    """``aged 65 years or older``; ``with serum 25-hydroxyvitamin D below 30 nmol/L``."""
    if criterion.unit == "a":
        before, after = AGE_WORDS.get(criterion.operator.iri, (criterion.symbol, ""))
        return f"{before} {quantity(criterion.value, 'a')}{after}"
    words = OPERATOR_WORDS.get(criterion.operator.iri, criterion.symbol)
    text = f"{criterion.measure.name} {words} {quantity(criterion.value, criterion.unit)}"
    return f"with {text}" if inline else text


def population_phrase(population: "Population") -> str:
    """A population described from its conditions, failed treatments and criteria.

    The head noun (patients, individuals, participants) is the first word of its label.
    """
    # a condition worded relative to another ("associated pain") follows the ones it refers to
    conditions = sorted((c.name for c in population.conditions), key=lambda name: name.startswith("associated "))
    treatments = [t.name for t in population.failed_prior_treatments]
    criteria = list(population.criteria)
    if not (conditions or treatments or criteria):
        return population.name
    head = (population.label or "individuals").split()[0]
    text = head
    if conditions:
        text += " with " + join(conditions)
        if criteria:
            text += " (" + "; ".join(criterion_phrase(c, inline=False) for c in criteria) + ")"
    else:
        text += " " + " and ".join(criterion_phrase(c, inline=True) for c in criteria)
    if treatments:
        text += " who had not responded to " + join(treatments, "or")
    return text


def term_phrase(term: "Term") -> str:
    """A population is described; any other term is its label."""
    if hasattr(term, "criteria"):
        return population_phrase(term)  # type: ignore[arg-type]
    if hasattr(term, "dose_value"):
        return intervention_phrase(term)  # type: ignore[arg-type]
    return term.name


def study_phrase(study: "Study | None", *, cited: bool = False) -> str:
    """``the case series of ...``; with ``cited``, followed by the paper's short reference."""
    if study is None:
        return "the study"
    reference = f" ({study.reference})" if cited and study.reference else ""
    return f"the {study.name}{reference}"


def is_status(term: "Term | None", status: str) -> bool:
    return term is not None and term.iri == status


def from_publication(term: "Term | None") -> bool:
    """Whether a resource's figures are the publication's only (not the document's)."""
    return is_status(getattr(term, "provenance", None), TAKEN_FROM_PUBLICATION)


def unchecked_report(claim: "Claim") -> bool:
    """A claim the document reports, with a paper identified for it but not checked there."""
    return is_status(claim.provenance, REPORTED_BY_DOCUMENT) and claim.publication is not None and not claim.publication.checked


def identified_not_checked(claim: "Claim", study: "Study | None") -> str:
    """``the case series is identified as Cai 2019, whose figures were not checked``."""
    publication = claim.publication
    reference = (publication.short_reference or (f"doi:{publication.doi}" if publication.doi else publication.iri)) if publication else "a paper"
    what = f"the {study.design.name}" if study is not None and study.design is not None else "the study"
    return f"{what} is identified as {reference}, whose figures were not checked"


def claim_cue(claim: "Claim", modality: "Modality") -> str | None:
    """The modality's cue as the claim's quote words it ("has shown", not "have shown")."""
    if not modality.cue:
        return None
    last = modality.cue.split()[-1]
    return next((cue for cue in claim.hedge_cues if cue.split()[-1] == last), modality.cue)


def estimate_phrase(estimate: "Estimate", *, named: bool = True) -> str:
    """``standardized mean difference 0.25, 95% confidence interval 0.01 to 0.48, p = 0.02``;
    without the statistic's name when ``named`` is false (after "versus")."""
    parts = []
    if estimate.value is not None:
        name = estimate.statistic.name if estimate.statistic else "estimate"
        parts.append(f"{name} {number(estimate.value)}" if named else number(estimate.value))
    if estimate.ci_lower is not None and estimate.ci_upper is not None:
        interval = estimate.interval.name if estimate.interval else "confidence interval"
        parts.append(f"{interval} {number(estimate.ci_lower)} to {number(estimate.ci_upper)}")
    if estimate.p_value is not None:
        parts.append(f"p = {number(estimate.p_value)}")
    return ", ".join(parts)


# --- verb phrases ------------------------------------------------------------------------------


def _wording_parts(claim: "Claim", verb: str) -> tuple[str | None, str | None, str | None]:
    """Split strength wording into (adverb, adjective, participle) for a present-tense verb."""
    adverb = adjective = participle = None
    for wording in claim.strength_wording:
        if wording in verb:
            continue  # already part of the verb ("is a cost-effective strategy to improve")
        words = wording.split()
        if len(words) == 1 and wording.endswith("ly"):
            adverb = wording  # "significantly alleviate"
        elif len(words) == 2 and words[0].endswith("ly") and words[1].endswith(("known", "shown", "ed")):
            participle = wording  # "is traditionally known to play"
        else:
            adjective = wording  # "a crucial role", or described in parentheses
    return adverb, adjective, participle


def _with_adjective(verb: str, adjective: str | None) -> str:
    """``play a role in`` + ``crucial`` -> ``play a crucial role in``."""
    if adjective and " a " in f" {verb} ":
        words = verb.split()
        index = words.index("a")
        words.insert(index + 1, adjective)
        return " ".join(words)
    return verb


def _modal(claim: "Claim"):
    return next((m for m in claim.modalities if m.kind == "modal" and m.cue), None)


def _evidential(claim: "Claim"):
    return next((m for m in claim.modalities if m.kind == "evidential" and m.cue), None)


def _evidential_verb(claim: "Claim", modality) -> str:
    """The evidential verb as the quote conjugates it ("has shown" / "have shown")."""
    return claim_cue(claim, modality) or modality.cue


def present_clause(claim: "Claim", *, with_subject: bool = True) -> str:
    """``vitamin D can significantly alleviate muscle spasm, particularly in ...``."""
    relation = claim.relation
    adverb, adjective, participle = _wording_parts(claim, relation.present)
    modal = _modal(claim)
    evidential = _evidential(claim)
    base = _with_adjective(relation.base, adjective)
    present = _with_adjective(relation.present, adjective)
    if participle:
        verb = f"is {participle} to {base}"
    elif modal:
        verb = " ".join(w for w in (modal.cue, adverb, base) if w)
    elif evidential is not None and claim.attributed_to is None and evidential.iri == V + "Shown":
        verb = " ".join(w for w in ("has been shown to", adverb, base) if w)
    else:
        verb = " ".join(w for w in (adverb, present) if w)
    objects = join(term_phrase(o) for o in claim.objects)
    clause = f"{verb} {objects}"
    if adjective and adjective not in verb:  # no article to put it after
        clause += f' (described as "{adjective}")'
    if with_subject:
        clause = f"{term_phrase(claim.subject)} {clause}"
    if claim.contrasted_with:
        clause += " beyond " + join(t.name for t in claim.contrasted_with)
    if claim.for_population is not None:
        clause += " for " + population_phrase(claim.for_population)
    if claim.applies_particularly_to is not None:
        clause += ", particularly in " + population_phrase(claim.applies_particularly_to)
    return clause


def _explains_phrase(claim: "Claim", by_id: dict[str, "Claim"]) -> str:
    """``vitamin D deficiency and disruption of ... can result in muscle weakness``."""
    explained = [by_id[i] for i in claim.explains if i in by_id]
    groups: dict[tuple, list[str]] = {}
    for other in explained:
        modal = _modal(other)
        verb = f"{modal.cue} {other.relation.base}" if modal else other.relation.present
        key = (verb, join(term_phrase(o) for o in other.objects))
        groups.setdefault(key, [])
        if other.subject.name not in groups[key]:
            groups[key].append(other.subject.name)
    return join(f"{join(subjects)} {verb} {objects}" for (verb, objects), subjects in groups.items())


# --- sentences by kind -----------------------------------------------------------------------------


def render_claim(claim: "Claim", by_id: dict[str, "Claim"] | None = None) -> str:
    """The claim as one English sentence, from its structured fields only."""
    by_id = by_id or {}
    if claim.kind.iri == V + "FindingClaim":
        return _finding_sentence(claim)
    if claim.kind.iri == V + "StudyClaim":
        return _study_sentence(claim)
    clause = present_clause(claim)
    evidential = _evidential(claim)
    if evidential is not None and claim.attributed_to is not None:
        text = f"{claim.attributed_to.name} {_evidential_verb(claim, evidential)} that {clause}"
    elif evidential is not None and evidential.iri != V + "Shown":
        text = f"it is {evidential.name} that {clause}"
    elif claim.attributed_to is not None:
        text = f"according to {claim.attributed_to.name}, {clause}"
    else:
        text = clause
    if claim.explains:
        reason = _explains_phrase(claim, by_id)
        if reason:
            text += f", given as a reason why {reason}"
    return capitalize(text) + "."


def _study_sentence(claim: "Claim") -> str:
    study = claim.studies[0] if claim.studies else None
    unchecked = unchecked_report(claim)
    who = study_phrase(study, cited=not unchecked)
    text = _study_statement(claim, study, who)
    if unchecked:
        return f"As the source document reports, {text} ({identified_not_checked(claim, study)})."
    return capitalize(text) + "."


def _study_statement(claim: "Claim", study: "Study | None", who: str) -> str:
    stated = {s.property.iri: s for s in claim.states}
    verb = claim.relation.past
    if V + "includedStudies" in stated or V + "participants" in stated:
        parts = []
        if study is not None and study.included_studies is not None:
            kind = f"{study.included_design.name}s" if study.included_design else "studies"
            parts.append(f"{number(study.included_studies)} {kind}")
        if study is not None and study.participants is not None:
            parts.append(f"{number(study.participants)} participants")
        return f"{who} included {' with '.join(parts)}"
    objects = claim.objects
    populations = [o for o in objects if hasattr(o, "criteria")]
    if populations:
        return f"{who} {verb} {join(population_phrase(p) for p in populations)}"  # type: ignore[arg-type]
    if V + "intervention" in stated and study is not None:
        given = join(t.name for t in study.interventions)
        return f"{who} {verb} the effect of {given} on {join(o.name for o in objects)}"
    exposures = [o for o in objects if study is not None and o in study.exposures]
    others = [o for o in objects if o not in exposures]
    if exposures and others:
        return f"{who} {verb} {join(e.name for e in exposures)} in relation to {join(o.name for o in others)}"
    return f"{who} {verb} {join(o.name for o in objects)}"


def _finding_sentence(claim: "Claim") -> str:
    study = claim.studies[0] if claim.studies else None
    effect = claim.reported_effects[0] if claim.reported_effects else None
    if effect is not None and effect.uncontrolled:
        return _before_and_after_sentence(claim, study, effect)
    unchecked = unchecked_report(claim)
    subject = term_phrase(claim.subject)
    objects = join(term_phrase(o) for o in claim.objects)
    not_significant = effect is not None and effect.significance is not None and effect.significance.iri == V + "NotSignificant"
    verb = f"did not significantly {claim.relation.base}" if not_significant else claim.relation.past
    text = f"in {study_phrase(study, cited=not unchecked)}, {subject} {verb} {objects}"
    if effect is not None and effect.magnitude_value is not None:
        text += f" by {_magnitude(effect)}"
    compared = claim.effect(effect.larger_than) if effect is not None and effect.larger_than else None
    population = claim.for_population or (effect.population if effect is not None else None)
    if compared is not None and population is not None and compared.population is not None:
        text += f" more in {population_phrase(population)} than in {population_phrase(compared.population)}"
    elif population is not None:
        text += f" in {population_phrase(population)}"
    comparator = effect.comparator if effect is not None else None
    if comparator is not None and not from_publication(comparator):
        text += f", compared with {comparator.name}"
    details = _finding_details(claim, effect, compared, not_significant)
    return _sentence(text, details, claim, study, unchecked)


def _sentence(text: str, details: list[str], claim: "Claim", study: "Study | None", unchecked: bool) -> str:
    """The finished sentence: details in brackets, and, for a study whose publication was
    identified but not checked, the document named as the source of the figures."""
    if unchecked:
        details.append(identified_not_checked(claim, study))
        text = "as the source document reports, " + text
    if details:
        text += f" ({'; '.join(details)})"
    return capitalize(text) + "."


def _magnitude(effect: "Effect") -> str:
    """``more than 70%``: the stated size of an effect with its operator."""
    operator = f"{effect.operator.name} " if effect.operator is not None else ""
    return f"{operator}{quantity(effect.magnitude_value, effect.magnitude_unit)}"


def _finding_details(claim: "Claim", effect: "Effect | None", compared: "Effect | None", not_significant: bool) -> list[str]:
    """What the parentheses after a finding say: the document's side first, then one
    ``from the publication: ...`` part with everything the document does not state."""
    details: list[str] = []
    published: list[str] = []
    for wording in claim.strength_wording:
        negation = wording.lower().startswith("no ")
        if not negation and compared is None:
            details.append(f'described as "{wording}"')
    if effect is None:
        return details
    if effect.patient_reported:
        details.append("patient-reported")
    if compared is None:
        if effect.significance is not None and not not_significant:
            details.append(effect.significance.name)
    else:
        test = effect.difference_test(compared.iri)
        if test is None:
            details.append("no test of the difference reported")
        else:
            result = f"the difference between the groups was {test.significance.name if test.significance else 'tested'}"
            (published if test.doi or from_publication(test) else details).append(result)
        group = compared.population
        if group is not None and is_status(group.provenance, INFERRED_BY_MODELLER):
            details.insert(0, "comparison group inferred by the modeller")
        elif group is not None and from_publication(group):
            published.insert(0, "the comparison group")
    if effect.comparator is not None and from_publication(effect.comparator):
        published.append(f"compared with {effect.comparator.name}")
    estimates = [estimate_phrase(e) for e in effect.estimates]
    if compared is not None and compared.estimates:
        estimates = [f"{a}, versus {estimate_phrase(b, named=False)}" for a, b in zip(estimates, compared.estimates)]
    for estimate, source in zip(estimates, effect.estimates):
        if source.doi or from_publication(source):
            published.append(estimate)
        else:
            details.append(estimate)
    if published:
        details.append("from the publication: " + ", ".join(published))
    return details


#: How a change reads after "reported" or "showed", by direction: (without, with) a stated size.
CHANGE_WORDS = {
    V + "Improvement": ("improvement in {their}{outcome}", "{size} improvement in {their}{outcome}"),
    V + "Increase": ("increased {outcome}", "an increase of {size} in {outcome}"),
    V + "Decrease": ("reduced {outcome}", "a decrease of {size} in {outcome}"),
}


def change_phrase(effect: "Effect", outcome: str) -> str:
    """``more than 70% improvement in their symptoms``; ``reduced muscle spasm``: a change
    as the patients reported it or as it was seen, with no verb of cause."""
    size = _magnitude(effect) if effect.magnitude_value is not None else None
    plain, sized = CHANGE_WORDS.get(effect.direction.iri if effect.direction else "", ("a change in {outcome}", "a change of {size} in {outcome}"))
    their = "their " if effect.patient_reported else ""
    return (sized if size else plain).format(size=size, their=their, outcome=outcome)


def _before_and_after_sentence(claim: "Claim", study: "Study | None", effect: "Effect") -> str:
    """A change seen in the same patients before and after an intervention, without a
    control group: what the patients reported (or showed) after what, not what caused it."""
    unchecked = unchecked_report(claim)
    intervention = term_phrase(claim.subject)
    population = claim.for_population or effect.population
    own = population is not None and (population.conditions or population.failed_prior_treatments or population.criteria)
    if population is not None and population.part_of is not None and not own:
        head = (population.label or "patients").split()[0]
        group = f"{head} who received {intervention} (among the {population_phrase(population.part_of)})"
        after = ""
    else:
        group = population_phrase(population) if population is not None else "patients"
        after = f" after {intervention}"
    verb = "reported" if effect.patient_reported else "showed"
    outcome = effect.outcome.name if effect.outcome is not None else join(term_phrase(o) for o in claim.objects)
    if study is None:
        where = "in a study without a control group"
    elif unchecked:
        where = f"in a {study.design.name if study.design else 'study'} without a control group"
    else:
        where = f"in {study_phrase(study, cited=True)}, without a control group"
    text = f"{where}, {group} {verb} {change_phrase(effect, outcome)}{after}"
    details = [f'described as "{w}"' for w in claim.strength_wording if not w.lower().startswith("no ")]
    if effect.significance is not None:
        details.append(effect.significance.name)
    return _sentence(text, details, claim, study, unchecked)




# --- text and Markdown -------------------------------------------------------------------------------


def evidence_summary(claim: "Claim") -> str:
    """``uncontrolled clinical observation (rank 2); study: ...`` for one line of output."""
    parts = [f"{claim.evidence_level.name} (rank {claim.evidence_level.rank})"]
    studies = [s for s in claim.studies if s.design is None or s.design.iri != V + "NarrativeSynthesis"]
    if studies:
        parts.append("study: " + "; ".join(f"{s.name} [{s.design.name if s.design else 'design unknown'}]" for s in studies))
    direct = [b.claim_id for b in claim.rests_on if b.direct]
    if direct:
        parts.append("rests on: " + ", ".join(direct))
    return "; ".join(parts)


def basis_summary(claim: "Claim") -> str | None:
    """The evidence under a synthesis claim, by level: ``uncontrolled clinical observation
    (rank 2; case series ...): cs-improvement, cs-spasm-reduction``."""
    groups: dict[tuple[str, int, str], list[str]] = {}
    for basis in claim.rests_on:
        level = basis.evidence_level
        key = (level.name if level else "unknown level", level.rank if level else -1, basis.study.curie if basis.study else "")
        groups.setdefault(key, []).append(basis.claim_id)
    if not groups:
        return None
    parts = []
    for (level, rank, study), ids in sorted(groups.items(), key=lambda item: (-item[0][1], item[0][0], item[0][2])):
        where = f"; {study}" if study else ""
        parts.append(f"{level} (rank {rank}{where}): {', '.join(ids)}")
    return " | ".join(parts)


def publication_reference(claim: "Claim") -> str | None:
    publication = claim.publication
    if publication is None:
        return None
    ref = f"doi:{publication.doi}" if publication.doi else publication.iri
    if publication.pmid:
        ref += f", PMID {publication.pmid}"
    return ref


def provenance_summary(claim: "Claim") -> str | None:
    """Where the claim comes from, and whether the paper named with it was checked:
    ``verified in the cited publication: Beaudart 2014 (doi:..., PMID ...)``;
    ``reported by the source document; the paper identified for it, Cai 2019
    (doi:...), was not checked for this claim``."""
    if claim.provenance is None:
        return None
    reference = publication_reference(claim)
    if reference is None:
        return claim.provenance.name
    named = claim.publication.short_reference if claim.publication else None
    paper = f"{named} ({reference})" if named else reference
    if claim.publication is not None and claim.publication.checked:
        return f"{claim.provenance.name}: {paper}"
    return f"{claim.provenance.name}; the paper identified for it, {paper}, was not checked for this claim"


def claim_to_text(claim: "Claim") -> str:
    """One claim as its sentence, then its evidence and where it comes from."""
    lines = [f"{claim.id}: {claim.text}", f"  evidence: {evidence_summary(claim)}"]
    underneath = basis_summary(claim)
    if underneath:
        lines.append(f"  evidence underneath: {underneath}")
    provenance = provenance_summary(claim)
    if provenance:
        lines.append(f"  provenance: {provenance}")
    where = f"  source: {claim.source.section or 'no section'}, characters {claim.source.start}-{claim.source.end}"
    reference = publication_reference(claim)
    if reference and not provenance:
        where += f"; {reference}"
    lines.append(where)
    return "\n".join(lines)


def claim_to_markdown(claim: "Claim") -> str:
    """One claim's section of the Markdown document: sentence, quote and a fact table."""
    out = [f"## {claim.id}", "", f"**{claim.text}**", "", f"> {claim.quote}", ""]
    rows = [
        ("kind", claim.kind.name),
        ("modality", ", ".join(m.name + (f" (\u201c{claim_cue(claim, m)}\u201d)" if m.cue and m.cue not in m.name else "") for m in claim.modalities)),
        ("evidence", evidence_summary(claim)),
    ]
    provenance = provenance_summary(claim)
    if provenance:
        rows.append(("provenance", provenance))
    underneath = basis_summary(claim)
    if underneath:
        rows.append(("evidence underneath", underneath))
    if claim.strength_wording:
        rows.append(("strength wording", ", ".join(f"\u201c{w}\u201d" for w in claim.strength_wording)))
    if claim.publication_modalities:
        rows.append(("publication says", ", ".join(f"{m.name}" for m in claim.publication_modalities)))
    for intervention in claim.interventions:
        rows.append(("intervention", intervention_phrase(intervention)))
    population = claim.for_population or claim.applies_particularly_to
    if population is not None:
        rows.append(("population", population_phrase(population)))
    for effect in claim.reported_effects:
        bits = [b for b in (
            effect.outcome.name if effect.outcome else None,
            effect.direction.name if effect.direction else None,
            effect.significance.name if effect.significance else None,
            effect.comparison_basis.name if effect.comparison_basis else None,
            effect.provenance.name if effect.provenance else None,
            "; ".join(estimate_phrase(e) + (f" ({e.provenance.name})" if e.provenance else "") for e in effect.estimates) or None,
        ) if b]
        rows.append(("effect", ", ".join(bits)))
        if effect.larger_than:
            test = effect.difference_test(effect.larger_than)
            rows.append(("difference between the subgroups", "no test of the difference reported" if test is None else
                         f"{test.significance.name if test.significance else 'tested'}"
                         + (f" ({test.provenance.name}, doi:{test.doi})" if test.provenance and test.doi else "")))
    if claim.rests_on:
        rows.append(("rests on", ", ".join(f"`{b.claim_id}`" for b in claim.rests_on if b.direct)))
    reference = publication_reference(claim)
    if reference:
        checked = claim.publication is not None and claim.publication.checked
        rows.append(("publication", reference if checked or claim.provenance is None else f"{reference} (identified; not checked for this claim)"))
    rows.append(("source", f"{claim.source.section}, characters {claim.source.start}\u2013{claim.source.end}"))
    out += ["| | |", "|---|---|"]
    out += [f"| {name} | {_cell(value)} |" for name, value in rows]
    return "\n".join(out)


def write_claims(claims: Iterable["Claim"], output_format: str, out: TextIO) -> None:
    """Write claims as they come, in ``text`` (blocks of :func:`claim_to_text`), ``markdown``
    (a document of :func:`claim_to_markdown` sections) or ``json`` (an array, indented by two
    as ``json.dumps(..., indent=2)`` writes it): one claim in memory at a time. Nothing is
    written before the first claim is there: what refuses the graph refuses it before output."""
    claims = iter(claims)
    ahead = next(claims, None)
    claims = chain((ahead,), claims) if ahead is not None else iter(())
    if output_format == "json":
        import json

        out.write("[")
        first = True
        for claim in claims:
            item = json.dumps(claim.to_dict(), indent=2, ensure_ascii=False).replace("\n", "\n  ")
            out.write(("\n  " if first else ",\n  ") + item)
            first = False
        out.write("]\n" if first else "\n]\n")
    elif output_format == "markdown":
        out.write("# Claims\n")
        for claim in claims:
            out.write(f"\n{claim_to_markdown(claim)}\n")
    elif output_format == "text":
        separator = ""
        for claim in claims:
            out.write(separator + claim_to_text(claim))
            separator = "\n\n"
        out.write("\n")
    else:
        raise ValueError(f"unknown claims format {output_format!r}")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
