"""Evidence maps: every claim's chain, coloured by evidence level, marked by the audit.

The chain a map draws is checked against an independent walk of the graph with
plain rdflib; the map itself is checked in its DOT source (fast) and, for one claim,
as SVG and PNG files.
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from vitd_kg import resources
from vitd_kg.errors import InputError
from vitd_kg import load_store, write_evidence_map
from vitd_kg.evidence.chain import evidence_chain
from vitd_kg.site import evidence_map as drawing
from vitd_kg.site.evidence_map import CITED_COLOUR, FLAG_COLOUR, RANK_COLOURS, evidence_map_graph
from vitd_kg.namespaces import VITD, claim_id
from vitd_kg.sparql.engines import run_query
from vitd_kg.sparql.queries import read_query

from claim_facts import claims as all_claims

GRAPH = None


def _graph() -> Graph:
    global GRAPH
    if GRAPH is None:
        import vitd_kg

        GRAPH = vitd_kg.load()
    return GRAPH


CLAIM_IDS = [claim_id(str(c)) for c in all_claims(_graph())]


@pytest.fixture(scope="module")
def store():
    return load_store()


def supporters(graph: Graph, root: URIRef) -> set[URIRef]:
    """The root and every claim it rests on or that explains one of them, by graph walking."""
    seen, todo = {root}, [root]
    while todo:
        node = todo.pop()
        found = set(graph.objects(node, VITD.restsOn)) | set(graph.subjects(VITD.explains, node))
        for other in found - seen:
            seen.add(other)
            todo.append(other)
    return seen


@pytest.mark.parametrize("claim", CLAIM_IDS)
def test_the_map_draws_the_whole_chain_with_studies_designs_and_colours(claim, store):
    graph = _graph()
    root = URIRef(f"https://w3id.org/vitd-kg/id/claim/{claim}")
    chain = evidence_chain(store, claim)
    expected = supporters(graph, root)
    assert set(chain.claims) == {str(c) for c in expected}
    dot = evidence_map_graph(chain).source
    for member in expected:
        assert f'"claim__{claim_id(str(member))}"' in dot or f"claim__{claim_id(str(member))} " in dot
        level = graph.value(member, VITD.evidenceLevel)
        rank = graph.value(level, VITD.evidenceRank)
        assert chain.claims[str(member)].rank == int(rank)
        assert RANK_COLOURS[int(rank)] in dot
    studies = {s for c in expected for s in graph.objects(c, VITD.reportsStudy)}
    assert set(chain.studies) == {str(s) for s in studies}
    for study in studies:
        design_label = str(graph.value(graph.value(study, VITD.design), RDFS.label))
        assert f"design: {design_label}" in dot
    quote = chain.claims[str(root)].quote
    assert quote and quote.split()[0] in dot
    for level in graph.subjects(RDF.type, VITD.EvidenceLevel):
        assert str(graph.value(level, RDFS.label)).replace("'", "&#x27;") in dot
    assert "evidence audit not installed" not in dot


def test_the_spasm_conclusion_rests_on_the_case_series_and_its_pico(store):
    chain = evidence_chain(store, "concl-alleviates-muscle-spasm")
    dot = evidence_map_graph(chain).source
    for part in ("oral vitamin D, 50,000 IU", "muscle spasm", "vitamin D deficiency", "case series"):
        assert part in dot
    assert {claim_id(c) for c in chain.claims} == {
        "concl-alleviates-muscle-spasm", "cs-improvement", "cs-symptom-improvement", "cs-spasm-reduction"}


def test_explanations_are_followed_backwards(store):
    chain = evidence_chain(store, "concl-crucial-role-in-muscle-function")
    assert "https://w3id.org/vitd-kg/id/claim/mech-cell-differentiation" in chain.claims
    assert "explained by" in evidence_map_graph(chain).source


@dataclass
class FakeFinding:
    kind: str
    claim_ids: list[str]
    study_ids: list[str]
    message: str
    severity: str


def test_audit_findings_are_marked_in_red(store, tmp_path):
    findings = [
        FakeFinding("overstated-significance", ["cs-improvement"], ["cai-2019-case-series"],
                    "says significant, but no test is reported", "warning")
    ]
    out = tmp_path / "map.dot"
    drawing.write_evidence_map(evidence_chain(store, "concl-alleviates-muscle-spasm", findings=findings), out)
    dot = out.read_text()
    assert "says significant, but no test is reported" in dot.replace('<BR ALIGN="LEFT"/>', " ")
    # the flagged claim and the legend swatch are red; the study the finding only cites is
    # drawn as cited, not as an over-statement (issue 15: red only where the audit flags)
    assert dot.count(FLAG_COLOUR) >= 2
    assert 'claim__cs-improvement' in dot and f'color="{FLAG_COLOUR}"' in dot
    assert f'color="{CITED_COLOUR}"' in dot and "finding on cs-improvement" in dot.replace('<BR ALIGN="LEFT"/>', " ")
    assert "over-statement found by the evidence audit" in dot
    assert "evidence audit not installed" not in dot


def test_the_real_audit_marks_each_claim_it_names(store):
    import vitd_kg

    findings = vitd_kg.audit()
    named = {claim_id(str(c)) for f in findings for c in f.claim_ids}
    if not named:
        pytest.skip("the audit reports no finding on any claim")
    claim = sorted(named)[0]
    chain = evidence_chain(store, claim, findings=findings)
    assert chain.flags.get(chain.root)
    assert FLAG_COLOUR in evidence_map_graph(chain).source


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG"), (".dot", b"digraph")])
def test_the_format_follows_the_suffix(tmp_path, suffix, magic):
    out = tmp_path / f"map{suffix}"
    write_evidence_map("cs-spasm-reduction", out)
    assert magic in out.read_bytes()[:400]


def test_an_unknown_claim_or_suffix_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no claim with id 'no-such-claim'"):
        write_evidence_map("no-such-claim", tmp_path / "map.svg")
    with pytest.raises(InputError, match=r"\.svg, \.png or \.dot"):
        write_evidence_map("cs-spasm-reduction", tmp_path / "map.jpg")


MAP_QUERIES = [n for n in resources.query_names() if n.split("/")[0] in ("maps", "model", "docs")]


@pytest.mark.parametrize("name", MAP_QUERIES)
def test_the_queries_answer_the_same_on_rdflib_and_oxigraph(name, store):
    query = read_query(name)
    assert query.description, f"{name} needs a leading # comment saying what it answers"
    bindings = {"root": "claim:concl-crucial-role-in-muscle-function"} if "?root" in query.text else {}
    oxigraph_rows = run_query(store, query, bindings)
    from vitd_kg.sparql.bindings import as_term

    rdflib_result = _graph().query(query.text, initBindings={k: as_term(v) for k, v in bindings.items()})
    names = [str(v) for v in rdflib_result.vars]

    def normal(value):
        if value is None:
            return None
        try:
            return ("number", float(value))  # 0.17 and 0.17 as decimal vs double
        except (TypeError, ValueError):
            return str(value)

    rdflib_rows = [tuple(normal(row[n]) for n in names) for row in rdflib_result]
    ox_rows = [tuple(normal(row.get(n)) for n in names) for row in oxigraph_rows]
    assert rdflib_rows == ox_rows
    assert ox_rows, f"{name} returns no rows on the bundled graph"


def test_a_missing_dot_program_says_how_to_install_graphviz(tmp_path, monkeypatch):
    from vitd_kg.errors import VitdKgError

    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on the PATH
    with pytest.raises(VitdKgError, match="Graphviz's `dot` program is not installed") as caught:
        write_evidence_map("cs-spasm-reduction", tmp_path / "map.svg")
    assert "apt-get install graphviz" in caught.value.hint
    write_evidence_map("cs-spasm-reduction", tmp_path / "map.dot")  # DOT needs no Graphviz program


def test_a_missing_graphviz_package_says_how_to_install_the_extra(tmp_path, monkeypatch):
    from vitd_kg.errors import VitdKgError

    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(VitdKgError, match="Python package `graphviz`") as caught:
        write_evidence_map("cs-spasm-reduction", tmp_path / "map.dot")
    assert "vitd-kg[docs]" in caught.value.hint


def test_only_flagged_claims_are_red_and_cited_ones_are_marked_as_cited(store):
    """Issue 15: the case-series claims under the spasm conclusion are evidence the audit
    cites; only cs-improvement, which the audit flags itself, is outlined in red."""
    import re
    import vitd_kg

    findings = vitd_kg.audit()
    chain = evidence_chain(store, "concl-alleviates-muscle-spasm", findings=findings)
    flagged = {claim_id(c) for c in chain.claims if chain.flags.get(c)}
    assert flagged == {"concl-alleviates-muscle-spasm", "cs-improvement"}
    assert {claim_id(c) for c in chain.claims if chain.cited.get(c) and not chain.flags.get(c)} == {
        "cs-spasm-reduction", "cs-symptom-improvement"}
    dot = evidence_map_graph(chain).source
    for claim in ("cs-spasm-reduction", "cs-symptom-improvement"):
        node = re.search(rf'"claim__{claim}" \[(.*?)\]\n', dot, re.S).group(1)
        assert FLAG_COLOUR not in node and CITED_COLOUR in node and "audit:" not in node
    assert "the document&#x27;s report (Cai 2019 identified, not checked)" in dot.replace('<BR ALIGN="LEFT"/>', " ")


def test_rests_on_counts_studies_of_the_world_not_the_documents_synthesis(store):
    chain = evidence_chain(store, "concl-alleviates-muscle-spasm")
    assert len(chain.studies) == 2 and [s.label for s in chain.studies_of_the_world()] == [
        "case series of vitamin D treatment in chronic neck and back pain"]


def test_a_node_cited_by_thousands_of_findings_still_draws(store, tmp_path):
    """At 27000 synthetic claims one study design was cited by thousands of findings, and
    its label grew past what Graphviz accepts (16,384 characters): the map failed."""
    findings = [
        FakeFinding("overstated-significance", [f"flagged-{n:04d}", "cs-improvement"], ["cai-2019-case-series"],
                    f"finding number {n}", "warning")
        for n in range(5000)
    ]
    chain = evidence_chain(store, "concl-alleviates-muscle-spasm", findings=findings)
    out = tmp_path / "map.svg"
    drawing.write_evidence_map(chain, out)  # Graphviz itself, which refused the long label
    svg = out.read_text()
    assert "<svg" in svg and "finding number 0" in svg and "finding number 4999" not in svg
    more = 5000 - drawing.MOST_CITATIONS
    assert f"and {more} more findings" in svg  # the tooltip
    label = evidence_map_graph(chain).source.replace('<BR ALIGN="LEFT"/>', " ")
    assert "flagged-0000, flagged-0001" in label and f"and {more} more" in label and "flagged-4999" not in label


def test_a_finding_with_a_long_message_still_draws(store, tmp_path):
    """A message longer than Graphviz accepts in one string (a finding at 27000 synthetic
    claims named 3323 studies) is cut in the map's tooltips, not passed whole."""
    message = "no controlled study measured it: " + "; ".join(f"study-{n}" for n in range(3000))
    findings = [FakeFinding("rests-on-uncontrolled-evidence-only", ["cs-improvement", "cs-spasm-reduction"],
                            ["cai-2019-case-series"], message, "warning")]
    out = tmp_path / "map.svg"
    drawing.write_evidence_map(evidence_chain(store, "concl-alleviates-muscle-spasm", findings=findings), out)
    svg = html.unescape(out.read_text())  # Graphviz writes "-" as &#45;
    assert "study-0; study-1" in svg and "study-2999" not in svg and "…" in svg
