"""Evidence maps: a picture of one claim's chain of evidence.

A map shows the claim, the sentence it was taken from, the claims it rests on
(``vitd:restsOn``, followed transitively, and the mechanism claims that
``vitd:explains`` them), the studies those claims report with their designs, the
populations, interventions, comparators, exposures and outcomes behind them, and
the effects they report. Claims are coloured by the rank of their evidence level
(a legend lists every level of the ontology) and outlined in red only where the
evidence audit (:func:`vitd_kg.audit`) flags them; a claim or study that a finding on
another claim only cites is outlined in dotted amber ("cited by the audit's finding on
..."), since it is evidence the finding points at, not an over-statement. Each claim
and study says where it comes from (the document's report, or verified in a paper).

:mod:`vitd_kg.evidence.chain` gathers the chain with the bundled ``queries/maps/*.rq``
files; this module only draws it.

>>> import tempfile, pathlib, vitd_kg
>>> out = pathlib.Path(tempfile.mkdtemp()) / "map.dot"
>>> write_evidence_map(vitd_kg.open().evidence_chain("concl-alleviates-muscle-spasm"), out)
>>> "cs-spasm-reduction" in out.read_text()
True
"""

from __future__ import annotations

import html
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from vitd_kg.evidence.chain import ChainClaim, ChainStudy, EvidenceChain, Flag, Origin
from vitd_kg.namespaces import VITD, claim_id, curie
from vitd_kg.site.graphviz_output import FONT, graphviz_module, write_picture

if TYPE_CHECKING:
    import graphviz

#: Fill colour of a claim by the rank of its evidence level (0 weakest, 4 strongest):
#: a sequential yellow-green-blue scale that stays readable in grey.
RANK_COLOURS = {0: "#f2f2f2", 1: "#ffe9a8", 2: "#d5efb5", 3: "#9fd9c0", 4: "#8fcde3"}
UNRANKED_COLOUR = "#ffffff"
FLAG_COLOUR = "#c62828"
#: Outline of a claim or study that a finding on another claim cites (not itself flagged).
CITED_COLOUR = "#b7791f"

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


# ---------------------------------------------------------------------------
# drawing
# ---------------------------------------------------------------------------


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _wrap(text: str, width: int = 44) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False) or [""]


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
    return curie(iri).replace(":", "__")


def origin_phrase(origin: Origin | None) -> str | None:
    """``verified in Beaudart 2014``; ``the document's report (Cai 2019 identified, not checked)``."""
    if origin is None:
        return None
    reference = origin.reference or (f"doi:{origin.doi}" if origin.doi else None)
    if origin.status.endswith("#VerifiedInPublication"):
        return f"verified in {reference}" if reference else origin.label
    if origin.status.endswith("#TakenFromPublication"):
        return f"from {reference} only" if reference else origin.label
    if origin.status.endswith("#InferredByModeller"):
        return "inferred by the modeller"
    if origin.status.endswith("#ReportedByDocument"):
        return f"the document's report ({reference} identified, not checked)" if reference else "the document's own statement"
    return origin.label


def _claim_label(claim: ChainClaim, flags: list[Flag], cited: list[Flag] = ()) -> str:
    title = _wrap(claim.label)
    lines = list(title)
    lines.append(f"{claim.kind} · {claim.short_id}")
    lines.append(f"evidence: {claim.level_label}" + (f" (rank {claim.rank})" if claim.rank is not None else ""))
    provenance = origin_phrase(claim.provenance)
    if provenance:
        lines.extend(_wrap("source: " + provenance))
    put = ", ".join(claim.modalities) or "not stated"
    lines.append(f"put as: {put}")
    if claim.strength:
        lines.append("wording: " + ", ".join(f"“{w}”" for w in claim.strength))
    for effect in claim.effects:
        lines.extend(_wrap("reports " + effect))
    lines.extend(_flag_lines(flags))
    if not flags:
        lines.extend(_cited_lines(cited))
    return _lines(*lines, bold=len(title))


#: The most citing claims a node names in its label, and findings in its tooltip: a node
#: cited by thousands of findings (a study design every synthetic claim shares) made labels
#: longer than Graphviz accepts (16,384 characters). Each finding is on the page of the
#: claim it flags.
MOST_CITATIONS = 8


def _and_more(names: list[str], limit: int = MOST_CITATIONS) -> str:
    """``names`` joined, the first ``limit`` of them and how many more.

    >>> _and_more(["a", "b", "c"], 2)
    'a, b and 1 more'
    """
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _cited_lines(cited: list[Flag]) -> list[str]:
    """One line naming the flagged claims whose findings cite this node (the first few)."""
    about = sorted({claim_id(flag.about) for flag in cited if flag.about})
    return _wrap("cited by the audit's finding on " + _and_more(about)) if about else []


def _flag_lines(flags: list[Flag]) -> list[str]:
    """One short line per audit finding; the full messages go in the node's tooltip
    (and on the claim's page), so that a node cited by several findings stays readable."""
    lines = [f"⚠ audit: {flag.kind} ({flag.severity})" if flag.severity else f"⚠ audit: {flag.kind}" for flag in flags]
    return list(dict.fromkeys(lines))  # one line per kind of finding, in order


