"""The chain of evidence under one claim: what an evidence map draws.

The claim, the claims it rests on (``vitd:restsOn``, followed transitively, and the
mechanism claims that ``vitd:explains`` them), the studies those claims report with
their designs, the populations, interventions, comparators, exposures and outcomes
behind them, the effects they report, where each claim and study comes from (its
provenance status and paper), and the evidence audit's findings: on the claims they
flag (``flags``), and on the claims and studies they only cite (``cited``). The
chain is gathered by the bundled ``queries/maps/*.rq`` files;
:mod:`vitd_kg.site.evidence_map` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, Sequence

import pyoxigraph as ox

from vitd_kg.errors import InputError
from vitd_kg.evidence.model import EvidenceLevel
from vitd_kg.namespaces import ID, claim_id, claim_iri
from vitd_kg.sparql.engines import OxigraphEngine, Target, as_engine, iter_select_light, run_query, with_values
from vitd_kg.sparql.queries import Query, bundled_query
from vitd_kg.sparql.rows import Row


@dataclass
class ChainClaim:
    """A claim of the chain with what the map prints about it."""

    iri: str
    label: str
    kind: str
    level: str | None
    level_label: str
    rank: int | None
    quote: str
    section: str
    modalities: list[str] = field(default_factory=list)
    strength: list[str] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)
    provenance: "Origin | None" = None

    @property
    def short_id(self) -> str:
        return claim_id(self.iri)


@dataclass
class ChainStudy:
    """A study that a claim of the chain reports."""

    iri: str
    label: str
    design: str
    controlled: bool | None
    randomized: bool | None
    participants: int | None
    included_studies: int | None
    reviewed_in: str | None
    design_iri: str | None = None
    provenance: "Origin | None" = None

    @property
    def is_document_synthesis(self) -> bool:
        """The source document's own synthesis (``vitd:NarrativeSynthesis``): not a study of the world."""
        return (self.design_iri or "").endswith("#NarrativeSynthesis")


@dataclass(frozen=True)
class Origin:
    """Where a claim or study comes from: its provenance status and the paper it names."""

    status: str
    label: str
    publication: str | None = None
    doi: str | None = None
    reference: str | None = None

    @property
    def checked(self) -> bool:
        return self.status.endswith(("#VerifiedInPublication", "#TakenFromPublication"))


@dataclass(frozen=True)
class Flag:
    """An audit finding drawn on the map: ``about`` is the claim it flags."""

    kind: str
    severity: str
    message: str
    about: str = ""
    summary: str = ""


@dataclass
class EvidenceChain:
    """Everything an evidence map draws for one claim.

    ``flags`` maps a claim IRI to the evidence audit's findings that flag it;
    ``cited`` maps a claim or study IRI to the findings on *other* claims that cite it
    (it is evidence a finding points at, not itself an over-statement).
    """

    root: str
    claims: dict[str, ChainClaim]
    links: list[tuple[str, str, str]]
    studies: dict[str, ChainStudy]
    reports: list[tuple[str, str]]
    parts: list[tuple[str, str, str, str]]
    levels: list[EvidenceLevel]
    flags: dict[str, list[Flag]] = field(default_factory=dict)
    cited: dict[str, list[Flag]] = field(default_factory=dict)

    def studies_of_the_world(self) -> list[ChainStudy]:
        """The chain's studies, without the source document's own synthesis."""
        return [s for s in self.studies.values() if not s.is_document_synthesis]


def _text(row: dict, key: str, default: str = "") -> str:
    value = row.get(key)
    return default if value is None else str(value)


def _int(row: dict, key: str) -> int | None:
    value = row.get(key)
    return None if value is None else int(value)


def _bool(row: dict, key: str) -> bool | None:
    value = row.get(key)
    return None if value is None else str(value).lower() in ("true", "1")


def _number(value: Any) -> str:
    """A number as written, without a spurious exponent (0.058, not 5.8E-2)."""
    text = str(value)
    try:
        return format(float(text), "g") if "e" in text.lower() else text
    except ValueError:
        return text


