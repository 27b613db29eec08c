"""Rebuilding claims from the graph: the queries in ``queries/claims/``, assembled into objects.

``claims/claim.rq`` runs once over the whole graph and gives the claims in document
order; the other queries run once per batch of claims (:func:`iter_claims`), or with
``?claim`` bound for claims looked up by id (:func:`lookup_claims`);
:func:`build_claims` groups their rows into :class:`~vitd_kg.evidence.model.Claim`
objects and :mod:`vitd_kg.evidence.render` writes each claim's sentence.

>>> from vitd_kg.rdf.parsing import load_store
>>> claims = reconstruct_claims(load_store())
>>> len(claims), claims[0].id
(30, 'bg-spasm-debilitating')
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator

import pyoxigraph as ox

from vitd_kg.errors import InvalidDataError
from vitd_kg.evidence.model import (
    Basis,
    Claim,
    Comparator,
    Criterion,
    DifferenceTest,
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
    is_checked,
)
from vitd_kg.evidence.render import intervention_phrase, population_phrase, render_claim
from vitd_kg.namespaces import VITD_IRI, claim_id, claim_iri, curie
from vitd_kg.sparql.engines import OxigraphEngine, Target, as_engine, iter_select_light, select_light, with_values
from vitd_kg.sparql.queries import Query, bundled_query
from vitd_kg.sparql.rows import Iri, LightRow as Row, light_term

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
    "provenance",
    "comparison",
    "subpopulation",
)

XSD = "http://www.w3.org/2001/XMLSchema#"


#: Claims rebuilt together by :func:`iter_claims`: memory holds one batch's rows and claims.
BATCH_SIZE = 2000


def reconstruct_claims(graph: Target) -> list[Claim]:
    """Every claim of a graph (an Oxigraph store or an engine), in document order, with its sentence."""
    return list(iter_claims(graph))


def iter_claims(graph: Target, *, batch_size: int = BATCH_SIZE) -> Iterator[Claim]:
    """Every claim of a graph in document order, with its sentence, a batch at a time.

    ``claims/claim.rq`` runs once over the whole graph and gives the order; the other
    queries run once per batch of ``batch_size`` claims, restricted to them by a trailing
    VALUES clause, so memory holds one batch's rows and claims whatever the graph's size.
    On a SPARQL server or an rdflib graph every query runs once over the whole graph.
    """
    refuse_unnamed_claims(graph)  # before the first claim is written out
    queries = _claim_queries()
    if not isinstance(as_engine(graph), OxigraphEngine):
        # A server or rdflib answers each query in one piece anyway; and Virtuoso 7.2 was
        # seen to drop OPTIONAL bindings from claims/effect with a trailing VALUES.
        yield from _written(graph, queries, {name: select_light(graph, query) for name, query in queries.items()})
        return
    for claim_rows in _batches(iter_select_light(graph, queries["claim"]), batch_size):
        iris = list(dict.fromkeys(str(row["claim"]) for row in claim_rows))
        rows = {"claim": claim_rows}
        for name, query in queries.items():
            if name != "claim":
                rows[name] = select_light(graph, with_values(query, "claim", iris))
        yield from _written(graph, queries, rows)


def refuse_unnamed_claims(graph: Target) -> None:
    """Raise :class:`InvalidDataError` if a claim is written as a blank node
    (``claims/unnamed.rq``): a claim is rebuilt, looked up, cited and published by its IRI,
    and a blank node's label differs on every load."""
    unnamed = select_light(graph, bundled_query("claims/unnamed"))
    if not unnamed:
        return
    labels = list(dict.fromkeys(str(row["label"]) for row in unnamed if row.get("label") is not None))
    count = len({row["claim"] for row in unnamed})
    shown = ", ".join(f'"{label}"' for label in labels[:3]) or "none has an rdfs:label"
    raise InvalidDataError(
        f"{count} claim(s) written as a blank node ({shown}): a claim is rebuilt, cited and published by its IRI",
        hint="name each claim by an IRI (claim:...); `vitd-kg validate` lists them with their files",
    )


def lookup_claims(graph: Target, ids: Iterable[str]) -> dict[str, Claim]:
    """The claims with these short ids that the graph holds, each rebuilt by the bundled
    queries with ``?claim`` bound (at index speed), with its sentence.

    >>> from vitd_kg.rdf.parsing import load_store
    >>> sorted(lookup_claims(load_store(), ["ma-strength", "no-such-claim"]))
    ['ma-strength']
    """
    queries = _claim_queries()
    return {claim.id: claim for claim in _written(graph, queries, _bound_rows(graph, queries, ids))}


