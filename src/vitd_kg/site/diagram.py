"""The model diagram: the ontology's classes, what they carry and how they link.

Each vitd-kg class is a box headed by its label, listing its datatype properties
(and object properties whose values are not vitd-kg classes); object properties
between classes are arrows (solid where the ontology declares domain and range,
dashed where it declares only the range and the domain is read from the data);
subclass links are hollow arrows, also to the external classes reused as
superclasses (prov:Entity, oa:SpecificResource, ...). Everything comes from the
bundled ``queries/model/*.rq`` files.

>>> import tempfile, pathlib
>>> from vitd_kg.rdf.parsing import load_store
>>> out = pathlib.Path(tempfile.mkdtemp()) / "model.dot"
>>> write_model_diagram(load_store(), out)
>>> "vitd__Claim" in out.read_text()
True
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from vitd_kg.namespaces import VITD, curie
from vitd_kg.site.graphviz_output import FONT, graphviz_module, write_picture
from vitd_kg.sparql.engines import Target, run_query
from vitd_kg.sparql.queries import bundled_query

if TYPE_CHECKING:
    import graphviz

#: Classes whose members are the ontology's own named individuals (value lists).
VOCABULARY_FILL = "#f3f3f3"
CLAIM_FILL = "#fff4d6"
CLASS_FILL = "#e8f1fb"
EXTERNAL_FILL = "#ffffff"


def _node_id(iri: str) -> str:
    return curie(iri).replace(":", "__")


def _local(iri: str) -> str:
    return iri[len(str(VITD)):] if iri.startswith(str(VITD)) else curie(iri)


def _vocabulary_classes(store: Target) -> set[str]:
    """vitd: classes that have named individuals in the ontology (controlled vocabularies)."""
    return {str(row["class"]) for row in run_query(store, bundled_query("model/vocabulary-classes"))}


def model_graph(store: Target) -> "graphviz.Digraph":
    """Draw the model of the graph in ``store`` as a Graphviz digraph."""
    graphviz = graphviz_module()
    classes: dict[str, str] = {}
    supers: list[tuple[str, str, str]] = []
    for row in run_query(store, bundled_query("model/classes")):
        iri = str(row["class"])
        classes[iri] = str(row.get("label", _local(iri)))
        if "super" in row:
            supers.append((iri, str(row["super"]), str(row.get("superLabel", ""))))
    attributes: dict[str, list[str]] = {}
    for row in run_query(store, bundled_query("model/attributes")):
        rng = f" : {curie(str(row['range']))}" if "range" in row else ""
        attributes.setdefault(str(row["class"]), []).append(f"{_local(str(row['property']))}{rng}")
    vocabularies = _vocabulary_classes(store)

    dot = graphviz.Digraph(
        name="vitd-kg model",
        graph_attr={
            "rankdir": "LR",
            "fontname": FONT,
            "fontsize": "14",
            "labelloc": "t",
            "label": "vitd-kg ontology: classes and their relations",
            "nodesep": "0.2",
            "ranksep": "0.7",
            "bgcolor": "white",
            "pad": "0.3",
            "concentrate": "false",
        },
        node_attr={"fontname": FONT, "fontsize": "10", "shape": "plaintext"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": "#4a6a8a", "fontcolor": "#2c3e50"},
    )
    for iri in sorted(classes):
        if iri.endswith("Claim") and iri != str(VITD.Claim):
            fill = CLAIM_FILL
        elif iri == str(VITD.Claim):
            fill = CLAIM_FILL
        elif iri in vocabularies:
            fill = VOCABULARY_FILL
        else:
            fill = CLASS_FILL
        rows = [
            f'<TR><TD BGCOLOR="{fill}" ALIGN="CENTER"><B>{html.escape(classes[iri])}</B>'
            f'<BR/><FONT POINT-SIZE="8" COLOR="#555555">{html.escape(curie(iri))}</FONT></TD></TR>'
        ]
        attrs = attributes.get(iri, [])
        if attrs:
            cells = '<BR ALIGN="LEFT"/>'.join(html.escape(a) for a in attrs)
            rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9">{cells}<BR ALIGN="LEFT"/></FONT></TD></TR>')
        if iri in vocabularies:
            rows.append('<TR><TD><FONT POINT-SIZE="8" COLOR="#777777"><I>controlled vocabulary</I></FONT></TD></TR>')
        table = '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" COLOR="#5b6b7b">' + "".join(rows) + "</TABLE>>"
        dot.node(_node_id(iri), table)
    external = sorted({s for _, s, _ in supers if s not in classes})
    for iri in external:
        dot.node(_node_id(iri), curie(iri), shape="box", style="rounded,dashed", color="#999999",
                 fontcolor="#555555", fontsize="9")
    for sub, sup, _ in sorted(supers):
        dot.edge(_node_id(sub), _node_id(sup), arrowhead="onormal", color="#888888", style="solid",
                 tooltip="subclass of")
    for row in run_query(store, bundled_query("model/relations")):
        declared = str(row["declared"]).lower() == "true"
        dot.edge(
            _node_id(str(row["domain"])),
            _node_id(str(row["range"])),
            label=_local(str(row["property"])),
            style="solid" if declared else "dashed",
        )
    dot.node(
        "legend",
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2">'
        '<TR><TD ALIGN="LEFT"><B>Reading the diagram</B></TD></TR>'
        '<TR><TD ALIGN="LEFT">solid arrow: object property with declared domain and range</TD></TR>'
        '<TR><TD ALIGN="LEFT">dashed arrow: only the range is declared; domain as used in the data</TD></TR>'
        '<TR><TD ALIGN="LEFT">hollow grey arrow: subclass of</TD></TR>'
        '<TR><TD ALIGN="LEFT">box body: datatype properties (and links to non-vitd values)</TD></TR>'
        f'<TR><TD ALIGN="LEFT" BGCOLOR="{CLAIM_FILL}">claims</TD></TR>'
        f'<TR><TD ALIGN="LEFT" BGCOLOR="{VOCABULARY_FILL}">controlled vocabularies (named individuals)</TD></TR>'
        "</TABLE>>",
        shape="box",
        style="rounded",
        color="#bbbbbb",
    )
    return dot


#: The classes the overview picture shows: the ones a reader meets on the way from a claim
#: to the evidence behind it (the full diagram has every class and attribute).
OVERVIEW_CLASSES = (
    "Claim", "SourceSentence", "Study", "StudyDesign", "Publication", "Population", "QuantityCriterion",
    "Intervention", "Comparator", "Effect", "EffectEstimate", "SubgroupDifferenceTest", "EvidenceLevel",
    "ProvenanceStatus",
)


def overview_graph(store: Target) -> "graphviz.Digraph":
    """A picture of the model that reads at page width: the main classes (boxes with their
    label only) and the object properties between them, top to bottom, drawn from the same
    ``queries/model/*.rq`` rows as :func:`model_graph`; claim kinds are listed in the
    claim's box, and ``vitd:provenanceStatus`` (declared with a range only) is drawn from
    the claim, as from every resource that holds figures."""
    graphviz = graphviz_module()
    wanted = {str(VITD[name]) for name in OVERVIEW_CLASSES}
    labels: dict[str, str] = {}
    kinds: list[str] = []
    for row in run_query(store, bundled_query("model/classes")):
        iri = str(row["class"])
        if iri in wanted:
            labels[iri] = str(row.get("label", _local(iri)))
        elif str(row.get("super", "")) in (str(VITD.Claim), str(VITD.SynthesisClaim)) and iri.endswith("Claim"):
            kinds.append(str(row.get("label", _local(iri))).replace(" claim", ""))
    vocabularies = _vocabulary_classes(store)
    dot = graphviz.Digraph(
        name="vitd-kg model overview",
        graph_attr={
            "rankdir": "LR", "fontname": FONT, "fontsize": "16", "labelloc": "t",
            "label": "vitd-kg: from a claim to the evidence behind it (main classes)",
            "nodesep": "0.35", "ranksep": "0.55", "bgcolor": "white", "pad": "0.2", "newrank": "true",
        },
        node_attr={"fontname": FONT, "fontsize": "15", "shape": "box", "style": "rounded,filled", "margin": "0.15,0.08"},
        edge_attr={"fontname": FONT, "fontsize": "13", "color": "#4a6a8a", "fontcolor": "#2c3e50"},
    )
    for iri in sorted(labels):
        label = labels[iri]
        if iri == str(VITD.Claim) and kinds:
            names = sorted(set(kinds))
            label += "\n(" + ",\n".join(", ".join(names[k:k + 3]) for k in range(0, len(names), 3)) + ")"
        fill = CLAIM_FILL if iri == str(VITD.Claim) else (VOCABULARY_FILL if iri in vocabularies else CLASS_FILL)
        dot.node(_node_id(iri), label, fillcolor=fill, color="#5b6b7b")
    # publication and provenance status are held by almost every class: one arrow each, from
    # the claim, and a note saying the rest, so the picture stays readable
    shared = {str(VITD.Publication), str(VITD.ProvenanceStatus)}
    drawn: set[tuple[str, str, str]] = set()
    for row in run_query(store, bundled_query("model/relations")):
        domain, rng, prop = str(row["domain"]), str(row["range"]), _local(str(row["property"]))
        if domain not in labels or rng not in labels or domain == rng or (domain, prop, rng) in drawn:
            continue
        if rng in shared and domain != str(VITD.Claim):
            continue
        drawn.add((domain, prop, rng))
        declared = str(row["declared"]).lower() == "true"
        dot.edge(_node_id(domain), _node_id(rng), label=prop, style="solid" if declared else "dashed")
    for rng, prop in ((str(VITD.ProvenanceStatus), "provenanceStatus"), (str(VITD.Publication), "publication")):
        if rng in labels and str(VITD.Claim) in labels and not any(r == rng for _, _, r in drawn):
            dot.edge(_node_id(str(VITD.Claim)), _node_id(rng), label=prop, style="dashed")
    dot.node(
        "overview_note",
        "Studies, populations, criteria,\n"
        "interventions, comparators, effects,\n"
        "estimates and subgroup difference tests\n"
        "also carry a provenance status and may\n"
        "name a publication. Solid arrows: declared\n"
        "domain and range; dashed: range only.\n"
        "Every class and attribute: the full diagram.",
        shape="note", style="filled", fillcolor="#fffde7", color="#b0a060", fontsize="13",
    )
    return dot


def write_model_diagram(store: Target, path: Path) -> None:
    """Write the model diagram to ``path`` (.svg, .png or .dot by the suffix).

    The data is read only for the domains of properties that the ontology leaves open.
    """
    write_picture(model_graph(store), Path(path))
