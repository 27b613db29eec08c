"""The evidence audit: where a claim is worded more strongly than the evidence under it.

The rules are the SPARQL files in ``queries/audit/``, one per kind of finding; a rule
that returns no rows has nothing to report. Each rule's rows are grouped by claim
into one :class:`Finding`, whose message this module writes from the rows alone
(claim and study ids, labels, wording, significance), so that a finding says
exactly which claims and studies it is about and why; its ``summary`` says the same
for a reader, in plain words and labels, without ids.

>>> from vitd_kg.rdf.parsing import load_store
>>> findings = run_audit(load_store())
>>> sorted({f.kind for f in findings})[:2]
['hedge-dropped-from-publication', 'outcome-not-measured-underneath']
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from vitd_kg.namespaces import ID, VITD
from vitd_kg.sparql.engines import Target, run_query
from vitd_kg.sparql.queries import bundled_queries
from vitd_kg.sparql.rows import Row

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Finding:
    """One thing the audit reports about one claim.

    ``kind`` is the name of the rule (the query file); ``claim_ids`` starts with the
    claim the finding is about (the one it flags), followed by the claims it cites
    (underneath it, or elsewhere in the graph), which it does not flag;
    ``study_ids`` are the studies involved. ``message`` names them by id;
    ``summary`` says the same for a reader, in plain words.
    """

    kind: str
    severity: str
    claim_ids: list[str]
    study_ids: list[str]
    message: str
    rule: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    summary: str = ""

    @property
    def claim_id(self) -> str:
        """The claim the finding is about."""
        return self.claim_ids[0]

    @property
    def cited_claim_ids(self) -> list[str]:
        """The claims the finding cites, not the one it flags."""
        return self.claim_ids[1:]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def run_audit(graph: Target) -> list[Finding]:
    """Run every rule of ``queries/audit/`` on a graph and return the findings, most severe first."""
    findings: list[Finding] = []
    for query in bundled_queries("audit"):
        kind = query.name.split("/", 1)[1]
        rows = run_query(graph, query)
        by_claim: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_claim[str(row["claim"])].append(row)
        write = MESSAGES.get(kind, _generic_message)
        for claim, claim_rows in by_claim.items():
            message, claim_ids, study_ids, *plain = write(short(claim), claim_rows)
            findings.append(
                Finding(
                    kind=kind,
                    severity=str(claim_rows[0].get("severity", "medium")),
                    claim_ids=_unique([short(claim), *claim_ids]),
                    study_ids=_unique(study_ids),
                    message=message,
                    rule=f"queries/{query.name}.rq",
                    summary=plain[0] if plain else message,
                )
            )
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.kind, f.claim_id))
    return findings


# --- messages, one writer per rule ------------------------------------------------------------

#: The most controlled studies a message names one by one (the finding's ``study_ids`` list
#: them all): on a corpus of 27000 synthetic claims one message named 3323 of them, 391 KB.
MOST_NAMED = 10


def short(iri: Any) -> str:
    """The id of a resource of the graph: its IRI's last path segment (``cs-improvement``)."""
    text = str(iri)
    if text.startswith(str(ID)) or text.startswith(str(VITD)):
        return text.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return text


def _unique(items) -> list[str]:
    """The items that are not empty, each once, in their first order (linear: a set beside the list)."""
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _by_study(rows: list[Row]) -> dict[str, list[Row]]:
    """The rows of each study, in their order: grouped once, not searched again per study."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[str(row["study"])].append(row)
    return grouped


def _values(rows: list[Row], name: str) -> list[str]:
    return _unique(str(r[name]) for r in rows if name in r)


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _wording(rows: list[Row]) -> str:
    words = _values(rows, "wording")
    return f", worded {_join([chr(34) + w + chr(34) for w in words])}" if words else ""


def _quoted(words: list[str]) -> str:
    """“significantly”, or “a” and “b”: words of the source, in a reader's quotes."""
    return _join([f"“{w}”" for w in words])


def _count(n: int, one: str, many: str | None = None) -> str:
    """``one finding``, ``3 findings``."""
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
    return f"{words.get(n, str(n))} {one if n == 1 else (many or one + 's')}"


