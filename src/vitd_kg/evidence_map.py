"""Evidence maps: a picture of one claim's chain of evidence.

A map shows the claim, the sentence it was taken from, the claims it rests on
(``vitd:restsOn``, followed transitively, and the mechanism claims that
``vitd:explains`` them), the studies those claims report with their designs, the
populations, interventions, comparators, exposures and outcomes behind them, and
the effects they report. Claims are coloured by the rank of their evidence level
(a legend lists every level of the ontology) and outlined in red where the evidence
audit (:func:`vitd_kg.evidence_audit.audit`) reports a finding on them.

The chain is gathered by the bundled ``queries/maps/*.rq`` files; this module only
draws what they return.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "map.dot"
>>> write_evidence_map("concl-alleviates-muscle-spasm", out)
>>> "cs-spasm-reduction" in out.read_text()
True
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import pyoxigraph as ox

from .errors import InputError
from .graph import DataDir, load_store
from .graphviz_output import FONT, graphviz_module, picture_format, write_picture
from .namespaces import ID, PREFIXES, VITD, claim_id, claim_iri
from .sparql import read_query, run_query

if TYPE_CHECKING:
    import graphviz

#: Fill colour of a claim by the rank of its evidence level (0 weakest, 4 strongest):
#: a sequential yellow-green-blue scale that stays readable in grey.
RANK_COLOURS = {0: "#f2f2f2", 1: "#ffe9a8", 2: "#d5efb5", 3: "#9fd9c0", 4: "#8fcde3"}
UNRANKED_COLOUR = "#ffffff"
FLAG_COLOUR = "#c62828"

#: How the parts behind a study or claim are drawn: role -> (edge label, shape, fill).
PART_STYLES = {
    str(VITD.population): ("population", "ellipse", "#ede7f6"),
    str(VITD.forPopulation): ("about population", "ellipse", "#ede7f6"),
    str(VITD.appliesParticularlyTo): ("particularly for", "ellipse", "#ede7f6"),
    str(VITD.intervention): ("intervention", "hexagon", "#e3f2fd"),
    str(VITD.comparator): ("comparator", "hexagon", "#f5f5f5"),
    str(VITD.exposure): ("exposure", "octagon", "#fff3e0"),
    str(VITD.outcome): ("outcome", "ellipse", "#e8f5e9"),
}


@dataclass(frozen=True)
class EvidenceLevel:
    """One evidence level of the ontology, for the legend."""

    iri: str
    label: str
    rank: int | None


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


@dataclass(frozen=True)
class Flag:
    """An audit finding drawn on the map."""

    kind: str
    severity: str
    message: str


@dataclass
class EvidenceChain:
    """Everything an evidence map draws for one claim.

    ``flags`` maps a claim or study IRI to the audit findings on it; ``audited`` is
    False where no evidence audit is installed (then nothing is marked).
    """

    root: str
    claims: dict[str, ChainClaim]
    links: list[tuple[str, str, str]]
    studies: dict[str, ChainStudy]
    reports: list[tuple[str, str]]
    parts: list[tuple[str, str, str, str]]
    levels: list[EvidenceLevel]
    flags: dict[str, list[Flag]] = field(default_factory=dict)
    audited: bool = False


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


def evidence_levels(store: ox.Store) -> list[EvidenceLevel]:
    """Every evidence level of the ontology, weakest first (``queries/maps/evidence-levels.rq``)."""
    rows = run_query(store, read_query("maps/evidence-levels"))
    return [
        EvidenceLevel(str(r["level"]), _text(r, "label", str(r["level"])), _int(r, "rank"))
        for r in rows
    ]


def evidence_chain(
    claim: str,
    *,
    store: ox.Store | None = None,
    data_dir: DataDir = None,
    findings: Sequence[Any] | None = None,
) -> EvidenceChain:
    """Gather the evidence chain of ``claim`` (a short id or an IRI) with the map queries.

    ``findings`` are the evidence audit's findings (objects with ``kind``,
    ``claim_ids``, ``study_ids``, ``message`` and ``severity``); ``None`` means no
    audit is available. Raises :class:`InputError` for an unknown claim.
    """
    store = store if store is not None else load_store(data_dir)
    root = claim_iri(claim)
    bindings = {"root": root}
    claim_rows = run_query(store, read_query("maps/chain-claims"), bindings)
    if not any(str(r["claim"]) == root for r in claim_rows):
        raise InputError(
            f"no claim with id {claim_id(root)!r} in the graph",
            hint="run `vitd-kg claims` (or query `vitd:sourceSentence`) to see the claim ids",
        )
    claims: dict[str, ChainClaim] = {}
    for r in claim_rows:
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
    for r in run_query(store, read_query("maps/chain-wording"), bindings):
        target = claims.get(str(r["claim"]))
        if target is not None:
            (target.modalities if str(r["aspect"]) == "modality" else target.strength).append(str(r["text"]))
    for r in run_query(store, read_query("maps/chain-effects"), bindings):
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
    links = [
        (str(r["from"]), str(r["link"]), str(r["to"]))
        for r in run_query(store, read_query("maps/chain-links"), bindings)
    ]
    studies: dict[str, ChainStudy] = {}
    reports: list[tuple[str, str]] = []
    for r in run_query(store, read_query("maps/chain-studies"), bindings):
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
            ),
        )
    parts = [
        (str(r["holder"]), str(r["role"]), str(r["part"]), _text(r, "partLabel", str(r["part"])))
        for r in run_query(store, read_query("maps/chain-parts"), bindings)
    ]
    chain = EvidenceChain(
        root=root,
        claims=claims,
        links=links,
        studies=studies,
        reports=sorted(set(reports)),
        parts=parts,
        levels=evidence_levels(store),
    )
    if findings is not None:
        chain.audited = True
        chain.flags = flags_by_resource(findings)
    return chain


def _study_iri(study_id: str) -> str:
    return study_id if "://" in study_id else f"{ID}study/{study_id}"


def flags_by_resource(findings: Iterable[Any]) -> dict[str, list[Flag]]:
    """Group audit findings by the claim and study IRIs they name.

    Works with any object that has the attributes of ``vitd_kg.evidence_audit.Finding``
    (``kind``, ``claim_ids``, ``study_ids``, ``message``, ``severity``); ids may be
    short (``ma-strength``) or full IRIs.
    """
    flags: dict[str, list[Flag]] = {}
    for finding in findings:
        flag = Flag(
            kind=str(getattr(finding, "kind", "finding")),
            severity=str(getattr(finding, "severity", "")),
            message=str(getattr(finding, "message", "")),
        )
        targets = [claim_iri(str(c)) for c in getattr(finding, "claim_ids", ()) or ()]
        targets += [_study_iri(str(s)) for s in getattr(finding, "study_ids", ()) or ()]
        for target in targets:
            if flag not in flags.setdefault(target, []):
                flags[target].append(flag)
    return flags


def audit_findings(data_dir: DataDir = None) -> list[Any] | None:
    """The evidence audit's findings, or ``None`` where ``vitd_kg.evidence_audit`` is not installed."""
    try:
        from .evidence_audit import audit
    except ImportError:
        return None
    return list(audit(data_dir=data_dir))