def _claim_queries() -> dict[str, Query]:
    return {name: bundled_query(f"claims/{name}") for name in CLAIM_QUERIES}


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Consecutive rows in lists of ``size`` claims (a claim's rows are never split)."""
    batch: list[Row] = []
    claims = 0
    last = None
    for row in rows:
        claim = row.get("claim")
        if claim != last:
            if claims == size:
                yield batch
                batch, claims = [], 0
            claims += 1
            last = claim
        batch.append(row)
    if batch:
        yield batch


def _bound_rows(graph: Target, queries: dict[str, Query], ids: Iterable[str]) -> dict[str, list[Row]]:
    """The rows of every claims query for these claims (short ids), one claim at a time."""
    rows: dict[str, list[Row]] = {name: [] for name in CLAIM_QUERIES}
    for short in dict.fromkeys(ids):
        iri = claim_iri(short)
        try:
            ox.NamedNode(iri)
        except ValueError:
            continue  # not an IRI: no such claim
        for name, query in queries.items():
            rows[name].extend(_select_bound(graph, query, "claim", iri))
    return rows


def _written(graph: Target, queries: dict[str, Query], rows: dict[str, list[Row]]) -> list[Claim]:
    """The claims of ``rows``, each with its sentence (the claims it explains that ``rows``
    does not hold are rebuilt to write it)."""
    _add_provenance(graph, queries["provenance"], rows)
    built = build_claims(rows)
    by_id = {claim.id: claim for claim in built}
    explained = list(dict.fromkeys(i for claim in built for i in claim.explains if i not in by_id))
    if explained:
        others = _bound_rows(graph, queries, explained)
        _add_provenance(graph, queries["provenance"], others)
        by_id = {**{claim.id: claim for claim in build_claims(others)}, **by_id}
    for claim in built:
        claim.text = render_claim(claim, by_id)
    return built


def _add_provenance(graph: Target, query: Query, rows: dict[str, list[Row]]) -> None:
    """Add the provenance rows of resources the claims hold that their own rows do not reach.

    A resource's provenance is its own, whichever claim reaches it: claims/provenance
    finds it through the claims of ``rows`` only, so the rest is asked by resource
    (claims/provenance binds ``?resource`` too).
    """
    reached = {str(row["resource"]) for row in rows["provenance"]}
    unreached = [iri for iri in dict.fromkeys(_provenance_holders(rows)) if iri not in reached]
    may_have = _may_have_provenance(graph, unreached)
    for iri in unreached:
        if may_have(iri):
            rows["provenance"].extend(_select_bound(graph, query, "resource", iri))


def _select_bound(target: Target, query: Query, variable: str, iri: str) -> list[Row]:
    """Light rows of a bundled SELECT with one variable bound to an IRI.

    On an Oxigraph store the substitution is handed to Oxigraph directly (the general
    path converts bindings through rdflib, whose import costs more than a lookup).
    """
    if isinstance(target, ox.Store):
        solutions = target.query(query.text, substitutions={ox.Variable(variable): ox.NamedNode(iri)})
        names = [v.value for v in solutions.variables]
        return [{n: light_term(t) for n, t in zip(names, solution) if t is not None} for solution in solutions]
    return select_light(target, query, {variable: iri})


#: Columns of the claims queries whose resources a claim shows with their provenance.
_PROVENANCE_HOLDERS = {
    "intervention": ("intervention",),
    "study": ("study",),
    "population": ("population",),
    "subpopulation": ("population", "parent"),
    "criteria": ("criterion",),
    "comparison": ("test",),
    "effect": ("effect", "estimate", "comparator"),
}


def _provenance_holders(rows: dict[str, list[Row]]) -> Iterator[str]:
    for name, columns in _PROVENANCE_HOLDERS.items():
        for row in rows.get(name, ()):
            for column in columns:
                value = row.get(column)
                if isinstance(value, Iri):
                    yield str(value)


_PROVENANCE_STATUS = ox.NamedNode(VITD_IRI + "provenanceStatus")


#: Resources asked about in one claims/provenance-statused request to a server.
STATUS_BATCH = 1000


def _may_have_provenance(target: Target, iris: list[str]) -> Callable[[str], bool]:
    """Whether one of ``iris`` may have a provenance status: an Oxigraph store is asked
    for each at index speed; any other engine (a SPARQL server, where a request each would
    make a claims run's requests grow with the graph) by claims/provenance-statused,
    restricted to :data:`STATUS_BATCH` of them at a time by a trailing VALUES clause."""
    if isinstance(target, ox.Store):
        def in_store(iri: str) -> bool:
            found = target.quads_for_pattern(ox.NamedNode(iri), _PROVENANCE_STATUS, None, ox.DefaultGraph())
            return next(found, None) is not None

        return in_store
    query = bundled_query("claims/provenance-statused")
    statused = {
        str(row["resource"])
        for at in range(0, len(iris), STATUS_BATCH)
        for row in select_light(target, with_values(query, "resource", iris[at:at + STATUS_BATCH]))
    }
    return statused.__contains__


def build_claims(rows: dict[str, list[Row]]) -> list[Claim]:
    """Assemble :class:`Claim` objects from the rows of every query in CLAIM_QUERIES."""
    origin = _origins(rows.get("provenance", []))
    status = {iri: found[0] for iri, found in origin.items()}
    populations = _populations(rows["population"], rows["criteria"], rows.get("subpopulation", []), status)
    populations = {iri: replace(p, text=population_phrase(p)) for iri, p in populations.items()}
    interventions = {
        iri: replace(i, text=intervention_phrase(i), provenance=status.get(iri))
        for iri, i in _interventions(rows["intervention"]).items()
    }
    studies = {
        iri: replace(s, provenance=status.get(iri), reference=origin.get(iri, (None, None))[1])
        for iri, s in _studies(rows["study"], rows["study-parts"]).items()
    }
    effects = _effects(rows["effect"], populations, rows.get("comparison", []), status)
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
                short_reference=origin.get(iri, (None, None))[1],
                checked=is_checked(status.get(iri)),
            )
            if "publication" in row
            else None,
            provenance=status.get(iri),
        )
        for m in modalities.get(iri, []):
            cue = _text(m, "cue")
            if cue and str(m["source"]) == "document":  # the cue as the quote conjugates it ("has shown")
                cue = next((c for c in claim.hedge_cues if c.split()[-1] == cue.split()[-1]), cue)
            modality = Modality(
                iri=str(m["modality"]),
                label=_text(m, "modalityLabel"),
                kind=str(m["modalKind"]),
                cue=cue,
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


def _origins(rows: list[Row]) -> dict[str, tuple[Term, str | None]]:
    """Resource IRI -> (its provenance status, the short reference of its publication)."""
    found: dict[str, tuple[Term, str | None]] = {}
    for row in rows:
        iri = str(row["resource"])
        if iri not in found or found[iri][1] is None:
            found[iri] = (_term(row, "status"), _text(row, "shortReference"))
    return found


def _populations(
    rows: list[Row], criteria_rows: list[Row], parent_rows: list[Row] = (), status: dict[str, Term] | None = None
) -> dict[str, Population]:
    status = status or {}
    parts: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    labels: dict[str, str | None] = {}
    parent_of: dict[str, str] = {}
    for row in parent_rows:  # the larger populations, in the shape of claims/population rows
        parent_of.setdefault(str(row["population"]), str(row["parent"]))
        rows = [*rows, {"population": row["parent"], "populationLabel": row.get("parentLabel"),
                        **({"part": row["part"], "value": row["value"], "valueLabel": row.get("valueLabel")}
                           if "part" in row else {})}]
    for row in rows:
        iri = str(row["population"])
        labels[iri] = _text(row, "populationLabel") or labels.get(iri)
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
            provenance=status.get(str(row["criterion"])),
        )
        if criterion not in criteria[iri]:
            criteria[iri].append(criterion)
    built = {
        iri: Population(
            iri=iri,
            label=label,
            conditions=tuple(parts[iri]["condition"]),
            failed_prior_treatments=tuple(parts[iri]["failedPriorTreatment"]),
            criteria=tuple(criteria[iri]),
            provenance=status.get(iri),
        )
        for iri, label in labels.items()
    }
    return {
        iri: replace(p, part_of=replace(built[parent_of[iri]], text=population_phrase(built[parent_of[iri]])))
        if parent_of.get(iri) in built
        else p
        for iri, p in built.items()
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


def _effects(
    rows: list[Row], populations: dict[str, Population], comparison_rows: list[Row] = (), status: dict[str, Term] | None = None
) -> dict[str, list[Effect]]:
    status = status or {}
    basis: dict[str, Term] = {}
    tests: dict[str, list[DifferenceTest]] = defaultdict(list)
    for row in comparison_rows:
        effect = str(row["effect"])
        if "comparisonBasis" in row:
            basis[effect] = _term(row, "comparisonBasis")
        if "test" in row:
            test = DifferenceTest(
                iri=str(row["test"]),
                other_effect=str(row["otherEffect"]),
                significance=_term(row, "differenceSignificance") if "differenceSignificance" in row else None,
                doi=_text(row, "testDoi"),
                provenance=status.get(str(row["test"])),
            )
            if test not in tests[effect]:
                tests[effect].append(test)
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
                    provenance=status.get(str(row["estimate"])),
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
                comparator=Comparator(str(row["comparator"]), _text(row, "comparatorLabel"), status.get(str(row["comparator"])))
                if "comparator" in row
                else None,
                subgroup_of=_text(row, "subgroupOf"),
                larger_than=_text(row, "largerThan"),
                estimates=tuple(estimates[(claim, iri)]),
                comparison_basis=basis.get(iri),
                difference_tests=tuple(tests.get(iri, ())),
                provenance=status.get(iri),
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
