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


def write_model_diagram(store: Target, path: Path) -> None:
    """Write the model diagram to ``path`` (.svg, .png or .dot by the suffix).

    The data is read only for the domains of properties that the ontology leaves open.
    """
    write_picture(model_graph(store), Path(path))