# ---------------------------------------------------------------------------
# drawing
# ---------------------------------------------------------------------------


def _curie(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _wrap(text: str, width: int = 44) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False) or [""]


def _lines(*lines: str, bold: int = 0) -> str:
    """An HTML-like Graphviz label from lines of plain text (escaped here); the first
    ``bold`` lines are set in bold."""
    out = []
    for index, line in enumerate(lines):
        text = _esc(line)
        out.append(f"<B>{text}</B>" if index < bold else text)
    return "<" + '<BR ALIGN="LEFT"/>'.join(out) + '<BR ALIGN="LEFT"/>>'


def _fill(rank: int | None) -> str:
    return RANK_COLOURS.get(rank, UNRANKED_COLOUR) if rank is not None else UNRANKED_COLOUR


def _node_id(iri: str) -> str:
    """A Graphviz node id from an IRI (no colon: Graphviz reads ``a:b`` as node a, port b)."""
    return _curie(iri).replace(":", "__")


def _claim_label(claim: ChainClaim, flags: list[Flag]) -> str:
    title = _wrap(claim.label)
    lines = list(title)
    lines.append(f"{claim.kind} · {claim.short_id}")
    lines.append(f"evidence: {claim.level_label}" + (f" (rank {claim.rank})" if claim.rank is not None else ""))
    put = ", ".join(claim.modalities) or "not stated"
    lines.append(f"put as: {put}")
    if claim.strength:
        lines.append("wording: " + ", ".join(f"“{w}”" for w in claim.strength))
    for effect in claim.effects:
        lines.extend(_wrap("reports " + effect))
    lines.extend(_flag_lines(flags))
    return _lines(*lines, bold=len(title))