#: The most characters of one finding's message in a tooltip (Graphviz refuses a string of
#: more than 16,384; the claim's page has the whole message).
MOST_MESSAGE_CHARACTERS = 1000


def _clipped(message: str, limit: int = MOST_MESSAGE_CHARACTERS) -> str:
    """``message``, cut after ``limit`` characters with an ellipsis.

    >>> _clipped("abcdef", 3)
    'abc…'
    """
    return message if len(message) <= limit else message[:limit] + "…"


def _flag_tooltip(flags: list[Flag]) -> str:
    return "\n".join(f"{flag.kind}: {_clipped(flag.message)}" for flag in flags)


def _cited_tooltip(cited: list[Flag]) -> str:
    lines = [f"cited by {flag.kind} on {claim_id(flag.about)}: {_clipped(flag.message)}" for flag in cited[:MOST_CITATIONS]]
    if len(cited) > MOST_CITATIONS:
        lines.append(f"and {len(cited) - MOST_CITATIONS} more findings, each on the page of the claim it flags")
    return "\n".join(lines)


def _study_label(study: ChainStudy, flags: list[Flag], cited: list[Flag] = ()) -> str:
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
    if study.provenance is not None and study.provenance.reference:
        paper = study.provenance.reference + (f" (doi:{study.provenance.doi})" if study.provenance.doi else "")
        lines.extend(_wrap("paper: " + paper))
    lines.extend(_flag_lines(flags))
    if not flags:
        lines.extend(_cited_lines(cited))
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
        cited = [] if flags else chain.cited.get(iri, [])
        synthesis = claim.rank == 0 and claim.level and claim.level.endswith("SynthesisOfClaims")
        attrs = {
            "shape": "box",
            "style": "rounded,filled" + (",dashed" if synthesis else (",dotted" if cited else "")),
            "fillcolor": _fill(claim.rank),
            "color": FLAG_COLOUR if flags else (CITED_COLOUR if cited else "#444444"),
            "penwidth": "3" if flags else ("2" if cited or iri == chain.root else "1"),
        }
        if flags:
            attrs["tooltip"] = _flag_tooltip(flags)
        elif cited:
            attrs["tooltip"] = _cited_tooltip(cited)
        dot.node(_node_id(iri), _claim_label(claim, flags, cited), **attrs)
    for source, link, target in chain.links:
        if link == str(VITD.restsOn):
            dot.edge(_node_id(source), _node_id(target), label="rests on")
        else:  # the explanation supports the claim it explains: draw it pointing there
            dot.edge(_node_id(target), _node_id(source), label="explained by", style="dashed")
    # studies and their parts
    for iri in sorted(chain.studies):
        study = chain.studies[iri]
        flags = chain.flags.get(iri, [])  # a study is never flagged by the bundled rules, only cited
        cited = [] if flags else chain.cited.get(iri, [])
        tooltip = _flag_tooltip(flags) if flags else (_cited_tooltip(cited) if cited else None)
        dot.node(
            _node_id(iri),
            _study_label(study, flags, cited),
            shape="box3d",
            fillcolor="#fafafa",
            style="filled" + (",dotted" if cited else ""),
            color=FLAG_COLOUR if flags else (CITED_COLOUR if cited else "#444444"),
            penwidth="3" if flags else ("2" if cited else "1"),
            **({"tooltip": tooltip} if tooltip else {}),
        )
    for claim_iri_, study_iri in chain.reports:
        dot.edge(_node_id(claim_iri_), _node_id(study_iri), label="reports study", color="#777777")
    for iri in sorted(chain.studies):
        reviewed_in = chain.studies[iri].reviewed_in
        if reviewed_in and reviewed_in in chain.studies:
            dot.edge(_node_id(iri), _node_id(reviewed_in), label="reviewed in", style="dashed")
    drawn_parts: set[str] = set()
    for holder, role, part, label in chain.parts:
        edge_label, shape, fill = PART_STYLES.get(role, (curie(role), "ellipse", "#ffffff"))
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
    rows.append(
        f'<TR><TD COLOR="{FLAG_COLOUR}" BORDER="3" WIDTH="22"> </TD>'
        '<TD ALIGN="LEFT">⚠ over-statement found by the evidence audit</TD></TR>'
    )
    rows.append(
        f'<TR><TD COLOR="{CITED_COLOUR}" BORDER="2" STYLE="dotted" WIDTH="22"> </TD>'
        '<TD ALIGN="LEFT">cited by an audit finding on another claim (not itself flagged)</TD></TR>'
    )
    rows.insert(0, '<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>')
    table = '<<TABLE BORDER="1" COLOR="#bbbbbb" CELLBORDER="1" CELLSPACING="3" CELLPADDING="4">' + "".join(rows) + "</TABLE>>"
    with dot.subgraph(name="legend_column") as legend:
        legend.attr(rank="sink")  # the legend stands in the last column, clear of the chain
        legend.node("legend", table, shape="plaintext", style="")


def write_evidence_map(chain: EvidenceChain, path: Path) -> None:
    """Draw an evidence chain to ``path`` (.svg, .png or .dot by the suffix)."""
    write_picture(evidence_map_graph(chain), Path(path))