def _rests_on_uncontrolled(claim: str, rows: list[Row]):
    basis_rows = [r for r in rows if str(r["part"]) == "basis"]
    controlled = [r for r in rows if str(r["part"]) == "controlledStudy"]
    bases = _values(basis_rows, "basis")
    studies = _values(basis_rows, "study")
    object_label = _join(_values(rows, "objectLabel"))
    basis_by_study = _by_study(basis_rows)
    described = []
    for study in studies:
        these = basis_by_study[study]
        design = _join(_values(these, "designLabel"))
        comparator = "no comparator" if all(str(r.get("hasComparator")) == "false" for r in these) else "with a comparator"
        described.append(f"{short(study)} ({design}, {comparator})")
    statuses = [str(r.get("significanceLabel", "no effect reported")) for r in basis_rows]
    counts = {s: statuses.count(s) for s in _unique(statuses)}
    significance = "; ".join(f"{s} for {n} of {len(statuses)}" for s, n in counts.items())
    message = (
        f"{claim} (about {object_label}{_wording(rows)}) rests only on evidence without a control group: "
        f"{len(bases)} claim{'s' if len(bases) != 1 else ''} ({', '.join(short(b) for b in bases)}) "
        f"from {len(studies)} stud{'ies' if len(studies) != 1 else 'y'}, {'; '.join(described)}. "
        f"Significance of the effects they report: {significance}."
    )
    controlled_studies = _values(controlled, "study")
    controlled_by_study = _by_study(controlled)
    named = controlled_studies[:MOST_NAMED]  # every one is in the finding's study_ids
    more = len(controlled_studies) - len(named)
    rest = f"; and {_count(more, 'other controlled study', 'other controlled studies')}" if more else ""
    if controlled_studies:
        parts = []
        for study in named:
            these = controlled_by_study[study]
            parts.append(
                f"{short(study)} ({_join(_values(these, 'designLabel'))}) measured "
                f"{_join(_values(these, 'outcomeLabel'))}"
            )
        message += f" No controlled study in the graph measured {object_label}: " + "; ".join(parts) + rest + "."
    designs = [_join(_values(basis_by_study[s], "designLabel")) for s in studies]
    evidence = _join([f"a {design}" if len(studies) == 1 else design for design in designs])
    summary = (
        f"It rests only on evidence without a control group: {_count(len(bases), 'finding')} from "
        f"{evidence if len(studies) == 1 else _count(len(studies), 'study', 'studies') + ' (' + evidence + ')'}, "
        "where the same people were observed before and after, with no one to compare them with."
    )
    if statuses and all(s == "significance not reported" for s in statuses):
        summary += " None of those effects was tested statistically."
    if controlled_studies:
        measured = []
        for study in named:
            these = controlled_by_study[study]
            measured.append(f"the {_join(_values(these, 'studyLabel'))} measured {_join(_values(these, 'outcomeLabel'))}")
        summary += f" No controlled study in the document measured {object_label}: " + "; ".join(measured) + rest + "."
    return message, [short(b) for b in bases], [short(s) for s in studies + controlled_studies], summary


def _significance_without_test(claim: str, rows: list[Row]):
    bases = _values(rows, "basis")
    effects = _values(rows, "effect")
    studies = _values(rows, "study")
    self_only = [short(b) for b in bases] == [claim]
    statuses = _join(_values(rows, "significanceLabel"))
    words = _join([chr(34) + w + chr(34) for w in _values(rows, "wording")])
    if self_only and len(effects) == 1:
        reported = f"the effect it reports, {short(effects[0])}, has no statistical test reported ({statuses})"
    else:
        where = "it reports" if self_only else f"under it (through {', '.join(short(b) for b in bases)})"
        reported = (
            f"none of the {len(effects)} effects {where} has a statistical test reported "
            f"({', '.join(short(e) for e in effects)}: {statuses})"
        )
    message = f"{claim} is worded {words}, but {reported}; study: {_join([short(s) for s in studies]) or 'none named'}."
    if self_only and len(effects) == 1:
        summary = f"It says {_quoted(_values(rows, 'wording'))}, but no statistical test is reported for the effect it describes."
    else:
        summary = (
            f"It says {_quoted(_values(rows, 'wording'))}, but no statistical test is reported for any of the "
            f"{_count(len(effects), 'effect')} {'it describes' if self_only else 'under it'}."
        )
    return message, [short(b) for b in bases], [short(s) for s in studies], summary


