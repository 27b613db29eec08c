"""HL7 FHIR R5 export: a Bundle with one ``Evidence`` per effect and one ``Citation`` per publication.

Everything comes from the bundled queries in ``queries/export/`` (effects, their context,
interventions, populations, publications), so the Bundle says only what the graph says.
The only knowledge added here is the crosswalk from the graph's terms to FHIR codes, and
each code below was read, with its display, in the code system that defines it:

- ``variableRole``: ``http://terminology.hl7.org/CodeSystem/variable-role`` (R5's
  EvidenceVariableRole): population, exposure, referenceExposure, measuredVariable.
- ``statisticType``: ``http://terminology.hl7.org/CodeSystem/statistic-type``, whose codes
  reuse STATO's numbers: ``0000100`` "Standardized Mean Difference" is STATO_0000100.
- ``attributeEstimate.type``: ``http://terminology.hl7.org/CodeSystem/attribute-estimate-type``:
  ``C44185`` "P-value", ``C53324`` "Confidence interval".
- ``synthesisType``: ``http://terminology.hl7.org/CodeSystem/synthesis-type``: ``std-MA``
  "summary data meta-analysis".
- ``studyDesign``: R5's ``http://hl7.org/fhir/study-design`` (SEVCO codes, version 5.0.0).

``certainty`` is left out on purpose: the graph's evidence level is this project's own
curation ("not a published grading scheme", ontology), not a certainty rating with a
stated basis, so it goes in a note instead of pretending to be GRADE.

>>> from vitd_kg.rdf.parsing import load_store
>>> bundle = fhir_bundle(load_store())
>>> bundle["type"], sorted({e["resource"]["resourceType"] for e in bundle["entry"]})
('collection', ['Citation', 'Evidence'])
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, BinaryIO

from rdflib import Literal, URIRef

from vitd_kg.namespaces import ID, OBO, VITD
from vitd_kg.sparql.engines import Target, run_query
from vitd_kg.sparql.queries import bundled_query
from vitd_kg.sparql.rows import Row

FHIR_VERSION = "5.0.0"
VARIABLE_ROLE = "http://terminology.hl7.org/CodeSystem/variable-role"
STATISTIC_TYPE = "http://terminology.hl7.org/CodeSystem/statistic-type"
ATTRIBUTE_ESTIMATE_TYPE = "http://terminology.hl7.org/CodeSystem/attribute-estimate-type"
SYNTHESIS_TYPE = "http://terminology.hl7.org/CodeSystem/synthesis-type"
STUDY_DESIGN = "http://hl7.org/fhir/study-design"
UCUM = "http://unitsofmeasure.org"
IRI_IDENTIFIER = "urn:ietf:rfc:3986"
DOI_SYSTEM = "https://doi.org"
PUBMED_SYSTEM = "https://pubmed.ncbi.nlm.nih.gov"

#: STATO statistic -> (statistic-type code, display). Only codes read in the code system.
STATISTIC_TYPES: dict[str, tuple[str, str]] = {
    str(OBO.STATO_0000100): ("0000100", "Standardized Mean Difference"),
}
#: vitd-kg study design -> R5 study-design codes (code, display).
STUDY_DESIGNS: dict[str, list[tuple[str, str]]] = {
    str(VITD.CaseSeries): [("SEVCO:01016", "Uncontrolled cohort design")],  # alt. term "Case series design"
    str(VITD.RandomizedControlledTrial): [("SEVCO:01003", "randomized assignment")],
}
#: vitd-kg study design -> synthesis-type code (code, display).
SYNTHESIS_TYPES: dict[str, tuple[str, str]] = {
    str(VITD.SystematicReviewAndMetaAnalysis): ("std-MA", "summary data meta-analysis"),
}
PATIENT_REPORTED = ("SEVCO:01052", "Includes patient-reported outcome")
P_VALUE = ("C44185", "P-value")
CONFIDENCE_INTERVAL = ("C53324", "Confidence interval")


@dataclass
class ExportData:
    """The rows of every export query, grouped by the resource they describe."""

    effects: dict[str, list[Row]]
    context: dict[str, list[Row]]
    interventions: dict[str, list[Row]]
    populations: dict[str, list[Row]]
    publications: list[Row]


def query_export_data(graph: Target) -> ExportData:
    """Run the export queries once on one graph."""

    def grouped(name: str, key: str) -> dict[str, list[Row]]:
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in run_query(graph, bundled_query(f"export/{name}")):
            groups[str(row[key])].append(row)
        return dict(groups)

    return ExportData(
        effects=grouped("effects", "effect"),
        context=grouped("effect-context", "effect"),
        interventions=grouped("interventions", "intervention"),
        populations=grouped("populations", "population"),
        publications=run_query(graph, bundled_query("export/publications")),
    )


def fhir_bundle(graph: Target) -> dict[str, Any]:
    """The FHIR R5 Bundle (type ``collection``) as a JSON-ready dict.

    One ``Evidence`` per effect in the graph, significant or not, and one ``Citation``
    per publication. Resource ids and ``fullUrl`` values are derived from the graph
    IRIs, so the same graph always gives the same Bundle.

    >>> from vitd_kg.rdf.parsing import load_store
    >>> bundle = fhir_bundle(load_store())
    >>> evidence = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Evidence"]
    >>> mass = next(r for r in evidence if r["id"] == "effect-beaudart-2014-mass")
    >>> mass["statistic"][0]["quantity"]["value"], mass["statistic"][0]["attributeEstimate"][0]["quantity"]["value"]
    (0.058, 0.52)
    """
    data = query_export_data(graph)
    ids = ResourceIds()
    entries: list[dict[str, Any]] = []
    for publication in data.publications:
        entries.append(entry(str(publication["publication"]), citation(publication, ids)))
    for effect_iri in sorted(data.effects):
        entries.append(entry(effect_iri, evidence(effect_iri, data, ids)))
    return {
        "resourceType": "Bundle",
        "id": "vitd-kg-evidence",
        "type": "collection",
        "entry": entries,
    }


def write_fhir(graph: Target, out: BinaryIO) -> None:
    """Write the Bundle of :func:`fhir_bundle` as UTF-8 JSON (indented, keys in FHIR order)."""
    text = json.dumps(fhir_bundle(graph), indent=2, ensure_ascii=False)
    out.write(text.encode("utf-8") + b"\n")


# --- ids and references ------------------------------------------------------------------

ID_PATTERN = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


class ResourceIds:
    """Deterministic FHIR ids from graph IRIs, unique within one Bundle.

    A vitd-kg IRI gives its path (``effect-beaudart-2014-strength``), a DOI IRI
    ``doi-<doi>``; anything longer than FHIR's 64 characters, or that would collide,
    gets a name-based UUID of the IRI instead.
    """

    def __init__(self) -> None:
        self.by_iri: dict[str, str] = {}
        self.taken: set[str] = set()

    def __call__(self, iri: str) -> str:
        if iri not in self.by_iri:
            candidate = readable_id(iri)
            if not ID_PATTERN.match(candidate) or candidate in self.taken:
                candidate = str(uuid.uuid5(uuid.NAMESPACE_URL, iri))
            self.by_iri[iri] = candidate
            self.taken.add(candidate)
        return self.by_iri[iri]


def readable_id(iri: str) -> str:
    """The readable id of an IRI, before the length and collision checks."""
    if iri.startswith(str(ID)):
        rest = iri[len(str(ID)):]
    elif iri.startswith("https://doi.org/"):
        rest = "doi-" + iri[len("https://doi.org/"):]
    else:
        rest = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", iri)
    return re.sub(r"[^A-Za-z0-9.-]+", "-", rest).strip("-")


def full_url(iri: str) -> str:
    """The Bundle entry's ``fullUrl``: a UUID URN named by the graph IRI."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, iri)}"