def evidence_levels(graph: Target) -> list[EvidenceLevel]:
    """Every evidence level of the ontology, weakest first (``queries/maps/evidence-levels.rq``)."""
    rows = run_query(graph, bundled_query("maps/evidence-levels"))
    return [EvidenceLevel(str(r["level"]), _text(r, "label", str(r["level"])), rank=_int(r, "rank")) for r in rows]


#: The map queries (``queries/maps/chain-<name>.rq``) that gather a chain, ``claims`` first.
CHAIN_QUERIES = ("claims", "wording", "effects", "links", "studies", "parts", "provenance")

#: Roots whose chains :func:`evidence_chains` gathers together on an Oxigraph store:
#: memory holds one batch's rows and chains.
BATCH_SIZE = 500


def evidence_chain(
    graph: Target,
    claim: str,
    *,
    findings: Sequence[Any] = (),
    marked: "tuple[dict[str, list[Flag]], dict[str, list[Flag]]] | None" = None,
) -> EvidenceChain:
    """Gather the evidence chain of ``claim`` (a short id or an IRI) with the map queries.

    ``findings`` are the evidence audit's findings (objects with ``kind``,
    ``claim_ids``, ``study_ids``, ``message`` and ``severity``), marked on the claims
    and studies they name; ``marked`` is :func:`flags_and_citations` of them, when the
    caller draws many chains and has it already. Raises :class:`InputError` for an
    unknown claim. The queries run with ``?root`` bound, which they answer from the
    index; for many chains :func:`evidence_chains` asks fewer queries.

    >>> from vitd_kg.rdf.parsing import load_store
    >>> chain = evidence_chain(load_store(), "concl-alleviates-muscle-spasm")
    >>> "https://w3id.org/vitd-kg/id/claim/cs-spasm-reduction" in chain.claims
    True
    """
    root = claim_iri(claim)
    bindings = {"root": root}
    queries = _chain_queries()
    rows = {"claims": run_query(graph, queries["claims"], bindings)}
    _require(root, rows["claims"])
    for name in CHAIN_QUERIES[1:]:
        rows[name] = run_query(graph, queries[name], bindings)
    return _chain(root, rows, evidence_levels(graph), marked if marked is not None else flags_and_citations(findings))