def _strong_wording_over_null(claim: str, rows: list[Row]):
    bases = _values(rows, "basis")
    null = [r for r in rows if str(r.get("significance")) == str(VITD.NotSignificant)]
    preclinical = [r for r in rows if str(r.get("basisEvidenceLevel")) == str(VITD.PreclinicalEvidence)]
    significant = [r for r in rows if str(r.get("significance")) == str(VITD.Significant)]
    parts = []
    if null:
        parts.append(
            f"{len(null)} report no statistically significant effect ("
            + ", ".join(f"{short(r['basis'])} on {r.get('outcomeLabel', 'its outcome')}" for r in null)
            + ")"
        )
    if preclinical:
        level = _join(_values(preclinical, "basisEvidenceLevelLabel"))
        parts.append(
            f"{len(preclinical)} rest on {level} only ({', '.join(short(r['basis']) for r in preclinical)})"
        )
    words = _join([chr(34) + w + chr(34) for w in _values(rows, "wording")])
    message = f"{claim} is worded {words}, but of the {len(bases)} claims it rests on, " + " and ".join(parts) + "."
    if significant:
        described = []
        for r in significant:
            size = f", described as \"{r['magnitudeWording']}\"" if "magnitudeWording" in r else ""
            described.append(f"{short(r['basis'])} on {r.get('outcomeLabel', 'its outcome')}{size}")
        message += (
            f" The statistically significant effect{'s' if len(significant) != 1 else ''} under it: "
            + "; ".join(described)
            + "."
        )
    plain = []
    if null:
        plain.append(
            f"{_count(len(null), 'found', 'found')} no statistically significant effect "
            f"(on {_join(_unique(str(r.get('outcomeLabel', 'its outcome')) for r in null))})"
        )
    if preclinical:
        plain.append(f"{_count(len(preclinical), 'comes', 'come')} from {_join(_values(preclinical, 'basisEvidenceLevelLabel'))} only")
    summary = f"It says {_quoted(_values(rows, 'wording'))}, but of the {_count(len(bases), 'finding')} it rests on, " + " and ".join(plain) + "."
    if significant:
        effects = []
        for r in significant:
            size = f", described as “{r['magnitudeWording']}”" if "magnitudeWording" in r else ""
            effects.append(f"on {r.get('outcomeLabel', 'its outcome')}{size}")
        summary += f" The statistically significant effect{'s' if len(significant) != 1 else ''} under it: " + "; ".join(effects) + "."
    return message, [short(b) for b in bases], [short(s) for s in _values(rows, "study")], summary


def _hedge_dropped(claim: str, rows: list[Row]):
    """A hedge of the publication dropped, or weakened: the claim keeps a hedge of its own
    ("can" for "may", ?claimHedged), which is a changed hedge, not a dropped one."""
    ordered = sorted(rows, key=lambda r: (-len(str(r.get("cue", "")).split()), str(r.get("cue", ""))))
    cues = _values(ordered, "cue")
    labels = _values(ordered, "modalityLabel")
    publication_cues = _values(rows, "publicationCue")
    publication_labels = _values(rows, "publicationModalityLabel")
    kept = _values([r for r in ordered if str(r.get("isHedge")).lower() in ("true", "1")], "cue")
    weakened = any(str(r.get("claimHedged")).lower() in ("true", "1") for r in rows)
    dois = _values(rows, "doi")
    cited = f"doi:{dois[0]}" if dois else "the publication it cites"
    said = " ".join(chr(34) + c + chr(34) for c in publication_cues)
    if weakened:
        outcome = (
            f"the claim replaces that hedge with {_join([chr(34) + c + chr(34) for c in kept])}, which is still a hedge "
            "but a weaker one: a weakened hedge, not a dropped one."
        )
        summary = (
            f"It says {_quoted(kept)} where the publication it draws on says {_quoted(publication_cues)}: "
            "still hedged, but put more firmly than the publication puts it."
        )
    else:
        outcome = "the claim drops that hedge."
        summary = f"It states without a hedge what the publication it draws on hedges with {_quoted(publication_cues)}."
    message = (
        f"{claim} is put as {' ... '.join(chr(34) + c + chr(34) for c in cues)} ({'; '.join(labels)}), "
        f"but {cited} puts the same statement as {said} ({'; '.join(publication_labels)}): {outcome}"
    )
    studies = [short(s) for s in _values(rows, "study") + _values(rows, "reviewedIn")]
    return message, [], studies, summary


def _outcome_not_measured(claim: str, rows: list[Row]):
    bases = _values(rows, "basis")
    measured = _values(rows, "measuredOutcomeLabel")
    verb = _join(_values(rows, "verbPresent"))
    target = _join(_values(rows, "objectLabel"))
    message = (
        f"{claim} says that {_join(_values(rows, 'subjectLabel')) or 'its subject'} {verb} {target}{_wording(rows)}; none of the {len(bases)} claims it rests on "
        f"({', '.join(short(b) for b in bases)}) reports an effect on {target}: they report {_join(measured)}."
    )
    summary = (
        f"It speaks of {target}, but nothing it rests on measured {target}: the {_count(len(bases), 'finding')} "
        f"under it measured {_join(measured)}."
    )
    if any("cost" in w.lower() for w in _values(rows, "wording") + [verb]) and all(
        str(r.get("costMeasured")) == "false" for r in rows
    ):
        message += " None of them reports a cost, which a claim of cost-effectiveness needs."
        summary += " None of them measured a cost, which a claim of cost-effectiveness needs."
    return message, [short(b) for b in bases], [short(s) for s in _values(rows, "study")], summary