def _flag_lines(flags: list[Flag]) -> list[str]:
    """One short line per audit finding; the full messages go in the node's tooltip
    (and on the claim's page), so that a node cited by several findings stays readable."""
    lines = [f"⚠ audit: {flag.kind} ({flag.severity})" if flag.severity else f"⚠ audit: {flag.kind}" for flag in flags]
    return list(dict.fromkeys(lines))  # one line per kind of finding, in order


def _flag_tooltip(flags: list[Flag]) -> str:
    return "\n".join(f"{flag.kind}: {flag.message}" for flag in flags)


def _study_label(study: ChainStudy, flags: list[Flag]) -> str:
    title = _wrap(study.label)
    lines = list(title)
    design = study.design
    qualities = []
    if study.controlled is not None:
        qualities.append("controlled" if study.controlled else "no control group")
    if study.randomized:
        qualities.append("randomized")
    if qualities:
        design += f" ({', '.join(qualities)})"
    lines.extend(_wrap("design: " + design))
    size = []
    if study.included_studies is not None:
        size.append(f"{study.included_studies} studies")
    if study.participants is not None:
        size.append(f"{study.participants} participants")
    if size:
        lines.append(", ".join(size))
    lines.extend(_flag_lines(flags))
    return _lines(*lines, bold=len(title))


