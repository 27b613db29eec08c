"""The SHACL shapes page puts every kind of rule into words and hides none."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

import vitd_kg
from vitd_kg.site.shapes_doc import describe_shapes

SAMPLE = Path(__file__).parent / "data" / "shapes" / "shapes-sample.ttl"


def rules() -> dict[str, list[str]]:
    shapes = describe_shapes(Graph().parse(SAMPLE))
    return {shape.name: [c.text for c in shape.constraints] for shape in shapes}


def test_shapes_are_named_with_their_prefix_and_targets():
    shapes = describe_shapes(Graph().parse(SAMPLE))
    assert [s.name for s in shapes] == ["vshape:ClaimShape", "vshape:EstimateShape"]
    assert shapes[0].targets == ["every vitd:Claim"]
    assert shapes[0].description == "Every claim has one source sentence."
    assert shapes[0].constraints[-1].message or any(c.message for c in shapes[0].constraints)


def test_paths_counts_classes_lists_and_alternatives_in_words():
    claim = rules()["vshape:ClaimShape"]
    assert "vitd:sourceSentence: exactly 1, each a vitd:SourceSentence" in claim
    assert "^vitd:restsOn: an IRI" in claim
    assert "vitd:reportsStudy/vitd:design: one of vitd:CaseSeries, vitd:NarrativeReview" in claim
    assert "(vitd:modality|vitd:publicationModality): either: (each a vitd:Modality) | (of type xsd:string)" in claim


def test_ranges_severity_unknown_parameters_and_sparql_are_kept():
    shape = next(s for s in describe_shapes(Graph().parse(SAMPLE)) if s.name == "vshape:EstimateShape")
    texts = [c.text for c in shape.constraints]
    assert "vitd:pValue: of type xsd:decimal, ≥ 0, ≤ 1, sh:uniqueLang true" in texts
    assert any(c.severity == "sh:Warning" for c in shape.constraints)
    sparql = [c for c in shape.constraints if c.sparql]
    assert sparql and "FILTER(?l > ?u)" in sparql[0].sparql
    assert sparql[0].message == "{$this} has a lower bound above its upper bound"


def test_the_site_renders_a_shapes_file_when_one_is_bundled(tmp_path, monkeypatch):
    import vitd_kg.site.build as site_module

    monkeypatch.setattr(site_module, "_shape_files", lambda: [(SAMPLE.name, SAMPLE.read_bytes())])
    folder = vitd_kg.build_site(tmp_path / "site").folder
    page = (folder / "shapes.html").read_text(encoding="utf-8")
    assert "vshape:ClaimShape" in page and "^vitd:restsOn: an IRI" in page
    assert "a claim needs exactly one vitd:sourceSentence" in page
    assert (folder / "files" / "shapes-sample.ttl").read_text() == SAMPLE.read_text()