def _particular_group_without_contrast(claim: str, rows: list[Row]):
    """"Particularly in" a group, with nothing underneath that compares the group with others."""
    basis_rows = [r for r in rows if str(r["part"]) == "basis"]
    elsewhere = [r for r in rows if str(r["part"]) == "comparisonElsewhere"]
    group = _join(_values(rows, "groupLabel"))
    target = _join(_values(rows, "objectLabel"))
    bases = _values(basis_rows, "basis")
    populations = _values(basis_rows, "population")
    all_in = bool(basis_rows) and all(str(r.get("allInGroup")).lower() in ("true", "1") for r in basis_rows)
    message = (
        f"{claim} says it holds particularly in {group}, but no claim it rests on compares that group with another "
        f"on {target}"
    )
    summary = f"It says “particularly in {group}”, but nothing it rests on compares them with anyone else on {target}"
    if bases:
        message += (
            f": the {len(bases)} claim{'s' if len(bases) != 1 else ''} it rests on ({', '.join(short(b) for b in bases)}) "
            f"report on {_join([short(p) for p in populations])}"
            + (", which already belong to that group (every one of them has its condition)" if all_in else "")
        )
        if all_in:
            summary += ": everyone in the evidence under it already belonged to that group"
    message += "."
    summary += "."
    comparing = _values(elsewhere, "comparing")
    if comparing:
        outcomes = _join(_values(elsewhere, "comparedOutcomeLabel"))
        message += (
            f" The subgroup comparison{'s' if len(comparing) != 1 else ''} in the graph on that condition, "
            f"{', '.join(short(c) for c in comparing)} ({_join([short(s) for s in _values(elsewhere, 'study')])}), "
            f"{'is' if len(comparing) == 1 else 'are'} on {outcomes}, not {target}, and the claim does not rest on "
            f"{'it' if len(comparing) == 1 else 'them'}."
        )
        summary += (
            f" The document's only comparison of that kind ({_join(_values(elsewhere, 'comparingLabel')).lower() or 'a subgroup finding'}) "
            f"is about {outcomes}, not {target}."
        )
    studies = _values(basis_rows, "study") + _values(elsewhere, "study")
    return message, [short(b) for b in bases + comparing], [short(s) for s in studies], summary


def _generic_message(claim: str, rows: list[Row]):
    """For a rule added without a writer: list what the rows say."""
    columns = sorted({name for row in rows for name in row if name not in ("claim", "severity")})
    facts = "; ".join(f"{name}: {', '.join(short(v) for v in _values(rows, name))}" for name in columns)
    studies = [short(v) for v in _values(rows, "study")]
    return f"{claim}: {facts}", [], studies, f"The audit rule reports: {facts}."


#: A message writer returns (message, cited claim ids, study ids, plain summary).
MESSAGES: dict[str, Callable[[str, list[Row]], tuple[str, list[str], list[str], str]]] = {
    "rests-on-uncontrolled-evidence-only": _rests_on_uncontrolled,
    "significance-wording-without-test": _significance_without_test,
    "strong-wording-over-null-or-preclinical-evidence": _strong_wording_over_null,
    "hedge-dropped-from-publication": _hedge_dropped,
    "outcome-not-measured-underneath": _outcome_not_measured,
    "particular-group-without-contrast": _particular_group_without_contrast,
}


def findings_to_text(findings: list[Finding]) -> str:
    """One block per finding: severity, kind, claim, then the message and the ids."""
    if not findings:
        return "no findings: every audit rule returned zero rows"
    blocks = []
    for f in findings:
        blocks.append(
            f"[{f.severity}] {f.kind}: {f.claim_id}\n"
            f"  {f.message}\n"
            f"  claims: {', '.join(f.claim_ids)}\n"
            f"  studies: {', '.join(f.study_ids) or '-'}\n"
            f"  rule: {f.rule}"
        )
    return "\n\n".join(blocks) + f"\n\n{len(findings)} finding{'s' if len(findings) != 1 else ''}"