def evidence_map_graph(chain: EvidenceChain) -> "graphviz.Digraph":
    """Draw an :class:`EvidenceChain` as a Graphviz digraph (left to right)."""
    graphviz = graphviz_module()
    root = chain.claims[chain.root]
    dot = graphviz.Digraph(
        name=f"evidence map of {root.short_id}",
        graph_attr={
            "rankdir": "LR",
            "fontname": FONT,
            "fontsize": "12",
            "labelloc": "t",
            "labeljust": "l",
            "label": f"Evidence map of claim:{root.short_id}",
            "nodesep": "0.25",
            "ranksep": "0.5",
            "bgcolor": "white",
            "pad": "0.3",
        },
        node_attr={"fontname": FONT, "fontsize": "10", "style": "filled", "margin": "0.12,0.06"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": "#555555", "fontcolor": "#333333"},
    )
    # the quote the claim comes from
    quote_lines = [f"“{line}" if i == 0 else line for i, line in enumerate(_wrap(root.quote, 52))]
    quote_lines[-1] += "”"
    if root.section:
        quote_lines.append(f"— section “{root.section}”")
    dot.node("quote", _lines(*quote_lines), shape="note", fillcolor="#fffde7", color="#b0a060")
    dot.edge(_node_id(root.iri), "quote", label="quoted from", style="dotted", arrowhead="none")
    # claims, coloured by evidence rank
    for iri in sorted(chain.claims):
        claim = chain.claims[iri]
        flags = chain.flags.get(iri, [])
        attrs = {
            "shape": "box",
            "style": "rounded,filled" + (",dashed" if claim.rank == 0 and claim.level and claim.level.endswith("SynthesisOfClaims") else ""),
            "fillcolor": _fill(claim.rank),
            "color": FLAG_COLOUR if flags else "#444444",
            "penwidth": "3" if flags else ("2" if iri == chain.root else "1"),
        }
        if flags:
            attrs["tooltip"] = _flag_tooltip(flags)
        dot.node(_node_id(iri), _claim_label(claim, flags), **attrs)
    for source, link, target in chain.links:
        if link == str(VITD.restsOn):
            dot.edge(_node_id(source), _node_id(target), label="rests on")
        else:  # the explanation supports the claim it explains: draw it pointing there
            dot.edge(_node_id(target), _node_id(source), label="explained by", style="dashed")
    # studies and their parts
    for iri in sorted(chain.studies):
        study = chain.studies[iri]
        flags = chain.flags.get(iri, [])
        dot.node(
            _node_id(iri),
            _study_label(study, flags),
            shape="box3d",
            fillcolor="#fafafa",
            color=FLAG_COLOUR if flags else "#444444",
            penwidth="3" if flags else "1",
            **({"tooltip": _flag_tooltip(flags)} if flags else {}),
        )
    for claim_iri_, study_iri in chain.reports:
        dot.edge(_node_id(claim_iri_), _node_id(study_iri), label="reports study", color="#777777")
    for iri in sorted(chain.studies):
        reviewed_in = chain.studies[iri].reviewed_in
        if reviewed_in and reviewed_in in chain.studies:
            dot.edge(_node_id(iri), _node_id(reviewed_in), label="reviewed in", style="dashed")
    drawn_parts: set[str] = set()
    for holder, role, part, label in chain.parts:
        edge_label, shape, fill = PART_STYLES.get(role, (_curie(role), "ellipse", "#ffffff"))
        if part not in drawn_parts:
            drawn_parts.add(part)
            dot.node(_node_id(part), _lines(*_wrap(label, 30)), shape=shape, fillcolor=fill, color="#777777")
        dot.edge(_node_id(holder), _node_id(part), label=edge_label, color="#999999")
    _draw_legend(dot, chain)
    return dot


def _draw_legend(dot: "graphviz.Digraph", chain: EvidenceChain) -> None:
    """A legend box: one swatch per evidence level, weakest first, and the audit mark."""
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Evidence level (rank)</B></TD></TR>']
    for level in chain.levels:
        rank = "" if level.rank is None else f" ({level.rank})"
        style = ' STYLE="dashed"' if level.iri.endswith("SynthesisOfClaims") else ""
        rows.append(
            f'<TR><TD BGCOLOR="{_fill(level.rank)}" COLOR="#555555" WIDTH="22"{style}> </TD>'
            f'<TD ALIGN="LEFT">{_esc(level.label)}{rank}</TD></TR>'
        )
    if chain.audited:
        rows.append(
            f'<TR><TD COLOR="{FLAG_COLOUR}" BORDER="3" WIDTH="22"> </TD>'
            '<TD ALIGN="LEFT">⚠ over-statement found by the evidence audit</TD></TR>'
        )
    else:
        rows.append(
            '<TR><TD COLSPAN="2" ALIGN="LEFT"><I>evidence audit not installed:<BR ALIGN="LEFT"/>'
            "over-statements are not marked</I></TD></TR>"
        )
    rows.insert(0, '<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>')
    table = '<<TABLE BORDER="1" COLOR="#bbbbbb" CELLBORDER="1" CELLSPACING="3" CELLPADDING="4">' + "".join(rows) + "</TABLE>>"
    with dot.subgraph(name="legend_column") as legend:
        legend.attr(rank="sink")  # the legend stands in the last column, clear of the chain
        legend.node("legend", table, shape="plaintext", style="")


def write_evidence_map(claim_id: str, path: Path, *, data_dir: DataDir = None) -> None:
    """Write the evidence map of one claim to ``path`` (.svg, .png or .dot by the suffix).

    ``claim_id`` is a short id (``concl-alleviates-muscle-spasm``) or a claim IRI;
    ``data_dir`` replaces the bundled data. The evidence audit's findings are marked
    where ``vitd_kg.evidence_audit`` is installed; otherwise the legend says they are not.
    """
    picture_format(Path(path))  # a bad file name fails before any work is done
    store = load_store(data_dir)
    chain = evidence_chain(claim_id, store=store, findings=audit_findings(data_dir))
    write_picture(evidence_map_graph(chain), Path(path))