def evidence_chains(
    graph: Target,
    roots: Iterable[str] | None = None,
    *,
    findings: Sequence[Any] = (),
    marked: "tuple[dict[str, list[Flag]], dict[str, list[Flag]]] | None" = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[EvidenceChain]:
    """The evidence chains of ``roots`` (short ids or IRIs, in that order; every claim's,
    in the order of their IRIs, when ``None``), each equal to :func:`evidence_chain`'s.

    On an Oxigraph store each map query but ``chain-claims`` runs once per batch of
    ``batch_size`` roots, restricted to them by a trailing VALUES clause (``chain-claims``
    runs with each root bound, which its sub-SELECT needs to stay at index speed), and the
    chains of a batch are built from its rows: memory holds one batch's rows and chains,
    and the time per chain stays the same, whatever the graph's size.
    On a SPARQL server or an rdflib graph each query runs once, unbound, over the whole
    graph (Virtuoso 7.2 was seen to drop OPTIONAL bindings with a trailing VALUES).
    Raises :class:`InputError` at the first root that is not a claim.

    >>> from vitd_kg.rdf.parsing import load_store
    >>> store = load_store()
    >>> [c.root for c in evidence_chains(store, ["ma-strength", "concl-alleviates-muscle-spasm"])] == [
    ...     evidence_chain(store, "ma-strength").root, evidence_chain(store, "concl-alleviates-muscle-spasm").root]
    True
    """
    marks = marked if marked is not None else flags_and_citations(findings)
    levels = evidence_levels(graph)
    queries = _chain_queries()
    wanted = None if roots is None else list(dict.fromkeys(claim_iri(r) for r in roots))
    if not isinstance(as_engine(graph), OxigraphEngine):
        rows = {name: _by_root(run_query(graph, query)) for name, query in queries.items()}
        for root in wanted if wanted is not None else list(rows["claims"]):
            yield _chain_of(root, rows, levels, marks)
        return
    if wanted is None:
        wanted = list(dict.fromkeys(str(row["root"]) for row in iter_select_light(graph, queries["claims"])))
    for start in range(0, len(wanted), batch_size):
        batch = wanted[start:start + batch_size]
        iris = [root for root in batch if _is_iri(root)]  # what is not an IRI is no claim
        # chain-claims one root at a time: its sub-SELECT sees a bound ?root, not a VALUES
        # clause (with one, Oxigraph groups every claim of the graph for each batch)
        rows = {"claims": {root: run_query(graph, queries["claims"], {"root": root}) for root in iris}}
        for name in CHAIN_QUERIES[1:]:
            rows[name] = _by_root(run_query(graph, with_values(queries[name], "root", iris)))
        for root in batch:
            yield _chain_of(root, rows, levels, marks)
        del rows


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _chain_queries() -> dict[str, Query]:
    return {name: bundled_query(f"maps/chain-{name}") for name in CHAIN_QUERIES}


def _by_root(rows: Iterable[Row]) -> dict[str, list[Row]]:
    """Rows grouped by ``?root``, each root's rows in the order the query gave them."""
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(str(row["root"]), []).append(row)
    return grouped


def _chain_of(root: str, rows: dict[str, dict[str, list[Row]]], levels: list[EvidenceLevel], marked) -> EvidenceChain:
    own = {name: grouped.get(root, []) for name, grouped in rows.items()}
    _require(root, own["claims"])
    return _chain(root, own, levels, marked)


def _require(root: str, claim_rows: list[Row]) -> None:
    if not any(str(r["claim"]) == root for r in claim_rows):
        raise InputError(
            f"no claim with id {claim_id(root)!r} in the graph",
            hint="run `vitd-kg claims` (or query `vitd:sourceSentence`) to see the claim ids",
        )


def _chain(
    root: str,
    rows: dict[str, list[Row]],
    levels: list[EvidenceLevel],
    marked: "tuple[dict[str, list[Flag]], dict[str, list[Flag]]]",
) -> EvidenceChain:
    """The chain of ``root`` from the rows of its map queries (``rows[name]``, in their order)."""
    claims: dict[str, ChainClaim] = {}
    for r in rows["claims"]:
        iri = str(r["claim"])
        if iri in claims:  # two kinds of equal depth: keep the first, sorted by IRI
            continue
        claims[iri] = ChainClaim(
            iri=iri,
            label=_text(r, "label", claim_id(iri)),
            kind=_text(r, "kindLabel", "claim"),
            level=_text(r, "level") or None,
            level_label=_text(r, "levelLabel", "no evidence level"),
            rank=_int(r, "rank"),
            quote=_text(r, "quote"),
            section=_text(r, "section"),
        )
    for r in rows["wording"]:
        target = claims.get(str(r["claim"]))
        if target is not None:
            (target.modalities if str(r["aspect"]) == "modality" else target.strength).append(str(r["text"]))
    for r in rows["effects"]:
        target = claims.get(str(r["claim"]))
        if target is None:
            continue
        words = [w for w in (_text(r, "directionLabel"), _text(r, "significanceLabel")) if w]
        if r.get("estimateValue") is not None:
            estimate = f"estimate {_number(r['estimateValue'])}"
            if r.get("pValue") is not None:
                estimate += f", p\u00a0=\u00a0{_number(r['pValue'])}"  # kept on one line
            words.append(estimate)
        target.effects.append(f"{_text(r, 'effectLabel', 'effect')}: {'; '.join(words)}" if words else _text(r, "effectLabel"))
    links = [(str(r["from"]), str(r["link"]), str(r["to"])) for r in rows["links"]]
    studies: dict[str, ChainStudy] = {}
    reports: list[tuple[str, str]] = []
    for r in rows["studies"]:
        iri = str(r["study"])
        reports.append((str(r["claim"]), iri))
        studies.setdefault(
            iri,
            ChainStudy(
                iri=iri,
                label=_text(r, "studyLabel", iri),
                design=_text(r, "designLabel", "design not stated"),
                controlled=_bool(r, "controlled"),
                randomized=_bool(r, "randomized"),
                participants=_int(r, "participants"),
                included_studies=_int(r, "includedStudies"),
                reviewed_in=_text(r, "reviewedIn") or None,
                design_iri=_text(r, "design") or None,
            ),
        )
    parts = [
        (str(r["holder"]), str(r["role"]), str(r["part"]), _text(r, "partLabel", str(r["part"])))
        for r in rows["parts"]
    ]
    for r in rows["provenance"]:
        iri = str(r["resource"])
        origin = Origin(
            status=str(r["status"]),
            label=_text(r, "statusLabel", str(r["status"])),
            publication=_text(r, "publication") or None,
            doi=_text(r, "doi") or None,
            reference=_text(r, "shortReference") or None,
        )
        if iri in claims:
            claims[iri].provenance = origin
        elif iri in studies:
            studies[iri] = replace(studies[iri], provenance=origin)
    chain = EvidenceChain(
        root=root,
        claims=claims,
        links=links,
        studies=studies,
        reports=sorted(set(reports)),
        parts=parts,
        levels=list(levels),
    )
    chain.flags, chain.cited = marked
    return chain


def _study_iri(study_id: str) -> str:
    return study_id if "://" in study_id else f"{ID}study/{study_id}"


def flags_and_citations(findings: Iterable[Any]) -> tuple[dict[str, list[Flag]], dict[str, list[Flag]]]:
    """Group audit findings by the claim they flag (the first of ``claim_ids``), and by
    the claims and studies they only cite (the other ``claim_ids``, the ``study_ids``).

    Works with any object that has the attributes of :class:`vitd_kg.evidence.audit.Finding`
    (``kind``, ``claim_ids``, ``study_ids``, ``message``, ``severity``, optionally
    ``summary``); ids may be short (``ma-strength``) or full IRIs.

    >>> from types import SimpleNamespace as Finding
    >>> flags, cited = flags_and_citations([Finding(kind="k", severity="high", message="m",
    ...     claim_ids=["concl-x", "cs-y"], study_ids=["cai"])])
    >>> sorted(flags), sorted(cited)
    (['https://w3id.org/vitd-kg/id/claim/concl-x'], ['https://w3id.org/vitd-kg/id/claim/cs-y', 'https://w3id.org/vitd-kg/id/study/cai'])
    """
    flags: dict[str, list[Flag]] = {}
    cited: dict[str, list[Flag]] = {}
    for finding in findings:
        claims = [claim_iri(str(c)) for c in getattr(finding, "claim_ids", ()) or ()]
        if not claims:
            continue
        flag = Flag(
            kind=str(getattr(finding, "kind", "finding")),
            severity=str(getattr(finding, "severity", "")),
            message=str(getattr(finding, "message", "")),
            about=claims[0],
            summary=str(getattr(finding, "summary", "") or ""),
        )
        if flag not in flags.setdefault(claims[0], []):
            flags[claims[0]].append(flag)
        others = [c for c in claims[1:] if c != claims[0]]
        others += [_study_iri(str(s)) for s in getattr(finding, "study_ids", ()) or ()]
        for target in others:
            if flag not in cited.setdefault(target, []):
                cited[target].append(flag)
    return flags, cited


def flags_by_resource(findings: Iterable[Any]) -> dict[str, list[Flag]]:
    """The findings by the claim they flag (see :func:`flags_and_citations`)."""
    return flags_and_citations(findings)[0]