def entry(iri: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": full_url(iri), "resource": resource}


def reference(iri: str, display: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"reference": full_url(iri)}
    if display:
        ref["display"] = display
    return ref


# --- Citation ------------------------------------------------------------------------------


def citation(row: Row, ids: ResourceIds) -> dict[str, Any]:
    """A Citation for one publication: DOI, PMID where verified, title, year, citation text.

    The publication's graph IRI (its DOI IRI) names the entry's ``fullUrl``; the DOI and
    PMID identify the cited article in ``citedArtifact.identifier``.
    """
    iri = str(row["publication"])
    artifact_ids = []
    if "doi" in row:
        artifact_ids.append({"system": DOI_SYSTEM, "value": str(row["doi"])})
    if "pmid" in row:
        artifact_ids.append({"system": PUBMED_SYSTEM, "value": str(row["pmid"])})
    resource: dict[str, Any] = {"resourceType": "Citation", "id": ids(iri), "status": "active"}
    if "title" in row:
        resource["title"] = str(row["title"])
    if "citation" in row:
        resource["summary"] = [{"text": str(row["citation"])}]
    cited: dict[str, Any] = {}
    if artifact_ids:
        cited["identifier"] = artifact_ids
    if "title" in row:
        cited["title"] = [{"text": str(row["title"])}]
    if "issued" in row:
        cited["publicationForm"] = [{"articleDate": str(row["issued"])}]
    if cited:
        resource["citedArtifact"] = cited
    return resource


# --- Evidence ------------------------------------------------------------------------------


def evidence(effect_iri: str, data: ExportData, ids: ResourceIds) -> dict[str, Any]:
    """One Evidence resource for one effect and its estimates."""
    rows = data.effects[effect_iri]
    first = rows[0]
    context = data.context.get(effect_iri, [])
    resource: dict[str, Any] = {
        "resourceType": "Evidence",
        "id": ids(effect_iri),
        "url": effect_iri,
        "identifier": [{"system": IRI_IDENTIFIER, "value": effect_iri}],
        "status": "active",
    }
    if "effectLabel" in first:
        resource["title"] = str(first["effectLabel"])
    if "quote" in first:
        resource["assertion"] = str(first["quote"])
    resource["description"] = effect_summary(first)
    notes = evidence_notes(first, context)
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    related = related_artifacts(first, context)
    if related:
        resource["relatedArtifact"] = related
    resource["variableDefinition"] = variable_definitions(first, data, context)
    synthesis = SYNTHESIS_TYPES.get(str(first.get("design", "")))
    if synthesis:
        resource["synthesisType"] = concept(SYNTHESIS_TYPE, *synthesis)
    designs = study_designs(first, context)
    if designs:
        resource["studyDesign"] = designs
    resource["statistic"] = [statistic(row) for row in rows]
    return resource


def effect_summary(row: Row) -> str:
    """A one-line account of the effect, from its graph values only."""
    parts = []
    if "directionLabel" in row:
        parts.append(f"direction: {row['directionLabel']}")
    if "magnitude" in row:
        parts.append(f"magnitude as worded: {row['magnitude']}")
    if "magnitudeValue" in row:
        operator = f"{row['operatorCue']} " if "operatorCue" in row else ""
        unit = f" {row['magnitudeUnit']}" if "magnitudeUnit" in row else ""
        parts.append(f"magnitude: {operator}{row['magnitudeValue']}{unit}")
    if "significanceLabel" in row:
        parts.append(str(row["significanceLabel"]))
    label = str(row.get("effectLabel", "effect"))
    return f"{label[0].upper()}{label[1:]}" + (f" ({'; '.join(parts)})." if parts else ".")


def evidence_notes(row: Row, context: list[Row]) -> list[str]:
    """Notes: the claim it comes from, its evidence level (not a certainty rating), comparisons."""
    notes = []
    if "claim" in row:
        notes.append(f"Reported by claim {row['claim']} of the vitd-kg graph.")
    levels = sorted({str(c["evidenceLevelLabel"]) for c in context if "evidenceLevelLabel" in c})
    for level in levels:
        notes.append(
            f"vitd-kg evidence level: {level} (this project's curation of the kind of evidence, "
            "not a certainty rating; no certainty is exported because the graph states no basis for one)."
        )
    for c in context:
        if "largerThan" in c:
            other = c.get("largerThanPopulationLabel", c["largerThan"])
            notes.append(f"Reported as larger than the effect in {other} ({c['largerThan']}).")
    return notes


def related_artifacts(row: Row, context: list[Row]) -> list[dict[str, Any]]:
    """The publication the effect is derived from, and the overall effect of a subgroup."""
    related = []
    if "publication" in row:
        related.append(
            {"type": "derived-from", "resourceReference": reference(str(row["publication"]))}
        )
    for whole in sorted({str(c["subgroupOf"]) for c in context if "subgroupOf" in c}):
        related.append({"type": "part-of", "resourceReference": reference(whole)})
    return related


def variable_definitions(row: Row, data: ExportData, context: list[Row]) -> list[dict[str, Any]]:
    """Population, exposure (intervention), reference exposure (comparator) and outcome."""
    variables = []
    if "population" in row:
        variables.append(
            variable(
                "population",
                "population",
                str(row.get("populationLabel", row["population"])),
                population_notes(data.populations.get(str(row["population"]), [])),
            )
        )
    if "intervention" in row:
        variables.append(
            variable(
                "exposure",
                "exposure",
                str(row.get("interventionLabel", row["intervention"])),
                intervention_notes(data.interventions.get(str(row["intervention"]), [])),
            )
        )
    if "comparator" in row:
        variables.append(
            variable(
                "referenceExposure",
                "reference exposure",
                str(row.get("comparatorLabel", row["comparator"])),
                [],
            )
        )
    if "outcome" in row:
        reported = any(is_true(c.get("patientReported")) for c in context)
        variables.append(
            variable(
                "measuredVariable",
                "measured variable",
                str(row.get("outcomeLabel", row["outcome"])),
                ["patient-reported"] if reported else [],
            )
        )
    return variables


def variable(code: str, display: str, description: str, notes: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {"description": description}
    if notes:
        result["note"] = [{"text": text} for text in notes]
    result["variableRole"] = concept(VARIABLE_ROLE, code, display)
    return result


def population_notes(rows: list[Row]) -> list[str]:
    """Conditions, quantity criteria and failed prior treatments of a population."""
    notes = []
    for row in rows:
        kind, label = str(row["kind"]), str(row["label"])
        if kind == "criterion":
            bound = " ".join(str(row[k]) for k in ("operatorCue", "value", "unit") if k in row)
            notes.append(f"criterion: {label} {bound}".rstrip())
        else:
            notes.append(f"{kind}: {label}")
    return notes


def intervention_notes(rows: list[Row]) -> list[str]:
    """Substance, dose, route, frequency and duration of an intervention, as the graph states them."""
    if not rows:
        return []
    row = rows[0]
    notes = []
    for substance in sorted({(str(r["substanceLabel"]), str(r.get("substanceMatch", ""))) for r in rows if "substanceLabel" in r}):
        name, match = substance
        notes.append(f"substance: {name}" + (f" ({match})" if match else ""))
    if "doseValue" in row:
        unit = f" {row['doseUnit']} (UCUM)" if "doseUnit" in row else ""
        notes.append(f"dose: {row['doseValue']}{unit}")
    if "routeLabel" in row:
        notes.append(f"route: {row['routeLabel']}")
    if "frequencyLabel" in row:
        period = f" (every {row['period']})" if "period" in row else ""
        notes.append(f"frequency: {row['frequencyLabel']}{period}")
    if "durationValue" in row:
        stated = f"{row['durationValue']} {row.get('durationUnit', '')}".strip()
        iso = f" ({row['duration']})" if "duration" in row else ""
        notes.append(f"duration: {stated}{iso}")
    elif "duration" in row:
        notes.append(f"duration: {row['duration']}")
    for corrected in sorted({str(r["correctsLabel"]) for r in rows if "correctsLabel" in r}):
        notes.append(f"corrects: {corrected}")
    return notes


def study_designs(row: Row, context: list[Row]) -> list[dict[str, Any]]:
    """R5 study-design codes: the study's own design, or the design of the studies it pooled."""
    designs: list[tuple[str, str]] = []
    for design in [str(row.get("design", ""))] + sorted({str(c["includedDesign"]) for c in context if "includedDesign" in c}):
        for code in STUDY_DESIGNS.get(design, []):
            if code not in designs:
                designs.append(code)
    if any(is_true(c.get("patientReported")) for c in context):
        designs.append(PATIENT_REPORTED)
    return [concept(STUDY_DESIGN, code, display) for code, display in designs]


def statistic(row: Row) -> dict[str, Any]:
    """One statistic: the estimate with its type, sample size, p-value and interval.

    An effect without an estimate still gets a statistic that says what the graph says
    (direction, significance, any stated magnitude), so a result is never dropped.
    """
    result: dict[str, Any] = {"description": statistic_description(row)}
    if "significanceLabel" in row:
        result["note"] = [{"text": f"Reported as {row['significanceLabel']}."}]
    if "statistic" in row:
        stato = str(row["statistic"])
        kind: dict[str, Any] = {"text": str(row.get("measure", stato))}
        if stato in STATISTIC_TYPES:
            code, display = STATISTIC_TYPES[stato]
            kind["coding"] = [{"system": STATISTIC_TYPE, "code": code, "display": display}]
        result["statisticType"] = kind
    if "value" in row:
        result["quantity"] = {"value": number(row["value"])}
    elif "magnitudeValue" in row:
        result["quantity"] = magnitude_quantity(row)
    size = sample_size(row)
    if size:
        result["sampleSize"] = size
    estimates = attribute_estimates(row)
    if estimates:
        result["attributeEstimate"] = estimates
    return result


def statistic_description(row: Row) -> str:
    if "value" in row:
        text = f"{row.get('measure', 'estimate')} {row['value']}"
        if "pValue" in row:
            text += f", p = {row['pValue']}"
        if "ciLower" in row and "ciUpper" in row:
            text += f", {row.get('ciLabel', 'confidence interval')} {row['ciLower']} to {row['ciUpper']}"
        return text
    return effect_summary(row)


def magnitude_quantity(row: Row) -> dict[str, Any]:
    """A stated magnitude ("more than 70%") as a Quantity with its comparator and UCUM unit."""
    quantity: dict[str, Any] = {"value": number(row["magnitudeValue"])}
    cue = str(row.get("operatorCue", ""))
    if cue in ("<", "<=", ">=", ">"):
        quantity["comparator"] = cue
    if "magnitudeUnit" in row:
        unit = str(row["magnitudeUnit"])
        quantity.update({"unit": unit, "system": UCUM, "code": unit})
    return quantity


def sample_size(row: Row) -> dict[str, Any]:
    size: dict[str, Any] = {}
    if "includedStudies" in row:
        size["numberOfStudies"] = int(str(row["includedStudies"]))
    if "participants" in row:
        size["numberOfParticipants"] = int(str(row["participants"]))
    if size:
        size["description"] = "totals of the whole study; the graph gives no count for this outcome alone"
    return size


def attribute_estimates(row: Row) -> list[dict[str, Any]]:
    estimates = []
    if "pValue" in row:
        estimates.append({
            "description": f"p = {row['pValue']}",
            "type": concept(ATTRIBUTE_ESTIMATE_TYPE, *P_VALUE),
            "quantity": {"value": number(row["pValue"])},
        })
    if "ciLower" in row or "ciUpper" in row:
        interval: dict[str, Any] = {"type": concept(ATTRIBUTE_ESTIMATE_TYPE, *CONFIDENCE_INTERVAL)}
        if "ciLabel" in row:
            interval["description"] = str(row["ciLabel"])
        if "ciLevel" in row:
            interval["level"] = number(row["ciLevel"])
        bounds = {}
        if "ciLower" in row:
            bounds["low"] = {"value": number(row["ciLower"])}
        if "ciUpper" in row:
            bounds["high"] = {"value": number(row["ciUpper"])}
        interval["range"] = bounds
        estimates.append(interval)
    return estimates


# --- small helpers ------------------------------------------------------------------------


def concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def number(term: Literal | URIRef) -> int | float:
    """A JSON number equal to the literal (integers stay integers)."""
    text = str(term)
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)


def is_true(term: Literal | URIRef | None) -> bool:
    return term is not None and str(term).lower() in ("true", "1")
